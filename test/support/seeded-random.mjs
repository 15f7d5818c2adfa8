// A small seeded random number generator (mulberry32), so fuzz tests and benchmark data repeat exactly from a seed.
// Plain JavaScript: the benchmarks import it too, and they run under Node without a TypeScript step.

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
