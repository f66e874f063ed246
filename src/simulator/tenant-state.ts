import { ExecutionLog } from './execution-log.ts';
import type { LogVoice } from './log-content.ts';
import { hashString } from './random.ts';
import type { EnvironmentSpec, ExecutionSpec, TaskSpec, TenantSpec, WorkspaceSpec } from './types.ts';

/** A running execution given without a rate logs this many entries per second. */
const DEFAULT_RUNNING_RATE = 2;
const DEFAULT_ERROR_RATE = 0.02;

/** Misuse of the simulator's own API by a test or benchmark (unknown id, finishing twice). */
export class SimulatorUsageError extends Error {
  override readonly name = 'SimulatorUsageError';
}

export interface ExecutionRecord {
  task: TaskSpec;
  spec: ExecutionSpec;
  log: ExecutionLog;
  workspace?: WorkspaceSpec;
  environment?: EnvironmentSpec;
}

export interface ExecutionFilter {
  taskId?: string;
  environmentId?: string;
  workspaceId?: string;
  status?: string;
  from: number;
  to: number;
  /**
   * `trigger`: the run was triggered within [from, to] (epoch ms). `overlap`: the run overlaps
   * [from, to], a running one counting as lasting until now.
   */
  rule: 'trigger' | 'overlap';
  order: 'newest-first' | 'oldest-first';
}

export function triggerTimeOf(spec: ExecutionSpec): number {
  return spec.triggerTime ?? spec.startTime;
}

function voiceFor(task: TaskSpec, spec: ExecutionSpec, seed: number): LogVoice {
  const h = hashString(task.id, seed);
  const slug = task.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const podPrefix = `${slug}-${(h & 0xffffff).toString(16).padStart(6, '0')}`;
  return {
    jobName: task.name.replace(/\W+/g, '_'),
    bundleName: task.name,
    bundleVersion: `0.1.${h % 9}`,
    podNames: [
      `${podPrefix}-${(h >>> 8).toString(36).slice(0, 5)}`,
      `${podPrefix}-${(h >>> 4).toString(36).slice(0, 5)}`,
    ],
    errorRate: spec.errorRate ?? DEFAULT_ERROR_RATE,
  };
}

/** The live tenant: its spec (mutated in place, as `RunningSimulator.tenant` promises) and indexes over it. */
export class TenantState {
  readonly tenant: TenantSpec;
  private readonly executionsById = new Map<string, ExecutionRecord>();
  private readonly tasksById = new Map<string, TaskSpec>();

  constructor(tenant: TenantSpec) {
    this.tenant = tenant;
    for (const task of tenant.tasks) {
      this.tasksById.set(task.id, task);
      for (const spec of task.executions) this.index(task, spec);
    }
  }

  task(taskId: string): TaskSpec | undefined {
    return this.tasksById.get(taskId);
  }

  execution(executionId: string): ExecutionRecord | undefined {
    return this.executionsById.get(executionId);
  }

  workspace(workspaceId: string): WorkspaceSpec | undefined {
    return this.tenant.workspaces.find((w) => w.id === workspaceId);
  }

  environment(environmentId: string | undefined): EnvironmentSpec | undefined {
    return this.tenant.environments.find((e) => e.id === environmentId);
  }

  /** Throws `SimulatorUsageError` for an unknown id: the caller's bug, not a simulated answer. */
  require(executionId: string): ExecutionRecord {
    const record = this.executionsById.get(executionId);
    if (!record) throw new SimulatorUsageError(`No execution ${executionId} in the simulated tenant`);
    return record;
  }

  addExecution(taskId: string, spec: ExecutionSpec): void {
    const task = this.tasksById.get(taskId);
    if (!task) throw new SimulatorUsageError(`No task ${taskId} in the simulated tenant`);
    if (this.executionsById.has(spec.id))
      throw new SimulatorUsageError(`Execution ${spec.id} already exists`);
    task.executions.push(spec);
    this.index(task, spec);
  }

  finishExecution(executionId: string, finishTime: number, status: string): void {
    const { spec, log } = this.require(executionId);
    if (spec.finishTime !== undefined)
      throw new SimulatorUsageError(`Execution ${executionId} already finished`);
    log.finish(finishTime, status);
  }

  deleteExecution(executionId: string): void {
    const { task, spec } = this.require(executionId);
    task.executions.splice(task.executions.indexOf(spec), 1);
    this.executionsById.delete(executionId);
  }

  /** Every execution's log. */
  logs(): ExecutionLog[] {
    return [...this.executionsById.values()].map((record) => record.log);
  }

  tasks(): TaskSpec[] {
    return this.tenant.tasks;
  }

  /** Matching executions, in the filter's order of trigger time. */
  findExecutions(filter: ExecutionFilter, now: number): ExecutionRecord[] {
    const out: ExecutionRecord[] = [];
    for (const record of this.executionsById.values()) {
      const { task, spec, workspace } = record;
      if (filter.taskId !== undefined && task.id !== filter.taskId) continue;
      if (filter.workspaceId !== undefined && task.workspaceId !== filter.workspaceId) continue;
      if (filter.environmentId !== undefined && workspace?.environmentId !== filter.environmentId) continue;
      if (filter.status !== undefined && spec.status !== filter.status) continue;
      if (filter.rule === 'trigger') {
        const triggered = triggerTimeOf(spec);
        if (triggered < filter.from || triggered > filter.to) continue;
      } else if (spec.startTime > filter.to || (spec.finishTime ?? now) < filter.from) {
        continue;
      }
      out.push(record);
    }
    const direction = filter.order === 'newest-first' ? -1 : 1;
    return out.sort(
      (a, b) =>
        direction * (triggerTimeOf(a.spec) - triggerTimeOf(b.spec)) || a.spec.id.localeCompare(b.spec.id),
    );
  }

  private index(task: TaskSpec, spec: ExecutionSpec): void {
    if (spec.finishTime === undefined && spec.entriesPerSecond === undefined) {
      spec.entriesPerSecond = DEFAULT_RUNNING_RATE;
    }
    const workspace = this.workspace(task.workspaceId);
    this.executionsById.set(spec.id, {
      task,
      spec,
      log: new ExecutionLog(spec, task.id, voiceFor(task, spec, this.tenant.seed), this.tenant.seed),
      workspace,
      environment: this.environment(workspace?.environmentId),
    });
  }
}
