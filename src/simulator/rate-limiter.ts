import type { ApiGroup } from './types.ts';

const MINUTE_MS = 60_000;

/** Talend's per-client-IP, per-minute quotas, as fixed one-minute windows on the simulator's clock. */
export class RateLimiter {
  private readonly limits: Partial<Record<ApiGroup, number>>;
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(limits: Partial<Record<ApiGroup, number>> = {}) {
    this.limits = limits;
  }

  /** Counts one request; when over quota, returns the seconds until the window resets. */
  take(group: ApiGroup, client: string, now: number): number | undefined {
    const limit = this.limits[group];
    if (limit === undefined) return undefined;
    const key = `${group} ${client}`;
    const start = now - (now % MINUTE_MS);
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.windows.set(key, window);
    }
    window.used++;
    return window.used > limit ? Math.ceil((start + MINUTE_MS - now) / 1000) : undefined;
  }
}
