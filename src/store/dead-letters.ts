import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { fullJitterDelay, sleep } from '../common/backoff.ts';
import { TalendLogsError } from '../common/errors.ts';
import { ECS_VERSION, type TalendContext } from '../contracts/documents.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { bulkIndexLines, postBulk } from './bulk-request.ts';
import { classifyItemFailure, type BulkItemError } from './elasticsearch-errors.ts';
import { elasticsearchRetryOf } from './elasticsearch-retry.ts';
import { deadLetterIndex } from './index-names.ts';

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

export interface DeadLetterWriterOptions {
  prefix: string;
  /** Retries of one dead letter Elasticsearch pushed back (429); whole requests follow the client's policy. */
  maxRetries: number;
  refresh?: boolean | 'wait_for';
  logger?: Logger;
}

/**
 * Stores dead letters in `<prefix>-deadletter` with a small bulk request of their own, awaited by the
 * caller: a line counts as dead-lettered only once Elasticsearch holds its dead letter. Ids are
 * derived from the line, so re-running a chunk overwrites its dead letters instead of adding more.
 */
export class DeadLetterWriter {
  readonly index: string;
  private readonly maxRetries: number;
  private readonly logger: Logger;

  constructor(
    private readonly client: Client,
    private readonly options: DeadLetterWriterOptions,
  ) {
    this.index = deadLetterIndex(options.prefix);
    this.maxRetries = options.maxRetries;
    this.logger = options.logger ?? silentLogger;
  }

  async write(records: readonly DeadLetter[]): Promise<void> {
    let pending = [...records];
    for (let attempt = 0; ; attempt++) {
      const body = pending
        .map((record) => bulkIndexLines(this.index, deadLetterId(record), JSON.stringify(record)))
        .join('');
      const items = await postBulk(this.client, body, pending.length, { refresh: this.options.refresh });
      const retry: DeadLetter[] = [];
      for (const [i, item] of items.entries()) {
        if (item.error === undefined) continue;
        if (classifyItemFailure(item.status, item.error) !== 'retry' || attempt >= this.maxRetries) {
          throw new DeadLetterWriteError(
            `Could not store a dead letter in ${this.index}: ${item.error.reason ?? item.error.type}`,
            { index: this.index, status: item.status, errorType: item.error.type },
          );
        }
        retry.push(pending[i]!);
      }
      pending = retry;
      if (pending.length === 0) return;
      const delayMs = fullJitterDelay(attempt, elasticsearchRetryOf(this.client).policy);
      this.logger.debug(
        { documents: pending.length, attempt: attempt + 1, delayMs },
        'retrying dead letters Elasticsearch was too busy for',
      );
      await sleep(delayMs);
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
