import { Readable } from 'node:stream';
import type { ExecutionLog, IndexRange } from './execution-log.ts';
import type { FileLayout } from './log-file-format.ts';

/** Bytes generated per read: large enough to amortise stream overhead, small enough to stay flat. */
const CHUNK_BYTES = 64 * 1024;
/** UTF-8 needs at most this many bytes per UTF-16 code unit. */
export const MAX_UTF8_PER_UNIT = 3;

export interface LogFileStreamOptions {
  log: ExecutionLog;
  range: IndexRange;
  layout: FileLayout;
  /** Break the entries `ExecutionLog.isMalformed` designates. */
  malformed: boolean;
  /** Write only this many entries, then half of the next one's text, and end: a cut file. */
  cutAfter?: number;
}

/**
 * A log file produced entry by entry as the consumer reads it: memory stays at one chunk whatever
 * the file's length, and a slow reader slows generation (backpressure through `_read`).
 */
export class LogFileStream extends Readable {
  private readonly options: LogFileStreamOptions;
  private readonly end: number;
  private next: number;
  private started = false;

  constructor(options: LogFileStreamOptions) {
    super();
    this.options = options;
    this.next = options.range.lo;
    const { lo, hi } = options.range;
    this.end = options.cutAfter === undefined ? hi : Math.min(hi, lo + options.cutAfter);
  }

  override _read(): void {
    const { range, layout } = this.options;
    // Encoding each entry straight into one buffer is faster than concatenating a chunk-long string.
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = this.started ? 0 : chunk.write(layout.prefix);
    this.started = true;
    while (this.next < this.end) {
      const text = this.render(this.next);
      const separator = this.next > range.lo ? layout.separator : '';
      const room = (separator.length + text.length + layout.terminator.length) * MAX_UTF8_PER_UNIT;
      if (used + room > CHUNK_BYTES && used > 0) break;
      if (room > CHUNK_BYTES) {
        this.push(Buffer.from(separator + text + layout.terminator));
      } else {
        used += chunk.write(separator, used);
        used += chunk.write(text, used);
        used += chunk.write(layout.terminator, used);
      }
      this.next++;
    }
    if (used > 0) this.push(chunk.subarray(0, used));
    if (this.next < this.end) return;
    this.push(Buffer.from(this.ending()));
    this.push(null);
  }

  private render(index: number): string {
    const { log, malformed, layout } = this.options;
    return layout.render(log.entryAt(index), malformed && log.isMalformed(index), index);
  }

  private ending(): string {
    const { range, layout } = this.options;
    if (this.end === range.hi) return layout.suffix;
    const separator = this.end > range.lo ? layout.separator : '';
    const text = this.render(this.end);
    return separator + text.slice(0, Math.floor(text.length / 2));
  }
}
