// Per-layer residual-stream activations (Model.hiddenStates) against a float64
// forward, which is itself first checked against the committed PyTorch fixtures.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { readSafetensors } from "../src/model/safetensors.js";
import { forward64 } from "./reference/llama64.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const seed = freshSeed();

describe("the float64 reference forward", () => {
  for (const name of ["gqa", "qwen2", "qwen3"])
    it(`reproduces PyTorch's logits for llama-${name}`, () => {
      const f = readSafetensors(join(import.meta.dirname, "fixtures", `llama-${name}.safetensors`));
      const t = (k: string) => f.tensors.get(k)!;
      const m = new Model(JSON.parse(f.metadata.config!), name);
      const [B, T] = t("input_ids").shape as [number, number];
      const ref = forward64(m.config, (n) => t(`param.${n}`).data as Float32Array, t("input_ids").data as Int32Array, B, T, t("segment_ids").data as Int32Array);
      // The fixture's logits are a float64 PyTorch forward stored as float32.
      expect(relErr(ref.logits, t("logits").data as Float32Array)).toBeLessThan(1e-6);
    });
});

describe(`hiddenStates (seed ${seed})`, () => {
  const cfg = {
    model_type: "qwen2", vocab_size: 50, hidden_size: 32, intermediate_size: 40, num_hidden_layers: 3,
    num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, rms_norm_eps: 1e-5, rope_theta: 10000,
  };
  const B = 2, T = 13;
  const setup = () => {
    const r = new Rng(seed);
    const m = new Model(cfg);
    m.initWeights(seed % 10000, 0.3);
    for (const n of m.paramNames()) if (n.includes("norm") || n.endsWith(".bias")) m.setParam(n, r.f32(m.getParam(n).length, 0.2).map((x) => (n.includes("norm") ? 1 + x : x)));
    const inputIds = Int32Array.from({ length: B * T }, () => r.int(cfg.vocab_size));
    // Row 0: two documents; row 1: one.
    const segmentIds = Int32Array.from({ length: B * T }, (_, i) => (i < T && i % T >= 6 ? 1 : 0));
    const ref = forward64(m.config, (n) => m.getParam(n), inputIds, B, T, segmentIds);
    return { m, r, batch: { inputIds, segmentIds }, ref };
  };

  it("pool 'none': every layer's residual stream matches the float64 forward, HF's layout (L + 1 entries, the last final-normed)", () => {
    const { m, batch, ref } = setup();
    const hs = m.hiddenStates(batch, B, T, { pool: "none" });
    expect(hs.length).toBe(cfg.num_hidden_layers + 1);
    // fp32 through 3 layers ~1e-6 relative; 2e-5 leaves room for summation order.
    hs.forEach((h, l) => expect(relErr(h, ref.hidden[l]!), `layer ${l}`).toBeLessThan(2e-5));
    // The entries really differ (a wrong index would still pass a loose check on identical arrays).
    expect(relErr(hs[1]!, ref.hidden[2]!)).toBeGreaterThan(1e-2);
  });

  it("pool 'mean' averages each row over its masked positions; a row with none is an error naming it", () => {
    const { m, r, batch, ref } = setup();
    const C = cfg.hidden_size;
    const mask = Int32Array.from({ length: B * T }, () => (r.next() < 0.5 ? 1 : 0));
    mask[0] = 1, mask[T] = 1; // at least one position per row
    const hs = m.hiddenStates(batch, B, T, { mask });
    for (let l = 0; l <= cfg.num_hidden_layers; l++) {
      const want = new Float64Array(B * C);
      for (let b = 0; b < B; b++) {
        let n = 0;
        for (let t = 0; t < T; t++) {
          if (!mask[b * T + t]) continue;
          n++;
          for (let c = 0; c < C; c++) want[b * C + c] = want[b * C + c]! + ref.hidden[l]![(b * T + t) * C + c]!;
        }
        for (let c = 0; c < C; c++) want[b * C + c] = want[b * C + c]! / n;
      }
      expect(hs[l]!.length).toBe(B * C);
      expect(relErr(hs[l]!, want), `layer ${l}`).toBeLessThan(2e-5);
    }
    // Without a mask: all positions.
    const all = m.hiddenStates(batch, B, T);
    const want0 = new Float64Array(C);
    for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) want0[c] = want0[c]! + ref.hidden[2]![t * C + c]! / T;
    expect(relErr(all[2]!.slice(0, C), want0)).toBeLessThan(2e-5);
    const empty = mask.slice();
    empty.fill(0, T, 2 * T);
    expect(() => m.hiddenStates(batch, B, T, { mask: empty })).toThrow(/row 1 has no position in the mask/);
  });
});
