import type { ExecutionType } from '../contracts/talend-api.ts';
import { randomUuid, seededRandom } from './random.ts';
import type {
  EnvironmentSpec,
  ExecutionSpec,
  TaskSpec,
  TenantGeneratorSpec,
  TenantSpec,
  WorkspaceSpec,
} from './types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const ENVIRONMENT_NAMES = ['Production', 'Staging', 'Development', 'QA'];
const WORKSPACE_NAMES = ['Finance', 'Sales', 'Operations', 'Marketing', 'Logistics', 'HR'];
const TASK_NAMES = [
  'Customers_Sync',
  'Orders_Daily_Load',
  'Inventory_Snapshot',
  'Invoices_Export',
  'Products_Catalog_Refresh',
  'Payments_Reconciliation',
  'Shipments_Tracking',
  'Leads_Enrichment',
  'Suppliers_Import',
  'Returns_Processing',
];
const FAILED_STATUSES = ['execution_failed', 'execution_failed', 'execution_rejected', 'terminated_timeout'];
const FAILED_MESSAGES: Record<string, string> = {
  execution_failed: 'Job failed: java.sql.SQLException in component tDBOutput_1',
  execution_rejected: 'Execution rejected: no available engine in the run profile',
  terminated_timeout: 'Execution terminated: timeout of 3600 seconds reached',
};
const FAILED_ERROR_RATE = 0.1;

type Random = () => number;

function named(names: readonly string[], index: number, fallback: string): string {
  const base = names[index % names.length] ?? fallback;
  return index < names.length ? base : `${base}_${Math.floor(index / names.length) + 1}`;
}

function executionType(random: Random): ExecutionType {
  const r = random();
  if (r < 0.7) return 'SCHEDULED';
  if (r < 0.85) return 'MANUAL';
  return r < 0.95 ? 'PLAN' : 'WEBHOOK';
}

interface RunShape {
  startTime: number;
  entries: number;
  /** Ignored for a running execution. */
  durationMs: number;
  status: string;
}

/** One execution from its shape; ids, trigger time, type and runtime are drawn from `random`. */
function execution(random: Random, shape: RunShape, engineId: string): ExecutionSpec {
  const spec: ExecutionSpec = {
    id: randomUuid(random),
    status: shape.status,
    executionType: executionType(random),
    startTime: shape.startTime,
    triggerTime: shape.startTime - Math.floor(random() * 5000),
    entryCount: shape.entries,
    runtime: random() < 0.5 ? { type: 'CLOUD' } : { type: 'REMOTE_ENGINE', id: engineId },
  };
  if (shape.status === 'executing') return spec;
  spec.finishTime = shape.startTime + shape.durationMs;
  // Rejected before it started: it logged nothing.
  if (shape.status === 'execution_rejected') {
    spec.finishTime = shape.startTime;
    spec.entryCount = 0;
  }
  const errorMessage = FAILED_MESSAGES[shape.status];
  if (errorMessage !== undefined) {
    spec.errorMessage = errorMessage;
    spec.errorRate = FAILED_ERROR_RATE;
  }
  return spec;
}

/** A run started `minutesAgo` that logs `entriesPerSecond` until now and beyond. */
function runningExecution(
  random: Random,
  now: number,
  minutesAgo: number,
  entriesPerSecond: number,
  engineId: string,
): ExecutionSpec {
  const startTime = now - minutesAgo * MINUTE_MS;
  const entries = Math.floor(((now - startTime) * entriesPerSecond) / 1000) + 1;
  return {
    ...execution(random, { startTime, entries, durationMs: 0, status: 'executing' }, engineId),
    entriesPerSecond,
  };
}

interface Skeleton {
  environments: EnvironmentSpec[];
  workspaces: WorkspaceSpec[];
  tasks: TaskSpec[];
  engineId: string;
}

function skeleton(
  random: Random,
  environments: number,
  workspacesPerEnvironment: number,
  tasks: number,
): Skeleton {
  const envs = Array.from({ length: environments }, (_, i) => ({
    id: randomUuid(random),
    name: named(ENVIRONMENT_NAMES, i, 'Environment'),
  }));
  const workspaces = envs.flatMap((env) =>
    Array.from({ length: workspacesPerEnvironment }, (_, j) => ({
      id: randomUuid(random),
      name: named(WORKSPACE_NAMES, j, 'Workspace'),
      environmentId: env.id,
    })),
  );
  const taskSpecs = Array.from({ length: tasks }, (_, t) => ({
    id: randomUuid(random),
    name: named(TASK_NAMES, t, 'Task'),
    workspaceId: workspaces[t % workspaces.length]?.id ?? '',
    executions: [],
  }));
  return { environments: envs, workspaces, tasks: taskSpecs, engineId: randomUuid(random) };
}

/** A tenant of any size, the same for the same spec (pass `now` too for identical timestamps). */
export function generateTenant(spec: TenantGeneratorSpec): TenantSpec {
  const random = seededRandom(spec.seed);
  const now = spec.now ?? Date.now();
  const base = skeleton(random, spec.environments ?? 1, spec.workspacesPerEnvironment ?? 2, spec.tasks);
  const spreadMs = (spec.spreadDays ?? 7) * DAY_MS;
  const slotMs = spreadMs / Math.max(1, spec.executionsPerTask);
  const [minEntries, maxEntries] =
    typeof spec.entriesPerExecution === 'number'
      ? [spec.entriesPerExecution, spec.entriesPerExecution]
      : spec.entriesPerExecution;
  const failedShare = spec.failedShare ?? 0.1;

  base.tasks.forEach((task, t) => {
    for (let e = 0; e < spec.executionsPerTask; e++) {
      const isLatest = e === spec.executionsPerTask - 1;
      if (isLatest && t < (spec.runningExecutions ?? 0)) {
        const minutesAgo = 1 + Math.floor(random() * 30);
        task.executions.push(
          runningExecution(random, now, minutesAgo, 2 + Math.floor(random() * 4), base.engineId),
        );
        continue;
      }
      const entries = minEntries + Math.floor(random() * (maxEntries - minEntries + 1));
      // Runs of one task follow each other: each starts early in its slot and ends before the next.
      const startTime = Math.floor(now - spreadMs + e * slotMs + random() * slotMs * 0.3);
      const durationMs = Math.floor(Math.min(slotMs * 0.5, Math.max(5000, entries * (2 + random() * 20))));
      const status =
        random() < failedShare
          ? (FAILED_STATUSES[Math.floor(random() * FAILED_STATUSES.length)] ?? '')
          : 'execution_successful';
      task.executions.push(execution(random, { startTime, entries, durationMs, status }, base.engineId));
    }
  });
  return { seed: spec.seed, environments: base.environments, workspaces: base.workspaces, tasks: base.tasks };
}

const DEMO_SEED = 20210901;

/** [task, hours ago, entries, minutes long, status] of the demo's finished runs. */
const DEMO_RUNS: readonly [number, number, number, number, string][] = [
  [1, 20, 150_000, 50, 'execution_successful'],
  [1, 2, 4_800, 6, 'execution_successful'],
  [0, 3, 1_200, 3, 'execution_successful'],
  [0, 9, 800, 2, 'execution_successful'],
  [0, 14, 450, 2, 'execution_failed'],
  [2, 1, 100, 1, 'execution_successful'],
  [2, 7, 300, 1, 'execution_rejected'],
  [2, 13, 2_500, 4, 'execution_successful'],
  [3, 5, 5_000, 8, 'execution_successful'],
  [3, 11, 900, 3, 'execution_failed'],
  [3, 22, 350, 1, 'execution_successful'],
];

/**
 * The demo tenant: one environment, two workspaces, four tasks and a dozen runs over the last
 * 24 hours: one of 150,000 entries (more than one generated file), one still running, failures
 * with ERROR entries and stack traces, and small ones.
 */
export function demoTenant(now: number = Date.now()): TenantSpec {
  const random = seededRandom(DEMO_SEED);
  const base = skeleton(random, 1, 2, 4);
  for (const [task, hoursAgo, entries, minutes, status] of DEMO_RUNS) {
    const run = { startTime: now - hoursAgo * HOUR_MS, entries, durationMs: minutes * MINUTE_MS, status };
    base.tasks[task]?.executions.push(execution(random, run, base.engineId));
  }
  base.tasks[0]?.executions.push(runningExecution(random, now, 10, 3, base.engineId));
  return { seed: DEMO_SEED, environments: base.environments, workspaces: base.workspaces, tasks: base.tasks };
}
