/**
 * How many executions a day one worker can keep up with inside Talend's per-minute quotas, from the
 * calls the connector made per execution (the simulator's request counters).
 */
import { defaultOf } from '../../src/config/settings.ts';
import type { RequestKind } from '../../src/simulator/types.ts';

/** Talend's API groups, and the requests of each. Token and object store calls have no quota. */
export const CALL_GROUPS = {
  monitoring: ['generateLog', 'logStatus', 'pageLogs', 'deleteLogs'],
  processing: ['listExecutions', 'getExecution'],
  orchestration: ['tasks', 'workspaces'],
  token: ['token'],
  objectStore: ['download'],
} as const satisfies Record<string, readonly RequestKind[]>;

export type CallGroup = keyof typeof CALL_GROUPS;

export interface Quota {
  /** The groups counted against it: orchestration calls share the processing quota. */
  groups: CallGroup[];
  perMinute: number;
}

/** The connector's own client-side quotas, its settings' defaults: what it keeps to unless told otherwise. */
export function connectorQuotas(): Quota[] {
  return [
    { groups: ['monitoring'], perMinute: defaultOf('monitoringRateLimit') },
    { groups: ['processing', 'orchestration'], perMinute: defaultOf('processingRateLimit') },
  ];
}

export type RequestCounts = Record<RequestKind, number>;

/** Calls per execution in each group, over a run of `executions` executions. */
export function callsPerExecution(counts: RequestCounts, executions: number): Record<CallGroup, number> {
  const entries = Object.entries(CALL_GROUPS).map(([group, kinds]) => [
    group,
    kinds.reduce((sum, kind) => sum + counts[kind], 0) / executions,
  ]);
  return Object.fromEntries(entries) as Record<CallGroup, number>;
}

export interface QuotaLimit extends Quota {
  callsPerExecution: number;
  /** perMinute × 1440 / callsPerExecution. */
  executionsPerDay: number;
}

/** Executions a day each quota allows, and the smallest of them: what one worker keeps up with. */
export function executionsPerDay(
  perExecution: Record<CallGroup, number>,
  quotas: readonly Quota[] = connectorQuotas(),
): { limits: QuotaLimit[]; executionsPerDay: number } {
  const limits = quotas.map((quota) => {
    const calls = quota.groups.reduce((sum, group) => sum + perExecution[group], 0);
    return {
      ...quota,
      callsPerExecution: calls,
      executionsPerDay: calls > 0 ? (quota.perMinute * 1440) / calls : Infinity,
    };
  });
  return { limits, executionsPerDay: Math.min(...limits.map((limit) => limit.executionsPerDay)) };
}
