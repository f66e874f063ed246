import { setMaxListeners } from 'node:events';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { RunStats } from '../observability/run-stats.ts';
import { classifyFailure, type FailureKind } from './failure-kind.ts';

export type SyncOutcome =
  { kind: 'ok' } | { kind: 'partial' } | { kind: 'interrupted' } | { kind: 'fatal'; error: unknown };

/** Where a failure happened: a task, or one of its executions. */
export interface FailurePlace {
  taskId: string;
  executionId?: string;
}

/**
 * How a run is going: the signal every task and execution listens to, which a fatal failure in any
 * of them (Elasticsearch down, credentials refused) aborts for all; and the failures that only
 * concern one execution or task, counted for the exit code.
 */
export class RunOutcome {
  readonly signal: AbortSignal;
  private readonly fatal = new AbortController();
  private fatalError: unknown;
  private failures = 0;

  constructor(
    private readonly interrupt: AbortSignal,
    private readonly stats: RunStats,
    private readonly logger: Logger,
    /** Every execution under way listens to its task's signal a few times over: many listeners are the design. */
    readonly maxListeners: number,
  ) {
    this.signal = AbortSignal.any([interrupt, this.fatal.signal]);
    setMaxListeners(maxListeners, this.signal);
  }

  /** Stops every task and execution: the first fatal error is the run's. */
  stop(error: unknown): void {
    if (this.fatalError === undefined) this.fatalError = error;
    this.fatal.abort(error);
  }

  /** A task's signal: this run's, and the loss of its lease. */
  taskSignal(leaseLost?: AbortSignal): AbortSignal {
    const signal = leaseLost ? AbortSignal.any([this.signal, leaseLost]) : this.signal;
    setMaxListeners(this.maxListeners, signal);
    return signal;
  }

  /**
   * Interruptions end quietly and fatal failures stop the run; anything else is this execution's
   * (or task's) own failure: counted, reported, and retried by the next run.
   */
  report(
    error: unknown,
    signal: AbortSignal,
    where: FailurePlace,
  ): { kind: FailureKind; message: string } | undefined {
    const kind = classifyFailure(error, signal);
    if (kind === 'interrupted') return undefined;
    if (kind === 'fatal') {
      this.stop(error);
      return undefined;
    }
    this.failures += 1;
    const message = describeError(error);
    this.stats.failures.push({ ...where, error: message });
    const what = where.executionId === undefined ? 'task' : 'execution';
    this.logger.error({ ...where, err: error }, `${what} failed; the next run retries it`);
    return { kind, message };
  }

  result(): SyncOutcome {
    if (this.fatalError !== undefined) return { kind: 'fatal', error: this.fatalError };
    if (this.interrupt.aborted) return { kind: 'interrupted' };
    return this.failures > 0 || this.stats.deadLetterRuns.length > 0 ? { kind: 'partial' } : { kind: 'ok' };
  }
}
