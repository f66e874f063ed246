/**
 * What we write to Elasticsearch. ECS first, Talend context under `talend.*`.
 * The index template in mappings/ must declare every field named here.
 */

export const ECS_VERSION = '8.11.0';
export const EVENT_DATASET = 'talend.execution';

export interface LogDocument {
  '@timestamp': string;
  message: string;
  log: { level: string };
  event: { dataset: string; created?: string };
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
 * Progress of one task, stored in our checkpoint index.
 * `watermark`: every execution that finished at or before it is fully indexed.
 * `executions`: per execution still running or interrupted, how far it got.
 */
export interface TaskCheckpoint {
  taskId: string;
  watermark?: string;
  /** Backfills: the start of the range `watermark` counts from. */
  rangeStart?: string;
  executions: Record<string, ExecutionProgress>;
  updatedAt: string;
}

export interface ExecutionProgress {
  /** Every entry with a timestamp before this instant is indexed (running executions). */
  indexedUpTo?: string;
  /** A backward chunk walk in progress: entries in [resumeEndTime, end) are acknowledged. */
  walk?: { start?: string; end?: string; resumeEndTime: string };
  /** The whole log of a finished execution is indexed; kept until the watermark passes `finishedAt`. */
  done?: boolean;
  /** Given up after too many failed runs (or deleted at Talend); reported by `status`, never retried. */
  abandoned?: boolean;
  finishedAt?: string;
  startedAt?: string;
  attempts?: number;
  lastError?: string;
}
