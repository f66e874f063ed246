import { hash } from 'node:crypto';
import { numberLength, putByteString, putBytes, putNumber } from '../../common/byte-writing.ts';
import type { EntryJson, ByteString } from '../entry-json.ts';

/** The entry fields that make up its identity, each already serialized as JSON (`null` when absent). */
export interface SerializedFields {
  severity: string | undefined;
  logType: string | undefined;
  bundleName: string | undefined;
  bundleVersion: string | undefined;
  podName: string | undefined;
  logMessage: string | undefined;
  /** The unknown fields, keys sorted: see `serializeExtra`. */
  extra: string | undefined;
}

/**
 * The part of an entry's identity between the timestamp and the message, commas included: entries
 * of a log share a few sets of these fields, so the enricher keeps this part per set.
 */
export function identityFields(fields: Omit<SerializedFields, 'logMessage' | 'extra'>): string {
  const { severity, logType, bundleName, bundleVersion, podName } = fields;
  return `,${severity ?? 'null'},${logType ?? 'null'},${bundleName ?? 'null'},${bundleVersion ?? 'null'},${podName ?? 'null'},`;
}

/** Unknown fields in sorted key order, so that the order Talend wrote them in does not change the id. */
export function serializeExtra(extra: Record<string, unknown> | undefined): string {
  if (extra === undefined) return 'null';
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(extra).sort()) sorted[key] = extra[key];
  return JSON.stringify(sorted);
}

/**
 * `occurrence` counts the identical entries (same identity) that came before this one: real logs
 * repeat lines, and each copy is a document of its own. The first copy hashes the identity alone, so
 * the common case costs one hash; the suffix of later copies cannot be produced by any identity,
 * which is a JSON array. The identity is hashed as UTF-8.
 */
export function documentId(identity: string | Buffer, occurrence = 0): string {
  if (occurrence === 0) return hash('sha1', identity, 'base64url');
  const suffix = `#${occurrence}`;
  return hash(
    'sha1',
    typeof identity === 'string' ? identity + suffix : Buffer.concat([identity, Buffer.from(suffix)]),
    'base64url',
  );
}

const SCRATCH_BYTES = 16 * 1024;
/** `,null]`: the end of an identity without extra fields. */
const NO_EXTRA_END = Buffer.from(',null]', 'latin1');
const COMMA = 0x2c;
const CLOSING_BRACKET = 0x5d;

/**
 * The `_id`s of one execution's entries: `documentId` of the entry's identity, the content that
 * identifies a log line as a JSON array (the execution, the timestamp, every field of the entry:
 * `[execution, timestamp, severity, logType, bundleName, bundleVersion, podName, message, extra]`).
 * Never its place in the file: chunk boundaries move between runs, and a line must get the same
 * `_id` whichever chunk carries it, so that a re-run overwrites. Written from the fields' JSON as
 * EntryJson holds it, piece by piece into a buffer reused from one entry to the next (see
 * byte-writing.ts for why not as one string).
 */
export class IdentityHasher {
  private scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Views of the scratch buffer by length: creating a Buffer per line costs as much as hashing it. */
  private views = new Map<number, Buffer>();
  private identity: Buffer = Buffer.alloc(0);
  /** The identity up to its timestamp: `[`, the execution id's JSON and a comma. */
  private readonly start: Buffer;
  /**
   * Where the timestamp `startMs` ends in the scratch buffer, which holds it after `start`: logs
   * repeat timestamps, and writing one costs as much as the rest of the identity.
   */
  private startEnd = 0;
  private startMs = Number.NaN;

  constructor(executionIdJson: ByteString) {
    this.start = Buffer.from(`[${executionIdJson},`, 'latin1');
  }

  /**
   * The `_id` of the entry's first occurrence; `repeatId` then gives those of its copies. `middle` is
   * the entry's `identityFields` as bytes, which the caller keeps for entries that share them.
   */
  firstId(entry: EntryJson, middle: Uint8Array): string {
    this.identity = this.identityOf(entry, middle);
    return documentId(this.identity);
  }

  /** The identity of the entry, in the scratch buffer until the next call. */
  identityOf(entry: EntryJson, middle: Uint8Array): Buffer {
    const { timestampMs, logMessage, extra } = entry;
    const length =
      this.start.length +
      numberLength(timestampMs) +
      middle.length +
      (logMessage === undefined ? 4 : logMessage.length) +
      (extra === undefined ? NO_EXTRA_END.length : extra.length + 2);
    if (length > this.scratch.length) {
      this.scratch = Buffer.allocUnsafe(2 * length);
      this.views = new Map();
      this.startMs = Number.NaN;
    }
    const scratch = this.scratch;
    if (timestampMs !== this.startMs) {
      this.startMs = timestampMs;
      this.startEnd = putNumber(scratch, putBytes(scratch, 0, this.start), timestampMs);
    }
    let at = putBytes(scratch, this.startEnd, middle);
    at = putByteString(scratch, at, logMessage ?? 'null');
    if (extra === undefined) {
      at = putBytes(scratch, at, NO_EXTRA_END);
    } else {
      scratch[at++] = COMMA;
      at = putByteString(scratch, at, extra);
      scratch[at++] = CLOSING_BRACKET;
    }
    let view = this.views.get(at);
    if (view === undefined) {
      view = scratch.subarray(0, at);
      this.views.set(at, view);
    }
    return view;
  }

  /** The `_id` of a later copy of the entry last given to `firstId`. */
  repeatId(occurrence: number): string {
    return documentId(this.identity, occurrence);
  }
}
