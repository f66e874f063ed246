/** Readings of the runs a listing returned: their status values, and those without `finishTimestamp`. Pure. */
import {
  DECLARED_EXECUTION_STATUSES,
  RUNNING_STATUSES,
  TERMINAL_STATUSES,
  type TalendExecution,
} from '../contracts/talend-api.ts';
import { isRunning } from '../talend/run-status.ts';
import type { RejectedRunsReading } from './report.ts';

export interface StatusTally {
  status: Record<string, number>;
  executionStatus: Record<string, number>;
  /** Runs without `finishTimestamp`, by `status` / `executionStatus`, and whether they count as running. */
  withoutFinish: { status: string; executionStatus: string; running: boolean; count: number }[];
}

export function tallyStatuses(executions: readonly TalendExecution[]): StatusTally {
  const status: Record<string, number> = {};
  const executionStatus: Record<string, number> = {};
  const withoutFinish = new Map<string, StatusTally['withoutFinish'][number]>();
  for (const execution of executions) {
    const lower = String(execution.status ?? '(none)');
    const upper = String(execution.executionStatus ?? '(none)');
    status[lower] = (status[lower] ?? 0) + 1;
    executionStatus[upper] = (executionStatus[upper] ?? 0) + 1;
    if (execution.finishTimestamp !== undefined) continue;
    const key = `${lower}\u0000${upper}`;
    const group = withoutFinish.get(key) ?? {
      status: lower,
      executionStatus: upper,
      running: isRunning(execution),
      count: 0,
    };
    group.count++;
    withoutFinish.set(key, group);
  }
  return { status, executionStatus, withoutFinish: [...withoutFinish.values()] };
}

/** The values seen that the processing reference does not declare (`(none)` counts as one). */
export function undeclaredStatuses(tally: StatusTally): { status: string[]; executionStatus: string[] } {
  const declaredStatus: readonly string[] = [...RUNNING_STATUSES, ...TERMINAL_STATUSES];
  const declaredExecutionStatus: readonly string[] = DECLARED_EXECUTION_STATUSES;
  return {
    status: Object.keys(tally.status).filter((value) => !declaredStatus.includes(value)),
    executionStatus: Object.keys(tally.executionStatus).filter(
      (value) => !declaredExecutionStatus.includes(value),
    ),
  };
}

/** A run that is over and carries no `finishTimestamp`: the production integration saw their logs answer 404. */
export function isOverWithoutFinish(execution: TalendExecution): boolean {
  return execution.finishTimestamp === undefined && !isRunning(execution);
}

export function isRejected(execution: TalendExecution): boolean {
  return (
    String(execution.status).toLowerCase() === 'execution_rejected' ||
    String(execution.executionStatus).toUpperCase() === 'EXECUTION_REJECTED'
  );
}

/** One rejected run as seen: with or without `finishTimestamp`, with or without a log. */
export function rejectedReading(finished: boolean, hasLog: boolean): RejectedRunsReading {
  return `${finished ? 'finished' : 'no-finish'}-${hasLog ? 'with-log' : 'no-log'}`;
}

/** Several rejected runs agree on one reading, or are `mixed`. */
export function combinedRejectedReading(
  readings: readonly RejectedRunsReading[],
): RejectedRunsReading | undefined {
  const distinct = new Set(readings);
  if (distinct.size === 0) return undefined;
  return distinct.size === 1 ? readings[0] : 'mixed';
}
