// Sampling: the filtered distribution against a plain float64 reference on
// fresh random logits, the sampler's draws against that distribution, greedy
// ties, seeds, and validation of the parameters.
import { describe, expect, it } from "vitest";
import { argmax, filteredProbs, resolveSampling, Sampler } from "../src/infer/sampling.js";
import { Rng, freshSeed } from "./reference/random.js";

/** The textbook pipeline (HF's warpers): softmax(l / T), keep top k, keep the smallest top-p prefix, renormalise. */
function reference(logits: number[], T: number, k: number, p: number): Map<number, number> {
  const z = logits.map((x) => x / T);
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  let items = e.map((x, i) => ({ i, p: x / s })).sort((a, b) => b.p - a.p || a.i - b.i);
  if (k > 0) items = items.slice(0, k);
  const mass = items.reduce((a, b) => a + b.p, 0);
  const kept: typeof items = [];
  let c = 0;
  for (const it of items) {
    if (c >= p * mass) break;
    kept.push(it);
    c += it.p;
  }
  const total = kept.reduce((a, b) => a + b.p, 0);
  return new Map(kept.map((x) => [x.i, x.p / total]));
}

const seed = freshSeed();

describe(`sampling (seed ${seed})`, () => {
  const rng = new Rng(seed);

  it("filteredProbs equals the float64 reference for random logits and settings (1e-12 relative)", () => {
    for (let trial = 0; trial < 40; trial++) {
      const V = 5 + rng.int(300);
      const logits = Array.from(rng.f32(V, 1 + rng.next() * 4));
      const T = 0.2 + rng.next() * 2;
      const k = rng.next() < 0.5 ? 0 : 1 + rng.int(V);
      const p = rng.next() < 0.3 ? 1 : 0.05 + rng.next() * 0.95;
      const got = filteredProbs(logits, T, k, p);
      const ref = reference(logits, T, k, p);
      // filteredProbs drops tokens under 1e-12 of the total mass (they cannot move a cut or a draw): compare the rest.
      const kept = [...ref.entries()].filter(([, q]) => q > 1e-9).map(([i]) => i);
      expect(got.map(([i]) => i).slice(0, kept.length), `trial ${trial}`).toEqual(kept);
      let dropped = 0;
      for (const [i, q] of ref) if (!got.some(([j]) => j === i)) dropped += q;
      expect(dropped).toBeLessThan(1e-9);
      for (const [i, q] of got) expect(Math.abs(q - ref.get(i)!) / ref.get(i)!).toBeLessThan(1e-9);
    }
  });

  it("plain temperature sampling (no top-k/top-p) draws from softmax(logits / T) (5 sigma over 40000 draws)", () => {
    const logits = Array.from(rng.f32(10, 2));
    const sampler = new Sampler(resolveSampling({ temperature: 1.7, seed: rng.int(1e9) }, "t"));
    const N = 40000;
    const counts = new Array<number>(10).fill(0);
    for (let n = 0; n < N; n++) counts[sampler.pick(logits)]!++;
    const ref = reference(logits, 1.7, 0, 1);
    for (let t = 0; t < 10; t++) {
      const p = ref.get(t)!;
      expect(Math.abs(counts[t]! / N - p), `token ${t}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N) + 1e-4);
    }
  });

  it("top_k 1 and a tiny top_p both reduce to the argmax", () => {
    const logits = Array.from(rng.f32(100, 3));
    expect(filteredProbs(logits, 1, 1, 1)).toEqual([[argmax(logits), 1]]);
    expect(filteredProbs(logits, 1, 0, 1e-9)).toEqual([[argmax(logits), 1]]);
  });

  it("draws follow the filtered distribution (frequencies within 5 sigma over 40000 draws)", () => {
    const logits = Array.from(rng.f32(12, 1.5));
    const s = resolveSampling({ temperature: 0.8, topK: 8, topP: 0.95, seed: rng.int(1e9) }, "t");
    const sampler = new Sampler(s);
    const N = 40000;
    const counts = new Map<number, number>();
    for (let n = 0; n < N; n++) {
      const t = sampler.pick(logits);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const probs = new Map(filteredProbs(logits, 0.8, 8, 0.95));
    for (const t of counts.keys()) expect(probs.has(t), `token ${t} is outside the filtered set`).toBe(true);
    for (const [t, p] of probs) {
      const f = (counts.get(t) ?? 0) / N;
      expect(Math.abs(f - p), `token ${t}: p ${p}, f ${f}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N) + 1e-4);
    }
  });

  it("greedy takes the first maximum; a seed fixes the draws; different seeds differ", () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(new Sampler(resolveSampling({}, "t")).pick([0, 5, 5, -1])).toBe(1);
    const logits = Array.from(rng.f32(50, 1));
    const draws = (sd: number) => {
      const s = new Sampler(resolveSampling({ temperature: 1, seed: sd }, "t"));
      return Array.from({ length: 30 }, () => s.pick(logits));
    };
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
    // Unseeded requests get a random seed each.
    const a = new Sampler(resolveSampling({ temperature: 1 }, "t"));
    const b = new Sampler(resolveSampling({ temperature: 1 }, "t"));
    expect(Array.from({ length: 30 }, () => a.pick(logits))).not.toEqual(Array.from({ length: 30 }, () => b.pick(logits)));
  });

  it("resolves defaults and names the bad field with its value", () => {
    const r = resolveSampling({}, "x");
    expect({ ...r, seed: 0 }).toEqual({ maxTokens: 256, temperature: 0, topP: 1, topK: 0, stop: [], seed: 0 });
    expect(() => resolveSampling({ temperature: Number.NaN }, "requests[2]")).toThrow(/^requests\[2\]\.temperature: /);
    expect(() => resolveSampling({ topP: 1.5 }, "r")).toThrow(/^r\.topP: .*\(got 1\.5\)/);
    expect(() => resolveSampling({ topK: -1 }, "r")).toThrow(/^r\.topK: /);
    expect(() => resolveSampling({ seed: 0.5 }, "r")).toThrow(/^r\.seed: /);
    expect(() => resolveSampling({ maxTokens: 2.5 }, "r")).toThrow(/^r\.maxTokens: /);
    expect(() => resolveSampling({ stop: ["a", ""] }, "r")).toThrow(/^r\.stop\.1: stop strings must not be empty/);
    expect(() => filteredProbs([1, 2], 0, 0, 1)).toThrow(/temperature must be > 0/);
  });
});
