/**
 * Counts, per identity, how many identical entries came before in this chunk.
 *
 * Memory stays bounded on the logs Talend produces, which are ordered by time: while timestamps move
 * in one direction, identical entries can only share the current timestamp, so the counts are
 * dropped whenever it changes. Once the order breaks, the counts are kept for the rest of the chunk
 * (a chunk holds at most 100,000 entries).
 */
export class OccurrenceCounter {
  private readonly counts = new Map<string, number>();
  private current: number | undefined;
  private direction = 0;
  private ordered = true;

  next(timestampMs: number, identity: string): number {
    if (this.ordered && this.current !== undefined && timestampMs !== this.current) {
      const step = timestampMs > this.current ? 1 : -1;
      if (this.direction === 0) this.direction = step;
      if (step === this.direction) this.counts.clear();
      else this.ordered = false;
    }
    this.current = timestampMs;
    const seen = this.counts.get(identity) ?? 0;
    this.counts.set(identity, seen + 1);
    return seen;
  }

  /** Identities currently remembered; exposed to test the bound. */
  get size(): number {
    return this.counts.size;
  }
}
