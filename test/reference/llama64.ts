// A float64 forward of a Llama-family decoder, written plainly from the math of
// HF's LlamaForCausalLM (RMSNorm, rotate-half RoPE, GQA with packed-document
// masks, SwiGLU, optional q/k/v bias and q/k norm, tied or untied head). It
// returns every residual-stream state (HF's output_hidden_states) and the
// logits. Weights come from a getter, so LoRA-merged or perturbed weights can
// be fed in. Checked against the committed PyTorch fixtures in
// test/hidden-states.test.ts before it is used as a reference.
import type { EngineConfig } from "../../src/model/config.js";
import { ropeInvFreqRef, type RefScaling } from "./rope.js";

export interface Forward64 {
  /** L + 1 entries of [N, C]: embeddings, each layer's output, the last one final-normed. */
  hidden: Float64Array[];
  /** [N, V] */
  logits: Float64Array;
}

function scaling(c: EngineConfig): RefScaling | undefined {
  const s = c.rope_scaling;
  if (!s) return undefined;
  if (s.rope_type === "linear") return { type: "linear", factor: s.factor };
  return { type: "llama3", factor: s.factor, lowFreqFactor: s.low_freq_factor, highFreqFactor: s.high_freq_factor, originalMaxPosition: s.original_max_position_embeddings };
}

/** y[N, out] = x[N, in] W^T (+ b) */
function linear(x: Float64Array, W: ArrayLike<number>, b: ArrayLike<number> | null, N: number, inn: number, out: number): Float64Array {
  const y = new Float64Array(N * out);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < out; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < inn; i++) s += x[n * inn + i]! * W[o * inn + i]!;
      y[n * out + o] = s;
    }
  return y;
}

function rmsnorm(x: Float64Array, w: ArrayLike<number>, rows: number, C: number, eps: number): Float64Array {
  const y = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[r * C + c]! ** 2;
    const k = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) y[r * C + c] = x[r * C + c]! * k * w[c]!;
  }
  return y;
}

function rope(x: Float64Array, pos: Int32Array, inv: Float64Array, N: number, H: number, D: number): void {
  const half = D / 2;
  for (let n = 0; n < N; n++)
    for (let i = 0; i < half; i++) {
      const a = Math.fround(Math.fround(pos[n]!) * inv[i]!); // transformers forms the angle in float32
      const c = Math.cos(a), s = Math.sin(a);
      for (let h = 0; h < H; h++) {
        const o = (n * H + h) * D;
        const x0 = x[o + i]!, x1 = x[o + i + half]!;
        x[o + i] = x0 * c - x1 * s;
        x[o + i + half] = x1 * c + x0 * s;
      }
    }
}

export function forward64(
  c: EngineConfig,
  param: (name: string) => ArrayLike<number>,
  ids: Int32Array,
  B: number,
  T: number,
  segments?: Int32Array,
): Forward64 {
  const N = B * T, C = c.hidden_size, F = c.intermediate_size, D = c.head_dim, Hq = c.num_attention_heads, Hkv = c.num_key_value_heads;
  const V = c.vocab_size, eps = c.rms_norm_eps;
  const pos = new Int32Array(N);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      pos[i] = t === 0 || (segments && segments[i] !== segments[i - 1]) ? 0 : pos[i - 1]! + 1;
    }
  const inv = ropeInvFreqRef(D, c.rope_theta, scaling(c));
  const emb = param("model.embed_tokens.weight");
  let h: Float64Array = new Float64Array(N * C);
  for (let n = 0; n < N; n++) for (let k = 0; k < C; k++) h[n * C + k] = emb[ids[n]! * C + k]!;
  const hidden: Float64Array[] = [h.slice()];
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = (s: string) => param(`model.layers.${l}.${s}`);
    const bias = (s: string) => (c.attention_bias ? p(`self_attn.${s}_proj.bias`) : null);
    const x = rmsnorm(h, p("input_layernorm.weight"), N, C, eps);
    let q = linear(x, p("self_attn.q_proj.weight"), bias("q"), N, C, Hq * D);
    let k = linear(x, p("self_attn.k_proj.weight"), bias("k"), N, C, Hkv * D);
    const v = linear(x, p("self_attn.v_proj.weight"), bias("v"), N, C, Hkv * D);
    if (c.qk_norm) (q = rmsnorm(q, p("self_attn.q_norm.weight"), N * Hq, D, eps)), (k = rmsnorm(k, p("self_attn.k_norm.weight"), N * Hkv, D, eps));
    rope(q, pos, inv, N, Hq, D);
    rope(k, pos, inv, N, Hkv, D);
    const att = new Float64Array(N * Hq * D);
    const g = Hq / Hkv;
    for (let b = 0; b < B; b++)
      for (let i = 0; i < T; i++)
        for (let hh = 0; hh < Hq; hh++) {
          const hk = Math.floor(hh / g), qi = ((b * T + i) * Hq + hh) * D;
          const sc: number[] = [];
          let mx = -Infinity;
          for (let j = 0; j <= i; j++) {
            if (segments && segments[b * T + j] !== segments[b * T + i]) {
              sc.push(-Infinity);
              continue;
            }
            let s = 0;
            for (let d = 0; d < D; d++) s += q[qi + d]! * k[((b * T + j) * Hkv + hk) * D + d]!;
            s /= Math.sqrt(D);
            sc.push(s);
            mx = Math.max(mx, s);
          }
          let z = 0;
          for (const s of sc) z += Math.exp(s - mx);
          for (let j = 0; j <= i; j++) {
            const w = Math.exp(sc[j]! - mx) / z;
            if (w === 0) continue;
            for (let d = 0; d < D; d++) att[qi + d] = att[qi + d]! + w * v[((b * T + j) * Hkv + hk) * D + d]!;
          }
        }
    const o = linear(att, p("self_attn.o_proj.weight"), null, N, Hq * D, C);
    for (let i = 0; i < N * C; i++) h[i] = h[i]! + o[i]!;
    const x2 = rmsnorm(h, p("post_attention_layernorm.weight"), N, C, eps);
    const gate = linear(x2, p("mlp.gate_proj.weight"), null, N, C, F);
    const up = linear(x2, p("mlp.up_proj.weight"), null, N, C, F);
    const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]!);
    const down = linear(act, p("mlp.down_proj.weight"), null, N, F, C);
    h = h.map((hv, i) => hv + down[i]!);
    hidden.push(h.slice());
  }
  const normed = rmsnorm(h, param("model.norm.weight"), N, C, eps);
  hidden[hidden.length - 1] = normed;
  const logits = linear(normed, param(c.tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight"), null, N, C, V);
  return { hidden, logits };
}
