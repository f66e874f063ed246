import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { fullJitterDelay, sleep } from '../common/backoff.ts';
import { TalendLogsError } from '../common/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { bulkIndexLines, postBulk } from './bulk-request.ts';
import { classifyItemFailure, type BulkItemError } from './elasticsearch-errors.ts';
import { elasticsearchRetryOf } from './elasticsearch-retry.ts';
import { deadLetterIndex } from './index-names.ts';

/** Which chunk of which execution a line came from. */
export interface DeadLetterContext {
  taskId: string;
  executionId: string;
  chunk: number;
}

interface DeadLetterBase {
  '@timestamp': string;
  reason: string;
  error: { type: string; status?: number };
  talend: { task: { id: string }; execution: { id: string }; position: { chunk: number; line: number } };
}

/** A line that could not be read (`parse`) or not be made into a document (`enrich`). */
export interface ParseDeadLetter extends DeadLetterBase {
  stage: 'parse' | 'enrich';
  /** The text of an unreadable line, truncated. */
  raw?: string;
  /** The entry that could not be made a document. */
  original?: unknown;
}

/** A document Elasticsearch refused (mapping conflict, unparsable value). */
export interface IndexDeadLetter extends DeadLetterBase {
  stage: 'index';
  target_index: string;
  document_id: string;
  original: unknown;
}

export type DeadLetter = ParseDeadLetter | IndexDeadLetter;

function base(context: DeadLetterContext, position: number, reason: string, error: DeadLetterBase['error']) {
  return {
    '@timestamp': new Date().toISOString(),
    reason,
    error,
    talend: {
      task: { id: context.taskId },
      execution: { id: context.executionId },
      position: { chunk: context.chunk, line: position },
    },
  };
}

export function parseDeadLetter(
  context: DeadLetterContext,
  position: number,
  reason: string,
  raw: string,
): ParseDeadLetter {
  return { ...base(context, position, reason, { type: 'malformed_line' }), stage: 'parse', raw };
}

export function enrichDeadLetter(
  context: DeadLetterContext,
  position: number,
  reason: string,
  original: unknown,
): ParseDeadLetter {
  return { ...base(context, position, reason, { type: 'invalid_entry' }), stage: 'enrich', original };
}

export function indexDeadLetter(
  context: DeadLetterContext,
  position: number,
  target: { index: string; id: string; source: unknown },
  status: number,
  error: BulkItemError,
): IndexDeadLetter {
  const reason = [error.reason, error.caused_by?.reason].filter(Boolean).join(': ') || error.type;
  return {
    ...base(context, position, reason, { type: error.type, status }),
    stage: 'index',
    target_index: target.index,
    document_id: target.id,
    original: target.source,
  };
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

function deadLetterId(record: DeadLetter): string {
  const { execution, position } = record.talend;
  const what =
    record.stage === 'index' ? record.document_id : JSON.stringify(record.raw ?? record.original ?? null);
  return createHash('sha1')
    .update(JSON.stringify([record.stage, execution.id, position.chunk, position.line, what]))
    .digest('base64url');
}
