import { seededRandom } from './random.ts';
import type { FaultKind, FaultRule, RequestKind } from './types.ts';

const DEFAULT_SLOW_MS = 1000;

/** Faults that only mean something for some kinds of request; the rest apply to any. */
const ONLY_FOR: Partial<Record<FaultKind, readonly RequestKind[]>> = {
  expiredPresignedUrl: ['download'],
  malformedLines: ['download'],
  htmlBody: ['download'],
  binaryBody: ['download'],
  stuckInProgress: ['logStatus'],
};
const NEVER_FOR: Partial<Record<FaultKind, readonly RequestKind[]>> = {
  // The token endpoint and the object store do not take bearer tokens.
  expiredAccessToken: ['token', 'download'],
};

/** HTTP error faults, in the order they win when several are drawn for one request. */
const STATUS_FAULTS: readonly [FaultKind, number][] = [
  ['http429', 429],
  ['http503', 503],
  ['http502', 502],
  ['http500', 500],
  // What Talend answers for a log it does not have yet, and an object store for a file it lost.
  ['http404', 404],
];

/** The faults drawn for one request. */
export class DrawnFaults {
  static readonly none = new DrawnFaults(new Set(), 0);
  private readonly faults: ReadonlySet<FaultKind>;
  readonly delayMs: number;

  constructor(faults: ReadonlySet<FaultKind>, delayMs: number) {
    this.faults = faults;
    this.delayMs = delayMs;
  }

  has(fault: FaultKind): boolean {
    return this.faults.has(fault);
  }

  /** The HTTP status an error fault answers with, if one was drawn. */
  errorStatus(): number | undefined {
    return STATUS_FAULTS.find(([fault]) => this.faults.has(fault))?.[1];
  }

  bodyCut(): 'reset' | 'truncate' | undefined {
    if (this.faults.has('resetMidBody')) return 'reset';
    return this.faults.has('truncatedBody') ? 'truncate' : undefined;
  }
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

function applies(rule: FaultRule, kind: RequestKind, executionId: string | undefined): boolean {
  if (rule.kind !== '*' && rule.kind !== kind) return false;
  if (rule.executionId !== undefined && rule.executionId !== executionId) return false;
  const only = ONLY_FOR[rule.fault];
  if (only && !only.includes(kind)) return false;
  return !NEVER_FOR[rule.fault]?.includes(kind);
}

/** Draws faults per request from the configured rules, with a PRNG seeded for reproducible runs. */
export class FaultInjector {
  private readonly seed: number;
  private rules: ActiveRule[] = [];
  private random: () => number;

  constructor(seed: number, rules: FaultRule[] = []) {
    this.seed = seed ^ 0xfa017;
    this.random = seededRandom(this.seed);
    this.setRules(rules);
  }

  /** Restarts the draw sequence too, so the same rules over the same requests fail the same ones. */
  setRules(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule: { ...rule }, remaining: rule.times ?? Infinity }));
    this.random = seededRandom(this.seed);
  }

  draw(kind: RequestKind, executionId?: string): DrawnFaults {
    if (this.rules.length === 0) return DrawnFaults.none;
    const faults = new Set<FaultKind>();
    let delayMs = 0;
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0 || !applies(rule, kind, executionId)) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      active.remaining--;
      faults.add(rule.fault);
      if (rule.fault === 'slow') delayMs = Math.max(delayMs, rule.delayMs ?? DEFAULT_SLOW_MS);
    }
    return faults.size === 0 ? DrawnFaults.none : new DrawnFaults(faults, delayMs);
  }
}
