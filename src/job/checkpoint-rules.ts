/**
 * Every rule that reads or moves a task's checkpoint, as pure functions: what a listed run is, where
 * the next listing starts, which runs are tracked, how a range, a chunk or a failure moves a run's
 * progress, what is pruned, and what `status` reports.
 *
 * Talend's execution listing filters `from`/`to` either on the run overlapping the window (the API
 * reference) or on `triggerTimestamp` alone (what a production integration observed); items may
 * come newest first. The checkpoint stays exact under both because it keeps this invariant:
 *
 *   Every run triggered in [rangeStart, watermark) is either tracked by id in the checkpoint until
 *   its log is fully indexed, or was fully indexed and triggered before watermark − overlap.
 *
 * It follows that a listing from `watermark − overlap` (never before `rangeStart`) sees, under
 * either rule, every run triggered since then; a tracked run the listing no longer shows is
 * fetched by id; and a listed run that is not tracked is new, unless it was triggered before the
 * listing's start, in which case it was indexed and pruned (or is out of scope). The watermark
 * moves to the settled horizon only in the same checkpoint write that tracks every listed run
 * not yet indexed. `overlap` covers a run that Talend lists some time after its trigger time.
 */
import { dateMs } from '../common/epoch.ts';
import type { ExecutionProgress, TaskCheckpoint } from '../documents/shapes.ts';
import type { TalendExecution } from '../contracts/talend-api.ts';
import { triggerTime } from '../talend/run-status.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** Talend's log API takes whole seconds: a horizon on a second boundary keeps every range exact. */
export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export interface ListingWindow {
  /** The listing asks for runs from here (epoch ms)... */
  from: number;
  /** ...to here: now, or the backfill's end. */
  to: number;
  /** Runs triggered before it are out of scope. */
  rangeStart: number;
  /** The stored watermark, when this run continues from it. */
  watermark?: number;
}

export interface ListingOptions {
  now: number;
  /** First sync of a task: how far back its scope starts. */
  lookbackMs: number;
  /** How far before the watermark every listing reaches back. */
  overlapMs: number;
  /** Backfill: the requested range. */
  backfill?: { from: number; to: number };
}

/**
 * Where a task's listing starts. Sync: its watermark less the overlap, or `lookback` ago on the
 * first run. Backfill: its own watermark applies only while the requested start is inside the range
 * it was counted over (a re-run of `--from now-90d` resumes; an earlier `--from` starts again).
 */
export function listingWindow(checkpoint: TaskCheckpoint, options: ListingOptions): ListingWindow {
  const stored = dateMs(checkpoint.watermark);
  const storedStart = dateMs(checkpoint.rangeStart);
  const to = options.backfill?.to ?? options.now;
  let rangeStart: number;
  let watermark: number | undefined;
  if (options.backfill === undefined) {
    watermark = stored;
    // A checkpoint written before ranges were recorded starts its range at its first listing.
    rangeStart =
      storedStart ?? (stored === undefined ? options.now - options.lookbackMs : stored - options.overlapMs);
  } else if (stored !== undefined && storedStart !== undefined && options.backfill.from >= storedStart) {
    watermark = stored;
    rangeStart = storedStart;
  } else {
    rangeStart = options.backfill.from;
  }
  const from = watermark === undefined ? rangeStart : Math.max(rangeStart, watermark - options.overlapMs);
  return { from: Math.min(from, to), to, rangeStart, watermark };
}

export type ListedRun =
  /** Tracked in the checkpoint: its progress says what is left. */
  | 'tracked'
  /** Never seen before: all of its log is to be indexed. */
  | 'new'
  /** Triggered before the task's range: the overlap rule lists it, the trigger rule never does. */
  | 'before-range'
  /** Not tracked and triggered before the listing's start: indexed, then pruned. */
  | 'indexed';

/** What a run the listing (or a fetch by id) returned is, by the invariant above. */
export function classifyListed(
  execution: TalendExecution,
  progress: ExecutionProgress | undefined,
  window: ListingWindow,
): ListedRun {
  if (progress !== undefined) return 'tracked';
  const triggered = triggerTime(execution);
  if (triggered === undefined) return 'new';
  if (triggered < window.rangeStart) return 'before-range';
  return triggered < window.from ? 'indexed' : 'new';
}

/** A tracking entry for a listed run that is not indexed yet. */
export function trackedProgress(execution: TalendExecution): ExecutionProgress {
  const progress: ExecutionProgress = {};
  const triggered = triggerTime(execution);
  if (triggered !== undefined) progress.triggeredAt = iso(triggered);
  if (execution.startTimestamp !== undefined) progress.startedAt = execution.startTimestamp;
  return progress;
}

export interface Advance {
  /** Runs listed now that are not yet indexed and not tracked yet. */
  newRuns: TalendExecution[];
  watermark: number;
  rangeStart: number;
  overlapMs: number;
}

/**
 * The one checkpoint write that moves the watermark: it tracks every new run first, so the
 * invariant holds the moment it is stored; then drops what the next listing can no longer show
 * as new (indexed runs triggered before its start, once their executions document is final). The
 * watermark never moves back.
 */
export function advanceWatermark(checkpoint: TaskCheckpoint, advance: Advance): void {
  for (const execution of advance.newRuns) {
    checkpoint.executions[execution.executionId] ??= trackedProgress(execution);
  }
  const previous = dateMs(checkpoint.watermark);
  const watermark = Math.max(advance.watermark, previous ?? Number.NEGATIVE_INFINITY);
  checkpoint.watermark = iso(watermark);
  checkpoint.rangeStart = iso(advance.rangeStart);
  pruneIndexed(checkpoint, advance.overlapMs);
}

/**
 * Drops the runs the next listing can no longer show as new: indexed, triggered before its start,
 * and with a final executions document.
 */
function pruneIndexed(checkpoint: TaskCheckpoint, overlapMs: number): void {
  const watermark = dateMs(checkpoint.watermark);
  const rangeStart = dateMs(checkpoint.rangeStart);
  if (watermark === undefined || rangeStart === undefined) return;
  const nextFrom = Math.max(rangeStart, watermark - overlapMs);
  for (const [executionId, progress] of Object.entries(checkpoint.executions)) {
    // Entries from before `triggeredAt` was recorded fall back on the end, which is later.
    const triggered = dateMs(progress.triggeredAt) ?? dateMs(progress.finishedAt);
    if (progress.done && progress.reported && triggered !== undefined && triggered < nextFrom)
      delete checkpoint.executions[executionId];
  }
}

/** A chunk of a backward walk was acknowledged: entries in [resumeEndTime, end) are indexed. */
export function walkStep(
  progress: ExecutionProgress,
  range: { startMs?: number; endMs?: number },
  resumeEndMs: number,
): void {
  progress.walk = {
    start: range.startMs === undefined ? undefined : iso(range.startMs),
    end: range.endMs === undefined ? undefined : iso(range.endMs),
    resumeEndTime: iso(resumeEndMs),
  };
}

/** What indexing part of a run took, added to its progress in the checkpoint write that commits the part. */
export interface Tally {
  deadLetters: number;
  chunks?: number;
  bytes?: number;
}

/**
 * Counted with the checkpoint write that moves past the lines: a part that is walked again after a
 * crash was never counted, so the sums stay exact however often a range is re-fetched.
 */
export function addTally(progress: ExecutionProgress, tally: Tally): void {
  if (tally.deadLetters > 0) progress.deadLetters = (progress.deadLetters ?? 0) + tally.deadLetters;
  if (tally.chunks) progress.chunks = (progress.chunks ?? 0) + tally.chunks;
  if (tally.bytes) progress.bytes = (progress.bytes ?? 0) + tally.bytes;
}

export interface RangeDone extends Tally {
  /** The whole log is indexed, or every entry before `endMs`. */
  completes: 'log' | 'upTo';
  endMs?: number;
  /** When the run ended, for a whole log. */
  endedAtMs?: number;
  now: number;
}

/** Every line of a range is acknowledged or dead-lettered. */
export function completeRange(progress: ExecutionProgress, done: RangeDone): void {
  delete progress.walk;
  delete progress.lastError;
  progress.attempts = 0;
  addTally(progress, done);
  if (done.completes === 'log') {
    progress.done = true;
    progress.doneAt = iso(done.now);
    if (done.endedAtMs !== undefined) progress.finishedAt = iso(done.endedAtMs);
    delete progress.indexedUpTo;
  } else if (done.endMs !== undefined) {
    progress.indexedUpTo = iso(done.endMs);
  }
}

export interface FailureRecord {
  message: string;
  /** Deleted at Talend: no later run can do better. */
  gone: boolean;
  maxAttempts: number;
}

/** A failed attempt at a run: counted, and given up on once it reaches the limit. */
export function recordFailure(progress: ExecutionProgress, failure: FailureRecord): 'abandoned' | 'failed' {
  progress.attempts = (progress.attempts ?? 0) + 1;
  progress.lastError = failure.message;
  if (failure.gone || progress.attempts >= failure.maxAttempts) {
    progress.abandoned = true;
    return 'abandoned';
  }
  return 'failed';
}

/**
 * The runs whose executions document a task's sync rewrites at its end: those it worked on, and
 * those done or given up whose document does not say so yet (a sync stopped before it wrote it).
 */
export function runsToReport(checkpoint: TaskCheckpoint, worked: readonly string[]): string[] {
  const ids = new Set(worked);
  for (const [executionId, progress] of Object.entries(checkpoint.executions)) {
    if ((progress.done || progress.abandoned) && !progress.reported) ids.add(executionId);
  }
  return [...ids];
}

/** Whether a run's executions document is written for the last time: its log is done or given up. */
export function isFinal(progress: ExecutionProgress | undefined): boolean {
  return progress?.done === true || progress?.abandoned === true;
}

/** The executions documents of these runs are final: their entries are pruned once they may be. */
export function markReported(
  checkpoint: TaskCheckpoint,
  executionIds: readonly string[],
  overlapMs: number,
): void {
  for (const executionId of executionIds) {
    const progress = checkpoint.executions[executionId];
    if (isFinal(progress)) progress!.reported = true;
  }
  pruneIndexed(checkpoint, overlapMs);
}

export interface PendingRuns {
  inProgress: {
    executionId: string;
    indexedUpTo?: string;
    resumeAt?: string;
    attempts?: number;
    lastError?: string;
  }[];
  givenUp: { executionId: string; attempts?: number; lastError?: string }[];
  /** Runs with lines in the dead-letter index. */
  withDeadLetters: { executionId: string; deadLetters: number }[];
}

/** What `status` reports of one task's checkpoint. */
export function pendingRuns(checkpoint: TaskCheckpoint): PendingRuns {
  const entries = Object.entries(checkpoint.executions);
  return {
    inProgress: entries
      .filter(([, progress]) => !progress.done && !progress.abandoned)
      .map(([executionId, progress]) => ({
        executionId,
        indexedUpTo: progress.indexedUpTo,
        resumeAt: progress.walk?.resumeEndTime,
        attempts: progress.attempts,
        lastError: progress.lastError,
      })),
    givenUp: entries
      .filter(([, progress]) => progress.abandoned)
      .map(([executionId, progress]) => ({
        executionId,
        attempts: progress.attempts,
        lastError: progress.lastError,
      })),
    withDeadLetters: entries.flatMap(([executionId, progress]) =>
      (progress.deadLetters ?? 0) > 0 ? [{ executionId, deadLetters: progress.deadLetters! }] : [],
    ),
  };
}
