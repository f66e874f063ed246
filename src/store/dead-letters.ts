import { TalendLogsError } from '../common/errors.ts';
import { deadLetterId, type DeadLetter } from '../documents/dead-letter.ts';
import { bulkIndexLines } from './bulk-request.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';
import { writeWithItemRetries } from './item-retries.ts';

/** Dead letters could not be stored: the lines they stand for would be lost, so the chunk fails. */
export class DeadLetterWriteError extends TalendLogsError {
  constructor(message: string, context?: Record<string, string | number | undefined>, cause?: unknown) {
    super(message, { category: 'elasticsearch', context, cause });
  }
}

/**
 * Stores dead letters in `<prefix>-deadletter` with a small bulk request of their own, awaited by the
 * caller: a line counts as dead-lettered only once Elasticsearch holds its dead letter. Ids are
 * derived from the line, so re-running a chunk overwrites its dead letters instead of adding more.
 */
export class DeadLetterWriter {
  readonly index: string;

  constructor(private readonly store: ElasticsearchStore) {
    this.index = store.names.deadLetters;
  }

  /** A dead letter refused as a document has nowhere else to go: the lines it stands for fail. */
  async write(records: readonly DeadLetter[]): Promise<void> {
    const refused = await writeWithItemRetries(this.store, {
      index: this.index,
      what: 'dead letters',
      actions: records.map((record) => ({
        lines: bulkIndexLines(this.index, deadLetterId(record), JSON.stringify(record)),
      })),
    });
    const first = refused[0];
    if (first !== undefined) {
      throw new DeadLetterWriteError(
        `Could not store a dead letter in ${this.index}: ${first.item.error.reason ?? first.item.error.type}`,
        { index: this.index, status: first.item.status, errorType: first.item.error.type },
      );
    }
  }
}
