/**
 * Deterministic randomness. Log entries are a pure function of (seed, execution, index), so any
 * entry can be produced on its own, in O(1), without keeping or replaying state.
 */

/** A 32-bit avalanche mix (the "lowbias32" finaliser): neighbouring inputs give unrelated outputs. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The hash of the i-th item of the sequence named by `key`. */
export function hashAt(key: number, index: number): number {
  return mix32(key + Math.imul(index, 0x9e3779b9));
}

/** FNV-1a over UTF-16 code units, mixed with a seed. */
export function hashString(text: string, seed = 0): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A uniform float in [0, 1) from a 32-bit hash. */
export function unit(hash: number): number {
  return hash / 0x1_0000_0000;
}

/** mulberry32: a small, fast seeded PRNG for generating tenants and drawing faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** A version-4-shaped UUID drawn from `random`, so generated tenants are reproducible. */
export function randomUuid(random: () => number): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Picks an element by hash. */
export function pick<T>(items: readonly T[], hash: number): T {
  return items[hash % items.length] as T;
}
