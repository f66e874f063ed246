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
  executionsPlanned = 0;
  executionsCompleted = 0;
  executionsPartial = 0;
  executionsFailed = 0;
  executionsAbandoned = 0;
  chunks = 0;
  lines = 0;
  documents = 0;
  deadLetters = 0;
  skippedOverlap = 0;
  bytes = 0;
  /** Chunks downloaded again after a cut or failed transfer: retries towards Talend the client does not see. */
  chunkRedownloads = 0;
  readonly failures: { taskId?: string; executionId?: string; error: string }[] = [];
  /** Runs of which this run dead-lettered lines: their ids go in the summary, to replay them. */
  readonly deadLetterRuns: DeadLetterRun[] = [];

  constructor(private readonly retries: RetryCounters) {}

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
        completed: this.executionsCompleted,
        partial: this.executionsPartial,
        failed: this.executionsFailed,
        abandoned: this.executionsAbandoned,
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
  executions: { planned: number; completed: number; partial: number; failed: number; abandoned: number };
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
