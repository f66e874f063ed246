import type { ExecutionContext } from './shapes.ts';
import type { TalendExecution, TalendTask } from '../contracts/talend-api.ts';

/** What every line of one execution's log is enriched with. */
export function executionContext(task: TalendTask | undefined, execution: TalendExecution): ExecutionContext {
  const runtime = execution.runtime;
  return {
    taskId: execution.taskId,
    taskName: task?.name,
    executionId: execution.executionId,
    workspaceId: task?.workspace?.id ?? stringField(execution, 'workspaceId'),
    workspaceName: task?.workspace?.name,
    environmentId: task?.workspace?.environment?.id ?? stringField(execution, 'environmentId'),
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

function stringField(execution: TalendExecution, name: string): string | undefined {
  const value = execution[name];
  return typeof value === 'string' ? value : undefined;
}
