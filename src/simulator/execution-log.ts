import { composeEntry, type LogVoice, type SimulatedEntry } from './log-content.ts';
import { hashAt, hashString } from './random.ts';
import type { ExecutionSpec } from './types.ts';

/** Entries come in blocks of this many; some blocks start with a burst sharing one millisecond. */
const BLOCK = 8;
const BURST_SALT = 0x2545f491;
const MALFORMED_SALT = 0x68e31da4;
/** About one entry in this many is broken by the `malformedLines` fault. */
const MALFORMED_PERIOD = 97;

export interface IndexRange {
  /** First index, inclusive. */
  lo: number;
  /** Last index, exclusive. */
  hi: number;
}

export interface TimeWindow {
  startTime?: number;
  endTime?: number;
  /** Whether entries logged exactly at `endTime` belong to the window. */
  endInclusive: boolean;
}

/**
 * The log of one execution as a pure function of its spec: entry i's timestamp and content are
 * computed on demand in O(1), and time windows map to index ranges by binary search, so nothing
 * is ever materialised however long the log.
 */
export class ExecutionLog {
  readonly spec: ExecutionSpec;
  readonly taskId: string;
  private readonly key: number;
  private readonly voice: LogVoice;
  /** DELETE removes the entries logged so far; a running execution keeps logging after it. */
  private deletedBelow = 0;

  constructor(spec: ExecutionSpec, taskId: string, voice: LogVoice, seed: number) {
    this.spec = spec;
    this.taskId = taskId;
    this.voice = voice;
    this.key = hashString(spec.id, seed);
  }

  /** Entries that exist at `now`, deleted ones excluded. */
  count(now: number): number {
    return Math.max(0, this.loggedCount(now) - this.deletedBelow);
  }

  /** All indexes that exist at `now`. */
  fullRange(now: number): IndexRange {
    return { lo: this.deletedBelow, hi: Math.max(this.deletedBelow, this.loggedCount(now)) };
  }

  /** The indexes whose timestamps fall in the window, among those that exist at `now`. */
  indexRange(window: TimeWindow, now: number): IndexRange {
    const all = this.fullRange(now);
    const { startTime, endTime } = window;
    const lo = startTime === undefined ? all.lo : this.firstIndexWhere(all, (ts) => ts >= startTime);
    const hi =
      endTime === undefined
        ? all.hi
        : this.firstIndexWhere(all, window.endInclusive ? (ts) => ts > endTime : (ts) => ts >= endTime);
    return { lo, hi: Math.max(lo, hi) };
  }

  timestampAt(index: number): number {
    const block = Math.floor(index / BLOCK);
    const offset = index - block * BLOCK;
    const anchor = offset < this.burstLength(block) ? index - offset : index;
    return this.spec.startTime + Math.floor(anchor * this.msPerEntry());
  }

  entryAt(index: number): SimulatedEntry {
    return composeEntry(this.voice, hashAt(this.key, this.contentIndex(index)), this.timestampAt(index));
  }

  *entries(range: IndexRange): Generator<SimulatedEntry> {
    for (let i = range.lo; i < range.hi; i++) yield this.entryAt(i);
  }

  isMalformed(index: number): boolean {
    return hashAt(this.key ^ MALFORMED_SALT, index) % MALFORMED_PERIOD === 0;
  }

  malformedIndexes(now: number): number[] {
    const { lo, hi } = this.fullRange(now);
    const out: number[] = [];
    for (let i = lo; i < hi; i++) if (this.isMalformed(i)) out.push(i - lo);
    return out;
  }

  /** A running execution completes: its rate keeps the entries so far where they were, and the count freezes. */
  finish(finishTime: number, status: string): void {
    this.spec.entryCount = this.loggedCount(finishTime);
    this.spec.finishTime = finishTime;
    this.spec.status = status;
  }

  deleteEntries(now: number): void {
    this.deletedBelow = Math.max(this.deletedBelow, this.loggedCount(now));
  }

  private loggedCount(now: number): number {
    const { spec } = this;
    if (spec.finishTime !== undefined) return spec.entryCount;
    if (now < spec.startTime) return 0;
    return Math.floor((now - spec.startTime) / this.msPerEntry()) + 1;
  }

  private msPerEntry(): number {
    const { spec } = this;
    if (spec.entriesPerSecond !== undefined && spec.entriesPerSecond > 0) return 1000 / spec.entriesPerSecond;
    if (spec.finishTime === undefined || spec.entryCount <= 0) return 1;
    return (spec.finishTime - spec.startTime) / spec.entryCount;
  }

  private burstHash(block: number): number {
    return hashAt(this.key ^ BURST_SALT, block);
  }

  /** About 8% of blocks open with 2 to 8 entries logged in the same millisecond. */
  private burstLength(block: number): number {
    const h = this.burstHash(block);
    return (h & 0xff) < 20 ? 2 + ((h >>> 8) % 7) : 0;
  }

  /** In a quarter of the bursts, the second entry repeats the first exactly. */
  private contentIndex(index: number): number {
    if (index % BLOCK !== 1) return index;
    const block = (index - 1) / BLOCK;
    const isDuplicate = this.burstLength(block) >= 2 && ((this.burstHash(block) >>> 16) & 3) === 0;
    return isDuplicate ? index - 1 : index;
  }

  /** The smallest index in the range whose timestamp satisfies `test` (monotone), or `range.hi`. */
  private firstIndexWhere(range: IndexRange, test: (ts: number) => boolean): number {
    let lo = range.lo;
    let hi = range.hi;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (test(this.timestampAt(mid))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
