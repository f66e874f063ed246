import type { IndexNames } from '../config/index-names.ts';
import { finished } from 'node:stream';
import type { ExecutionProgress } from '../documents/shapes.ts';
import type { TalendTask } from '../contracts/talend-api.ts';
import type { LimitFunction } from 'p-limit';
import type { Logger } from '../observability/logger.ts';
import type { RunStats } from '../observability/run-stats.ts';
import { readChunk, type ChunkResult, type ReadChunk } from '../pipeline/ingest-chunk.ts';
import type { BulkIndexer } from '../store/bulk-indexer.ts';
import type { TaskCheckpointHandle } from '../store/checkpoints.ts';
import type { DeadLetterWriter } from '../store/dead-letters.ts';
import { LogNotFoundError, type LogChunk, type TalendClient } from '../talend/index.ts';
import { executionContext } from '../documents/execution-context.ts';
import { classifyFailure } from './failure-kind.ts';
import type { WorkItem } from './plan.ts';
import { addTally, completeRange, trackedProgress, walkStep, type Tally } from './checkpoint-rules.ts';
import { endTime } from '../talend/run-status.ts';

export interface ExecutionDeps {
  talend: TalendClient;
  indexer: BulkIndexer;
  deadLetters: DeadLetterWriter;
  names: IndexNames;
  fileFormat: 'JSON' | 'TEXT';
  stats: RunStats;
  logger: Logger;
  /** Downloads of one chunk before its failure counts against the execution. */
  chunkAttempts: number;
  /**
   * Download slots. A chunk takes one once Talend has its file ready and gives it back when the
   * download ends: waiting for Talend, or for Elasticsearch to acknowledge, holds no slot, so that
   * both overlap other executions' downloads.
   */
  transfers: LimitFunction;
}

/**
 * Walks the planned ranges of one execution, chunk after chunk, and commits progress only after
 * Elasticsearch has acknowledged (or dead-lettered) every line of a chunk: a crash at any point
 * leaves a checkpoint that is behind the index, never ahead of it. Re-walked lines get the same
 * document ids, so catching up overwrites instead of duplicating.
 *
 * Talend answers 404 to a log request when it holds no log for the run. For a run that is over,
 * that is its whole log: done with no line. For a run still going, the log may not be written
 * yet: nothing moves, and the next sync asks again. A run Talend no longer knows at all was
 * deleted: that fails as `gone`.
 */
export async function runExecution(
  item: WorkItem,
  task: TalendTask | undefined,
  checkpoint: TaskCheckpointHandle,
  deps: ExecutionDeps,
  signal: AbortSignal,
): Promise<{ deadLettered: number }> {
  const { execution } = item;
  const executionId = execution.executionId;
  const context = executionContext(task, execution);
  const logger = deps.logger.child({ taskId: execution.taskId, executionId });
  const setProgress = (change: (progress: ExecutionProgress) => void) =>
    checkpoint.update((state) => {
      const progress = (state.executions[executionId] ??= trackedProgress(execution));
      change(progress);
    });
  let deadLettered = 0;

  for (const range of item.ranges) {
    signal.throwIfAborted();
    const walk = deps.talend.walkLogChunks(
      {
        executionId,
        taskId: execution.taskId,
        fileFormat: deps.fileFormat,
        startMs: range.startMs,
        endMs: range.resumeEndMs ?? range.endMs,
      },
      signal,
    );
    // What the chunks since the last checkpoint write took: counted by the next one.
    let tally = emptyTally();
    let chunks = 0;
    /** The chunk before the one being read: its acknowledgements, then its checkpoint write. */
    let previous: Promise<void> | undefined;
    const commit = async (chunk: LogChunk, settled: Promise<ChunkResult>) => {
      const result = await settled;
      deps.stats.addChunk(result);
      tally.deadLetters += result.deadLettered;
      tally.chunks += 1;
      tally.bytes += result.bytes;
      logger.debug({ chunk: chunk.sequence, ...result }, 'chunk indexed');
      if (!chunk.last && chunk.window.startMs !== undefined) {
        const resumeEndMs = chunk.window.startMs;
        const committed = tally;
        tally = emptyTally();
        await setProgress((progress) => {
          walkStep(progress, range, resumeEndMs);
          addTally(progress, committed);
        });
        deadLettered += committed.deadLetters;
      }
    };
    try {
      try {
        for await (const chunk of walk) {
          chunks += 1;
          await chunk.prepare(signal);
          const { settled } = await readWithRetries(chunk, context, deps, signal, logger);
          // Read while the chunk before was acknowledged; committed after it, in the walk's order.
          await previous;
          previous = commit(chunk, settled);
          previous.catch(() => undefined);
        }
        await previous;
      } catch (error) {
        // What the chunk before holds is still committed when it settles.
        await previous?.catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (!(error instanceof LogNotFoundError) || chunks > 0) throw error;
      // Talend answers 404 alike for a run without a log and for one deleted since it was listed:
      // only the second one is unknown to the processing API too (and is then given up as gone).
      await deps.talend.getExecution(executionId, signal);
      if (item.running) {
        logger.info('Talend has no log for this running execution yet; the next run asks again');
        return { deadLettered };
      }
      logger.info('Talend has no log for this execution: it is done with no line');
    }
    deadLettered += tally.deadLetters;
    const committed = tally;
    await setProgress((progress) =>
      completeRange(progress, {
        completes: range.completes,
        endMs: range.endMs,
        endedAtMs: endTime(execution),
        ...committed,
        now: Date.now(),
      }),
    );
  }
  return { deadLettered };
}

function emptyTally(): Required<Tally> {
  return { deadLetters: 0, chunks: 0, bytes: 0 };
}

/** Reads a chunk's file into the indexer, downloading it again after a transient transfer failure. */
async function readWithRetries(
  chunk: LogChunk,
  context: ReturnType<typeof executionContext>,
  deps: ExecutionDeps,
  signal: AbortSignal,
  logger: Logger,
): Promise<ReadChunk> {
  const attempts = deps.chunkAttempts;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const release = await takeSlot(deps.transfers);
      try {
        const download = await chunk.open(signal);
        // The slot is free once the body is read: acknowledgements are awaited without one.
        finished(download.body, release);
        return await readChunk({
          download,
          fileFormat: deps.fileFormat,
          context,
          chunk: { sequence: chunk.sequence, window: chunk.window },
          indexer: deps.indexer,
          deadLetters: deps.deadLetters,
          names: deps.names,
          signal,
          logger,
          truncated: attempt < attempts ? 'retry' : 'dead-letter',
          onSettled: deps.stats.settled,
        });
      } finally {
        release();
      }
    } catch (error) {
      if (attempt >= attempts || classifyFailure(error, signal) !== 'retry-chunk') throw error;
      deps.stats.chunkRedownloads += 1;
      logger.warn(
        { chunk: chunk.sequence, attempt, err: error },
        'chunk transfer failed; downloading it again',
      );
    }
  }
}

/** Waits for a free slot of `limit` and holds it until the returned function is called (again: no-op). */
function takeSlot(limit: LimitFunction): Promise<() => void> {
  return new Promise((taken) => {
    void limit(() => new Promise<void>((release) => taken(release)));
  });
}
