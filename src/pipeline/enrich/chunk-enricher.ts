import type { RawLogEntry } from '../../contracts/talend-api.ts';
import {
  ECS_VERSION,
  EVENT_DATASET,
  type ExecutionContext,
  type LogDocument,
} from '../../contracts/documents.ts';
import { MonthlyIndexNames } from '../../store/index-names.ts';
import { documentId, entryIdentity, serializeExtra, type SerializedFields } from './document-id.ts';
import { OccurrenceCounter } from './occurrences.ts';

/**
 * A document ready for the bulk request. It is built directly as JSON, the form the bulk request
 * needs: building an object and then serializing it cost three times as much, for every line.
 */
export class EnrichedDocument {
  readonly kind = 'document';

  constructor(
    readonly id: string,
    readonly index: string,
    /** The document's `_source`, serialized. */
    readonly json: string,
  ) {}

  /** The document as an object, parsed on demand: the pipeline itself only needs `json`. */
  get document(): LogDocument {
    return JSON.parse(this.json) as LogDocument;
  }
}

export type EnrichOutcome = EnrichedDocument | { kind: 'malformed'; reason: string };

type TalendContext = Pick<
  LogDocument['talend'],
  'task' | 'execution' | 'workspace' | 'environment' | 'runtime'
>;

/** The entry fields written as text. */
interface TextFields {
  severity?: string;
  logMessage?: string;
  logType?: string;
  bundleName?: string;
  bundleVersion?: string;
  podName?: string;
}

/** Distinct short values remembered per chunk, so that a field with unique values cannot grow the cache. */
const MAX_QUOTED = 1024;

const TEXT_FIELDS = ['severity', 'logMessage', 'logType', 'bundleName', 'bundleVersion', 'podName'] as const;

/** Entry fields with a place of their own in the document; every other field goes to `talend.extra`. */
function isKnownField(key: string): boolean {
  switch (key) {
    case 'logTimestamp':
    case 'severity':
    case 'logMessage':
    case 'logType':
    case 'bundleName':
    case 'bundleVersion':
    case 'podName':
      return true;
    default:
      return false;
  }
}

const ECS_PART = `"event":${JSON.stringify({ dataset: EVENT_DATASET })},"ecs":${JSON.stringify({ version: ECS_VERSION })}`;

/**
 * Turns the entries of one chunk into documents: ECS fields, the execution's context, the entry's own
 * fields, a deterministic `_id` and the monthly index. One per chunk, because the occurrence count of
 * repeated entries (part of their `_id`) is counted within the chunk.
 */
export class ChunkEnricher {
  /** The execution's part of `talend.*`, the same for every document: serialized once. */
  private readonly contextJson: string;
  private readonly executionIdJson: string;
  private readonly indexNames: MonthlyIndexNames;
  private readonly occurrences = new OccurrenceCounter();
  private readonly levels = new Map<string, string>();
  private readonly quoted = new Map<string, string>();
  private isoSecond = Number.NaN;
  private isoPrefix = '';

  constructor(
    context: ExecutionContext,
    private readonly chunkSequence: number,
    indexPrefix: string,
  ) {
    this.contextJson = JSON.stringify(talendContext(context)).slice(1, -1);
    this.executionIdJson = JSON.stringify(context.executionId);
    this.indexNames = new MonthlyIndexNames(indexPrefix);
  }

  /** `timestampMs` is the entry's `logTimestamp` as `entryTimestamp` read it. */
  toDocument(entry: RawLogEntry, timestampMs: number, position: number): EnrichOutcome {
    let extra: Record<string, unknown> | undefined;
    for (const key in entry) {
      if (isKnownField(key)) continue;
      extra ??= {};
      extra[key] = entry[key];
    }
    const fields = textFields(entry);
    if (typeof fields === 'string') return { kind: 'malformed', reason: fields };
    const serialized: SerializedFields = {
      severity: this.quote(fields.severity),
      logType: this.quote(fields.logType),
      bundleName: this.quote(fields.bundleName),
      bundleVersion: this.quote(fields.bundleVersion),
      podName: this.quote(fields.podName),
      logMessage: fields.logMessage === undefined ? 'null' : JSON.stringify(fields.logMessage),
      extra: serializeExtra(extra),
    };

    const identity = entryIdentity(this.executionIdJson, timestampMs, serialized);
    const firstId = documentId(identity);
    const occurrence = this.occurrences.next(timestampMs, firstId);

    let talend = `${this.contextJson},"log":${fields.logType === undefined ? '{}' : `{"type":${serialized.logType}}`}`;
    if (fields.bundleName !== undefined && fields.bundleVersion !== undefined) {
      talend += `,"bundle":{"name":${serialized.bundleName},"version":${serialized.bundleVersion}}`;
    } else if (fields.bundleName !== undefined) {
      talend += `,"bundle":{"name":${serialized.bundleName}}`;
    } else if (fields.bundleVersion !== undefined) {
      talend += `,"bundle":{"version":${serialized.bundleVersion}}`;
    }
    if (fields.podName !== undefined) talend += `,"pod":{"name":${serialized.podName}}`;
    if (fields.logMessage !== undefined && isErrorLevel(fields.severity)) {
      talend += `,"error":{"message":${JSON.stringify(errorSummary(fields.logMessage))}}`;
    }
    talend += `,"position":{"chunk":${this.chunkSequence},"line":${position}}`;
    if (extra !== undefined) talend += `,"extra":${serialized.extra}`;

    const message = fields.logMessage === undefined ? '""' : serialized.logMessage;
    const json =
      `{"@timestamp":"${this.isoTimestamp(timestampMs)}","message":${message},` +
      `"log":{"level":${this.level(fields.severity)}},${ECS_PART},"talend":{${talend}}}`;
    return new EnrichedDocument(
      occurrence === 0 ? firstId : documentId(identity, occurrence),
      this.indexNames.forTimestamp(timestampMs),
      json,
    );
  }

  /** Logs are sorted by time, so the date-time part changes once a second at most. */
  private isoTimestamp(timestampMs: number): string {
    const second = Math.floor(timestampMs / 1000);
    if (second !== this.isoSecond) {
      this.isoSecond = second;
      this.isoPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    }
    return `${this.isoPrefix}.${String(Math.floor(timestampMs - second * 1000)).padStart(3, '0')}Z`;
  }

  /** The serialized `log.level`; a log has a handful of severities. */
  private level(severity: string | undefined): string {
    if (severity === undefined) return '"unknown"';
    let level = this.levels.get(severity);
    if (level === undefined) {
      level = JSON.stringify(severity.toLowerCase());
      this.levels.set(severity, level);
    }
    return level;
  }

  /**
   * A short field serialized as JSON (`null` when absent). Severities, bundles and pods repeat from
   * line to line: remembering their quoted form saves a third of the enrichment time.
   */
  private quote(value: string | undefined): string {
    if (value === undefined) return 'null';
    let quoted = this.quoted.get(value);
    if (quoted === undefined) {
      quoted = JSON.stringify(value);
      if (this.quoted.size < MAX_QUOTED) this.quoted.set(value, quoted);
    }
    return quoted;
  }
}

/**
 * The text fields of an entry, or why they cannot be. Numbers and booleans are written as text (a
 * numeric pod name, say); objects and arrays are refused.
 */
function textFields(entry: RawLogEntry): TextFields | string {
  if (
    isText(entry.severity) &&
    isText(entry.logMessage) &&
    isText(entry.logType) &&
    isText(entry.bundleName) &&
    isText(entry.bundleVersion) &&
    isText(entry.podName)
  ) {
    return entry as TextFields;
  }
  const fields: TextFields = {};
  for (const field of TEXT_FIELDS) {
    const value = entry[field];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      fields[field] = String(value);
    else return `${field} is not a string`;
  }
  return fields;
}

const ERROR_LEVELS = new Set(['ERROR', 'FATAL', 'SEVERE', 'CRITICAL']);
const ERROR_SUMMARY_LENGTH = 512;

function isErrorLevel(severity: string | undefined): boolean {
  return severity !== undefined && ERROR_LEVELS.has(severity.toUpperCase());
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

function isText(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
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
