/**
 * Counts, per identity, how many identical entries came before in this chunk.
 *
 * Memory stays bounded on the logs Talend produces, which are ordered by time: while timestamps move
 * in one direction, identical entries can only share the current timestamp, so the counts are
 * dropped whenever it changes. Once the order breaks, the counts are kept for the rest of the chunk
 * (a chunk holds at most 100,000 entries). While ordered, the few identities of the current
 * timestamp sit in a short list: a Map per line would cost more than the rest of the count.
 */
export class OccurrenceCounter {
  private readonly counts = new Map<string, number>();
  private readonly recent: string[] = [];
  private current: number | undefined;
  private direction = 0;
  private ordered = true;

  next(timestampMs: number, identity: string): number {
    if (this.ordered && this.current !== undefined && timestampMs !== this.current) {
      const step = timestampMs > this.current ? 1 : -1;
      if (this.direction === 0) this.direction = step;
      if (step === this.direction) this.recent.length = 0;
      else this.keepAll();
    }
    this.current = timestampMs;
    if (!this.ordered) {
      const seen = this.counts.get(identity) ?? 0;
      this.counts.set(identity, seen + 1);
      return seen;
    }
    let seen = 0;
    for (const earlier of this.recent) if (earlier === identity) seen++;
    this.recent.push(identity);
    return seen;
  }

  /** Identities currently remembered; exposed to test the bound. */
  get size(): number {
    return this.ordered ? new Set(this.recent).size : this.counts.size;
  }

  private keepAll(): void {
    this.ordered = false;
    for (const identity of this.recent) this.counts.set(identity, (this.counts.get(identity) ?? 0) + 1);
    this.recent.length = 0;
  }
}
