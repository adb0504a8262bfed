// A small seeded PRNG for data order (never Math.random: runs must replay exactly).
// xoshiro128** (Blackman & Vigna) seeded through splitmix32, all in 32-bit integer
// arithmetic, so the same seed gives the same stream on every platform and Node version.

/** splitmix32 step: a well-mixed 32-bit hash of x (used to seed and to derive sub-streams). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A 32-bit seed from a user seed (any safe integer, negative too) and stream labels, e.g.
 * deriveSeed(seed, SHUFFLE, epoch): independent streams without storing generator state.
 */
export function deriveSeed(seed: number, ...labels: number[]): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  // Both 32-bit halves of the seed count, so seeds 1 and 2^32 + 1 differ.
  let h = mix32(seed >>> 0);
  h = mix32(h ^ (Math.floor(seed / 0x100000000) >>> 0));
  for (const l of labels) h = mix32(h ^ (l >>> 0));
  return h;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed32: number) {
    // splitmix32 fills the state; it is never all-zero for any seed.
    let x = seed32 >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      return mix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [0, n), n <= 2^32, without modulo bias (rejection sampling). */
  below(n: number): number {
    if (!(n >= 1 && n <= 0x100000000 && Number.isInteger(n))) throw new RangeError(`below(n): bad n ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % n;
    }
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<A extends { length: number; [i: number]: unknown }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** k distinct items of xs (all of them when k >= xs.length) in random order: a shuffled copy, cut. */
  sample<T>(xs: readonly T[], k: number): T[] {
    return this.shuffle([...xs]).slice(0, Math.min(k, xs.length));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** 0..n-1 shuffled by a generator seeded with seed32. */
export function permutation(n: number, seed32: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return new Rng(seed32).shuffle(p);
}
