// Rng.shuffle and Rng.sample (k distinct items in random order, used by the offline generators): a permutation
// of the input, the input left alone, deterministic by seed, and uniform over positions.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/data/rng.js";
import { freshSeed } from "./reference/random.js";

const seed = freshSeed();

describe(`Rng.sample and shuffle (seed ${seed})`, () => {
  it("returns k distinct items of the input (all of them when k is larger), leaves the input alone, repeats by seed", () => {
    const xs = Object.freeze(Array.from({ length: 17 }, (_, i) => `item${i}`));
    const r = new Rng(seed);
    for (const k of [0, 1, 5, 17, 40]) {
      const s = r.sample(xs, k);
      expect(s).toHaveLength(Math.min(k, xs.length));
      expect(new Set(s).size).toBe(s.length);
      for (const x of s) expect(xs).toContain(x);
    }
    expect(new Rng(seed).sample(xs, 9)).toEqual(new Rng(seed).sample(xs, 9));
    expect(new Rng(seed).sample(xs, 17)).not.toEqual(new Rng(seed + 1).sample(xs, 17));
    const ints = Int32Array.from({ length: 50 }, (_, i) => i);
    expect([...new Rng(seed).shuffle(ints)].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("every item is equally likely at every position (chi-square over 48,000 draws)", () => {
    const n = 6, draws = 48_000, r = new Rng(seed);
    const count = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let d = 0; d < draws; d++) r.sample([0, 1, 2, 3, 4, 5], n).forEach((x, pos) => count[pos]![x]!++);
    const e = draws / n;
    for (const row of count) {
      const chi2 = row.reduce((s, c) => s + (c - e) ** 2 / e, 0);
      // 5 degrees of freedom: P(chi2 > 30) < 2e-5; a biased shuffle (e.g. j = below(n)) gives hundreds.
      expect(chi2, JSON.stringify(row)).toBeLessThan(30);
    }
  });
});
