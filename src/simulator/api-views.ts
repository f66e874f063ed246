import type {
  TalendExecution,
  TalendExecutionDetail,
  TalendTask,
  TalendWorkspace,
} from '../contracts/talend-api.ts';
import { hashString, randomUuid, seededRandom } from './random.ts';
import type { ExecutionRecord, TenantState } from './tenant-state.ts';
import { rfc3339 } from './time-format.ts';
import type { ExecutionSpec, TaskSpec, Variants, WorkspaceSpec } from './types.ts';

/** A stable UUID for an id the spec does not carry (user, job, plan), derived from a name. */
function derivedUuid(name: string): string {
  return randomUuid(seededRandom(hashString(name)));
}

export function workspaceView(state: TenantState, workspace: WorkspaceSpec): TalendWorkspace {
  const environment = state.environment(workspace.environmentId);
  return {
    id: workspace.id,
    name: workspace.name,
    owner: 'etl-admin',
    type: 'shared',
    environment: { id: workspace.environmentId, name: environment?.name },
  };
}

/** An item of the task listing (`TaskExtract` of the orchestration reference). */
export function taskView(state: TenantState, task: TaskSpec): TalendTask {
  const workspace = state.workspace(task.workspaceId);
  return {
    executable: task.id,
    name: task.name,
    artifactId: derivedUuid(`artifact:${task.id}`),
    ...(workspace ? { workspace: workspaceView(state, workspace) } : {}),
  };
}

/** Whether Talend keeps no log (and shows no finish) for this run, as observed of rejected runs. */
export function endedWithoutLog(spec: ExecutionSpec, variants: Variants): boolean {
  return spec.status === 'execution_rejected' && variants.rejectedRuns === 'no-finish-no-log';
}

/**
 * `executionStatus` of each lower-case `status`, as the processing reference's table pairs them
 * (`dispatching` also covers `EXECUTION_EVENT_RECEIVED`, and a run being stopped is `executing`
 * with `STOPPING_FLOW_EXECUTION`: `ExecutionSpec.executionStatus` gives those).
 */
const EXECUTION_STATUS_OF: Readonly<Record<string, string>> = {
  dispatching: 'DISPATCHING_FLOW',
  deploy_failed: 'DEPLOY_FAILED',
  executing: 'STARTING_FLOW_EXECUTION',
  execution_successful: 'EXECUTION_SUCCESS',
  execution_rejected: 'EXECUTION_REJECTED',
  execution_failed: 'EXECUTION_FAILED',
  terminated: 'EXECUTION_TERMINATED',
  terminated_timeout: 'EXECUTION_TERMINATED_TIMEOUT',
  terminated_shutdown: 'EXECUTION_TERMINATED_SHUTDOWN',
};

function executionStatusOf(spec: ExecutionSpec): string {
  return spec.executionStatus ?? EXECUTION_STATUS_OF[spec.status] ?? spec.status.toUpperCase();
}

/**
 * What a listing item and a detail share (`TaskExecutionStatus` and `JobExecutionStatus`): the run,
 * its state and who started it. RFC 3339 UTC times; a scheduler starts runs as a service account.
 * Members left undefined are not sent.
 */
function runState(record: ExecutionRecord, variants: Variants) {
  const { spec, task } = record;
  const type = spec.executionType ?? 'SCHEDULED';
  const state = {
    executionId: spec.id,
    executionType: type,
    status: spec.status,
    executionStatus: executionStatusOf(spec),
    startTimestamp: rfc3339(spec.startTime),
    triggerTimestamp: rfc3339(spec.triggerTime ?? spec.startTime),
    userId: derivedUuid(`user:${task.workspaceId}`),
    userType: type === 'MANUAL' ? 'HUMAN' : 'SERVICE',
  };
  return {
    ...state,
    finishTimestamp:
      spec.finishTime === undefined || endedWithoutLog(spec, variants) ? undefined : rfc3339(spec.finishTime),
    errorMessage: spec.errorMessage,
    misfiredExecutionReason: spec.misfiredExecutionReason,
    timeout: spec.timeout,
  };
}

/** A list item of the processing API (`TaskExecutionStatus`). */
export function executionView(record: ExecutionRecord, variants: Variants): TalendExecution {
  const { spec, task } = record;
  return {
    ...runState(record, variants),
    taskId: task.id,
    taskVersion: '0.1',
    runtime: spec.runtime ?? { type: 'CLOUD' },
    planId: spec.executionType === 'PLAN' ? derivedUuid(`plan:${task.id}`) : undefined,
    parallelExecutionAllowed: spec.parallelExecutionAllowed,
  };
}

/**
 * `GET /processing/executions/{id}` (`JobExecutionStatus`): no task, task version or `runtime`, but
 * the job, the workspace, the account, and where the run went: `executionDestination` and the
 * remote engine, cluster and run profile of its runtime.
 */
export function executionDetailView(
  record: ExecutionRecord,
  now: number,
  variants: Variants,
): TalendExecutionDetail {
  const { spec, task } = record;
  const runtime = spec.runtime ?? { type: 'CLOUD' };
  const processed = record.log.count(now) * 37;
  return {
    ...runState(record, variants),
    accountId: derivedUuid('account'),
    workspaceId: task.workspaceId,
    environmentVersion: '1.3',
    executionDestination: runtime.type ?? 'CLOUD',
    jobId: derivedUuid(`job:${task.id}`),
    jobVersion: '0.1.0',
    numberOfProcessedRows: processed,
    numberOfRejectedRows: Math.floor(processed * (spec.errorRate ?? 0)),
    errorType: spec.errorMessage === undefined ? undefined : 'EXECUTION_ERROR',
    remoteEngineId: runtime.type === 'REMOTE_ENGINE' ? (runtime.engineId ?? runtime.id) : runtime.engineId,
    remoteEngineClusterId:
      runtime.type === 'REMOTE_ENGINE_CLUSTER' ? (runtime.clusterId ?? runtime.id) : runtime.clusterId,
    runProfileId: runtime.runProfileId,
  };
}
