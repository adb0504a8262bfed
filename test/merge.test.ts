// `midtrain merge`: (1 - alpha) * A + alpha * B over checkpoint directories.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { mergeCheckpoints } from "../src/model/merge.js";
import { readSafetensors, writeSafetensors } from "../src/model/safetensors.js";
import { freshSeed } from "./reference/random.js";

const cfg = {
  architectures: ["LlamaForCausalLM"], model_type: "llama", vocab_size: 64, hidden_size: 32, intermediate_size: 48,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, rms_norm_eps: 1e-5, rope_theta: 10000,
  tie_word_embeddings: false, max_position_embeddings: 128,
};
const seed = freshSeed();
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-merge-"));
const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");

function checkpoint(s: number, dtype: "F32" | "BF16" = "F32", config: Record<string, unknown> = cfg): string {
  const m = new Model(config);
  m.initWeights(s, 0.5);
  const dir = tmp();
  saveCheckpoint(dir, m, { config, dtype });
  return dir;
}
const tensors = (dir: string) => readSafetensors(join(dir, "model.safetensors")).tensors;
const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

let A = "", B = "";
beforeAll(() => {
  A = checkpoint(seed % 10000);
  B = checkpoint((seed % 10000) + 1);
});

describe(`merge (seed ${seed})`, () => {
  it("alpha 0 and 1 reproduce A and B bit for bit (F32 and BF16)", () => {
    for (const [a, b] of [[A, B], [checkpoint(seed % 10000, "BF16"), checkpoint((seed % 10000) + 1, "BF16")]] as const) {
      const o0 = join(tmp(), "m0"), o1 = join(tmp(), "m1");
      expect(mergeCheckpoints(a, b, 0, o0).dtype).toBe(readSafetensors(join(a, "model.safetensors")).tensors.values().next().value!.dtype);
      mergeCheckpoints(a, b, 1, o1);
      const ta = tensors(a), tb = tensors(b), t0 = tensors(o0), t1 = tensors(o1);
      for (const [n, x] of ta) {
        expect(t0.get(n)!.dtype).toBe(x.dtype);
        expect(bytes(t0.get(n)!.data).equals(bytes(x.data)), n).toBe(true);
        expect(bytes(t1.get(n)!.data).equals(bytes(tb.get(n)!.data)), n).toBe(true);
      }
      expect(readFileSync(join(o0, "config.json"), "utf8")).toBe(readFileSync(join(a, "config.json"), "utf8"));
    }
  });

  it("alpha 0.5 is the midpoint and 0.3 weights B by 0.3, each element rounded once from float64", () => {
    for (const alpha of [0.5, 0.3]) {
      const out = join(tmp(), "mid");
      mergeCheckpoints(A, B, alpha, out);
      const ta = tensors(A), tb = tensors(B), tm = tensors(out);
      let moved = 0;
      for (const [n, x] of ta) {
        const a = x.data as Float32Array, b = tb.get(n)!.data as Float32Array, m = tm.get(n)!.data as Float32Array;
        for (let i = 0; i < a.length; i++) {
          expect(m[i], `${n}[${i}]`).toBe(Math.fround((1 - alpha) * a[i]! + alpha * b[i]!));
          if (a[i] !== b[i]) moved++;
        }
      }
      expect(moved).toBeGreaterThan(1000); // A and B really differ
    }
    // The result is a loadable checkpoint that runs.
    const o = join(tmp(), "load");
    mergeCheckpoints(A, B, 0.5, o);
    const { model } = loadCheckpoint(o);
    expect(model.forwardLogits({ inputIds: Int32Array.from([1, 2, 3]) }, 1, 3).every(Number.isFinite)).toBe(true);
  });

  it("refuses different architectures, missing or mis-shaped tensors, naming them", () => {
    const wide = checkpoint(1, "F32", { ...cfg, intermediate_size: 64 });
    expect(() => mergeCheckpoints(A, wide, 0.5, join(tmp(), "o"))).toThrow(/differ in 'intermediate_size' \(48 vs 64\)/);
    // Same config, but one tensor renamed or reshaped by hand.
    const t = tensors(B);
    const renamed = tmp(), reshaped = tmp();
    for (const d of [renamed, reshaped]) copyFileSync(join(B, "config.json"), join(d, "config.json"));
    writeSafetensors(join(renamed, "model.safetensors"), new Map([...t].map(([n, x]) => [n === "model.norm.weight" ? "model.norm.weights" : n, { shape: x.shape, data: x.data }])));
    expect(() => mergeCheckpoints(A, renamed, 0.5, join(tmp(), "o"))).toThrow(/tensor 'model.norm.weight' of .* is missing from/);
    const k = "model.layers.1.self_attn.k_proj.weight";
    writeSafetensors(join(reshaped, "model.safetensors"), new Map([...t].map(([n, x]) => [n, { shape: n === k ? [x.shape[1]!, x.shape[0]!] : x.shape, data: x.data }])));
    expect(() => mergeCheckpoints(A, reshaped, 0.5, join(tmp(), "o"))).toThrow(/tensor 'model.layers.1.self_attn.k_proj.weight' has shape \[16,32\] in .* but \[32,16\] in /);
    expect(() => mergeCheckpoints(A, B, NaN, join(tmp(), "o"))).toThrow(/--alpha must be a finite number/);
  });

  it("midtrain merge on the command line", () => {
    const out = join(tmp(), "cli");
    const r = spawnSync(process.execPath, [cli, "merge", A, B, "--alpha", "0.25", "--out", out, "--json"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, alpha: 0.25, tensors: 2 * 9 + 3 });
    const bad = spawnSync(process.execPath, [cli, "merge", A, join(tmp(), "nope"), "--alpha", "0.5", "--out", join(tmp(), "o")], { encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/nope.*config\.json/);
  });
});
