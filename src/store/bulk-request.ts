import { putByteString, putBytes } from '../common/byte-writing.ts';
import { describeError } from '../common/errors.ts';
import type { RetryEvent } from '../common/retry.ts';
import type { BulkItemError } from '../documents/dead-letter.ts';
import { ElasticsearchUnavailableError, ElasticsearchWriteError, statusOf } from './elasticsearch-errors.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

/** The outcome of one action of a `_bulk` request, in request order. */
export interface BulkItemResult {
  status: number;
  error?: BulkItemError;
}

export interface BulkRequestOptions {
  /** Told before each retry of the whole request, for counters. */
  onRetry?: (event: RetryEvent) => void;
}

/** One `index` action of a `_bulk` body, both lines, newline-terminated; `sourceJson` is the serialized document. */
export function bulkIndexLines(index: string, id: string, sourceJson: string): string {
  return `{"index":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}}}\n${sourceJson}\n`;
}

/**
 * A document serialized as UTF-8 JSON that writes itself into the request, `byteLength` bytes at
 * `at` of `target`, returning where it ends (see byte-writing.ts for why not as a string).
 */
export interface SerializedDocument {
  readonly byteLength: number;
  writeTo(target: Buffer, at: number): number;
}

const ACTION_END = Buffer.from('"}}\n', 'latin1');
const NEWLINE = 0x0a;
let lastIndex = '';
/** The action line up to the id's opening quote, for `lastIndex`. */
let lastIndexHead = Buffer.alloc(0);

/**
 * Whether JSON writes `id` as it is, between quotes: the enricher's ids (base64url) are. A loop: the
 * regular expression `/^[\w-]*$/` took about 40 ns an id, as long as writing it, the loop half that.
 */
function isPlainId(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const plain =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x5f ||
      c === 0x2d;
    if (!plain) return false;
  }
  return true;
}

/**
 * Stores the `index` action of `document`, both lines (as `bulkIndexLines` writes them), into `slabs`;
 * sets where they went, and returns how many bytes they take.
 */
export function storeIndexAction(
  slabs: LineSlabs,
  index: string,
  id: string,
  document: SerializedDocument,
  target: StoredLines,
): number {
  // Documents come by the thousand for one monthly index: its part of the line is kept.
  if (index !== lastIndex) {
    lastIndex = index;
    lastIndexHead = Buffer.from(`{"index":{"_index":${JSON.stringify(index)},"_id":"`);
  }
  const idJson = isPlainId(id) ? id : Buffer.from(JSON.stringify(id).slice(1, -1)).toString('latin1');
  const bytes = lastIndexHead.length + idJson.length + ACTION_END.length + document.byteLength + 1;
  const buffer = slabs.reserve(bytes, target);
  let at = putBytes(buffer, target.start, lastIndexHead);
  at = putByteString(buffer, at, idJson);
  at = putBytes(buffer, at, ACTION_END);
  at = document.writeTo(buffer, at);
  buffer[at] = NEWLINE;
  return bytes;
}

const BULK_RESPONSE_FIELDS = 'items.*.status,items.*.error';

/** Where an action's NDJSON lines are kept until they are sent: `slab.buffer[start, end)`. */
export interface StoredLines {
  slab: Slab;
  start: number;
  end: number;
}

/** A buffer of lines, and how many stored lines still need it. */
export interface Slab {
  readonly buffer: Buffer;
  users: number;
}

/**
 * NDJSON lines, written as soon as they are queued into large buffers ("slabs") outside the
 * JavaScript heap: documents waiting for a request cost the garbage collector nothing, where the same
 * bytes as strings were copied by every young-generation collection they lived through. A slab whose
 * lines are all released is kept and used again, however many there are: memory stays at the most
 * slabs the lines held at once ever needed, which the caller bounds (the bulk indexer holds at most
 * `concurrency + 1` requests' worth). A slab left to the garbage collector stays allocated until a
 * full collection while the next one is allocated, so memory outside the heap grew, and V8 collected
 * more often because of it: one execution of a million entries peaked at 147 MB with two slabs kept,
 * 131 to 139 MB with every one kept, and spent a tenth less CPU. Lines queued one after the other lie
 * one after the other, so a request's body is usually a view of one slab, not a copy.
 */
export class LineSlabs {
  private current: Slab;
  private at = 0;
  private readonly spare: Slab[] = [];

  constructor(private readonly slabBytes: number) {
    this.current = { buffer: Buffer.allocUnsafe(slabBytes), users: 0 };
  }

  /** Copies `bytes[start, end)` as they are; sets where they went. */
  storeBytes(bytes: Buffer, start: number, end: number, target: StoredLines): void {
    bytes.copy(this.reserve(end - start, target), target.start, start, end);
  }

  /** Room for `bytes` bytes, which the caller writes at `target.start` of the buffer returned. */
  reserve(bytes: number, target: StoredLines): Buffer {
    const slab = this.claim(bytes, target);
    this.at += bytes;
    target.end = this.at;
    return slab.buffer;
  }

  /** The lines are sent (or given up) and their bytes no longer needed. */
  release(lines: StoredLines): void {
    const slab = lines.slab;
    if (--slab.users === 0 && slab !== this.current) this.recycle(slab);
  }

  /** Room for `bytes` at `at` of the returned slab, which `target` now uses from there. */
  private claim(bytes: number, target: StoredLines): Slab {
    if (this.current.buffer.length - this.at < bytes) {
      const full = this.current;
      this.current =
        bytes <= this.slabBytes
          ? (this.spare.pop() ?? { buffer: Buffer.allocUnsafe(this.slabBytes), users: 0 })
          : { buffer: Buffer.allocUnsafe(bytes), users: 0 };
      this.at = 0;
      if (full.users === 0) this.recycle(full);
    }
    const slab = this.current;
    slab.users++;
    target.slab = slab;
    target.start = this.at;
    return slab;
  }

  /** Only slabs of the usual size come back: one made for an outsized line is left to the collector. */
  private recycle(slab: Slab): void {
    if (slab.buffer.length === this.slabBytes) this.spare.push(slab);
  }
}

/** The request body made of `lines`, in order: stretches that lie together in a slab are taken whole. */
export function bulkBody(lines: readonly StoredLines[]): Buffer {
  const runs: Buffer[] = [];
  let run: StoredLines | undefined;
  for (const line of lines) {
    if (run !== undefined && line.slab === run.slab && line.start === run.end) {
      run.end = line.end;
      continue;
    }
    if (run !== undefined) runs.push(run.slab.buffer.subarray(run.start, run.end));
    run = { slab: line.slab, start: line.start, end: line.end };
  }
  if (run !== undefined) runs.push(run.slab.buffer.subarray(run.start, run.end));
  return runs.length === 1 ? runs[0]! : Buffer.concat(runs);
}

/**
 * POSTs a prebuilt NDJSON body to `_bulk` and returns the per-item outcomes. Failures of the whole
 * request (network, timeout, 429, 5xx) are retried under the store's retry policy, and the client
 * itself does not retry, so that there is one retry policy, this one; past it they become a typed
 * error.
 */
export async function postBulk(
  store: ElasticsearchStore,
  body: string | Buffer,
  actions: number,
  options: BulkRequestOptions = {},
): Promise<BulkItemResult[]> {
  // Only what is read back: the full answer repeats index, id, version and shards for every item,
  // and parsing it cost as much as a tenth of the connector's time.
  const querystring = { filter_path: BULK_RESPONSE_FIELDS };
  let response: { items?: Record<string, BulkItemResult>[] };
  try {
    response = await store.request(
      `a bulk request of ${actions} documents`,
      () =>
        store.client.transport.request(
          { method: 'POST', path: '/_bulk', querystring, bulkBody: body },
          { maxRetries: 0 },
        ),
      options.onRetry,
    );
  } catch (error) {
    if (error instanceof ElasticsearchUnavailableError) throw error;
    throw new ElasticsearchWriteError(
      `Elasticsearch rejected a bulk request of ${actions} documents: ${describeError(error)}`,
      { status: statusOf(error), items: actions },
      error,
    );
  }
  return itemsOf(response, actions);
}

function itemsOf(response: { items?: Record<string, BulkItemResult>[] }, actions: number): BulkItemResult[] {
  const items = response.items ?? [];
  if (items.length !== actions) {
    throw new ElasticsearchWriteError(
      `Elasticsearch answered a bulk request of ${actions} documents with ${items.length} results`,
      { items: actions },
    );
  }
  // Each item is { <action>: outcome }; we only send one kind of action per line, so take its value.
  return items.map((item) => {
    const outcome = item === null || typeof item !== 'object' ? undefined : Object.values(item)[0];
    if (outcome === undefined) {
      throw new ElasticsearchWriteError(
        `Elasticsearch answered a bulk request of ${actions} documents with an unreadable result`,
        { items: actions },
      );
    }
    return outcome;
  });
}
