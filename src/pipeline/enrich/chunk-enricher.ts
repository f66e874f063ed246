import type { RawLogEntry } from '../../contracts/talend-api.ts';
import {
  ECS_VERSION,
  EVENT_DATASET,
  type ExecutionContext,
  type LogDocument,
} from '../../contracts/documents.ts';
import { MonthlyIndexNames } from '../../store/index-names.ts';
import { fromByteString, toByteString, type ByteString, type EntryJson } from '../entry-json.ts';
import { IdentityHasher } from './document-id.ts';
import { entryJsonOf } from './object-entry.ts';
import { OccurrenceCounter } from './occurrences.ts';

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

type TalendContext = Pick<
  LogDocument['talend'],
  'task' | 'execution' | 'workspace' | 'environment' | 'runtime'
>;

/** How a severity shows in a document, worked out once per distinct severity. */
interface Severity {
  /** The severity's JSON as found in entries. */
  json: ByteString;
  /** The serialized `log.level`. */
  level: ByteString;
  error: boolean;
}

/** Distinct severities remembered per chunk, so that a field with unique values cannot grow the cache. */
const MAX_SEVERITIES = 64;
const UNKNOWN_SEVERITY: Severity = { json: '', level: '"unknown"', error: false };
/** `.000Z` to `.999Z`, the end of every `@timestamp`. */
const MILLISECONDS = Array.from({ length: 1000 }, (_, ms) => `.${String(ms).padStart(3, '0')}Z`);

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
  private lastSeverity = UNKNOWN_SEVERITY;
  private isoSecond = Number.NaN;
  private isoPrefix = '';

  constructor(context: ExecutionContext, chunkSequence: number, indexPrefix: string) {
    const ecs = `"event":${JSON.stringify({ dataset: EVENT_DATASET })},"ecs":${JSON.stringify({ version: ECS_VERSION })}`;
    const talend = JSON.stringify(talendContext(context)).slice(1, -1);
    this.contextPart = toByteString(`},${ecs},"talend":{${talend},"log":`);
    this.contextTypePart = `${this.contextPart}{"type":`;
    this.positionPart = `,"position":{"chunk":${chunkSequence},"line":`;
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
    const firstId = this.ids.firstId(entry);
    const occurrence = this.occurrences.next(entry.timestampMs, firstId);
    const id = occurrence === 0 ? firstId : this.ids.repeatId(occurrence);

    const { logType, bundleName, bundleVersion, podName, logMessage } = entry;
    const severity = this.severityOf(entry.severity);
    // Few, long pieces: flattening the joined string costs V8 per piece.
    let json = `{"@timestamp":"${this.isoTimestamp(entry.timestampMs)}","message":${logMessage ?? '""'},"log":{"level":${severity.level}`;
    json += logType === undefined ? `${this.contextPart}{}` : `${this.contextTypePart}${logType}}`;
    if (bundleName !== undefined && bundleVersion !== undefined) {
      json += `,"bundle":{"name":${bundleName},"version":${bundleVersion}}`;
    } else if (bundleName !== undefined) {
      json += `,"bundle":{"name":${bundleName}}`;
    } else if (bundleVersion !== undefined) {
      json += `,"bundle":{"version":${bundleVersion}}`;
    }
    if (podName !== undefined) json += `,"pod":{"name":${podName}}`;
    if (logMessage !== undefined && severity.error)
      json += `,"error":{"message":${errorSummaryJson(logMessage)}}`;
    json += `${this.positionPart}${position}}`;
    if (entry.extra !== undefined) json += `,"extra":${entry.extra}`;
    json += '}}';
    return new EnrichedDocument(id, this.indexNames.forTimestamp(entry.timestampMs), json);
  }

  /** Logs are sorted by time, so the date-time part changes once a second at most. */
  private isoTimestamp(timestampMs: number): string {
    const second = Math.floor(timestampMs / 1000);
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      this.isoPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    }
    return this.isoPrefix + MILLISECONDS[Math.floor(timestampMs - second * 1000)];
  }

  /** A log has a handful of severities: each is worked out once, then recognized by its JSON. */
  private severityOf(json: ByteString | undefined): Severity {
    if (json === undefined) return UNKNOWN_SEVERITY;
    if (json === this.lastSeverity.json) return this.lastSeverity;
    let severity = this.severities.find((known) => known.json === json);
    if (severity === undefined) {
      const text = JSON.parse(fromByteString(json)) as string;
      severity = {
        json,
        level: toByteString(JSON.stringify(text.toLowerCase())),
        error: ERROR_LEVELS.has(text.toUpperCase()),
      };
      if (this.severities.length < MAX_SEVERITIES) this.severities.push(severity);
    }
    this.lastSeverity = severity;
    return severity;
  }
}

const ERROR_LEVELS = new Set(['ERROR', 'FATAL', 'SEVERE', 'CRITICAL']);
const ERROR_SUMMARY_LENGTH = 512;

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

/** The part of every document that comes from the execution: built once per chunk, shared by its documents. */
function talendContext(context: ExecutionContext): TalendContext {
  const out: TalendContext = {
    task: compact({ id: context.taskId, name: context.taskName }) as TalendContext['task'],
    execution: compact({
      id: context.executionId,
      status: context.status,
      type: context.executionType,
      trigger_time: context.triggerTimestamp,
      start_time: context.startTimestamp,
      finish_time: context.finishTimestamp,
    }) as TalendContext['execution'],
  };
  const duration = durationMs(context);
  if (duration !== undefined) out.execution.duration_ms = duration;
  if (context.workspaceId !== undefined || context.workspaceName !== undefined) {
    out.workspace = compact({ id: context.workspaceId, name: context.workspaceName });
  }
  if (context.environmentId !== undefined || context.environmentName !== undefined) {
    out.environment = compact({ id: context.environmentId, name: context.environmentName });
  }
  if (context.runtime !== undefined) {
    const { type, id, engineId, clusterId, runProfileId } = context.runtime;
    out.runtime = compact({
      type,
      id,
      engine_id: engineId,
      cluster_id: clusterId,
      run_profile_id: runProfileId,
    });
  }
  return out;
}

/** Known once the execution finished: what "slowest executions" sorts on. */
function durationMs(context: ExecutionContext): number | undefined {
  if (context.startTimestamp === undefined || context.finishTimestamp === undefined) return undefined;
  const duration = Date.parse(context.finishTimestamp) - Date.parse(context.startTimestamp);
  return Number.isFinite(duration) && duration >= 0 ? duration : undefined;
}

function compact<T extends Record<string, string | undefined>>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
