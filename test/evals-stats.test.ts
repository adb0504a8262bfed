// Statistics: interval coverage on synthetic data with deterministic seeds
// (no flaky tests), the sign-flip test against brute force, and its size.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareResults, summarizeSeeds } from "../src/evals/compare.js";
import { bootstrapCI, meanStd, pairedComparison } from "../src/evals/stats.js";
import { Rng, freshSeed } from "./reference/random.js";

const bernoulli = (rng: Rng, n: number, p: number) => Array.from({ length: n }, () => (rng.next() < p ? 1 : 0));

describe("bootstrapCI", () => {
  it("covers the true mean of Bernoulli draws about 95% of the time", () => {
    // 400 datasets of 100 draws, p = 0.3, fixed seed. The percentile bootstrap is a little liberal at n = 100
    // (true coverage ~0.94); with 400 intervals the binomial sd of the rate is ~0.011, so [0.91, 0.98] is ~3 sd wide
    // and a broken interval (e.g. the sd instead of the standard error, or 68%) lands far outside it.
    const rng = new Rng(20260601);
    let covered = 0;
    const reps = 400;
    for (let r = 0; r < reps; r++) {
      const ci = bootstrapCI(bernoulli(rng, 100, 0.3), { seed: r, resamples: 1000 });
      if (ci[0] <= 0.3 && 0.3 <= ci[1]) covered++;
    }
    expect(covered / reps).toBeGreaterThanOrEqual(0.91);
    expect(covered / reps).toBeLessThanOrEqual(0.98);
  });

  it("has the width of a normal interval and honours level, seed and edge cases", () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    const xs = Array.from({ length: 400 }, () => rng.normal() * 2 + 5);
    const { mean, std } = meanStd(xs);
    const [lo, hi] = bootstrapCI(xs, { seed });
    // half-width ~ 1.96 * sd / sqrt(n); the bootstrap's own noise at 2000 resamples is a few percent
    const half = (1.96 * std) / Math.sqrt(xs.length);
    expect((hi - lo) / 2 / half, `seed ${seed}`).toBeGreaterThan(0.85);
    expect((hi - lo) / 2 / half, `seed ${seed}`).toBeLessThan(1.15);
    expect(lo).toBeLessThan(mean);
    expect(hi).toBeGreaterThan(mean);
    const [lo80, hi80] = bootstrapCI(xs, { seed, level: 0.8 });
    expect(hi80 - lo80).toBeLessThan(hi - lo);
    expect(bootstrapCI(xs, { seed })).toEqual([lo, hi]); // same seed, same interval
    expect(bootstrapCI([], {})).toEqual([NaN, NaN]);
    expect(bootstrapCI([0.5])).toEqual([0.5, 0.5]);
    expect(() => bootstrapCI([1, NaN])).toThrow(/finite/);
    expect(() => bootstrapCI([1], { level: 1 })).toThrow(/level/);
  });
});

describe("meanStd", () => {
  it("is the mean and the n-1 standard deviation", () => {
    const r = meanStd([0.7, 0.74, 0.8]);
    expect(r.mean).toBeCloseTo(0.7466666666666667, 14);
    // by hand: deviations -0.046667, -0.006667, 0.053333; ss = 0.0050667; / 2 -> 0.0025333
    expect(r.std).toBeCloseTo(Math.sqrt(0.0025333333333333354), 12);
    expect(meanStd([3]).std).toBe(0);
    expect(meanStd([]).n).toBe(0);
  });
});

describe("pairedComparison", () => {
  it("matches brute-force enumeration of sign flips (exact, n <= 16)", () => {
    const seed = freshSeed();
    const rng = new Rng(seed);
    const a = Array.from({ length: 9 }, () => rng.next());
    const b = Array.from({ length: 9 }, () => rng.next() * 0.8);
    const d = a.map((x, i) => x - b[i]!);
    const obs = Math.abs(d.reduce((s, x) => s + x, 0) / 9);
    let extreme = 0;
    for (let m = 0; m < 512; m++) {
      let s = 0;
      for (let i = 0; i < 9; i++) s += (m >> i) & 1 ? -d[i]! : d[i]!;
      if (Math.abs(s / 9) >= obs - 1e-12) extreme++;
    }
    const r = pairedComparison(a, b, { seed });
    expect(r.pMethod).toBe("exact");
    expect(r.p, `seed ${seed}`).toBeCloseTo(extreme / 512, 12);
    expect(r.diff).toBeCloseTo(r.meanA - r.meanB, 12);
    expect(r.ci[0]).toBeLessThanOrEqual(r.diff);
    expect(r.ci[1]).toBeGreaterThanOrEqual(r.diff);
  });

  it("finds a real difference and keeps its size under the null (Monte Carlo flips)", () => {
    const rng = new Rng(777);
    // A checkpoint that answers 15 points more items correctly, on 300 items: p tiny, interval excludes 0.
    const base = bernoulli(rng, 300, 0.5);
    const better = base.map((x) => (x === 0 && rng.next() < 0.3 ? 1 : x));
    const r = pairedComparison(better, base, { seed: 1, permutations: 2000 });
    expect(r.pMethod).toBe("monte-carlo");
    expect(r.p).toBeLessThan(0.01);
    expect(r.ci[0]).toBeGreaterThan(0);
    // Size: 200 null datasets (both runs from the same distribution) should reject at 5% about 5% of the time.
    // Binomial sd of the rate with 200 trials ~0.015; band [0.01, 0.10].
    let rejections = 0;
    for (let k = 0; k < 200; k++) {
      const x = bernoulli(rng, 60, 0.6), y = bernoulli(rng, 60, 0.6);
      if (pairedComparison(x, y, { seed: k, permutations: 500, resamples: 200 }).p < 0.05) rejections++;
    }
    expect(rejections / 200).toBeGreaterThanOrEqual(0.01);
    expect(rejections / 200).toBeLessThanOrEqual(0.1);
    expect(() => pairedComparison([1, 2], [1])).toThrow(/same items/);
  });
});

describe("across results files (compare, seeds)", () => {
  const write = (dir: string, name: string, r: object) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(r));
    return f;
  };
  it("summarises seeds as mean and n-1 std, per dimension too, and pairs items by id", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-seeds-"));
    const runs = [0.7, 0.74, 0.8].map((s, i) =>
      write(dir, `r${i}.json`, { suite: "probe", model: `seed${i}`, score: s, perDimension: { A: { score: s - 0.1 }, B: { score: 0.5 } }, items: [] }),
    );
    const s = summarizeSeeds(runs);
    expect(s.runs).toBe(3);
    expect(s.score.mean).toBeCloseTo(0.7466666666666667, 12);
    expect(s.score.std).toBeCloseTo(meanStd([0.7, 0.74, 0.8]).std, 12);
    expect(s.perDimension.A!.mean).toBeCloseTo(0.6466666666666667, 12);
    expect(s.perDimension.B!.std).toBe(0);
    expect(() => summarizeSeeds([runs[0]!])).toThrow(/two or more/);

    // Items matched by id whatever their order; items only in one run are left out and counted.
    const a = write(dir, "a.json", { suite: "probe", model: "A", items: [{ id: "x", correct: 1 }, { id: "y", correct: 1 }, { id: "z", correct: 0.5 }, { id: "only-a", correct: 1 }] });
    const b = write(dir, "b.json", { suite: "probe", model: "B", items: [{ id: "z", correct: 0 }, { id: "y", correct: 1 }, { id: "x", correct: 0 }] });
    const c = compareResults(a, b);
    expect(c.n).toBe(3);
    expect(c.diff).toBeCloseTo((1 + 0 + 0.5) / 3, 12);
    expect(c.onlyA).toBe(1);
    expect(c.onlyB).toBe(0);
    // exact sign flips of the differences (1, 0, 0.5): sums ±1 ±0 ±0.5; |sum| reaches the observed 1.5 only when
    // the 1 and the 0.5 share a sign: 4 of the 8 patterns (the 0's sign changes nothing)
    expect(c.p).toBeCloseTo(4 / 8, 12);
    const cap = write(dir, "cap.json", { suite: "capability", items: [{ id: "x", gold: 0, predAccNorm: 0 }] });
    expect(() => compareResults(a, cap)).toThrow(/suite 'probe' but .* is 'capability'/);
  });
});
