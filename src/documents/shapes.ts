/**
 * What we write to Elasticsearch. ECS first, Talend context under `talend.*`.
 * The index template in mappings/ must declare every field named here.
 */

export const EVENT_DATASET = 'talend.execution';
export const EXECUTIONS_DATASET = 'talend.executions';
/** `event.module` of every document we write: the integration's name, as ECS has it. */
export const EVENT_MODULE = 'talend';

export interface LogDocument {
  '@timestamp': string;
  message: string;
  /**
   * Error and fatal lines with a message. `stack_trace` is the whole message when it holds a Java
   * stack trace (a line of `at …` frames or `Caused by:`), see chunk-enricher.ts.
   */
  error?: { message: string; stack_trace?: string };
  log: { level: string };
  /** `ingested` is set by the logs' ingest pipeline, in Elasticsearch: documents we send lack it. */
  event: { kind: 'event'; module: typeof EVENT_MODULE; dataset: string; ingested?: string };
  /** This connector: `type` is the package name, `version` its version. */
  agent: { type: string; version: string };
  ecs: { version: string };
  talend: {
    task: { id: string; name?: string };
    execution: {
      id: string;
      status?: string;
      type?: string;
      trigger_time?: string;
      start_time?: string;
      finish_time?: string;
      /** finish - start, once finished. */
      duration_ms?: number;
    };
    workspace?: { id?: string; name?: string };
    environment?: { id?: string; name?: string };
    runtime?: {
      type?: string;
      id?: string;
      engine_id?: string;
      cluster_id?: string;
      run_profile_id?: string;
    };
    log: { type?: string };
    bundle?: { name?: string; version?: string };
    pod?: { name?: string };
    /** Error and fatal lines: the message's first line, to aggregate "top error messages" on. */
    error?: { message: string };
    /** Where the line sat in what we read: informative only, never part of the identity. */
    position: { chunk: number; line: number };
    /** Fields Talend sent that we do not map; kept, not indexed. */
    extra?: Record<string, unknown>;
  };
}

/** What every document says of the execution it is about: log lines and executions documents alike. */
export type TalendContext = Pick<
  LogDocument['talend'],
  'task' | 'execution' | 'workspace' | 'environment' | 'runtime'
>;

/**
 * One per execution in `<prefix>-executions`, `_id` = the execution id, written in parts that
 * Elasticsearch merges: what Talend says of the run (at every sync that lists it, and once more from
 * `GET /processing/executions/{id}` when it is over) and what the connector indexed of its log.
 */
export interface ExecutionDocument {
  /** Trigger time (or start time). */
  '@timestamp'?: string;
  event?: {
    kind: 'event';
    category: ['process'];
    type: ['start'] | ['end'];
    outcome: 'success' | 'failure' | 'unknown';
    start?: string;
    end?: string;
    /** Nanoseconds, as ECS has it. */
    duration?: number;
    dataset: string;
    module: typeof EVENT_MODULE;
  };
  ecs?: { version: string };
  talend: Partial<Omit<TalendContext, 'task' | 'execution'>> & {
    task: { id: string; name?: string };
    execution: TalendContext['execution'] & {
      execution_status?: string;
      error_message?: string;
      error_type?: string;
      processed_rows?: number;
      rejected_rows?: number;
    };
    /** Counted in the log and dead-letter indices, not added up as lines go by: see src/job/executions-report.ts. */
    lines?: {
      total: number;
      errors: number;
      by_level: Record<string, number>;
      dead_letters: number;
      /** The first line of the earliest error line. */
      first_error?: string;
      first_at?: string;
      last_at?: string;
    };
    sync?: {
      last_synced_at: string;
      /** `done`: the whole log is indexed; `given_up`: see `talend-logs status`. */
      state?: 'indexing' | 'done' | 'given_up';
      chunks?: number;
      bytes?: number;
    };
  };
}

/** Everything we know about a log's execution, applied to each of its lines. */
export interface ExecutionContext {
  taskId: string;
  taskName?: string;
  executionId: string;
  workspaceId?: string;
  workspaceName?: string;
  environmentId?: string;
  environmentName?: string;
  status?: string;
  executionType?: string;
  triggerTimestamp?: string;
  startTimestamp?: string;
  finishTimestamp?: string;
  runtime?: { type?: string; id?: string; engineId?: string; clusterId?: string; runProfileId?: string };
}

/**
 * Progress of one task, stored in our checkpoint index. The rules that read and move it live in
 * src/job/checkpoint-rules.ts, with the invariant they keep.
 */
export interface TaskCheckpoint {
  taskId: string;
  /**
   * Listing watermark: every run of the task triggered in [rangeStart, watermark) has been listed
   * and is either tracked in `executions` or fully indexed.
   */
  watermark?: string;
  /** Runs triggered before this instant are out of scope (the first sync's lookback, a backfill's `--from`). */
  rangeStart?: string;
  executions: Record<string, ExecutionProgress>;
  updatedAt: string;
}

export interface ExecutionProgress {
  /** When Talend says the run was triggered: decides when the entry may be pruned. */
  triggeredAt?: string;
  /** Every entry with a timestamp before this instant is indexed (running executions). */
  indexedUpTo?: string;
  /** A backward chunk walk in progress: entries in [resumeEndTime, end) are acknowledged. */
  walk?: { start?: string; end?: string; resumeEndTime: string };
  /** The whole log of a finished execution is indexed. */
  done?: boolean;
  /** When `done` was set. */
  doneAt?: string;
  /** Given up after too many failed runs (or deleted at Talend); reported by `status`, never retried. */
  abandoned?: boolean;
  /** When the run ended: `finishTimestamp`, or for a run that ended without one, when it was triggered. */
  finishedAt?: string;
  startedAt?: string;
  attempts?: number;
  lastError?: string;
  /** Lines of this run that went to the dead-letter index, over every sync. */
  deadLetters?: number;
  /** Log files downloaded, and their decoded bytes, for the ranges indexed (not counting retries). */
  chunks?: number;
  bytes?: number;
  /** Done or given up, and its executions document says so: the entry may be pruned. */
  reported?: boolean;
}

/** What the log index holds of one execution. */
export interface IndexedLines {
  total: number;
  /** Lines per `log.level`. */
  byLevel: Record<string, number>;
  /** `talend.error.message` of its earliest error line. */
  firstError?: string;
  firstAt?: string;
  lastAt?: string;
}
