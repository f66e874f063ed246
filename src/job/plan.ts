/**
 * Pure planning: from a task's checkpoint and the runs Talend lists, which log ranges to fetch now,
 * which runs start being tracked, and where the watermark moves. No I/O here, so every rule is
 * unit-tested; the rules about progress itself are in checkpoint-rules.ts.
 */
import type { ExecutionProgress, TaskCheckpoint } from '../documents/shapes.ts';
import type { TalendExecution } from '../contracts/talend-api.ts';
import { classifyListed, floorToSecond, type ListingWindow } from './checkpoint-rules.ts';
import { endTime, isRunning, startTime } from '../talend/run-status.ts';

export type PlanMode = 'sync' | 'backfill';

/**
 * A log range [startMs, endMs); undefined bounds are open (run start / the end of the log). When
 * `resumeEndMs` is set, an earlier run already indexed [resumeEndMs, endMs): only the rest is walked.
 */
export interface LogRange {
  startMs?: number;
  endMs?: number;
  resumeEndMs?: number;
  /** What finishing the range proves: the whole log is indexed, or every entry before `endMs`. */
  completes: 'log' | 'upTo';
}

export interface WorkItem {
  execution: TalendExecution;
  running: boolean;
  /** Walked in order; progress is committed after every chunk and every range. */
  ranges: LogRange[];
}

export interface SkippedExecution {
  executionId: string;
  reason:
    | 'indexed'
    | 'abandoned'
    | 'settling'
    | 'not-started'
    | 'running-in-backfill'
    | 'up-to-date'
    | 'before-range';
}

export interface TaskPlan {
  items: WorkItem[];
  skipped: SkippedExecution[];
  /** Listed runs not indexed and not tracked yet: tracked from this run on. */
  newRuns: TalendExecution[];
  /** Listed runs in scope whose log is not fully indexed: their latest state goes to the executions index. */
  unfinished: TalendExecution[];
  /** Upper bound of this run: now minus the settle delay (sync), or the backfill's end. */
  horizonMs: number;
  /** Where the watermark moves once the new runs are tracked. */
  watermark: number;
}

export interface PlanInput {
  mode: PlanMode;
  checkpoint: TaskCheckpoint;
  window: ListingWindow;
  /** What the listing returned, plus the tracked runs it no longer shows, fetched by id. */
  executions: TalendExecution[];
  now: number;
  settleDelayMs: number;
}

export function planTask(input: PlanInput): TaskPlan {
  const settled = floorToSecond(input.now - input.settleDelayMs);
  const horizonMs = input.mode === 'backfill' ? Math.min(settled, floorToSecond(input.window.to)) : settled;
  const items: WorkItem[] = [];
  const skipped: SkippedExecution[] = [];
  const newRuns: TalendExecution[] = [];
  const unfinished: TalendExecution[] = [];

  for (const execution of orderByStart(input.executions)) {
    const executionId = execution.executionId;
    const tracked = input.checkpoint.executions[executionId];
    const skip = (reason: SkippedExecution['reason']) => skipped.push({ executionId, reason });
    const kind = classifyListed(execution, tracked, input.window);
    if (kind === 'before-range' || kind === 'indexed') {
      skip(kind);
      continue;
    }
    if (kind === 'new') newRuns.push(execution);
    const progress: ExecutionProgress = tracked ?? {};
    if (!progress.done) unfinished.push(execution);
    if (progress.abandoned) {
      skip('abandoned');
      continue;
    }
    if (progress.done) {
      skip('indexed');
      continue;
    }
    const running = isRunning(execution);
    if (running) {
      if (input.mode === 'backfill') {
        skip('running-in-backfill');
        continue;
      }
      const start = startTime(execution);
      if (start !== undefined && start >= horizonMs) {
        skip('not-started');
        continue;
      }
    } else {
      const end = endTime(execution);
      if (end !== undefined && end > settled) {
        skip('settling');
        continue;
      }
    }
    const ranges = rangesFor(progress, running ? horizonMs : undefined);
    if (ranges.length === 0) {
      skip('up-to-date');
      continue;
    }
    items.push({ execution, running, ranges });
  }
  // Runs triggered after the listing's end are listed by the next run, whose start is at most here.
  const watermark = Math.min(horizonMs, floorToSecond(input.window.to));
  return { items, skipped, newRuns, unfinished, horizonMs, watermark };
}

/**
 * An interrupted chunk walk is finished first (it already covers [resumeEndTime, end)); then the
 * log continues from the last fully indexed instant to the horizon, or to its end once finished.
 */
function rangesFor(progress: ExecutionProgress, horizonMs: number | undefined): LogRange[] {
  const ranges: LogRange[] = [];
  let from = parseOptional(progress.indexedUpTo);
  if (progress.walk) {
    const end = parseOptional(progress.walk.end);
    ranges.push({
      startMs: parseOptional(progress.walk.start),
      endMs: end,
      resumeEndMs: Date.parse(progress.walk.resumeEndTime),
      completes: end === undefined ? 'log' : 'upTo',
    });
    // An interrupted walk over the log's whole tail completes the log by itself.
    if (end === undefined) return ranges;
    from = end;
  }
  if (horizonMs === undefined) {
    ranges.push({ startMs: from, completes: 'log' });
  } else if (from === undefined || from < horizonMs) {
    ranges.push({ startMs: from, endMs: horizonMs, completes: 'upTo' });
  }
  return ranges;
}

function parseOptional(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

function orderByStart(executions: TalendExecution[]): TalendExecution[] {
  const unique = new Map(executions.map((execution) => [execution.executionId, execution]));
  return [...unique.values()].sort((a, b) => (startTime(a) ?? 0) - (startTime(b) ?? 0));
}
