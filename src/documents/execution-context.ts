import type { ExecutionContext } from './shapes.ts';
import type { TalendExecution, TalendTask } from '../contracts/talend-api.ts';

/**
 * What every line of one execution's log is enriched with: the task, its workspace and environment
 * from the task listing, the run and its engine from the execution listing item (or a detail read
 * as one: see talend/execution-detail.ts). Talend declares no other source of either.
 */
export function executionContext(task: TalendTask | undefined, execution: TalendExecution): ExecutionContext {
  const runtime = execution.runtime;
  return {
    taskId: execution.taskId,
    taskName: task?.name,
    executionId: execution.executionId,
    workspaceId: task?.workspace?.id,
    workspaceName: task?.workspace?.name,
    environmentId: task?.workspace?.environment?.id,
    environmentName: task?.workspace?.environment?.name,
    status: execution.status,
    executionType: execution.executionType,
    triggerTimestamp: execution.triggerTimestamp,
    startTimestamp: execution.startTimestamp,
    finishTimestamp: execution.finishTimestamp,
    runtime: runtime
      ? {
          type: runtime.type,
          id: runtime.id,
          engineId: runtime.engineId,
          clusterId: runtime.clusterId,
          runProfileId: runtime.runProfileId,
        }
      : undefined,
  };
}
