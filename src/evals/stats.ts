// Error bars for every score: percentile-bootstrap intervals of a mean, mean
// and spread over seeds, and a paired comparison of two checkpoints scored on
// the same items (bootstrap of the mean difference + a sign-flip test).
// Seeded (src/data/rng.ts), so a rerun reports the same interval.
import { deriveSeed, Rng } from "../data/rng.js";

export interface BootstrapOptions {
  /** Seed of the resampling stream (default 0). */
  seed?: number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Two-sided coverage (default 0.95). */
  level?: number;
}

export function mean(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function checkOptions(o: BootstrapOptions): { seed: number; resamples: number; level: number } {
  const seed = o.seed ?? 0, resamples = o.resamples ?? 2000, level = o.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  return { seed, resamples, level };
}

/** The q-quantile of sorted values, linear between order statistics (numpy's default). */
function quantileSorted(s: Float64Array, q: number): number {
  const h = (s.length - 1) * q;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Bootstrap means of `values` (resampled with replacement), sorted. */
function bootstrapMeans(values: readonly number[], seed: number, resamples: number): Float64Array {
  const n = values.length;
  const rng = new Rng(deriveSeed(seed, 0x6b6f));
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.below(n)]!;
    out[r] = s / n;
  }
  return out.sort();
}

/**
 * Percentile-bootstrap interval of the mean of `values`. Empty input gives [NaN, NaN]; one value,
 * or values all equal, give a zero-width interval (nothing to resample).
 */
export function bootstrapCI(values: readonly number[], o: BootstrapOptions = {}): [number, number] {
  const { seed, resamples, level } = checkOptions(o);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError("bootstrapCI: values must be finite numbers");
  if (!values.length) return [NaN, NaN];
  const m = bootstrapMeans(values, seed, resamples);
  const a = (1 - level) / 2;
  return [quantileSorted(m, a), quantileSorted(m, 1 - a)];
}

/** Mean and sample standard deviation (n - 1; 0 for a single value), e.g. of one score over seeds. */
export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  if (!n) return { mean: NaN, std: NaN, n: 0 };
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return { mean: m, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

export interface PairedOptions extends BootstrapOptions {
  /** Random sign flips for the p-value when exact enumeration (n <= 16) is not used (default 10000). */
  permutations?: number;
}

export interface PairedComparison {
  n: number;
  meanA: number;
  meanB: number;
  /** mean(a - b) */
  diff: number;
  /** Bootstrap interval of mean(a - b), resampling items (pairs stay together). */
  ci: [number, number];
  /** Two-sided sign-flip (paired permutation) p-value of mean(a - b) = 0. */
  p: number;
  /** "exact" enumerates all 2^n sign patterns; "monte-carlo" samples them. */
  pMethod: "exact" | "monte-carlo";
}

/**
 * Two systems scored on the same items: the mean difference with a paired bootstrap interval and a
 * sign-flip test. Under H0 each item's difference is symmetric about 0, so flipping signs gives the
 * null distribution of the mean; p counts flips at least as extreme as observed (the observed
 * pattern included, so p is never 0).
 */
export function pairedComparison(a: readonly number[], b: readonly number[], o: PairedOptions = {}): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`pairedComparison: ${a.length} scores against ${b.length}; the two runs must score the same items`);
  const { seed, resamples, level } = checkOptions(o);
  const d = a.map((x, i) => x - b[i]!);
  const n = d.length;
  if (!n) return { n: 0, meanA: NaN, meanB: NaN, diff: NaN, ci: [NaN, NaN], p: NaN, pMethod: "exact" };
  const observed = Math.abs(mean(d));
  // Tolerance so that flips equal to the observed value in exact arithmetic count as "as extreme".
  const tol = 1e-12 * Math.max(1, observed);
  let extreme = 0, total = 0, method: "exact" | "monte-carlo";
  if (n <= 16) {
    method = "exact";
    total = 1 << n;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i]! : d[i]!;
      if (Math.abs(s / n) >= observed - tol) extreme++;
    }
  } else {
    method = "monte-carlo";
    const perms = o.permutations ?? 10000;
    if (!Number.isInteger(perms) || perms < 1) throw new RangeError(`permutations must be a positive integer, got ${perms}`);
    const rng = new Rng(deriveSeed(seed, 0x7369));
    for (let r = 0; r < perms; r++) {
      let s = 0, bits = 0;
      for (let i = 0; i < n; i++) {
        if ((i & 31) === 0) bits = rng.nextU32(); // 32 signs per draw
        s += (bits >>> (i & 31)) & 1 ? -d[i]! : d[i]!;
      }
      if (Math.abs(s / n) >= observed - tol) extreme++;
    }
    // The observed sign pattern is one member of the null set (Phipson & Smyth 2010).
    extreme++;
    total = perms + 1;
  }
  return { n, meanA: mean(a), meanB: mean(b), diff: mean(d), ci: bootstrapCI(d, { seed, resamples, level }), p: extreme / total, pMethod: method };
}

/** A score with its interval, the shape every suite reports. */
export interface Scored {
  score: number;
  ci: [number, number];
  n: number;
}

/** Mean of per-item values with its bootstrap interval. */
export function scored(values: readonly number[], o: BootstrapOptions = {}): Scored {
  return { score: mean(values), ci: bootstrapCI(values, o), n: values.length };
}

/**
 * Percentile-bootstrap interval of any statistic of n units: `stat` receives a resample as a list of unit
 * indices (with repeats). For scores that are not a plain mean (e.g. ANIMA's dimension-weighted mean).
 */
export function bootstrapStatistic(n: number, stat: (indices: Int32Array) => number, o: BootstrapOptions = {}): [number, number] {
  const { seed, resamples, level } = checkOptions(o);
  if (n === 0) return [NaN, NaN];
  const rng = new Rng(deriveSeed(seed, 0x7374));
  const idx = new Int32Array(n);
  const vals: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = rng.below(n);
    const v = stat(idx);
    if (Number.isFinite(v)) vals.push(v);
  }
  if (!vals.length) return [NaN, NaN];
  const s = Float64Array.from(vals).sort();
  const a = (1 - level) / 2;
  return [quantileSorted(s, a), quantileSorted(s, 1 - a)];
}
