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

/** What every document says of the execution it is about: log lines and executions documents alike. */
export type TalendContext = Pick<
  LogDocument['talend'],
  'task' | 'execution' | 'workspace' | 'environment' | 'runtime'
>;

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
 * src/job/progress.ts, with the invariant they keep.
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
}
