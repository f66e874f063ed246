import { TalendLogsError } from '../common/errors.ts';
import {
  bulkBody,
  LineSlabs,
  postBulk,
  storeIndexAction,
  type SerializedDocument,
  type Slab,
  type StoredLines,
} from './bulk-request.ts';
import { indexDeadLetter, type DeadLetterContext, type DeadLetter } from '../documents/dead-letter.ts';
import { DeadLetterWriteError, type DeadLetterWriter } from './dead-letters.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';
import { itemOutcome } from './item-retries.ts';
import { LogIndexCreator } from './log-indices.ts';

export interface BulkIndexerOptions {
  /** A bulk request is sent once this many bytes of NDJSON are buffered. */
  flushBytes: number;
  /** ... or once the oldest buffered document has waited this long. */
  flushIntervalMs?: number;
  /** Bulk requests in flight at once. */
  concurrency: number;
  deadLetters: DeadLetterWriter;
}

export interface IndexOperation {
  index: string;
  id: string;
  /** The line's position in its chunk, for the dead letter. */
  position?: number;
  /** The entry as Talend sent it: what a dead letter keeps if Elasticsearch refuses the document. */
  source?: unknown;
  /** Instead of `source`, the entry's downloaded JSON: copied outside the heap until the document is settled. */
  sourceBytes?: EntryBytes;
  /** The document as the pipeline's enricher serializes it: it writes itself into the request. */
  serialized: SerializedDocument;
}

/** A document of the session is settled: acknowledged by Elasticsearch, or refused and dead-lettered. */
export type SettledListener = (id: string, outcome: 'indexed' | 'dead-lettered') => void;

export interface SessionResult {
  acknowledged: number;
  deadLettered: number;
  retries: number;
  /** NDJSON bytes submitted (each document once, whatever its retries). */
  bytes: number;
}

export interface BulkSession {
  /** Resolves once the document is buffered; waits while the indexer holds its maximum of bytes. */
  add(operation: IndexOperation): Promise<void>;
  /** Resolves when every document added is acknowledged by Elasticsearch or dead-lettered. */
  done(): Promise<SessionResult>;
  /** Gives up the session: its buffered documents are not sent, `add` and `done` reject with `reason`. */
  abort(reason: Error): void;
}

/** An entry's UTF-8 JSON: `bytes[textStart, textEnd)`. */
export interface EntryBytes {
  readonly bytes: Buffer;
  readonly textStart: number;
  readonly textEnd: number;
}

interface PendingOperation extends StoredLines {
  session: Session;
  index: string;
  id: string;
  /** The entry for a dead letter, unless it is kept as JSON in `sourceBytes`. */
  source: unknown;
  sourceBytes: StoredLines | undefined;
  position: number;
  /** NDJSON bytes of both lines. */
  bytes: number;
  attempts: number;
}

const RESOLVED = Promise.resolve();
const ENTRY_SOURCE_SLAB_BYTES = 1024 * 1024;
const UNSTORED: Slab = { buffer: Buffer.alloc(0), users: 0 };

class Session implements BulkSession {
  pending = 0;
  readonly result: SessionResult = { acknowledged: 0, deadLettered: 0, retries: 0, bytes: 0 };
  error: Error | undefined;
  /** Documents may still come: neither `done` nor failed. */
  feeding = true;
  private ending = false;
  private finished: { resolve: (result: SessionResult) => void; reject: (error: Error) => void } | undefined;

  constructor(
    private readonly indexer: BulkIndexer,
    readonly label: string,
    readonly context: DeadLetterContext,
    readonly onSettled: SettledListener | undefined,
  ) {}

  add(operation: IndexOperation): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.ending)
      return Promise.reject(new Error(`Bulk session ${this.label} is done; no more documents`));
    return this.indexer.enqueue(this, operation);
  }

  done(): Promise<SessionResult> {
    this.ending = true;
    const finished = new Promise<SessionResult>((resolve, reject) => (this.finished = { resolve, reject }));
    this.indexer.stopFeeding(this);
    this.settle();
    return finished;
  }

  abort(reason: Error): void {
    this.indexer.fail(this, reason);
  }

  settle(): void {
    if (!this.finished) return;
    if (this.error) this.finished.reject(this.error);
    else if (this.ending && this.pending === 0) this.finished.resolve({ ...this.result });
  }
}

/**
 * One bulk engine shared by every chunk being indexed. Documents of all sessions are serialized once
 * to NDJSON and packed into requests by size; at most `concurrency` requests are in flight, and the
 * bytes held (buffered, in flight, waiting for a retry) are bounded, which is what slows the
 * downloads down when Elasticsearch is slower than Talend.
 *
 * Each failed item is handled on its own: a busy cluster's items are retried alone with full-jitter
 * backoff, a document Elasticsearch refuses is dead-lettered with the entry it came from, and an
 * index that refuses every write fails the sessions concerned. Nothing is dropped without one of the
 * three being visible in a session's result or error. What becomes of a failed item, the wait before
 * it is sent again and the error when it is given up are those of every writer (item-retries.ts);
 * only the scheduling is the indexer's own, since its retried items join requests still being filled.
 */
export class BulkIndexer {
  private readonly flushBytes: number;
  private readonly flushIntervalMs: number;
  private readonly concurrency: number;
  private readonly maxHeldBytes: number;
  private readonly indices: LogIndexCreator;

  private buffer: PendingOperation[] = [];
  private readonly lines: LineSlabs;
  /** Entries' JSON, for dead letters: a few hundred bytes per document, so smaller slabs. */
  private readonly entrySources = new LineSlabs(ENTRY_SOURCE_SLAB_BYTES);
  private bufferBytes = 0;
  /** Sessions that may still add documents. */
  private feeding = 0;
  private heldBytes = 0;
  private inFlight = 0;
  private retrying = 0;
  private flushRequested = false;
  private timer: NodeJS.Timeout | undefined;
  private capacityWaiters: { session: Session; resolve: () => void; reject: (error: Error) => void }[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly store: ElasticsearchStore,
    private readonly options: BulkIndexerOptions,
  ) {
    this.flushBytes = options.flushBytes;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.concurrency = Math.max(1, options.concurrency);
    this.maxHeldBytes = this.flushBytes * (this.concurrency + 1);
    this.lines = new LineSlabs(this.flushBytes);
    this.indices = new LogIndexCreator(store);
  }

  /**
   * `context` names the execution and chunk in the dead letters of this session's documents;
   * `onSettled` hears of each document once Elasticsearch holds it or its dead letter.
   */
  session(options: { label: string; context: DeadLetterContext; onSettled?: SettledListener }): BulkSession {
    if (this.closed) throw new Error('The bulk indexer is closed');
    this.feeding++;
    return new Session(this, options.label, options.context, options.onSettled);
  }

  /** Sends what is buffered and resolves when every document is settled. */
  async close(): Promise<void> {
    this.closed = true;
    this.flushSoon();
    if (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** @internal Called by sessions. */
  enqueue(session: Session, operation: IndexOperation): Promise<void> {
    const pending: PendingOperation = {
      session,
      index: operation.index,
      id: operation.id,
      source: operation.source,
      sourceBytes: undefined,
      position: operation.position ?? -1,
      slab: UNSTORED,
      start: 0,
      end: 0,
      bytes: 0,
      attempts: 0,
    };
    pending.bytes = storeIndexAction(
      this.lines,
      operation.index,
      operation.id,
      operation.serialized,
      pending,
    );
    const bytes = pending.bytes;
    if (operation.sourceBytes !== undefined) {
      const { bytes, textStart, textEnd } = operation.sourceBytes;
      pending.sourceBytes = { slab: UNSTORED, start: 0, end: 0 };
      this.entrySources.storeBytes(bytes, textStart, textEnd, pending.sourceBytes);
    }
    this.buffer.push(pending);
    session.pending++;
    session.result.bytes += bytes;
    this.bufferBytes += bytes;
    this.heldBytes += bytes;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushSoon();
    }, this.flushIntervalMs);
    this.pump();
    if (this.heldBytes < this.maxHeldBytes) return RESOLVED;
    return new Promise((resolve, reject) => this.capacityWaiters.push({ session, resolve, reject }));
  }

  /**
   * @internal A session adds no more documents. What is buffered goes out at once only when no other
   * session is adding any: while one is, it fills the next request, and a session that waits for
   * its last documents holds no download (the flush interval bounds the wait if that one stalls).
   * Flushing whenever a session ended would cut every request short, and Elasticsearch pays for each.
   */
  stopFeeding(session: Session): void {
    if (!session.feeding) return;
    session.feeding = false;
    if (--this.feeding === 0) this.flushSoon();
  }

  /** @internal Sends everything buffered, without waiting for a full request. */
  flushSoon(): void {
    this.flushRequested = true;
    this.pump();
    this.notifyIdle();
  }

  /** @internal Fails a session: its buffered documents are dropped, its waiters rejected. */
  fail(session: Session, error: Error): void {
    if (session.error) return;
    session.error = error;
    const kept: PendingOperation[] = [];
    for (const operation of this.buffer) {
      if (operation.session === session) this.drop(operation);
      else kept.push(operation);
    }
    this.buffer = kept;
    this.capacityWaiters = this.capacityWaiters.filter((waiter) => {
      if (waiter.session === session) waiter.reject(error);
      return waiter.session !== session;
    });
    session.settle();
    this.stopFeeding(session);
    this.wake();
  }

  /**
   * Full requests go out while a slot is free. A request cut short (a flush) goes out only when none
   * is in flight: documents that come meanwhile join it, so that many small executions ending one
   * after another share requests instead of paying one each (group commit).
   */
  private pump(): void {
    while (this.inFlight < this.concurrency && this.buffer.length > 0) {
      const full = this.bufferBytes >= this.flushBytes;
      if (!full && !(this.flushRequested && this.inFlight === 0)) break;
      const batch = this.takeBatch();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
        this.notifyIdle();
      });
    }
    if (this.buffer.length === 0) {
      this.flushRequested = false;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private takeBatch(): PendingOperation[] {
    let bytes = 0;
    let count = 0;
    // A batch of new documents stops where their lines stop lying one after the other in a slab
    // (where a slab is full): its body is then a view of the slab, not a copy.
    while (
      count < this.buffer.length &&
      (count === 0 ||
        (bytes + this.buffer[count]!.bytes <= this.flushBytes &&
          follows(this.buffer[count - 1]!, this.buffer[count]!)))
    ) {
      bytes += this.buffer[count]!.bytes;
      count++;
    }
    const batch = this.buffer.splice(0, count);
    this.bufferBytes -= bytes;
    return batch;
  }

  private async send(batch: PendingOperation[]): Promise<void> {
    let items;
    try {
      await this.indices.ensure(batch.map((operation) => operation.index));
      items = await postBulk(this.store, bulkBody(batch), batch.length, {
        onRetry: () => {
          for (const session of new Set(batch.map((operation) => operation.session)))
            session.result.retries++;
        },
      });
    } catch (error) {
      for (const operation of batch) {
        this.fail(operation.session, error as Error);
        this.drop(operation);
      }
      return;
    }

    const retry: PendingOperation[] = [];
    const deadLetters: { operation: PendingOperation; record: DeadLetter }[] = [];
    for (const [i, item] of items.entries()) {
      const operation = batch[i]!;
      const { session } = operation;
      if (item.error === undefined || session.error) {
        if (!session.error) {
          session.result.acknowledged++;
          session.onSettled?.(operation.id, 'indexed');
        }
        this.drop(operation);
        continue;
      }
      const outcome = itemOutcome(
        this.store,
        { status: item.status, error: item.error },
        { index: operation.index, what: `documents of ${session.label}`, retries: operation.attempts },
      );
      if (outcome === 'dead-letter') {
        const record = indexDeadLetter(
          session.context,
          operation.position,
          { index: operation.index, id: operation.id, entryJson: entryJsonOf(operation) },
          item.status,
          item.error,
        );
        deadLetters.push({ operation, record });
      } else if (outcome === 'retry') {
        operation.attempts++;
        session.result.retries++;
        retry.push(operation);
      } else {
        this.fail(session, outcome);
        this.drop(operation);
      }
    }
    if (deadLetters.length > 0) await this.deadLetter(deadLetters);
    if (retry.length > 0) this.retryLater(retry);
  }

  private async deadLetter(entries: { operation: PendingOperation; record: DeadLetter }[]): Promise<void> {
    try {
      await this.options.deadLetters.write(entries.map((entry) => entry.record));
      for (const { operation } of entries) {
        if (!operation.session.error) {
          operation.session.result.deadLettered++;
          operation.session.onSettled?.(operation.id, 'dead-lettered');
        }
        this.drop(operation);
      }
    } catch (error) {
      const failure =
        error instanceof TalendLogsError
          ? error
          : new DeadLetterWriteError(`Could not store dead letters: ${String(error)}`, {}, error);
      for (const { operation } of entries) {
        this.fail(operation.session, failure);
        this.drop(operation);
      }
    }
  }

  /** Retried items wait outside the buffer, still counted as held, and go out first when they return. */
  private retryLater(operations: PendingOperation[]): void {
    const attempt = Math.max(...operations.map((operation) => operation.attempts));
    const delayMs = this.store.itemRetryDelay(attempt - 1);
    this.store.logger.debug(
      { documents: operations.length, attempt, delayMs },
      'retrying documents Elasticsearch was too busy for',
    );
    this.retrying++;
    setTimeout(() => {
      this.retrying--;
      const live = operations.filter((operation) => {
        if (operation.session.error) this.drop(operation);
        return !operation.session.error;
      });
      this.buffer.unshift(...live);
      for (const operation of live) this.bufferBytes += operation.bytes;
      this.flushSoon();
    }, delayMs);
  }

  /** A document leaves the indexer: acknowledged, dead-lettered, or given up with its session. */
  private drop(operation: PendingOperation): void {
    this.lines.release(operation);
    if (operation.sourceBytes !== undefined) this.entrySources.release(operation.sourceBytes);
    this.heldBytes -= operation.bytes;
    operation.session.pending--;
    operation.session.settle();
    this.wake();
  }

  private wake(): void {
    while (this.capacityWaiters.length > 0 && this.heldBytes < this.maxHeldBytes)
      this.capacityWaiters.shift()!.resolve();
  }

  private isIdle(): boolean {
    return this.buffer.length === 0 && this.inFlight === 0 && this.retrying === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** Retried documents come from anywhere: they are copied, and go with whatever follows them. */
function follows(previous: PendingOperation, next: PendingOperation): boolean {
  if (previous.attempts > 0 || next.attempts > 0) return true;
  return next.slab === previous.slab && next.start === previous.end;
}

/** The entry a dead letter keeps, as JSON text: as downloaded, when it was kept so. */
function entryJsonOf(operation: PendingOperation): string {
  const text = operation.sourceBytes;
  if (text === undefined) return JSON.stringify(operation.source) ?? 'null';
  return text.slab.buffer.toString('utf8', text.start, text.end);
}
