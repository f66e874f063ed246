import type { RawLogEntry } from '../../contracts/talend-api.ts';
import { PACKAGE_NAME, packageVersion } from '../../common/package-files.ts';
import {
  ECS_VERSION,
  EVENT_DATASET,
  EVENT_MODULE,
  type ExecutionContext,
  type LogDocument,
} from '../../contracts/documents.ts';
import { MonthlyIndexNames } from '../../store/index-names.ts';
import { flatten, fromByteString, toByteString, type ByteString, type EntryJson } from '../entry-json.ts';
import { identityFields, IdentityHasher } from './document-id.ts';
import { entryJsonOf } from './object-entry.ts';
import { OccurrenceCounter } from './occurrences.ts';
import { isErrorSeverity, talendContext } from './talend-context.ts';

/**
 * A document ready for the bulk request, as the UTF-8 JSON the request carries. It is put together
 * from the pieces of JSON the entry already holds: building an object and serializing it, or even
 * escaping the message again, cost several times as much for every line.
 */
export class EnrichedDocument {
  readonly kind = 'document';

  constructor(
    readonly id: string,
    readonly index: string,
    /** The document's `_source`: its UTF-8 JSON as a ByteString (see EntryJson), what the bulk indexer writes. */
    readonly jsonBytes: ByteString,
  ) {}

  /** The document's `_source` as JSON text. */
  get json(): string {
    return fromByteString(this.jsonBytes);
  }

  /** The document as an object, parsed on demand: the pipeline itself only needs `bytes`. */
  get document(): LogDocument {
    return JSON.parse(this.json) as LogDocument;
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
  document: ByteString;
  /** `document` up to the line number of `talend.position`, for documents without `error`. */
  documentToLine: ByteString;
  /** The `identityFields`. */
  identity: ByteString;
}

/** Distinct severities, and field sets per severity, remembered per chunk: unique values cannot grow the caches. */
const MAX_SEVERITIES = 64;
const MAX_FIELD_SETS = 16;
/** `.000Z","message":` to `.999Z","message":`, from the milliseconds of `@timestamp` to the message. */
const MESSAGE_STARTS = Array.from({ length: 1000 }, (_, ms) =>
  flatten(`.${String(ms).padStart(3, '0')}Z","message":`),
);

/**
 * Turns the entries of one chunk into documents: ECS fields, the execution's context, the entry's own
 * fields, a deterministic `_id` and the monthly index. One per chunk, because the occurrence count of
 * repeated entries (part of their `_id`) is counted within the chunk. Documents are put together as
 * ByteStrings (see EntryJson): V8 joins strings without copying them, and the bulk indexer copies
 * each document once, into the request.
 */
export class ChunkEnricher {
  /** From the end of `log.level` to the start of `talend.log`: the same for every document. */
  private readonly contextPart: ByteString;
  /** `contextPart` followed by the start of `talend.log.type`. */
  private readonly contextTypePart: ByteString;
  /** `talend.position` up to the line number. */
  private readonly positionPart: ByteString;
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
  private secondStart = '';

  constructor(context: ExecutionContext, chunkSequence: number, indexPrefix: string) {
    const event = { kind: 'event', module: EVENT_MODULE, dataset: EVENT_DATASET };
    const agent = { type: PACKAGE_NAME, version: packageVersion() };
    const ecs = `"event":${JSON.stringify(event)},"agent":${JSON.stringify(agent)},"ecs":${JSON.stringify({ version: ECS_VERSION })}`;
    const talend = JSON.stringify(talendContext(context)).slice(1, -1);
    this.contextPart = toByteString(`},${ecs},"talend":{${talend},"log":`);
    this.contextTypePart = flatten(`${this.contextPart}{"type":`);
    this.positionPart = flatten(`,"position":{"chunk":${chunkSequence},"line":`);
    this.ids = new IdentityHasher(toByteString(JSON.stringify(context.executionId)));
    this.indexNames = new MonthlyIndexNames(indexPrefix);
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

    const { logMessage, extra } = entry;
    // Few, long pieces: flattening the joined string costs V8 per piece.
    let json = `${this.documentStart(entry.timestampMs)}${logMessage ?? '""'}`;
    if (logMessage !== undefined && severity.error) {
      const summary = `{"message":${errorSummaryJson(logMessage)}`;
      // ECS `error` at the top, the same summary under `talend.error` (a keyword to aggregate on).
      json += holdsStackTrace(logMessage)
        ? `,"error":${summary},"stack_trace":${logMessage}}`
        : `,"error":${summary}}`;
      json += `${fields.document},"error":${summary}}${this.positionPart}`;
    } else {
      json += fields.documentToLine;
    }
    json += extra === undefined ? `${position}}}}` : `${position}},"extra":${extra}}}`;
    return new EnrichedDocument(id, this.indexNames.forTimestamp(entry.timestampMs), json);
  }

  /**
   * The document up to its message: `@timestamp` and the start of `message`. Logs are sorted by time,
   * so the date-time part changes once a second at most.
   */
  private documentStart(timestampMs: number): ByteString {
    const second = Math.floor(timestampMs / 1000);
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      this.secondStart = flatten(`{"@timestamp":"${new Date(second * 1000).toISOString().slice(0, 19)}`);
    }
    return this.secondStart + MESSAGE_STARTS[Math.floor(timestampMs - second * 1000)];
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
    const document = this.documentFields(severity, entry);
    const identity = identityFields({ severity: severity.json, logType, bundleName, bundleVersion, podName });
    const documentToLine = `${document}${this.positionPart}`;
    if (severity.fieldSets.length >= MAX_FIELD_SETS) {
      return { logType, bundleName, bundleVersion, podName, document, documentToLine, identity };
    }
    const set: FieldSet = {
      // Copies, not slices that would keep a whole read of the file; flat, so each joins a document as one piece.
      logType: logType === undefined ? undefined : flatten(logType),
      bundleName: bundleName === undefined ? undefined : flatten(bundleName),
      bundleVersion: bundleVersion === undefined ? undefined : flatten(bundleVersion),
      podName: podName === undefined ? undefined : flatten(podName),
      document: flatten(document),
      documentToLine: flatten(documentToLine),
      identity: flatten(identity),
    };
    severity.fieldSets.push(set);
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
