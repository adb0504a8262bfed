// Parity with PyTorch (llm.c's test_gpt2 pattern): committed fixtures made by
// scripts/make_llama_fixture.py from a plain float64 PyTorch Llama that
// matches HF's LlamaForCausalLM / Qwen2 / Qwen3: logits, loss, every
// gradient, and the weights after 3 AdamW steps with clipping.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { readSafetensors } from "../src/model/safetensors.js";
import { relErr } from "./reference/random.js";

const fixtures = ["gqa", "qwen2", "qwen3"];

for (const name of fixtures) {
  describe(`PyTorch parity: llama-${name}`, () => {
    const f = readSafetensors(join(import.meta.dirname, "fixtures", `llama-${name}.safetensors`));
    const t = (k: string) => {
      const x = f.tensors.get(k);
      if (!x) throw new Error(`fixture llama-${name} lacks ${k}`);
      return x;
    };
    const config = JSON.parse(f.metadata.config!) as Record<string, unknown>;
    const opt = JSON.parse(f.metadata.optimizer!) as { lr: number; betas: [number, number]; eps: number; weight_decay: number; grad_clip: number; steps: number };
    const [B, T] = t("input_ids").shape as [number, number];
    const batch = {
      inputIds: t("input_ids").data as Int32Array,
      labels: t("labels").data as Int32Array,
      positions: t("position_ids").data as Int32Array,
      segmentIds: t("segment_ids").data as Int32Array,
    };
    const load = () => {
      const m = new Model(config, `fixture llama-${name}`);
      for (const n of m.paramNames()) m.setParam(n, t(`param.${n}`).data as Float32Array);
      return m;
    };
    // Our parameter set must be exactly the fixture's.
    it("has the same parameter names and shapes as the HF model", () => {
      const m = load();
      const theirs = [...f.tensors.keys()].filter((k) => k.startsWith("param.")).map((k) => k.slice(6)).sort();
      expect([...m.paramNames()].sort()).toEqual(theirs);
      for (const n of m.paramNames()) expect(m.paramShape(n), n).toEqual(t(`param.${n}`).shape);
    });

    it("logits and loss match (fp32 vs float64 reference)", () => {
      const m = load();
      // fp32 through 2 layers: ~1e-6 relative; 1e-5 leaves room for summation order.
      expect(relErr(m.forwardLogits(batch, B, T), t("logits").data as Float32Array)).toBeLessThan(1e-5);
      // and without explicit positions: derived from the segment ids
      expect(relErr(m.forwardLogits({ ...batch, positions: undefined }, B, T), t("logits").data as Float32Array)).toBeLessThan(1e-5);
      const r = m.evalLoss(batch, B, T);
      expect(Math.abs(r.lossSum / r.count - Number(f.metadata.loss))).toBeLessThan(1e-5);
    });

    it("every gradient matches", () => {
      const m = load();
      const r = m.lossAndGrad(batch, B, T);
      expect(Math.abs(r.gradNorm - JSON.parse(f.metadata.grad_norms!)[0])).toBeLessThan(1e-4 * r.gradNorm);
      // relative to each tensor's largest gradient; fp32 backward through the
      // model gives ~1e-6, so 1e-4 flags any wrong term while tolerating order.
      for (const n of m.paramNames()) expect(relErr(m.getGrad(n), t(`grad.${n}`).data as Float32Array), n).toBeLessThan(1e-4);
    });

    it(`weights after ${opt.steps} AdamW steps (clip ${opt.grad_clip}, decay on 2-D tensors) match`, async () => {
      const m = load();
      const hyper = { lr: opt.lr, beta1: opt.betas[0], beta2: opt.betas[1], eps: opt.eps, weightDecay: opt.weight_decay, gradClip: opt.grad_clip };
      const losses: number[] = [];
      for (let s = 0; s < opt.steps; s++) losses.push((await m.step([batch], B, T, hyper)).loss);
      const ref = JSON.parse(f.metadata.losses!) as number[];
      for (let s = 0; s < opt.steps; s++) expect(Math.abs(losses[s]! - ref[s]!), `loss at step ${s}`).toBeLessThan(1e-4);
      // Adam normalises each coordinate, so where the true gradient is at
      // fp32 noise level (|g| < 1e-3 of the tensor's largest: e.g. the
      // components of a key bias that RoPE leaves invariant) the update's
      // sign is noise; there we only bound the drift by Adam's step size.
      // Everywhere else: 2e-4 of the tensor's scale.
      for (const n of m.paramNames()) {
        const ours = m.getParam(n), ref = t(`step3.${n}`).data as Float32Array, g0 = t(`grad.${n}`).data as Float32Array;
        let gmax = 0, scale = 1e-6;
        for (let i = 0; i < g0.length; i++) (gmax = Math.max(gmax, Math.abs(g0[i]!))), (scale = Math.max(scale, Math.abs(ref[i]!)));
        let worst = 0, noisy = 0;
        for (let i = 0; i < ours.length; i++) {
          const d = Math.abs(ours[i]! - ref[i]!);
          if (Math.abs(g0[i]!) >= 1e-3 * gmax) worst = Math.max(worst, d / scale);
          else noisy = Math.max(noisy, d);
        }
        expect(worst, n).toBeLessThan(2e-4);
        expect(noisy, n).toBeLessThan(2 * opt.lr * opt.steps);
      }
    });
  });
}
