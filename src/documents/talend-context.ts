import type { ExecutionContext, TalendContext } from './shapes.ts';

const ERROR_SEVERITIES = new Set(['ERROR', 'FATAL', 'SEVERE', 'CRITICAL']);

/** Severities whose lines count as errors: summarized in `talend.error.message`, counted per run. */
export function isErrorSeverity(severity: string): boolean {
  return ERROR_SEVERITIES.has(severity.toUpperCase());
}

/** The part of every document that comes from the execution: built once per chunk, shared by its documents. */
export function talendContext(context: ExecutionContext): TalendContext {
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

/** The inverse of talendContext: the context a document's `talend.*` fields were made from. */
export function executionContextOf(talend: TalendContext): ExecutionContext {
  const runtime = talend.runtime;
  const context: ExecutionContext = {
    taskId: talend.task.id,
    taskName: talend.task.name,
    executionId: talend.execution.id,
    workspaceId: talend.workspace?.id,
    workspaceName: talend.workspace?.name,
    environmentId: talend.environment?.id,
    environmentName: talend.environment?.name,
    status: talend.execution.status,
    executionType: talend.execution.type,
    triggerTimestamp: talend.execution.trigger_time,
    startTimestamp: talend.execution.start_time,
    finishTimestamp: talend.execution.finish_time,
  };
  if (runtime !== undefined && Object.keys(runtime).length > 0) {
    context.runtime = {
      type: runtime.type,
      id: runtime.id,
      engineId: runtime.engine_id,
      clusterId: runtime.cluster_id,
      runProfileId: runtime.run_profile_id,
    };
  }
  return context;
}
