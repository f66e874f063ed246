/**
 * Wire shapes of the Talend Cloud API (version 2021-03) as `../shared/talend-api.md` documents them.
 * Shared by the client (src/talend) and the simulator (src/simulator): both answer to the public
 * contract, so neither may add fields here that Talend does not document.
 */

export const TALEND_API_VERSION = '2021-03';

/** One entry of an execution log. Unknown fields are kept: Talend may add some. */
export interface RawLogEntry {
  logTimestamp?: number | string;
  severity?: string;
  logMessage?: string;
  logType?: string;
  bundleName?: string;
  bundleVersion?: string;
  podName?: string;
  [field: string]: unknown;
}

export interface ErrorResponse {
  status: number;
  message: string;
  requestId?: string;
  detail?: string;
}

export type ExecutionType = 'MANUAL' | 'SCHEDULED' | 'WEBHOOK' | 'PLAN' | (string & {});

/** Lower-case `status` values; `dispatching` and `executing` are the only non-terminal ones. */
export const RUNNING_STATUSES = ['dispatching', 'executing'] as const;
export const TERMINAL_STATUSES = [
  'deploy_failed',
  'execution_successful',
  'execution_rejected',
  'execution_failed',
  'terminated',
  'terminated_timeout',
  'terminated_shutdown',
] as const;
/** The upper-case `executionStatus` values the processing reference declares. */
export const DECLARED_EXECUTION_STATUSES = [
  'EXECUTION_EVENT_RECEIVED',
  'DISPATCHING_FLOW',
  'STARTING_FLOW_EXECUTION',
  'STOPPING_FLOW_EXECUTION',
  'EXECUTION_TERMINATED',
  'EXECUTION_TERMINATED_TIMEOUT',
  'DEPLOY_FAILED',
  'EXECUTION_FAILED',
  'EXECUTION_REJECTED',
  'EXECUTION_SUCCESS',
  'EXECUTION_TERMINATED_SHUTDOWN',
] as const;
/**
 * Upper-case `executionStatus` values of a run that has not finished: the processing reference's
 * (a production integration reports the first three), and the lower-case names upper-cased.
 */
export const IN_FLIGHT_EXECUTION_STATUSES = [
  'DISPATCHING_FLOW',
  'STARTING_FLOW_EXECUTION',
  'EXECUTION_EVENT_RECEIVED',
  'STOPPING_FLOW_EXECUTION',
  'DISPATCHING',
  'EXECUTING',
] as const;
export type ExecutionStatus =
  (typeof RUNNING_STATUSES)[number] | (typeof TERMINAL_STATUSES)[number] | (string & {});

export interface ExecutionRuntime {
  type?: string;
  id?: string;
  engineId?: string;
  clusterId?: string;
  runProfileId?: string;
}

/**
 * An item of `GET /processing/executables/tasks/{taskId}/executions` (and the cross-task list):
 * `TaskExecutionStatus` of the processing reference.
 */
export interface TalendExecution {
  executionId: string;
  taskId: string;
  planId?: string;
  taskVersion?: string;
  executionType?: ExecutionType;
  status: ExecutionStatus;
  executionStatus?: string;
  startTimestamp?: string;
  triggerTimestamp?: string;
  /** Absent while the execution is running. */
  finishTimestamp?: string;
  userId?: string;
  userType?: string;
  runtime?: ExecutionRuntime;
  errorMessage?: string;
  misfiredExecutionReason?: string;
  /** Minutes. */
  timeout?: number;
  parallelExecutionAllowed?: boolean;
  [field: string]: unknown;
}

/**
 * `GET /processing/executions/{executionId}`: `JobExecutionStatus` of the processing reference. Not
 * a listing item: it declares no task, task version or `runtime`, but the job, the workspace and
 * where the run went (`executionDestination`, the remote engine, cluster and run profile).
 */
export interface TalendExecutionDetail {
  executionId: string;
  status: ExecutionStatus;
  executionStatus?: string;
  executionType?: ExecutionType;
  startTimestamp?: string;
  triggerTimestamp?: string;
  finishTimestamp?: string;
  userId?: string;
  userType?: string;
  accountId?: string;
  workspaceId?: string;
  environmentVersion?: string;
  executionDestination?: string;
  jobId?: string;
  jobVersion?: string;
  containerId?: string;
  runProfileId?: string;
  remoteEngineId?: string;
  remoteEngineClusterId?: string;
  numberOfProcessedRows?: number;
  numberOfRejectedRows?: number;
  /** A plan execution id here, where a listing item's `planId` is the plan's. */
  planId?: string;
  errorType?: string;
  errorMessage?: string;
  timeout?: number;
  misfiredExecutionReason?: string;
  [field: string]: unknown;
}

export interface ExecutionsPage {
  items: TalendExecution[];
  limit: number;
  offset: number;
  total: number;
}

export interface TalendEnvironmentRef {
  id: string;
  name?: string;
  [field: string]: unknown;
}

export interface TalendWorkspace {
  id: string;
  name?: string;
  owner?: string;
  type?: string;
  environment?: TalendEnvironmentRef;
  [field: string]: unknown;
}

/** An item of `GET /orchestration/executables/tasks` (`TaskExtract`): `executable` is the task id. */
export interface TalendTask {
  executable: string;
  name: string;
  artifactId?: string;
  workspace?: TalendWorkspace;
  [field: string]: unknown;
}

export interface TasksPage {
  items: TalendTask[];
  limit: number;
  offset: number;
  total: number;
}

export type LogFileFormat = 'JSON' | 'TEXT';

/** Body of both `200` and `206` answers to `POST /monitoring/executions/{id}/logs`. */
export interface GenerateLogResponse {
  /** A line count per the reference, bytes per the guide: informational only. */
  size: number;
  token: string;
}

/** Header of a `206` answer: the `endTime` for the next, older, request. */
export const NEXT_END_TIME_HEADER = 'x-log-next-request-end-time';

/**
 * The two forms of a `/logs/status` body: the token as a JSON string, the only request body the
 * reference declares, or as plain text, as the guide's examples send it.
 */
export type StatusBodyType = 'application/json' | 'text/plain';

export type LogFileStatus = 'IN_PROGRESS' | 'READY' | (string & {});

export interface LogStatusResponse {
  status: LogFileStatus;
  presignedURL?: string;
}

/** `GET /monitoring/executions/{id}/logs`. */
export interface LogsPage {
  size: number;
  totalSize: number;
  totalSizeFiltered?: number;
  data: RawLogEntry[];
  nextIndex?: number;
}

export interface OAuthTokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number | string;
}
