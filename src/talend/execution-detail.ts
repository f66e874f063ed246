import type { ExecutionRuntime, TalendExecution, TalendExecutionDetail } from '../contracts/talend-api.ts';
import { definedOnly } from '../common/defined-only.ts';

/**
 * A run read through `GET /processing/executions/{id}`, in the shape of a listing item. The detail
 * (`JobExecutionStatus`) declares neither the task nor `runtime`: the task is the one whose
 * checkpoint tracked the run, and the engine comes from `executionDestination` and the
 * remote engine, cluster and run profile ids the detail does declare.
 */
export function executionFromDetail(detail: TalendExecutionDetail, taskId: string): TalendExecution {
  const item: TalendExecution = {
    executionId: detail.executionId,
    taskId,
    executionType: detail.executionType,
    status: detail.status,
    executionStatus: detail.executionStatus,
    startTimestamp: detail.startTimestamp,
    triggerTimestamp: detail.triggerTimestamp,
    finishTimestamp: detail.finishTimestamp,
    userId: detail.userId,
    userType: detail.userType,
    runtime: runtimeOf(detail),
    errorMessage: detail.errorMessage,
    misfiredExecutionReason: detail.misfiredExecutionReason,
    timeout: detail.timeout,
  };
  return definedOnly(item) as TalendExecution;
}

/** As a listing's `runtime`: `id` names the cluster of a cluster run, the engine of an engine run. */
function runtimeOf(detail: TalendExecutionDetail): ExecutionRuntime | undefined {
  const { executionDestination: type, remoteEngineId: engineId, remoteEngineClusterId: clusterId } = detail;
  if (type === undefined && engineId === undefined && clusterId === undefined) return undefined;
  return definedOnly({
    type,
    id: type === 'REMOTE_ENGINE_CLUSTER' ? clusterId : engineId,
    engineId,
    clusterId,
    runProfileId: detail.runProfileId,
  });
}
