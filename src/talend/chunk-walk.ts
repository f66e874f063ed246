/**
 * The backward walk over one execution's log, chunk by chunk, newest first.
 *
 * Talend answers a generate request with `206` when its range holds more than 100,000 entries: the
 * file then holds only the LAST 100,000 before `endTime`, and `X-Log-Next-Request-End-Time` (H)
 * gives the `endTime` of the next, older, request. Whether H is second- or millisecond-precise, and
 * whether `endTime` is inclusive, are undocumented, so each chunk gets an OWNERSHIP window that is
 * right under every combination: the pipeline keeps, from each chunk's file, only the entries
 * with `startMs <= logTimestamp < endMs` (`inWindow`); the rest is the overlap of two requests and
 * belongs to a neighbour. Every entry of the requested range lands in exactly one window.
 *
 * - API dates have second precision. The first request asks for `endTime = floorSec(endMs) + 1 s`
 *   (none when `endMs` is undefined: Talend then means "now") and `startTime = floorSec(startMs) - 1 s`,
 *   both wide enough whether Talend's bounds are inclusive or exclusive.
 * - On a 206, with m the oldest entry of the file, H lies in [floorSec(m), m] in both plausible
 *   formats, so B = floorSec(H) + 1 s is above m: every entry >= B is in this file. The chunk owns
 *   [B, upper); the next request asks for `endTime = B`, which holds every entry < B, and owns
 *   everything below B.
 * - When B <= startMs, or on a 200, the chunk owns everything down to `startMs` and is the last.
 * - More than 100,000 entries within one second make B reach the upper bound: no progress. If H
 *   carries milliseconds (then H = m), the chunk owns [H + 1 ms, upper) instead and the next request
 *   asks for `endTime = H + 1 ms` at millisecond precision; otherwise, or if even that makes no
 *   progress, the walk stops with ChunkWalkStalledError rather than lose entries.
 *
 * Chunks are produced lazily: the next generate call happens only when the consumer asks for the
 * next chunk. RESUMING: a caller interrupted after fully processing some chunks calls the walk again
 * with `endMs` = the `window.startMs` of the last chunk it fully processed (and the same `startMs`);
 * the new walk covers exactly what is left.
 */
import type { LogFileFormat } from '../contracts/talend-api.ts';
import type { Logger } from '../observability/logger.ts';
import { floorSec } from './api-dates.ts';
import { ChunkWalkStalledError, LogTokenExpiredError, PresignedUrlExpiredError } from './errors.ts';
import type { GenerateLogParams, GeneratedLog } from './logs.ts';
import type { LogDownload } from './presigned-download.ts';

export interface ChunkWalkParams {
  executionId: string;
  taskId?: string;
  fileFormat?: LogFileFormat;
  /** Epoch ms, inclusive; undefined: from the start of the run. */
  startMs?: number;
  /** Epoch ms, exclusive; undefined: up to now. */
  endMs?: number;
}

/** The entries a chunk answers for: `startMs <= logTimestamp < endMs`; undefined is unbounded. */
export interface ChunkWindow {
  startMs?: number;
  endMs?: number;
}

export interface LogChunk {
  executionId: string;
  /** 0 is the newest chunk. */
  sequence: number;
  window: ChunkWindow;
  status: 200 | 206;
  size: number;
  /** No older chunk follows. */
  last: boolean;
  /**
   * Waits until Talend has the file ready, without downloading it, so that a caller can wait for
   * Talend outside its download slots. Never rejects: a failure here is `open`'s to report and
   * recover from, exactly as if `open` had polled itself.
   */
  prepare(signal?: AbortSignal): Promise<void>;
  /** May be called again after a failed download: each call asks for a fresh URL, or token, as needed. */
  open(signal?: AbortSignal): Promise<LogDownload>;
}

/** What the walk needs from the client. */
export interface ChunkSource {
  generateLog(executionId: string, params: GenerateLogParams, signal?: AbortSignal): Promise<GeneratedLog>;
  waitForLogFile(executionId: string, token: string, signal?: AbortSignal): Promise<string>;
  download(url: string, executionId: string, signal?: AbortSignal): Promise<LogDownload>;
}

export interface ChunkWalkDeps {
  now: () => number;
  logger: Logger;
}

const SECOND = 1000;
/** Talend keeps a log token one hour; past this age we generate again rather than risk it. */
const TOKEN_MAX_AGE_MS = 55 * 60 * 1000;

/** Whether an entry belongs to the chunk with this window (and not to a neighbour). */
export function inWindow(window: ChunkWindow, timestampMs: number): boolean {
  return (
    (window.startMs === undefined || timestampMs >= window.startMs) &&
    (window.endMs === undefined || timestampMs < window.endMs)
  );
}

/** The lowest boundary that a 206 with header H proves safe (see the file's header). */
export function boundaryAfter(nextEndTime: number): number {
  return floorSec(nextEndTime) + SECOND;
}

/** The fallback when a whole file fits inside one second: only with a millisecond-precise H. */
function fineBoundaryAfter(nextEndTime: number): number | undefined {
  return nextEndTime % SECOND === 0 ? undefined : nextEndTime + 1;
}

export async function* walkLogChunks(
  source: ChunkSource,
  deps: ChunkWalkDeps,
  params: ChunkWalkParams,
  signal?: AbortSignal,
): AsyncGenerator<LogChunk> {
  const { executionId, startMs } = params;
  const startTime = startMs === undefined ? undefined : floorSec(startMs) - SECOND;
  let upper = params.endMs;
  let endTime = upper === undefined ? undefined : floorSec(upper) + SECOND;
  for (let sequence = 0; ; sequence++) {
    const request: GenerateLogParams = { fileFormat: params.fileFormat, startTime, endTime };
    const generated = await source.generateLog(executionId, request, signal);
    const lower = generated.status === 200 ? startMs : nextLowerBound(generated, upper, params, sequence);
    const last =
      generated.status === 200 || (startMs !== undefined && lower !== undefined && lower <= startMs);
    const window = { startMs: last ? startMs : lower, endMs: upper };
    deps.logger.debug(
      { executionId, sequence, status: generated.status, window, nextEndTime: generated.nextEndTime },
      'log chunk generated',
    );
    yield new WalkChunk(source, deps, {
      executionId,
      sequence,
      window,
      last,
      request,
      generated,
      taskId: params.taskId,
    });
    if (last) return;
    upper = lower;
    endTime = lower;
  }
}

/** The lower bound of a 206 chunk's window, which is also the next request's `endTime`. */
function nextLowerBound(
  generated: GeneratedLog,
  upper: number | undefined,
  params: ChunkWalkParams,
  sequence: number,
): number {
  const header = generated.nextEndTime;
  const context = {
    operation: 'walkLogChunks',
    executionId: params.executionId,
    taskId: params.taskId,
    status: 206,
  };
  if (header === undefined) {
    throw new ChunkWalkStalledError(
      `Talend answered 206 for chunk ${sequence} of execution ${params.executionId} without an X-Log-Next-Request-End-Time header: the rest of the log cannot be located.`,
      context,
    );
  }
  const boundary = boundaryAfter(header);
  if (upper === undefined || boundary < upper) return boundary;
  const fine = fineBoundaryAfter(header);
  if (fine !== undefined && fine < upper) return fine;
  throw new ChunkWalkStalledError(
    `The log of execution ${params.executionId} holds more than 100,000 entries just before ${new Date(upper).toISOString()} (chunk ${sequence}, next end time ${new Date(header).toISOString()}): Talend cannot split it further without losing entries. Read that range with pageLogs instead.`,
    { ...context, upperMs: upper, nextEndTimeMs: header },
  );
}

interface ChunkState {
  executionId: string;
  taskId?: string;
  sequence: number;
  window: ChunkWindow;
  last: boolean;
  request: GenerateLogParams;
  generated: GeneratedLog;
}

class WalkChunk implements LogChunk {
  readonly executionId: string;
  readonly sequence: number;
  readonly window: ChunkWindow;
  readonly status: 200 | 206;
  readonly size: number;
  readonly last: boolean;
  private generated: GeneratedLog;
  /** The presigned URL `prepare` asked for, taken by the first `open` that follows. */
  private prepared: Promise<string> | undefined;

  constructor(
    private readonly source: ChunkSource,
    private readonly deps: ChunkWalkDeps,
    private readonly state: ChunkState,
  ) {
    this.executionId = state.executionId;
    this.sequence = state.sequence;
    this.window = state.window;
    this.status = state.generated.status;
    this.size = state.generated.size;
    this.last = state.last;
    this.generated = state.generated;
  }

  async prepare(signal?: AbortSignal): Promise<void> {
    this.prepared ??= this.source.waitForLogFile(this.executionId, this.generated.token, signal);
    await this.prepared.then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Status, then download. An expired presigned URL gets a fresh one from `/logs/status` once; an
   * old or unknown token, or a URL that keeps expiring, gets the log generated again (same request).
   */
  async open(signal?: AbortSignal): Promise<LogDownload> {
    let prepared = this.prepared;
    this.prepared = undefined;
    let regenerated = false;
    if (this.deps.now() - this.generated.generatedAt > TOKEN_MAX_AGE_MS) {
      prepared = undefined;
      await this.regenerate(signal);
      regenerated = true;
    }
    let freshUrls = 0;
    for (;;) {
      let url: string;
      const ready = prepared ?? this.source.waitForLogFile(this.executionId, this.generated.token, signal);
      prepared = undefined;
      try {
        url = await ready;
      } catch (error) {
        if (!(error instanceof LogTokenExpiredError) || regenerated) throw error;
        await this.regenerate(signal);
        regenerated = true;
        continue;
      }
      try {
        return await this.source.download(url, this.executionId, signal);
      } catch (error) {
        if (!(error instanceof PresignedUrlExpiredError)) throw error;
        if (freshUrls === 0) {
          freshUrls++;
        } else if (!regenerated) {
          await this.regenerate(signal);
          regenerated = true;
        } else {
          throw error;
        }
        this.deps.logger.info(
          { executionId: this.executionId, sequence: this.sequence },
          'presigned URL expired: asking Talend for a fresh one',
        );
      }
    }
  }

  /**
   * A new token for the same request. For a run still going, an open-ended request can now cover
   * newer entries and, past 100,000 of them, no longer reach down to this window: refuse rather than
   * hand over a file with a hole.
   */
  private async regenerate(signal?: AbortSignal): Promise<void> {
    const { executionId, request, window } = this.state;
    const generated = await this.source.generateLog(executionId, request, signal);
    const header = generated.nextEndTime;
    const covered =
      generated.status === 200 ||
      (window.startMs !== undefined &&
        header !== undefined &&
        Math.min(boundaryAfter(header), fineBoundaryAfter(header) ?? Number.POSITIVE_INFINITY) <=
          window.startMs);
    if (!covered) {
      throw new ChunkWalkStalledError(
        `The regenerated log of execution ${executionId} no longer covers chunk ${this.sequence} (its run went on logging): walk again from endMs = ${window.endMs ?? 'now'}.`,
        { operation: 'walkLogChunks', executionId, taskId: this.state.taskId, status: generated.status },
      );
    }
    this.deps.logger.info(
      { executionId, sequence: this.sequence },
      'log token too old or unknown: generated the log again',
    );
    this.generated = generated;
  }
}
