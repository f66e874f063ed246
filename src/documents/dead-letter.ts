import { createHash } from 'node:crypto';
import { ECS_VERSION } from '../common/ecs-version.ts';
import { type TalendContext } from './shapes.ts';

/** The error object of one failed item of a `_bulk` answer: why a document was refused. */
export interface BulkItemError {
  type: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

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

/** Derived from the line, not the attempt: a line set aside again, by a re-run or a replay, overwrites its dead letter. */
export function deadLetterId(record: DeadLetter): string {
  const { execution, position, dead_letter: where } = record.talend;
  const what = where.stage === 'index' ? where.document_id : record.event.original;
  return createHash('sha1')
    .update(JSON.stringify([where.stage, execution.id, position.chunk, position.line, what]))
    .digest('base64url');
}
