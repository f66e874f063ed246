import type { RawLogEntry } from '../../contracts/talend-api.ts';
import { PACKAGE_NAME, packageVersion } from '../../common/package-files.ts';
import { ECS_VERSION } from '../../common/ecs-version.ts';
import { EVENT_DATASET, EVENT_MODULE, type ExecutionContext } from '../../documents/shapes.ts';
import { MonthlyIndexNames, type IndexNames } from '../../config/index-names.ts';
import { numberLength, putByteString, putBytes, putNumber } from '../../common/byte-writing.ts';
import type { SerializedDocument } from '../../store/bulk-request.ts';
import { flatten, fromByteString, toByteString, type ByteString, type EntryJson } from '../entry-json.ts';
import { identityFields, IdentityHasher } from './document-id.ts';
import { entryJsonOf } from './object-entry.ts';
import { OccurrenceCounter } from './occurrences.ts';
import { isErrorSeverity, talendContext } from '../../documents/talend-context.ts';

/**
 * A document ready for the bulk request, as the UTF-8 JSON the request carries. It is put together
 * from the pieces of JSON the entry already holds, and written piece by piece where the request is
 * built (see byte-writing.ts): building an object and serializing it, or even joining the pieces
 * into one string, cost several times as much for every line.
 */
export class EnrichedDocument implements SerializedDocument {
  readonly kind = 'document';
  readonly byteLength: number;

  constructor(
    readonly id: string,
    readonly index: string,
    /** `{"@timestamp":"` and the date-time of the entry's timestamp, to the second. */
    private readonly second: Uint8Array,
    /** The milliseconds of the timestamp, 0 to 999. */
    private readonly milliseconds: number,
    /** The message's JSON; undefined for an entry without one. */
    private readonly message: ByteString | undefined,
    /** The JSON of the message's summary, for error entries only (see `errorSummaryJson`). */
    private readonly summary: ByteString | undefined,
    /** Whether the message is also the document's `error.stack_trace`. */
    private readonly stackTrace: boolean,
    private readonly fields: FieldSet,
    private readonly position: number,
    private readonly extra: ByteString | undefined,
  ) {
    let length = second.length + 4 + MESSAGE_START.length + (message?.length ?? 2);
    if (summary !== undefined) {
      length += ERROR_START.length + summary.length + 1;
      if (stackTrace) length += STACK_TRACE_START.length + message!.length;
      length += fields.document.length + ERROR_START.length + summary.length + 1;
      length += fields.positionPart.length;
    } else {
      length += fields.documentToLine.length;
    }
    length += numberLength(position);
    length +=
      extra === undefined ? DOCUMENT_END.length : EXTRA_START.length + extra.length + DOCUMENT_END.length - 1;
    this.byteLength = length;
  }

  /** Writes the document's `_source` at `at` of `target`, which has room for `byteLength` bytes. */
  writeTo(target: Buffer, at: number): number {
    const { message, summary, fields, extra } = this;
    at = putBytes(target, at, this.second);
    // Always three digits, written directly: through putNumber they cost a sixth of this method.
    const ms = this.milliseconds;
    target[at] = DOT;
    target[at + 1] = DIGIT_ZERO + Math.floor(ms / 100);
    target[at + 2] = DIGIT_ZERO + (Math.floor(ms / 10) % 10);
    target[at + 3] = DIGIT_ZERO + (ms % 10);
    at = putBytes(target, at + 4, MESSAGE_START);
    at = message === undefined ? putBytes(target, at, EMPTY_STRING) : putByteString(target, at, message);
    if (summary !== undefined) {
      // ECS `error` at the top, the same summary under `talend.error` (a keyword to aggregate on).
      at = putBytes(target, at, ERROR_START);
      at = putByteString(target, at, summary);
      if (this.stackTrace) {
        at = putBytes(target, at, STACK_TRACE_START);
        at = putByteString(target, at, message!);
      }
      target[at++] = CLOSING_BRACE;
      at = putBytes(target, at, fields.document);
      at = putBytes(target, at, ERROR_START);
      at = putByteString(target, at, summary);
      target[at++] = CLOSING_BRACE;
      at = putBytes(target, at, fields.positionPart);
    } else {
      at = putBytes(target, at, fields.documentToLine);
    }
    at = putNumber(target, at, this.position);
    if (extra === undefined) return putBytes(target, at, DOCUMENT_END);
    at = putBytes(target, at, EXTRA_START);
    at = putByteString(target, at, extra);
    return putBytes(target, at, DOCUMENT_END.subarray(1));
  }
}

export type EnrichOutcome = EnrichedDocument | { kind: 'malformed'; reason: string };

/** How a severity shows in a document, worked out once per distinct severity. */
interface Severity {
  /** The severity's JSON as found in entries; undefined for entries without one. */
  json: ByteString | undefined;
  /** The serialized `log.level`. */
  level: ByteString;
  error: boolean;
  /** The sets of the other fields seen with this severity. */
  fieldSets: FieldSet[];
}

/**
 * The entry's fields but the timestamp, the message and the extras, as they show in the document and
 * in the identity, worked out once per distinct set: a log has a handful of them.
 */
interface FieldSet {
  logType: ByteString | undefined;
  bundleName: ByteString | undefined;
  bundleVersion: ByteString | undefined;
  podName: ByteString | undefined;
  /** The document from `log.level` to the end of `talend.pod`. */
  document: Uint8Array;
  /** `document` up to the line number of `talend.position`, for documents without `error`. */
  documentToLine: Uint8Array;
  /** `talend.position` up to the line number, for documents with `error`. */
  positionPart: Uint8Array;
  /** The `identityFields`. */
  identity: Uint8Array;
}

/** Distinct severities, and field sets per severity, remembered per chunk: unique values cannot grow the caches. */
const MAX_SEVERITIES = 64;
const MAX_FIELD_SETS = 16;
const MESSAGE_START = bytesOf('Z","message":');
const EMPTY_STRING = bytesOf('""');
const ERROR_START = bytesOf(',"error":{"message":');
const STACK_TRACE_START = bytesOf(',"stack_trace":');
const EXTRA_START = bytesOf('},"extra":');
const DOCUMENT_END = bytesOf('}}}');
const DOT = 0x2e;
const DIGIT_ZERO = 0x30;
const CLOSING_BRACE = 0x7d;

/**
 * Turns the entries of one chunk into documents: ECS fields, the execution's context, the entry's own
 * fields, a deterministic `_id` and the monthly index. One per chunk, because the occurrence count of
 * repeated entries (part of their `_id`) is counted within the chunk. Documents are made of the
 * entry's ByteStrings (see EntryJson) and of pieces kept per field set, which they write straight
 * into the request: each byte of a document is copied once.
 */
export class ChunkEnricher {
  /** From the end of `log.level` to the start of `talend.log`: the same for every document. */
  private readonly contextPart: ByteString;
  /** `contextPart` followed by the start of `talend.log.type`. */
  private readonly contextTypePart: ByteString;
  /** `talend.position` up to the line number. */
  private readonly positionPart: Uint8Array;
  private readonly indexNames: MonthlyIndexNames;
  private readonly occurrences = new OccurrenceCounter();
  private readonly ids: IdentityHasher;
  private readonly severities: Severity[] = [];
  private readonly unknownSeverity: Severity = {
    json: undefined,
    level: '"unknown"',
    error: false,
    fieldSets: [],
  };
  private lastSeverity = this.unknownSeverity;
  private isoSecond = Number.NaN;
  /** The document up to the `@timestamp` milliseconds, for the second of `isoSecond`. */
  private isoSecondStart: Uint8Array = new Uint8Array(0);

  constructor(context: ExecutionContext, chunkSequence: number, names: IndexNames) {
    const event = { kind: 'event', module: EVENT_MODULE, dataset: EVENT_DATASET };
    const agent = { type: PACKAGE_NAME, version: packageVersion() };
    const ecs = `"event":${JSON.stringify(event)},"agent":${JSON.stringify(agent)},"ecs":${JSON.stringify({ version: ECS_VERSION })}`;
    const talend = JSON.stringify(talendContext(context)).slice(1, -1);
    this.contextPart = toByteString(`},${ecs},"talend":{${talend},"log":`);
    this.contextTypePart = flatten(`${this.contextPart}{"type":`);
    this.positionPart = bytesOf(`,"position":{"chunk":${chunkSequence},"line":`);
    this.ids = new IdentityHasher(toByteString(JSON.stringify(context.executionId)));
    this.indexNames = new MonthlyIndexNames(names);
  }

  /** `timestampMs` is the entry's `logTimestamp` as `entryTimestamp` read it. */
  toDocument(entry: RawLogEntry, timestampMs: number, position: number): EnrichOutcome {
    const json = entryJsonOf(entry, timestampMs);
    if (typeof json === 'string') return { kind: 'malformed', reason: json };
    return this.fromJson(json, position);
  }

  /** The document of an entry already in JSON form, as the layout reader slices it from the file. */
  fromJson(entry: EntryJson, position: number): EnrichedDocument {
    const severity = this.severityOf(entry.severity);
    const fields = this.fieldSetOf(severity, entry);
    const firstId = this.ids.firstId(entry, fields.identity);
    const occurrence = this.occurrences.next(entry.timestampMs, firstId);
    const id = occurrence === 0 ? firstId : this.ids.repeatId(occurrence);

    const { timestampMs, logMessage } = entry;
    const second = Math.floor(timestampMs / 1000);
    const error = logMessage !== undefined && severity.error;
    return new EnrichedDocument(
      id,
      this.indexNames.forTimestamp(timestampMs),
      this.secondStart(second),
      Math.floor(timestampMs - second * 1000),
      logMessage,
      error ? errorSummaryJson(logMessage) : undefined,
      error && holdsStackTrace(logMessage),
      fields,
      position,
      entry.extra,
    );
  }

  /**
   * The document up to the milliseconds of its `@timestamp`. Logs are sorted by time, so it changes
   * once a second at most.
   */
  private secondStart(second: number): Uint8Array {
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      this.isoSecondStart = bytesOf(`{"@timestamp":"${new Date(second * 1000).toISOString().slice(0, 19)}`);
    }
    return this.isoSecondStart;
  }

  /** The entry's set of fields, as a known set of its severity or a new one. */
  private fieldSetOf(severity: Severity, entry: EntryJson): FieldSet {
    const { logType, bundleName, bundleVersion, podName } = entry;
    for (const known of severity.fieldSets) {
      if (
        known.podName === podName &&
        known.logType === logType &&
        known.bundleName === bundleName &&
        known.bundleVersion === bundleVersion
      ) {
        return known;
      }
    }
    const document = bytesOf(this.documentFields(severity, entry));
    const set: FieldSet = {
      // Copies, not slices that would keep a whole read of the file.
      logType: logType === undefined ? undefined : flatten(logType),
      bundleName: bundleName === undefined ? undefined : flatten(bundleName),
      bundleVersion: bundleVersion === undefined ? undefined : flatten(bundleVersion),
      podName: podName === undefined ? undefined : flatten(podName),
      document,
      documentToLine: Buffer.concat([document, this.positionPart]),
      positionPart: this.positionPart,
      identity: bytesOf(
        identityFields({ severity: severity.json, logType, bundleName, bundleVersion, podName }),
      ),
    };
    if (severity.fieldSets.length < MAX_FIELD_SETS) severity.fieldSets.push(set);
    return set;
  }

  /** The document from `log.level` to the end of `talend.pod`. */
  private documentFields(severity: Severity, entry: EntryJson): ByteString {
    const { logType, bundleName, bundleVersion, podName } = entry;
    let document = `,"log":{"level":${severity.level}`;
    document += logType === undefined ? `${this.contextPart}{}` : `${this.contextTypePart}${logType}}`;
    if (bundleName !== undefined && bundleVersion !== undefined) {
      document += `,"bundle":{"name":${bundleName},"version":${bundleVersion}}`;
    } else if (bundleName !== undefined) {
      document += `,"bundle":{"name":${bundleName}}`;
    } else if (bundleVersion !== undefined) {
      document += `,"bundle":{"version":${bundleVersion}}`;
    }
    if (podName !== undefined) document += `,"pod":{"name":${podName}}`;
    return document;
  }

  /** A log has a handful of severities: each is worked out once, then recognized by its JSON. */
  private severityOf(json: ByteString | undefined): Severity {
    if (json === undefined) return this.unknownSeverity;
    if (json === this.lastSeverity.json) return this.lastSeverity;
    let severity = this.severities.find((known) => known.json === json);
    if (severity === undefined) {
      const text = JSON.parse(fromByteString(json)) as string;
      severity = {
        json: flatten(json),
        level: toByteString(JSON.stringify(text.toLowerCase())),
        error: isErrorSeverity(text),
        fieldSets: [],
      };
      if (this.severities.length < MAX_SEVERITIES) this.severities.push(severity);
    }
    this.lastSeverity = severity;
    return severity;
  }
}

const ERROR_SUMMARY_LENGTH = 512;

/**
 * A line of a Java stack trace, in a message's JSON (canonical, see EntryJson): a newline followed by
 * a frame (whitespace, then `at `) or by `Caused by: `. The backslash of `\n` must not itself be
 * escaped: `holdsStackTrace` checks the backslashes before it.
 */
const TRACE_LINE = /\\n(?:(?:\\t| )+at |Caused by: )/g;

/**
 * Whether the message whose JSON is given holds a Java stack trace. Such a message becomes
 * `error.stack_trace` whole rather than from its first frame on: the lines above the frames are the
 * exception's own text (which may span several lines, and may follow a sentence of the job's), and
 * no rule finds where that text starts; the whole message loses nothing, and its JSON is reused as
 * it is.
 */
function holdsStackTrace(messageJson: ByteString): boolean {
  TRACE_LINE.lastIndex = 0;
  for (let match = TRACE_LINE.exec(messageJson); match !== null; match = TRACE_LINE.exec(messageJson)) {
    let backslashes = 0;
    while (messageJson.charCodeAt(match.index - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return true;
    TRACE_LINE.lastIndex = match.index + 1;
  }
  return false;
}

/** A ByteString as the bytes it holds. */
function bytesOf(text: ByteString): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Plain ASCII text: no escapes, no control or multi-byte characters. */
const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `errorSummary` of the message whose JSON is given, as JSON. Usually the first line is plain ASCII
 * ended by a newline, and is simply sliced; anything else is decoded and summarized as text.
 */
function errorSummaryJson(messageJson: ByteString): ByteString {
  const backslash = messageJson.indexOf('\\');
  const end = backslash === -1 ? messageJson.length - 1 : backslash;
  const firstLine = messageJson.slice(1, end);
  const endsTheLine = backslash === -1 || messageJson.startsWith('\\n', backslash);
  if (
    endsTheLine &&
    firstLine.length <= ERROR_SUMMARY_LENGTH &&
    !firstLine.endsWith(' ') &&
    PLAIN_ASCII.test(firstLine)
  ) {
    return `"${firstLine}"`;
  }
  return toByteString(JSON.stringify(errorSummary(JSON.parse(fromByteString(messageJson)) as string)));
}

/**
 * The first line of an error message, short enough to aggregate on: a stack trace's first line names
 * the exception, which is what "top error messages" should count.
 */
function errorSummary(message: string): string {
  const newline = message.indexOf('\n');
  const firstLine = (newline === -1 ? message : message.slice(0, newline)).trimEnd();
  return firstLine.length > ERROR_SUMMARY_LENGTH ? firstLine.slice(0, ERROR_SUMMARY_LENGTH) : firstLine;
}
