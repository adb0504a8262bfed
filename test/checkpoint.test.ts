// Checkpoint directories: bit-exact round trips (single file and shards),
// half-precision files, and every kind of bad checkpoint named clearly.
import { mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { listWeights, loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { readSafetensors, writeSafetensors } from "../src/model/safetensors.js";
import { freshSeed } from "./reference/random.js";

const cfg = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  vocab_size: 50,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  custom_field_kept: "yes",
};
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-ckpt-"));
const seed = freshSeed();

function model(config: Record<string, unknown> = cfg): Model {
  const m = new Model(config);
  m.initWeights(seed % 100000, 0.5);
  return m;
}
const sameWeights = (a: Model, b: Model) => {
  for (const n of a.paramNames()) expect(b.getParam(n), n).toEqual(a.getParam(n));
};

function tokenizerDir(vocab: number): string {
  const d = tmp();
  const v: Record<string, number> = {};
  for (let i = 0; i < vocab; i++) v[`t${i}`] = i;
  writeFileSync(join(d, "tokenizer.json"), JSON.stringify({ model: { type: "BPE", vocab: v, merges: [] }, added_tokens: [] }));
  writeFileSync(join(d, "tokenizer_config.json"), JSON.stringify({ eos_token: "t0" }));
  return d;
}

describe(`checkpoint round trips (seed ${seed})`, () => {
  for (const tied of [false, true])
    it(`F32 single file reloads bit-exactly (tied=${tied}), keeping config fields and tokenizer files`, () => {
      const c = { ...cfg, tie_word_embeddings: tied };
      const m = model(c), dir = tmp();
      saveCheckpoint(dir, m, { config: c, tokenizerDir: tokenizerDir(50) });
      expect(readdirSync(dir).sort()).toEqual(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
      const { model: back, config } = loadCheckpoint(dir);
      sameWeights(m, back);
      expect(config.raw.custom_field_kept).toBe("yes");
      expect(config.raw.torch_dtype).toBe("float32");
      // Tensor names are HF's, so transformers can load the directory.
      expect([...readSafetensors(join(dir, "model.safetensors")).tensors.keys()]).toContain("model.layers.1.mlp.down_proj.weight");
    });

  it("shards with an index when over the shard size, and reloads bit-exactly", () => {
    const m = model(), dir = tmp();
    saveCheckpoint(dir, m, { config: cfg, maxShardBytes: 8000 });
    const files = readdirSync(dir).filter((f) => f.endsWith(".safetensors"));
    expect(files.length).toBeGreaterThan(2);
    expect(files.every((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f))).toBe(true);
    const index = JSON.parse(readFileSync(join(dir, "model.safetensors.index.json"), "utf8"));
    expect(Object.keys(index.weight_map).sort()).toEqual([...m.paramNames()].sort());
    sameWeights(m, loadCheckpoint(dir).model);
  });

  for (const dtype of ["BF16", "F16"] as const)
    it(`${dtype} files hold the rounded weights and load as such`, () => {
      const m = model(), dir = tmp();
      saveCheckpoint(dir, m, { config: cfg, dtype });
      const back = loadCheckpoint(dir).model;
      for (const n of m.paramNames()) {
        const a = m.getParam(n), b = back.getParam(n);
        for (let i = 0; i < a.length; i++) {
          const rel = Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(a[i]!), 1e-4);
          expect(rel, `${n}[${i}]`).toBeLessThan(dtype === "BF16" ? 2 ** -8 : 2 ** -11);
        }
      }
      expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).torch_dtype).toBe(dtype === "BF16" ? "bfloat16" : "float16");
    });
});

describe("bad checkpoints are refused, naming the file and tensor", () => {
  const saved = () => {
    const dir = tmp();
    saveCheckpoint(dir, model(), { config: cfg });
    return dir;
  };
  const rewrite = (dir: string, edit: (t: Map<string, { shape: number[]; data: Float32Array }>) => void) => {
    const f = readSafetensors(join(dir, "model.safetensors"));
    const t = new Map([...f.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data as Float32Array }]));
    edit(t);
    writeSafetensors(join(dir, "model.safetensors"), t);
  };
  it("a missing tensor", () => {
    const dir = saved();
    rewrite(dir, (t) => t.delete("model.layers.1.self_attn.v_proj.weight"));
    expect(() => loadCheckpoint(dir)).toThrow(/tensor 'model\.layers\.1\.self_attn\.v_proj\.weight' is missing/);
  });
  it("an extra tensor", () => {
    const dir = saved();
    rewrite(dir, (t) => t.set("model.layers.7.mlp.up_proj.weight", { shape: [2], data: new Float32Array(2) }));
    expect(() => loadCheckpoint(dir)).toThrow(/model\.safetensors: tensor 'model\.layers\.7\.mlp\.up_proj\.weight' is not a parameter/);
  });
  it("a wrong shape", () => {
    const dir = saved();
    rewrite(dir, (t) => t.set("model.norm.weight", { shape: [31], data: new Float32Array(31) }));
    expect(() => loadCheckpoint(dir)).toThrow(/tensor 'model\.norm\.weight' has shape \[31\], the config needs \[32\]/);
  });
  it("a truncated weights file", () => {
    const dir = saved();
    truncateSync(join(dir, "model.safetensors"), 1000);
    expect(() => loadCheckpoint(dir)).toThrow(/model\.safetensors/);
  });
  it("a shard the index names but that lacks the tensor", () => {
    const m = model(), dir = tmp();
    saveCheckpoint(dir, m, { config: cfg, maxShardBytes: 8000 });
    const p = join(dir, "model.safetensors.index.json");
    const index = JSON.parse(readFileSync(p, "utf8"));
    const other = Object.values(index.weight_map as Record<string, string>).find((f) => f !== index.weight_map["model.norm.weight"])!;
    index.weight_map["model.norm.weight"] = other;
    writeFileSync(p, JSON.stringify(index));
    expect(() => loadCheckpoint(dir)).toThrow(/tensor 'model\.norm\.weight' is (not mapped to this shard|mapped to)/);
  });
  it("corrupt or unsupported config.json", () => {
    const dir = saved();
    writeFileSync(join(dir, "config.json"), "{ not json");
    expect(() => loadCheckpoint(dir)).toThrow(/config\.json: not valid JSON/);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, model_type: "mixtral" }));
    expect(() => loadCheckpoint(dir)).toThrow(/config\.json: field 'model_type'/);
  });
  it("a tokenizer with more ids than the embedding has rows", () => {
    const m = model(), dir = tmp();
    expect(() => saveCheckpoint(dir, m, { config: cfg, tokenizerDir: tokenizerDir(51) })).toThrow(/tokenizer\.json: the tokenizer has 51 token ids but the model's vocab_size is 50/);
    expect(readdirSync(dir)).toEqual([]); // nothing written
  });
  it("a config that does not describe the model", () => {
    expect(() => saveCheckpoint(tmp(), model(), { config: { ...cfg, intermediate_size: 64 } })).toThrow(/field 'intermediate_size' is 64 but the model has 48/);
  });
  it("lists no weights in a directory without any", () => {
    expect(() => listWeights(tmp())).toThrow(/no model\.safetensors/);
  });
});
