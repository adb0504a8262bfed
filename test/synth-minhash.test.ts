// MinHash near-duplicate detection against exact Jaccard on fresh random sets, and the LSH index.
import { describe, expect, it } from "vitest";
import { estimateJaccard, jaccard, MinHasher, NearDuplicateIndex } from "../src/synth/minhash.js";
import { shingleSet } from "../src/synth/shingles.js";
import { freshSeed, Rng } from "./reference/random.js";

const seed = freshSeed();

/** Two sets of random tokens with exactly `common` shared and `onlyA`/`onlyB` private members. */
function pair(r: Rng, common: number, onlyA: number, onlyB: number): [Set<string>, Set<string>] {
  const tok = (tag: string, i: number) => `${tag}${i}-${r.int(1e9)}`;
  const c = Array.from({ length: common }, (_, i) => tok("c", i));
  return [new Set([...c, ...Array.from({ length: onlyA }, (_, i) => tok("a", i))]), new Set([...c, ...Array.from({ length: onlyB }, (_, i) => tok("b", i))])];
}

describe(`minhash (seed ${seed})`, () => {
  it("exact Jaccard on known sets", () => {
    expect(jaccard(new Set(["a", "b"]), new Set(["b", "c"]))).toBeCloseTo(1 / 3, 15);
    expect(jaccard(new Set(["a"]), new Set(["a"]))).toBe(1);
    expect(jaccard(new Set(["a"]), new Set(["b"]))).toBe(0);
    expect([...shingleSet("The cat sat on the mat", 3)]).toEqual(["the cat sat", "cat sat on", "sat on the", "on the mat"]);
    expect([...shingleSet("Two words", 5)]).toEqual(["two words"]);
  });

  it("estimates Jaccard within its sampling error (|est - J| <= 5 sigma, sigma = sqrt(J(1-J)/k)), unbiased over 60 pairs", () => {
    const r = new Rng(seed);
    const k = 256;
    const h = new MinHasher({ permutations: k, bands: 64, seed: seed & 0xffff });
    let bias = 0;
    const n = 60;
    for (let t = 0; t < n; t++) {
      const common = 20 + r.int(400);
      const [a, b] = pair(r, common, r.int(400), r.int(400));
      const J = jaccard(a, b);
      const est = estimateJaccard(h.signatureOf(a), h.signatureOf(b));
      const sigma = Math.sqrt((J * (1 - J)) / k);
      expect(Math.abs(est - J), `J=${J.toFixed(3)} est=${est}`).toBeLessThanOrEqual(5 * sigma + 1 / k);
      bias += est - J;
    }
    // The mean error has sigma <= 0.5/sqrt(k n) ~ 0.004.
    expect(Math.abs(bias / n)).toBeLessThan(0.02);
  });

  it("gives 1 for identical texts and ~0 for unrelated ones; the hash family depends on its seed", () => {
    const r = new Rng(seed + 1);
    const h = new MinHasher();
    const words = () => Array.from({ length: 300 }, () => `w${r.int(5000)}`).join(" ");
    const x = words(), y = words();
    expect(estimateJaccard(h.signature(x), h.signature(x))).toBe(1);
    expect(estimateJaccard(h.signature(x), h.signature(y))).toBeLessThan(0.05);
    expect(new MinHasher({ seed: 2 }).signature(x)).not.toEqual(h.signature(x));
    expect(() => new MinHasher({ permutations: 100, bands: 32 })).toThrow(/multiple of bands/);
  });

  it("the LSH index finds planted near-duplicates and the closest of several, and ignores unrelated texts", () => {
    const r = new Rng(seed + 2);
    const h = new MinHasher();
    const idx = new NearDuplicateIndex(h, 0.7);
    const base = Array.from({ length: 400 }, () => `w${r.int(20000)}`);
    const docs = Array.from({ length: 50 }, () => Array.from({ length: 400 }, () => `w${r.int(20000)}`).join(" "));
    for (const d of docs) {
      expect(idx.nearest(h.signature(d))).toBeUndefined();
      idx.add(h.signature(d));
    }
    const near = [...base];
    const nearer = [...base];
    for (let i = 0; i < 400; i += 40) near[i] = "x"; // 10 changed words
    for (let i = 0; i < 400; i += 200) nearer[i] = "y"; // 2 changed words
    const idNear = idx.add(h.signature(near.join(" ")));
    const idNearer = idx.add(h.signature(nearer.join(" ")));
    const exact = jaccard(shingleSet(base.join(" "), 5), shingleSet(nearer.join(" "), 5));
    const hit = idx.nearest(h.signature(base.join(" ")));
    expect(hit?.id).toBe(idNearer);
    expect(Math.abs(hit!.jaccard - exact)).toBeLessThan(0.15);
    expect(idNear).toBe(50);
    expect(idx.size).toBe(52);
  });
});
