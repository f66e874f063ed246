import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import Parser from 'stream-json/Parser.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { TruncatedLogError } from '../errors.ts';
import type { ByteTap } from './detect-shape.ts';
import { lineFromValue, malformedLine, type ParsedLine } from './parsed-line.ts';

/**
 * Where in the file the bytes given start: after `entries` entries already read by someone else. When
 * `placeholder` is set, the bytes open with `[0` standing for the last entry read, so that what
 * follows it (a separator, or a syntax error) is judged as it would have been in the whole file;
 * the placeholder itself is not an entry.
 */
export interface Resumption {
  entries: number;
  placeholder: boolean;
}

/** How much of the bytes before a syntax error is quoted in its dead letter. */
const CONTEXT_BYTES = 512;
/** Entries handed on together; the token parser is slow enough that waiting for more costs nothing. */
const BATCH = 256;

type Callback = (error?: Error | null) => void;
const processBuffer = (
  Parser.prototype as unknown as { _processBuffer(this: Parser, callback: Callback): void }
)._processBuffer;

/**
 * stream-json's tokenizer, made to stop at a syntax error instead of failing the pipeline: a failed
 * pipeline destroys its streams, and with them the entries parsed before the error but not yet read.
 * Here the error is kept and the token stream simply ends, so those entries still come out.
 */
class StoppingParser extends Parser {
  failure: Error | undefined;
  /** The failure came when the input ended, not at a byte in the middle: the file was cut short. */
  endedEarly = false;

  _processBuffer(callback: Callback): void {
    const self = this as unknown as { _buffer: string; _open_number: boolean; _done: boolean };
    if (this.failure) {
      self._buffer = '';
      return callback(null);
    }
    processBuffer.call(this, (error) => {
      if (error) {
        this.failure = error;
        this.endedEarly = self._done;
        self._buffer = '';
        // An unfinished number would otherwise be pushed by _flush, after the end.
        self._open_number = false;
        this.push(null);
      }
      callback(null);
    });
  }
}

/** A stream-json token: `name` is `startObject`, `keyValue`, `stringValue`, … */
interface Token {
  name: string;
  value?: unknown;
}

/**
 * The tokens of a wrapped file's entries, out of the tokens of the whole object. The entries are the
 * first member of the top-level object whose value is an array whose first element is an object with
 * a `logTimestamp` member: whatever its key, and whatever comes before or after it. Every other
 * member (counts, paging, metadata, empty arrays, arrays of strings, numbers or other objects, later
 * arrays of entries) is dropped as it streams by, so memory stays flat; only the first element of an
 * array of objects is held while it is being judged. An object that holds arrays of objects but none
 * of entries is an error, not an empty file.
 */
class EntriesPicker extends Transform {
  private depth = 0;
  private state: 'seeking' | 'candidate' | 'probing' | 'skipping' | 'picking' | 'done' = 'seeking';
  /** The tokens of the array being judged, from its opening. */
  private held: Token[] = [];
  private key = '';
  /** Keys of the arrays of objects that were not entries. */
  private readonly passed: string[] = [];

  constructor() {
    super({ objectMode: true });
  }

  override _transform(token: Token, _encoding: BufferEncoding, callback: TransformCallback): void {
    const outer = this.depth;
    if (token.name === 'startObject' || token.name === 'startArray') this.depth++;
    else if (token.name === 'endObject' || token.name === 'endArray') this.depth--;
    switch (this.state) {
      case 'seeking':
        if (outer === 1 && token.name === 'keyValue') this.key = token.value as string;
        else if (outer === 1 && token.name === 'startArray') {
          this.state = 'candidate';
          this.held = [token];
        }
        break;
      case 'candidate':
        if (token.name === 'startObject') {
          this.state = 'probing';
          this.held.push(token);
        } else this.state = this.depth === 1 ? 'seeking' : 'skipping';
        break;
      case 'probing':
        this.held.push(token);
        if (outer === 3 && token.name === 'keyValue' && token.value === 'logTimestamp') {
          this.state = 'picking';
          for (const held of this.held) this.push(held);
          this.held = [];
        } else if (this.depth === 2) {
          this.state = 'skipping';
          this.passed.push(this.key);
          this.held = [];
        }
        break;
      case 'skipping':
        if (this.depth === 1) this.state = 'seeking';
        break;
      case 'picking':
        this.push(token);
        if (this.depth === 1) this.state = 'done';
        break;
      case 'done':
        break;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // Cut off while picking is the tokenizer's to report, as a file cut short.
    if (this.state === 'done' || this.state === 'picking' || this.passed.length === 0) return callback();
    const keys = this.passed.map((key) => JSON.stringify(key)).join(', ');
    callback(
      new Error(`the object holds arrays of objects (${keys}) but none of entries with a logTimestamp`),
    );
  }
}

/**
 * A top-level array, or an object wrapping that array (see EntriesPicker), streamed element by element so
 * that memory does not grow with the file. A syntax error in the middle leaves the parser with no
 * place to resume: it is reported once, as a malformed record at the entry where it happened, and the
 * rest of the file is given up on (the chunk ends up with a dead letter, never silently short).
 */
export async function* parseJsonDocument(
  bytes: Readable,
  shape: 'array' | 'wrapped',
  tap: ByteTap,
  truncated: 'retry' | 'dead-letter',
  resumption: Resumption = { entries: 0, placeholder: false },
): AsyncGenerator<ParsedLine[]> {
  // Packed values only: the per-character token events stream-json can also emit are not needed.
  const tokens = new StoppingParser({ packValues: true, streamValues: false });
  const stages: Transform[] =
    shape === 'wrapped' ? [tokens, new EntriesPicker(), StreamArray.make()] : [tokens, StreamArray.make()];
  const elements = pipeline([bytes, ...stages], () => undefined) as unknown as AsyncIterable<{
    key: number;
    value: unknown;
  }>;
  const offset = resumption.placeholder ? resumption.entries - 1 : resumption.entries;
  let position = resumption.entries;
  let failure: unknown;
  let batch: ParsedLine[] = [];
  try {
    for await (const { key, value } of elements) {
      position = key + offset + 1;
      if (resumption.placeholder && key === 0) continue;
      batch.push(lineFromValue(value, key + offset));
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (tap.isUpstream(error)) throw error;
    failure = error;
  }
  // A syntax error ends the token stream early, which the stages after it may take for their own error.
  failure = tokens.failure ?? failure;
  if (failure === undefined) {
    if (batch.length > 0) yield batch;
    return;
  }
  // The rest of the file cannot be read: stop the download rather than drain it.
  bytes.destroy();
  const reason = failure instanceof Error ? failure.message : String(failure);
  if (tokens.endedEarly && truncated === 'retry') {
    throw new TruncatedLogError(
      `The log file ends in the middle of its JSON after entry ${position} (${tap.bytes} bytes): ${reason}`,
      { position, bytes: tap.bytes },
    );
  }
  batch.push(
    malformedLine(
      position,
      `broken JSON ${shape === 'array' ? 'array' : 'document'} after entry ${position}, within the first ${tap.bytes} bytes: ${reason}; the rest of the file cannot be read`,
      tap.tail(CONTEXT_BYTES),
    ),
  );
  yield batch;
}
