import { generateTenant, type TenantSpec } from '../../src/simulator/index.ts';
import type { SimulatorOptions } from '../../src/simulator/index.ts';

export type JsonShape = 'jsonl' | 'array';

/** One data set: a tenant the simulator serves, and how many documents it makes. */
export interface Scenario {
  name: string;
  label: string;
  tenant: TenantSpec;
  /** Entries of every execution: a run rejected before it started logged none. */
  documents: number;
  executions: number;
}

/** Talend's documented size of one generated file. */
export const MAX_ENTRIES_PER_FILE = 100_000;
export const BENCH_TOKEN = 'bench-personal-access-token';
const HOUR_MS = 3_600_000;

/**
 * Executions spread over the day before `now`, all finished and settled. Generated from a fixed seed
 * and a fixed `now` so that every process (simulator, ceiling, reference) sees the same entries.
 */
export function scenario(
  name: string,
  label: string,
  now: number,
  shape: { tasks: number; executionsPerTask: number; entries: number },
): Scenario {
  const tenant = generateTenant({
    seed: 20_240_517,
    now: now - HOUR_MS,
    tasks: shape.tasks,
    executionsPerTask: shape.executionsPerTask,
    entriesPerExecution: shape.entries,
    spreadDays: 1,
    failedShare: 0.1,
  });
  const executions = tenant.tasks.flatMap((task) => task.executions);
  const documents = executions.reduce((sum, execution) => sum + execution.entryCount, 0);
  return { name, label, tenant, documents, executions: executions.length };
}

/**
 * How the simulator answers. A log file is READY at the first status check: Talend's time to prepare
 * a file is not documented, so none is assumed. With `roundTripMs`, every API answer and the first
 * byte of every download come that much later, as they do across the internet from Talend Cloud;
 * without, the loopback measures the data path alone. With `storeLogFilesIn`, the logs are rendered
 * there before the simulator listens, and downloads read them as an object store reads what it keeps.
 */
export function simulatorOptions(
  scenario: Scenario,
  jsonShape: JsonShape,
  { roundTripMs = 0, storeLogFilesIn }: { roundTripMs?: number; storeLogFilesIn?: string } = {},
): SimulatorOptions {
  return {
    ...(storeLogFilesIn === undefined ? {} : { storeLogFilesIn }),
    tenant: scenario.tenant,
    maxEntriesPerFile: MAX_ENTRIES_PER_FILE,
    variants: { jsonShape, statusPollsBeforeReady: 0 },
    auth: { personalAccessTokens: [BENCH_TOKEN] },
    ...(roundTripMs > 0 ? { faults: [{ kind: '*', fault: 'slow', delayMs: roundTripMs }] } : {}),
  };
}
