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

export function taskView(state: TenantState, task: TaskSpec): TalendTask {
  const workspace = state.workspace(task.workspaceId);
  return {
    executable: task.id,
    name: task.name,
    description: `${task.name} (simulated)`,
    version: '0.1',
    artifact: { id: derivedUuid(`artifact:${task.id}`), name: task.name, version: '0.1.0' },
    ...(workspace ? { workspace: workspaceView(state, workspace) } : {}),
  };
}

/** Whether Talend keeps no log (and shows no finish) for this run, as observed of rejected runs. */
export function endedWithoutLog(spec: ExecutionSpec, variants: Variants): boolean {
  return spec.status === 'execution_rejected' && variants.rejectedRuns === 'no-finish-no-log';
}

/** A list item of the processing API: lower-case `status` and upper-case `executionStatus`, RFC 3339 UTC. */
export function executionView(record: ExecutionRecord, variants: Variants): TalendExecution {
  const { spec, task } = record;
  const type = spec.executionType ?? 'SCHEDULED';
  const item: TalendExecution = {
    executionId: spec.id,
    taskId: task.id,
    taskVersion: '0.1',
    executionType: type,
    status: spec.status,
    executionStatus: spec.status.toUpperCase(),
    startTimestamp: rfc3339(spec.startTime),
    triggerTimestamp: rfc3339(spec.triggerTime ?? spec.startTime),
    userId: derivedUuid(`user:${task.workspaceId}`),
    userType: type === 'MANUAL' ? 'USER' : 'SERVICE_ACCOUNT',
    runtime: spec.runtime ?? { type: 'CLOUD' },
  };
  if (type === 'PLAN') item.planId = derivedUuid(`plan:${task.id}`);
  if (spec.finishTime !== undefined && !endedWithoutLog(spec, variants))
    item.finishTimestamp = rfc3339(spec.finishTime);
  if (spec.errorMessage !== undefined) item.errorMessage = spec.errorMessage;
  return item;
}

export function executionDetailView(
  record: ExecutionRecord,
  now: number,
  variants: Variants,
): TalendExecutionDetail {
  const { spec, task, workspace } = record;
  const processed = record.log.count(now) * 37;
  const detail: TalendExecutionDetail = {
    ...executionView(record, variants),
    workspaceId: task.workspaceId,
    environmentId: workspace?.environmentId,
    jobId: derivedUuid(`job:${task.id}`),
    jobVersion: '0.1.0',
    numberOfProcessedRows: processed,
    numberOfRejectedRows: Math.floor(processed * (spec.errorRate ?? 0)),
  };
  if (spec.errorMessage !== undefined) detail.errorType = 'EXECUTION_ERROR';
  if (spec.runtime?.type === 'REMOTE_ENGINE' && spec.runtime.id !== undefined)
    detail.remoteEngineId = spec.runtime.id;
  return detail;
}
