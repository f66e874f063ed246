/** Readings of the execution listing: its order, its `total`, and what `from`/`to` filter on. Pure. */
import type { TalendExecution } from '../contracts/talend-api.ts';
import { endTime, isRunning, triggerTime } from '../talend/run-status.ts';

export type ListingOrder = 'newest-first' | 'oldest-first' | 'other' | 'undetermined';

/** The order of one page, from its items' trigger times (epoch ms) as listed. */
export function pageOrder(triggerTimes: readonly number[]): ListingOrder {
  let rising = false;
  let falling = false;
  for (let i = 1; i < triggerTimes.length; i++) {
    if (triggerTimes[i]! > triggerTimes[i - 1]!) rising = true;
    if (triggerTimes[i]! < triggerTimes[i - 1]!) falling = true;
  }
  if (rising && falling) return 'other';
  if (falling) return 'newest-first';
  return rising ? 'oldest-first' : 'undetermined';
}

/** Pages that tell an order must agree on it; pages that cannot tell (one run, ties) do not count. */
export function combinedOrder(orders: readonly ListingOrder[]): ListingOrder {
  const told = new Set(orders.filter((order) => order !== 'undetermined'));
  if (told.size === 0) return 'undetermined';
  return told.size === 1 ? [...told][0]! : 'other';
}

export function totalPresence(hasTotal: readonly boolean[]): 'present' | 'absent' | 'mixed' | 'undetermined' {
  if (hasTotal.length === 0) return 'undetermined';
  if (hasTotal.every(Boolean)) return 'present';
  return hasTotal.some(Boolean) ? 'mixed' : 'absent';
}

/** Spans shorter than this leave too little room on either side of `from` to trust the answer. */
const MIN_SPAN_MS = 2000;

/**
 * A run triggered before an instant and still going, or finished, after it, and the listing
 * window that straddles it: `from` halfway between its trigger and its end, `to` at its end.
 * A trigger-time filter leaves it out; an overlap filter returns it. The control window starts
 * before its trigger, so both readings return it there: a run the control does not return says
 * nothing. The shortest fitting span is taken, as its windows list the fewest other runs.
 */
export interface FilterCandidate {
  execution: TalendExecution;
  triggerMs: number;
  endMs: number;
  straddling: { from: number; to: number };
  control: { from: number; to: number };
}

export function filterCandidate(
  executions: readonly TalendExecution[],
  now: number,
): FilterCandidate | undefined {
  let best: FilterCandidate | undefined;
  for (const execution of executions) {
    const triggerMs = triggerTime(execution);
    const endMs = isRunning(execution) ? now : endTime(execution);
    if (triggerMs === undefined || endMs === undefined || endMs - triggerMs < MIN_SPAN_MS) continue;
    if (best !== undefined && endMs - triggerMs >= best.endMs - best.triggerMs) continue;
    const from = triggerMs + Math.floor((endMs - triggerMs) / 2);
    best = {
      execution,
      triggerMs,
      endMs,
      straddling: { from, to: endMs },
      control: { from: triggerMs - 1000, to: endMs },
    };
  }
  return best;
}

export function filterVerdict(seen: { control: boolean; straddling: boolean }): {
  result: 'trigger' | 'overlap' | 'undetermined';
  reason: string;
} {
  if (!seen.control) {
    return {
      result: 'undetermined',
      reason: 'the listing did not return the run even over a window holding its trigger time and its end',
    };
  }
  return seen.straddling
    ? { result: 'overlap', reason: 'a run triggered before "from" that ended after it was listed' }
    : { result: 'trigger', reason: 'a run triggered before "from" that ended after it was not listed' };
}
