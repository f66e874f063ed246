import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ExecutionLog, IndexRange } from './execution-log.ts';
import type { FileLayout } from './log-file-format.ts';
import { MAX_UTF8_PER_UNIT } from './log-file-stream.ts';

const WRITE_BYTES = 1024 * 1024;

interface StoredLog {
  path: string;
  /** Byte offset of entry i's separator in the file; `offsets[count]` is the file's length. */
  offsets: Float64Array;
}

/**
 * Finished executions' logs rendered to disk once, at start, the way an object store keeps a file
 * Talend has generated: a download then reads stored bytes instead of rendering entries while the
 * reader waits. The benchmarks use it, because there the simulator shares the machine with the
 * connector and Elasticsearch, and the real object store costs that machine nothing.
 *
 * Every entry is stored behind its separator, so the entries `[lo, hi)` are one stretch of the file
 * whatever the range; a download is the layout's prefix, that stretch without its first separator,
 * and the suffix: byte for byte what `LogFileStream` generates for the same range.
 */
export class StoredLogFiles {
  private readonly stored = new Map<ExecutionLog, StoredLog>();

  private constructor(
    private readonly dir: string,
    readonly layout: FileLayout,
  ) {}

  /** Renders every finished log of `logs` into `dir`, laid out as `layout`. */
  static async render(
    dir: string,
    logs: Iterable<ExecutionLog>,
    layout: FileLayout,
  ): Promise<StoredLogFiles> {
    await mkdir(dir, { recursive: true });
    const files = new StoredLogFiles(dir, layout);
    try {
      for (const log of logs) if (log.spec.finishTime !== undefined) await files.store(log);
    } catch (error) {
      await files.remove();
      throw error;
    }
    return files;
  }

  /** The file of `log` for `range`, if it is stored in `layout`; undefined otherwise. */
  open(log: ExecutionLog, range: IndexRange, layout: FileLayout): Readable | undefined {
    const stored = this.stored.get(log);
    if (stored === undefined || layout !== this.layout || range.hi >= stored.offsets.length) return undefined;
    const { prefix, suffix, separator } = layout;
    const entries =
      range.hi > range.lo
        ? createReadStream(stored.path, {
            start: stored.offsets[range.lo]! + Buffer.byteLength(separator),
            end: stored.offsets[range.hi]! - 1,
            highWaterMark: 64 * 1024,
          })
        : undefined;
    return Readable.from(framed(Buffer.from(prefix), entries, Buffer.from(suffix)), { objectMode: false });
  }

  /** Deletes the files rendered. */
  async remove(): Promise<void> {
    this.stored.clear();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async store(log: ExecutionLog): Promise<void> {
    const count = log.spec.entryCount;
    const path = join(this.dir, `${log.spec.id}.log`);
    const offsets = new Float64Array(count + 1);
    const { separator, terminator } = this.layout;
    const handle = await open(path, 'w');
    try {
      let buffer = Buffer.allocUnsafe(WRITE_BYTES);
      let used = 0;
      let written = 0;
      for (let i = 0; i < count; i++) {
        offsets[i] = written + used;
        const text = this.layout.render(log.entryAt(i), false, i);
        const room = (separator.length + text.length + terminator.length) * MAX_UTF8_PER_UNIT;
        if (used + room > buffer.length) {
          await handle.write(buffer, 0, used);
          written += used;
          used = 0;
          if (room > buffer.length) buffer = Buffer.allocUnsafe(room);
        }
        used += buffer.write(separator, used);
        used += buffer.write(text, used);
        used += buffer.write(terminator, used);
      }
      await handle.write(buffer, 0, used);
      offsets[count] = written + used;
      // Written back now, not while a benchmark measures what shares the disk with it.
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.stored.set(log, { path, offsets });
  }
}

async function* framed(
  prefix: Buffer,
  entries: Readable | undefined,
  suffix: Buffer,
): AsyncGenerator<Buffer> {
  if (prefix.length > 0) yield prefix;
  if (entries !== undefined) yield* entries as AsyncIterable<Buffer>;
  if (suffix.length > 0) yield suffix;
}
