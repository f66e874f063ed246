/**
 * Pure planning: from a task's checkpoint and the executions Talend lists, which log ranges to
 * fetch now, and how far the watermark may move afterwards. No I/O here, so every rule is unit-tested.
 */
import type { ExecutionProgress, TaskCheckpoint } from '../contracts/documents.ts';
import type { TalendExecution } from '../contracts/talend-api.ts';
import { RUNNING_STATUSES } from '../contracts/talend-api.ts';

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
  reason: 'indexed' | 'abandoned' | 'settling' | 'not-started' | 'running-in-backfill' | 'up-to-date';
}

export interface TaskPlan {
  items: WorkItem[];
  skipped: SkippedExecution[];
  /** Upper bound of this run: now minus the settle delay (sync), or the backfill's end. */
  horizonMs: number;
}

export interface PlanInput {
  mode: PlanMode;
  checkpoint: TaskCheckpoint;
  /** The watermark this run may trust (see `startingPoint`); undefined on a first run. */
  watermark?: number;
  executions: TalendExecution[];
  now: number;
  settleDelayMs: number;
  /** Backfill only: the end of the requested range. */
  backfillTo?: number;
}

export function isRunning(execution: TalendExecution): boolean {
  return (
    execution.finishTimestamp === undefined ||
    (RUNNING_STATUSES as readonly string[]).includes(execution.status)
  );
}

export function finishTime(execution: TalendExecution): number | undefined {
  return execution.finishTimestamp === undefined ? undefined : Date.parse(execution.finishTimestamp);
}

export function startTime(execution: TalendExecution): number | undefined {
  const text = execution.startTimestamp ?? execution.triggerTimestamp;
  return text === undefined ? undefined : Date.parse(text);
}

/** Talend's log API takes whole seconds: a horizon on a second boundary keeps every range exact. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export interface StartingPoint {
  /** Executions are listed from here: those overlapping [from, now] (or the backfill's end). */
  from: number;
  /** The stored watermark, when it applies to this run. */
  watermark?: number;
  /** Backfill only: the start of the range the stored watermark is counted from. */
  rangeStart?: number;
}

/**
 * Where a task's run starts. Sync: at its watermark, or `lookback` ago on the first run. Backfill:
 * its own watermark applies only while the requested start is inside the range it was counted over
 * (a re-run of `--from now-90d` resumes; an earlier `--from` starts again from there).
 */
export function startingPoint(
  checkpoint: TaskCheckpoint,
  options: { now: number; lookbackMs: number; backfillFrom?: number },
): StartingPoint {
  const stored = checkpoint.watermark === undefined ? undefined : Date.parse(checkpoint.watermark);
  if (options.backfillFrom === undefined) {
    return { from: stored ?? options.now - options.lookbackMs, watermark: stored };
  }
  const rangeStart = checkpoint.rangeStart === undefined ? undefined : Date.parse(checkpoint.rangeStart);
  if (stored !== undefined && rangeStart !== undefined && options.backfillFrom >= rangeStart) {
    return { from: Math.max(options.backfillFrom, stored), watermark: stored, rangeStart };
  }
  return { from: options.backfillFrom, rangeStart: options.backfillFrom };
}

export function planTask(input: PlanInput): TaskPlan {
  const settled = floorToSecond(input.now - input.settleDelayMs);
  const horizonMs =
    input.backfillTo === undefined ? settled : Math.min(settled, floorToSecond(input.backfillTo));
  const watermark = input.watermark;
  const items: WorkItem[] = [];
  const skipped: SkippedExecution[] = [];

  for (const execution of orderByStart(input.executions)) {
    const executionId = execution.executionId;
    const progress: ExecutionProgress = input.checkpoint.executions[executionId] ?? {};
    const skip = (reason: SkippedExecution['reason']) => skipped.push({ executionId, reason });
    if (progress.abandoned) {
      skip('abandoned');
      continue;
    }
    if (progress.done) {
      skip('indexed');
      continue;
    }
    const running = isRunning(execution);
    const finish = finishTime(execution);
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
    } else if (finish !== undefined) {
      if (
        watermark !== undefined &&
        finish <= watermark &&
        input.checkpoint.executions[executionId] === undefined
      ) {
        skip('indexed');
        continue;
      }
      if (finish > settled) {
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
  return { items, skipped, horizonMs };
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

export interface WatermarkInput {
  previous?: number;
  horizonMs: number;
  executions: TalendExecution[];
  progress: Record<string, ExecutionProgress>;
}

/**
 * The watermark may advance to the horizon, but never past a finished execution whose log is not
 * fully indexed (failed, settling, or interrupted), and never backwards. Running executions do not
 * hold it back: they are tracked by id in the checkpoint until they finish.
 */
export function nextWatermark(input: WatermarkInput): number {
  let next = input.horizonMs;
  for (const execution of input.executions) {
    const finish = finishTime(execution);
    if (finish === undefined || isRunning(execution)) continue;
    const progress = input.progress[execution.executionId];
    if (progress?.done || progress?.abandoned) continue;
    if (input.previous !== undefined && finish <= input.previous && progress === undefined) continue;
    next = Math.min(next, finish - 1);
  }
  return Math.max(next, input.previous ?? Number.NEGATIVE_INFINITY);
}

/** Drops the progress of executions the watermark now vouches for. */
export function pruneProgress(checkpoint: TaskCheckpoint, watermark: number): void {
  for (const [executionId, progress] of Object.entries(checkpoint.executions)) {
    const finishedAt = progress.finishedAt === undefined ? undefined : Date.parse(progress.finishedAt);
    if (progress.done && finishedAt !== undefined && finishedAt <= watermark)
      delete checkpoint.executions[executionId];
  }
}
