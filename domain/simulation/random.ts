/**
 * The simulator's seeded randomness. A case's draws in a run come from one stream whose seed is a
 * hash of (seed, run, caseId) alone, so chunking, the order of cases and the arm simulated do not
 * change them: both arms meet the same debtor (common random numbers).
 */

/** 32-bit FNV-1a of a string, then mixed with the seed and run (murmur3's finalizer). */
export function streamSeed(seed: number, run: number, caseId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < caseId.length; index++) {
    hash ^= caseId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix(mix(hash ^ mix(seed >>> 0)) ^ mix((run + 0x9e3779b9) >>> 0));
}

function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a small, fast generator of floats in [0, 1), good enough for Monte Carlo draws. */
export function randomStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
