export interface TalendClientStats {
  /** HTTP requests sent, retries included (API, token endpoint and object store). */
  requests: number;
  retries: number;
  /** Time callers spent waiting for the client-side rate limiter, summed over callers. */
  rateLimitWaitMs: number;
  tokenRefreshes: number;
  /** Bytes read from presigned URLs, as sent (compressed when the store gzips). */
  bytesDownloaded: number;
  /**
   * Answers of HTTP 429, from the API and the object store, and how many of them carried `Retry-After`
   * (Talend does not say whether it sends one).
   */
  rateLimited: number;
  rateLimitedWithRetryAfter: number;
  /** Requests sent per operation name (`generateLog`, `logStatus`, `download`, …). */
  byOperation: Record<string, number>;
}

/** The client's counters; `snapshot()` hands out copies so callers cannot disturb them. */
export class StatsRecorder {
  private readonly counters: TalendClientStats = {
    requests: 0,
    retries: 0,
    rateLimitWaitMs: 0,
    tokenRefreshes: 0,
    bytesDownloaded: 0,
    rateLimited: 0,
    rateLimitedWithRetryAfter: 0,
    byOperation: {},
  };

  request(operation: string): void {
    this.counters.requests++;
    this.counters.byOperation[operation] = (this.counters.byOperation[operation] ?? 0) + 1;
  }

  retry(): void {
    this.counters.retries++;
  }

  rateLimitedAnswer(withRetryAfter: boolean): void {
    this.counters.rateLimited++;
    if (withRetryAfter) this.counters.rateLimitedWithRetryAfter++;
  }

  rateLimitWait(ms: number): void {
    this.counters.rateLimitWaitMs += ms;
  }

  tokenRefresh(): void {
    this.counters.tokenRefreshes++;
  }

  downloaded(bytes: number): void {
    this.counters.bytesDownloaded += bytes;
  }

  snapshot(): TalendClientStats {
    return {
      ...this.counters,
      rateLimitWaitMs: Math.round(this.counters.rateLimitWaitMs),
      byOperation: { ...this.counters.byOperation },
    };
  }
}
