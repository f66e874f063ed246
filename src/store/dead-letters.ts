import { createHash } from 'node:crypto';
import { TalendLogsError } from '../common/errors.ts';
import { ECS_VERSION, type TalendContext } from '../contracts/documents.ts';
import { bulkIndexLines } from './bulk-request.ts';
import type { BulkItemError } from './elasticsearch-errors.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';
import { writeWithItemRetries } from './item-retries.ts';

/** Which chunk of which execution a line came from, and what is known of the execution. */
export interface DeadLetterContext {
  /** As log documents carry it: a replayed line gets it back (see replay-dead-letters.ts). */
  talend: TalendContext;
  chunk: number;
}

/** Where a line was set aside: unreadable text, an entry that makes no document, a document refused. */
export type DeadLetterStage = 'parse' | 'enrich' | 'index';
export const DEAD_LETTER_STAGES: readonly DeadLetterStage[] = ['parse', 'enrich', 'index'];

/**
 * A line set aside, with why, in ECS terms where ECS has them: `error.type` and `error.message` say
 * why, `event.original` keeps the line as read (the text of an unreadable line, truncated to 64 KiB;
 * else the entry's JSON), and `talend.*` the execution's context as on log documents.
 */
export interface DeadLetter {
  '@timestamp': string;
  ecs: { version: string };
  event: { original: string };
  error: { type: string; message: string };
  /** The status of a document Elasticsearch refused. */
  http?: { response: { status_code: number } };
  talend: TalendContext & {
    position: { chunk: number; line: number };
    dead_letter: {
      stage: DeadLetterStage;
      /** Where a refused document belongs, under the `_id` it keeps when replayed. */
      target_index?: string;
      document_id?: string;
    };
  };
}

function deadLetter(
  context: DeadLetterContext,
  position: number,
  stage: DeadLetterStage,
  error: DeadLetter['error'],
  original: string,
): DeadLetter {
  return {
    '@timestamp': new Date().toISOString(),
    ecs: { version: ECS_VERSION },
    event: { original },
    error,
    talend: { ...context.talend, position: { chunk: context.chunk, line: position }, dead_letter: { stage } },
  };
}

export function parseDeadLetter(
  context: DeadLetterContext,
  position: number,
  reason: string,
  raw: string,
): DeadLetter {
  return deadLetter(context, position, 'parse', { type: 'malformed_line', message: reason }, raw);
}

export function enrichDeadLetter(
  context: DeadLetterContext,
  position: number,
  reason: string,
  entry: unknown,
): DeadLetter {
  return deadLetter(
    context,
    position,
    'enrich',
    { type: 'invalid_entry', message: reason },
    JSON.stringify(entry),
  );
}

/** `entryJson`: the entry as Talend sent it, as JSON text. */
export function indexDeadLetter(
  context: DeadLetterContext,
  position: number,
  target: { index: string; id: string; entryJson: string },
  status: number,
  error: BulkItemError,
): DeadLetter {
  const reason = [error.reason, error.caused_by?.reason].filter(Boolean).join(': ') || error.type;
  const record = deadLetter(
    context,
    position,
    'index',
    { type: error.type, message: reason },
    target.entryJson,
  );
  record.http = { response: { status_code: status } };
  record.talend.dead_letter.target_index = target.index;
  record.talend.dead_letter.document_id = target.id;
  return record;
}

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

/** Derived from the line, not the attempt: a line set aside again, by a re-run or a replay, overwrites its dead letter. */
export function deadLetterId(record: DeadLetter): string {
  const { execution, position, dead_letter: where } = record.talend;
  const what = where.stage === 'index' ? where.document_id : record.event.original;
  return createHash('sha1')
    .update(JSON.stringify([where.stage, execution.id, position.chunk, position.line, what]))
    .digest('base64url');
}
