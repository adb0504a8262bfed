import { describe, expect, it } from "vitest";
import { analyzeDirection, type ContrastItem } from "../src/experiment/direction.js";
import { loadCheckpoint } from "../src/model/checkpoint.js";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { freshSeed } from "./reference/random.js";
import { tinyCheckpoint } from "./reference/tiny-checkpoint.js";

const items: ContrastItem[] = [
  { context: "Q: Should the hens have more space?\nA:", compassionate: " Yes, crowding causes them stress and pain.", dismissive: " No, space costs money and hens are stock." },
  { context: "Q: Is it fine to leave the dog outside in the frost?\nA:", compassionate: " No, the dog suffers in the cold.", dismissive: " Yes, it is only a dog." },
  { context: "Q: What about the frogs in the pond we drain?\nA:", compassionate: " Move them first; their lives matter.", dismissive: " Ignore them, they are pests." },
];

/** The direct float64 computation: per-position activations averaged here, not in the engine. */
function directDiff(dir: string, layer: number): Float64Array {
  const { model } = loadCheckpoint(dir);
  const tok = Tokenizer.fromDir(dir);
  const H = model.config.hidden_size;
  const mean = (ctx: string, ans: string) => {
    const c = tok.encode(ctx), w = tok.encode(ctx + ans);
    let start = 0;
    while (start < c.length && c[start] === w[start]) start++;
    const all = model.hiddenStates({ inputIds: Int32Array.from(w) }, 1, w.length, { pool: "none" })[layer]!;
    const m = new Float64Array(H);
    for (let t = start; t < w.length; t++) for (let j = 0; j < H; j++) m[j] += all[t * H + j]! / (w.length - start);
    return m;
  };
  const d = new Float64Array(H);
  for (const it of items) {
    const a = mean(it.context, it.compassionate), b = mean(it.context, it.dismissive);
    for (let j = 0; j < H; j++) d[j] += (a[j]! - b[j]!) / items.length;
  }
  return d;
}

describe("value direction", () => {
  const seed = freshSeed();
  it(`is fully retained by the reference itself, and another model projects as a direct computation says (seed ${seed})`, () => {
    const ref = tinyCheckpoint(seed, {}, 0.05).dir;
    const other = tinyCheckpoint(seed + 1, {}, 0.05).dir;
    const r = analyzeDirection(ref, [{ dir: ref, label: "self" }, { dir: other }], items);
    const self = r.models[0]!;
    expect(self.layers).toHaveLength(4 + 1);
    for (const l of self.layers) {
      expect(l.retained).toBeCloseTo(1, 10);
      expect(l.cosine).toBeCloseTo(1, 10);
    }
    // The other model's projection on layer 2, recomputed from per-position activations in float64.
    const u = directDiff(ref, 2), d = directDiff(other, 2);
    const nu = Math.sqrt(u.reduce((s, x) => s + x * x, 0));
    const proj = d.reduce((s, x, j) => s + x * u[j]!, 0) / nu;
    const got = r.models[1]!.layers[2]!;
    expect(Math.abs(got.projection - proj) / Math.abs(proj)).toBeLessThan(1e-4);
    expect(Math.abs(got.retained - proj / nu)).toBeLessThan(1e-4 * Math.max(1, Math.abs(proj / nu)));
    expect(Math.abs(got.retained - 1)).toBeGreaterThan(1e-3); // a different model is not the reference
  });

  it("refuses too few items", () => {
    expect(() => analyzeDirection("x", [], items.slice(0, 1))).toThrow(/at least 2 items/);
  });
});
