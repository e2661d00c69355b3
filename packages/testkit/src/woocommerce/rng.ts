/** A small deterministic PRNG (mulberry32): the same seed gives the same fault pattern every run. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, max). */
  int(max: number): number
}

/** Create a seeded random source. */
export function seededRandom(seed: number): SeededRandom {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (max) => Math.floor(next() * max) }
}
