// config.json -> engine config for each supported architecture, and refusals naming the field.
import { describe, expect, it } from "vitest";
import { engineConfig } from "../src/model/config.js";
import { loadPreset, presetNames } from "../src/model/presets.js";

const llama = { model_type: "llama", vocab_size: 100, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 };

describe("config.json mapping", () => {
  it("Llama: head_dim from hidden/heads, defaults as transformers", () => {
    const c = engineConfig({ ...llama, architectures: ["LlamaForCausalLM"] });
    expect(c).toMatchObject({ head_dim: 16, attention_bias: false, qk_norm: false, tie_word_embeddings: false, rope_theta: 10000, rope_scaling: null });
  });
  it("Llama 3 rope scaling, Mistral without a sliding window, Qwen2 biases, Qwen3 q/k norm", () => {
    const l3 = engineConfig({ ...llama, rope_scaling: { rope_type: "llama3", factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } });
    expect(l3.rope_scaling).toEqual({ rope_type: "llama3", factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 });
    expect(engineConfig({ ...llama, model_type: "mistral", sliding_window: null }).num_key_value_heads).toBe(2);
    expect(engineConfig({ ...llama, model_type: "qwen2", use_sliding_window: false, sliding_window: 4096 }).attention_bias).toBe(true);
    const q3 = engineConfig({ ...llama, model_type: "qwen3", head_dim: 32 });
    expect([q3.qk_norm, q3.head_dim, q3.attention_bias]).toEqual([true, 32, false]);
    // the old "type" key of rope_scaling
    expect(engineConfig({ ...llama, rope_scaling: { type: "linear", factor: 2 } }).rope_scaling).toEqual({ rope_type: "linear", factor: 2 });
  });
  it("refuses unsupported features naming the field and the file", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...llama, model_type: "gpt2" }, /cfg\.json: field 'model_type': 'gpt2' is not a supported architecture/],
      [{ ...llama, model_type: "mistral", sliding_window: 4096 }, /field 'sliding_window'/],
      [{ ...llama, model_type: "qwen2", use_sliding_window: true }, /field 'use_sliding_window'/],
      [{ ...llama, num_local_experts: 8 }, /field 'num_experts': mixture-of-experts/],
      [{ ...llama, hidden_act: "gelu" }, /field 'hidden_act'/],
      [{ ...llama, mlp_bias: true }, /field 'mlp_bias'/],
      [{ ...llama, rope_scaling: { rope_type: "yarn", factor: 4 } }, /field 'rope_scaling\.rope_type': 'yarn'/],
      [{ ...llama, rope_scaling: { rope_type: "llama3", factor: 8 } }, /field 'rope_scaling\.low_freq_factor'/],
      [{ ...llama, num_key_value_heads: 3 }, /field 'num_key_value_heads'/],
      [{ ...llama, hidden_size: 66 }, /field 'num_attention_heads': 4 does not divide hidden_size 66/],
      [{ ...llama, vocab_size: -1 }, /field 'vocab_size'/],
      [{ ...llama, hidden_size: "64" }, /field 'hidden_size'/],
    ];
    for (const [c, re] of cases) expect(() => engineConfig(c, "cfg.json")).toThrow(re);
  });
  it("every shipped preset maps", () => {
    expect(presetNames()).toEqual(expect.arrayContaining(["tiny", "small", "llama-1b", "qwen2.5-0.5b", "qwen3-0.6b", "llama-124m"]));
    for (const p of presetNames()) expect(() => engineConfig(loadPreset(p), p)).not.toThrow();
    expect(() => loadPreset("../etc/passwd")).toThrow(/unknown preset/);
  });
});
