/** Where the retries towards each service are counted: the clients count their own. */
export interface RetryCounters {
  talend: () => number;
  elasticsearch: () => number;
}

/** Counters of one run, printed as its summary and used by the progress display. */
export class RunStats {
  readonly startedAt = Date.now();
  tasks = 0;
  tasksSkippedLeased = 0;
  /**
   * What became of each execution this run worked on: every one ends in exactly one of done, still
   * running, sync failed and given up (README, "Watching it"), unless the run is interrupted.
   */
  executionsPlanned = 0;
  /** Over at Talend, and its whole log indexed or dead-lettered: `done` in the executions index too. */
  executionsDone = 0;
  /** Another count: executions of which this run dead-lettered lines (`deadLetterRuns` names them). */
  executionsWithDeadLetters = 0;
  /** Still running at Talend: indexed up to now less the settle delay, continued next run. */
  executionsStillRunning = 0;
  /** Our sync of it failed; the next run retries it. */
  executionsSyncFailed = 0;
  /** Our sync of it failed `--max-attempts` times, or Talend no longer knows it. */
  executionsGivenUp = 0;
  /** Another axis: of the executions worked on, those Talend reports failed, rejected or terminated. */
  executionsFailedAtTalend = 0;
  chunks = 0;
  lines = 0;
  /** Documents acknowledged by Elasticsearch in chunks that are settled: exact, whatever was retried. */
  documents = 0;
  /**
   * Documents acknowledged so far, as each bulk answer arrives, chunk ended or not: what the progress
   * line shows. A chunk downloaded again after a cut is counted again here, never in `documents`.
   */
  acknowledgedSoFar = 0;
  deadLetters = 0;
  skippedOverlap = 0;
  bytes = 0;
  /** Chunks downloaded again after a cut or failed transfer: retries towards Talend the client does not see. */
  chunkRedownloads = 0;
  readonly failures: { taskId?: string; executionId?: string; error: string }[] = [];
  /** Runs of which this run dead-lettered lines: their ids go in the summary, to replay them. */
  readonly deadLetterRuns: DeadLetterRun[] = [];

  /** Until the clients exist, none: a run that stops before them made no retry. */
  private retries: RetryCounters = { talend: () => 0, elasticsearch: () => 0 };

  /** Hears each line Elasticsearch holds (see ingest-chunk's `onSettled`). */
  readonly settled = (_id: string, outcome: 'indexed' | 'dead-lettered'): void => {
    if (outcome === 'indexed') this.acknowledgedSoFar += 1;
  };

  /** The clients of the run, which count their own retries: the summary's `retries`. */
  countRetriesOf(counters: RetryCounters): void {
    this.retries = counters;
  }

  addChunk(result: {
    linesRead: number;
    acknowledged: number;
    deadLettered: number;
    skippedOutsideWindow: number;
    bytes: number;
  }): void {
    this.chunks += 1;
    this.lines += result.linesRead;
    this.documents += result.acknowledged;
    this.deadLetters += result.deadLettered;
    this.skippedOverlap += result.skippedOutsideWindow;
    this.bytes += result.bytes;
  }

  summary(now: number = Date.now()): RunSummary {
    const durationMs = now - this.startedAt;
    return {
      tasks: this.tasks,
      tasksSkippedLeased: this.tasksSkippedLeased,
      executions: {
        planned: this.executionsPlanned,
        done: this.executionsDone,
        withDeadLetters: this.executionsWithDeadLetters,
        stillRunning: this.executionsStillRunning,
        syncFailed: this.executionsSyncFailed,
        givenUp: this.executionsGivenUp,
        failedAtTalend: this.executionsFailedAtTalend,
      },
      chunks: this.chunks,
      lines: this.lines,
      documents: this.documents,
      deadLetters: this.deadLetters,
      skippedOverlap: this.skippedOverlap,
      bytes: this.bytes,
      retries: {
        talend: this.retries.talend() + this.chunkRedownloads,
        elasticsearch: this.retries.elasticsearch(),
      },
      durationMs,
      documentsPerSecond: durationMs > 0 ? Math.round((this.documents * 1000) / durationMs) : 0,
      failures: this.failures.slice(0, 20),
      deadLetterRuns: this.deadLetterRuns.slice(0, 20),
    };
  }
}

export interface RunSummary {
  tasks: number;
  tasksSkippedLeased: number;
  executions: {
    planned: number;
    done: number;
    withDeadLetters: number;
    stillRunning: number;
    syncFailed: number;
    givenUp: number;
    failedAtTalend: number;
  };
  chunks: number;
  lines: number;
  documents: number;
  deadLetters: number;
  skippedOverlap: number;
  bytes: number;
  retries: { talend: number; elasticsearch: number };
  durationMs: number;
  documentsPerSecond: number;
  failures: { taskId?: string; executionId?: string; error: string }[];
  /** At most 20; `deadLetters` counts them all. */
  deadLetterRuns: DeadLetterRun[];
}

export interface DeadLetterRun {
  taskId?: string;
  executionId: string;
  deadLetters: number;
}
