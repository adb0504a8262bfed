// The Llama-family decoder as an ONNX graph with a KV cache, in two variants
// with one I/O contract (design.md, "ONNX export"):
//
//   plain: standard opset-17 ops only (MatMul/Softmax attention, RMSNorm and
//          rotary spelled out). Runs on any execution provider.
//   fused: ONNX Runtime's contrib ops: SimplifiedLayerNormalization and
//          SkipSimplifiedLayerNormalization (RMSNorm with the residual add),
//          RotaryEmbedding, GroupQueryAttention, and one MatMul each for
//          q/k/v and gate/up.
//
// Inputs:  input_ids [batch, seq] int64, attention_mask [batch, past+seq] int64,
//          past_key_values.N.key|value [batch, kv_heads, past, head_dim] float32.
// Outputs: logits [batch, seq, vocab] float32, present.N.key|value (past + new) float32.
// Weights and activations are in the graph's float type; the cache and the
// logits cross the boundary as float32 (the cache is cast inside), so callers
// never handle half types, which onnxruntime-node cannot hold for bf16.
//
// Positions come from the mask (cumsum - 1), so left padding works. Padding
// keys get the type's lowest finite value: a fully masked padding row stays
// finite. GroupQueryAttention reads its cache as right-padded (valid keys are
// 0..seqlens_k[b]), so it is given every row as full length and the padding
// goes in through attention_bias (fp32 graphs; the CUDA kernel has no
// attention_bias, so half-precision graphs send padded calls to the
// MatMul/Softmax branch of an If); rotary runs outside it, because its own
// rotary derives positions from seqlens_k, not from the mask.
import type { EngineConfig } from "../model/config.js";
import { DT, ELEM_TYPE, GraphBuilder, LOWEST, MS_DOMAIN, valueInfo, type FloatType, type ValueInfoProto } from "./onnx-graph.js";

export type GraphOps = "plain" | "fused";
export type AttentionKind = "GroupQueryAttention" | "MatMul-Softmax";

/** inv_freq as native/cpu/rope.cpp (and transformers) compute it: in double, rounded once to float. */
export function ropeInvFreq(c: EngineConfig): Float32Array {
  const D = c.head_dim, sc = c.rope_scaling;
  const out = new Float32Array(D / 2);
  for (let i = 0; i < D / 2; i++) {
    let f = 1 / Math.pow(c.rope_theta, (2 * i) / D);
    if (sc?.rope_type === "linear") f /= sc.factor;
    else if (sc?.rope_type === "llama3") {
      const oldCtx = sc.original_max_position_embeddings;
      const lowWavelen = oldCtx / sc.low_freq_factor, highWavelen = oldCtx / sc.high_freq_factor;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen > lowWavelen) f = f / sc.factor;
      else if (!(wavelen < highWavelen)) {
        const smooth = (oldCtx / wavelen - sc.low_freq_factor) / (sc.high_freq_factor - sc.low_freq_factor);
        f = ((1 - smooth) * f) / sc.factor + smooth * f;
      }
    }
    out[i] = f;
  }
  return out;
}

/** GroupQueryAttention's CPU kernel needs head_dim % 8 == 0; other sizes keep the MatMul/Softmax attention. */
export function attentionKind(c: EngineConfig, ops: GraphOps): AttentionKind {
  return ops === "fused" && c.head_dim % 8 === 0 ? "GroupQueryAttention" : "MatMul-Softmax";
}

/** The checkpoint's parameters as float32 (HF layout: Linear weights [out, in]). */
export type ReadWeight = (name: string) => Float32Array;

export interface DecoderGraph {
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  attention: AttentionKind;
}

/** [rows, cols] row-major -> [cols, rows], so MatMul(x, W^T) needs no Transpose node. */
function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/** Stacks HF Linear weights [out_i, in] into one MatMul weight [in, sum(out_i)]. */
function stackLinear(parts: { w: Float32Array; out: number }[], inDim: number): Float32Array {
  const total = parts.reduce((a, p) => a + p.out, 0);
  const res = new Float32Array(inDim * total);
  let col0 = 0;
  for (const { w, out } of parts) {
    for (let o = 0; o < out; o++) for (let i = 0; i < inDim; i++) res[i * total + col0 + o] = w[o * inDim + i]!;
    col0 += out;
  }
  return res;
}

/**
 * Adds the decoder to `g`. `onLayer` is called after each layer (progress);
 * weights are read one at a time, so a large model never sits in memory twice.
 */
export function buildDecoder(g: GraphBuilder, c: EngineConfig, read: ReadWeight, ops: GraphOps, dtype: FloatType, onLayer?: (l: number) => void): DecoderGraph {
  const H = c.hidden_size, nH = c.num_attention_heads, KV = c.num_key_value_heads, D = c.head_dim;
  const V = c.vocab_size, I = c.intermediate_size, L = c.num_hidden_layers;
  const attention = attentionKind(c, ops);
  const fused = ops === "fused";
  const half = dtype !== "fp32";
  const matW = (name: string, rows: number, cols: number) => g.weight(name, transpose2d(read(name), rows, cols), [cols, rows], dtype);
  const vecW = (name: string, n: number) => g.weight(name, read(name), [n], dtype);

  // RMSNorm. Plain: x * 1/sqrt(mean(x^2) + eps) * w as the engine and transformers do it; half types
  // normalise in fp32 (x^2 overflows fp16 from |x| > 256), as transformers' LlamaRMSNorm does.
  let eps = "";
  const plainRmsNorm = (x: string, w: string): string => {
    eps ||= g.constF([c.rms_norm_eps], "fp32", []);
    const x32 = g.cast(x, dtype, "fp32");
    const ms = g.op1("ReduceMean", [g.op1("Mul", [x32, x32])], { axes: [-1], keepdims: 1 });
    const inv = g.op1("Reciprocal", [g.op1("Sqrt", [g.op1("Add", [ms, eps])])]);
    return g.op1("Mul", [g.cast(g.op1("Mul", [x32, inv]), "fp32", dtype), w]);
  };
  // Fused: stash_type 1 computes in fp32 whatever the input type.
  const normAttrs = { epsilon: { f: c.rms_norm_eps }, axis: -1, stash_type: 1 };
  const fusedRmsNorm = (x: string, w: string): string => g.op1("SimplifiedLayerNormalization", [x, w], normAttrs);
  /** RMSNorm of `residual + x`; returns [normed, residual + x]. */
  const addNorm = (x: string, residual: string, w: string): [string, string] => {
    if (!fused) {
      const sum = g.op1("Add", [residual, x]);
      return [plainRmsNorm(sum, w), sum];
    }
    const [normed, , , sum] = g.op(
      "SkipSimplifiedLayerNormalization",
      [x, residual, w],
      { epsilon: { f: c.rms_norm_eps } },
      { nOut: 4, domain: MS_DOMAIN },
    ) as [string, string, string, string];
    return [normed, sum];
  };
  const rmsNorm = fused ? fusedRmsNorm : plainRmsNorm;

  // Sequence lengths and positions.
  const ids = "input_ids", mask = "attention_mask";
  const idsShape = g.op1("Shape", [ids]);
  const seqLen = g.op1("Gather", [idsShape, g.constI64([1], [])], { axis: 0 }); // S (scalar)
  const totLen = g.op1("Gather", [g.op1("Shape", [mask]), g.constI64([1], [])], { axis: 0 }); // T (scalar)
  const pastLen = g.op1("Sub", [totLen, seqLen]);
  const posAll = g.op1("Sub", [g.op1("CumSum", [mask, g.constI64([1], [])]), g.constI64([1], [])]);
  const pos = g.op1("Slice", [posAll, g.op1("Unsqueeze", [pastLen, g.constI64([0])]), g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]);
  // angle = float(pos) * inv_freq in float32, as the engine does.
  const posF = g.op1("Unsqueeze", [g.op1("Cast", [pos], { to: DT.FLOAT }), g.constI64([2])]);
  const angle = g.op1("Mul", [posF, g.constF(ropeInvFreq(c), "fp32")]); // [B,S,D/2]
  const cosH = g.op1("Cos", [angle]), sinH = g.op1("Sin", [angle]);

  let rope: (x: string, heads: number) => string;
  if (fused) {
    // RotaryEmbedding looks positions up in a cos/sin table; the table here holds one row per token of
    // this call (row b*S + s), so positions are unbounded and match the plain graph's angles exactly.
    const cosT = g.cast(g.op1("Reshape", [cosH, g.constI64([-1, D / 2])]), "fp32", dtype);
    const sinT = g.cast(g.op1("Reshape", [sinH, g.constI64([-1, D / 2])]), "fp32", dtype);
    const rowIds = g.op1("Reshape", [g.op1("Range", [g.constI64([0], []), g.op1("Size", [ids]), g.constI64([1], [])]), idsShape]);
    rope = (x, heads) => g.op1("RotaryEmbedding", [x, rowIds, cosT, sinT], { num_heads: heads, interleaved: 0 }, MS_DOMAIN);
  } else {
    // [B,1,S,D]: cos/sin duplicated over both halves, applied to [B,heads,S,D].
    const toHeads = (t: string) => g.cast(g.op1("Unsqueeze", [g.op1("Concat", [t, t], { axis: -1 }), g.constI64([1])]), "fp32", dtype);
    const cos = toHeads(cosH), sin = toHeads(sinH);
    const halves = g.constI64([D / 2, D / 2]);
    rope = (x) => {
      const [x1, x2] = g.op("Split", [x, halves], { axis: -1 }, { nOut: 2 }) as [string, string];
      const rot = g.op1("Concat", [g.op1("Neg", [x2]), x1], { axis: -1 });
      return g.op1("Add", [g.op1("Mul", [x, cos]), g.op1("Mul", [rot, sin])]);
    };
  }

  // Masks. MatMul/Softmax: allowed[b,1,1,s,t] = key t is not padding and not after query s (query s sits at past + s).
  // GroupQueryAttention applies causality itself and takes the padding as an additive bias [B,1,S,T].
  const keyOk = g.op1("Cast", [mask], { to: DT.BOOL }); // [B,T]
  const keyIdx = g.op1("Range", [g.constI64([0], []), totLen, g.constI64([1], [])]);
  const qIdx = g.op1("Range", [pastLen, totLen, g.constI64([1], [])]);
  const causal = g.op1("LessOrEqual", [g.op1("Unsqueeze", [keyIdx, g.constI64([0])]), g.op1("Unsqueeze", [qIdx, g.constI64([1])])]); // [S,T]
  const allowed = g.op1("And", [causal, g.op1("Unsqueeze", [keyOk, g.constI64([1, 2, 3])])]); // [B,1,1,S,T]
  const lowest32 = g.constF([LOWEST.fp32], "fp32", []);
  const scale = g.constF([1 / Math.sqrt(D)], "fp32", []);
  // GroupQueryAttention serves a call unless `viaMatMul` is true (then the MatMul/Softmax branch does):
  //  - every graph: batched multi-token steps after a past (chunked prefill of a batch), which the CPU
  //    kernel refuses;
  //  - half-precision graphs (built for the CUDA provider, whose kernel refuses attention_bias): any
  //    padding in the mask, and multi-token steps after a past; fp32 graphs pass the padding as the bias.
  let gqaBias = "", seqlensK = "", totalI32 = "", viaMatMul = "";
  if (attention === "GroupQueryAttention") {
    const batch = g.op1("Slice", [idsShape, g.constI64([0]), g.constI64([1]), g.constI64([0])]); // [1] = B
    // Every row at full length: the cache keeps the mask's layout, padding included (fp32 graphs mask it
    // with the bias; half-precision graphs never send a padded call here).
    seqlensK = g.op1("Cast", [g.op1("Expand", [g.op1("Sub", [totLen, g.constI64([1], [])]), batch])], { to: DT.INT32 });
    totalI32 = g.op1("Cast", [totLen], { to: DT.INT32 });
    const zero = g.constI64([0], []), one = g.constI64([1], []);
    const chunkAfterPast = g.op1("And", [g.op1("Greater", [seqLen, one]), g.op1("Greater", [pastLen, zero])]);
    if (!half) {
      const biasShape = g.op1("Concat", [batch, g.constI64([1]), g.op1("Unsqueeze", [seqLen, g.constI64([0])]), g.op1("Unsqueeze", [totLen, g.constI64([0])])], { axis: 0 });
      const bias1 = g.op1("Where", [g.op1("Unsqueeze", [keyOk, g.constI64([1, 2])]), g.constF([0], dtype, []), g.constF([LOWEST[dtype]], dtype, [])]); // [B,1,1,T]
      gqaBias = g.op1("Expand", [bias1, biasShape]);
      viaMatMul = g.op1("And", [g.op1("Greater", [g.op1("Squeeze", [batch, g.constI64([0])]), one]), chunkAfterPast]);
    } else {
      const padded = g.op1("Equal", [g.op1("ReduceMin", [mask], { keepdims: 0 }), zero]);
      viaMatMul = g.op1("Or", [padded, chunkAfterPast]);
    }
  }
  const rep = nH / KV;
  /** MatMul/Softmax attention of [B,n,S,D] heads after the past; [output [B,S,nH*D], key cache, value cache] in dtype. */
  const matmulAttention = (qh: string, kh: string, vh: string, pastKc: string, pastVc: string, presentNames?: [string, string]): [string, string, string] => {
    const kAll = g.op("Concat", [pastKc, kh], { axis: 2 }, { outputs: presentNames && [presentNames[0]] })[0]!;
    const vAll = g.op("Concat", [pastVc, vh], { axis: 2 }, { outputs: presentNames && [presentNames[1]] })[0]!;
    // GQA without copying K/V: the query heads grouped as [B,KV,rep,S,D], K/V broadcast as [B,KV,1,T,D]
    // (query head j uses kv head j / rep, as transformers' repeat_kv). Scores and softmax in fp32.
    const qg = g.op1("Reshape", [qh, g.constI64([0, KV, rep, -1, D])]);
    const kT = g.op1("Unsqueeze", [g.op1("Transpose", [kAll], { perm: [0, 1, 3, 2] }), g.constI64([2])]);
    const vg = g.op1("Unsqueeze", [vAll, g.constI64([2])]);
    const scores = g.op1("Mul", [g.cast(g.op1("MatMul", [qg, kT]), dtype, "fp32"), scale]);
    const probs = g.cast(g.op1("Softmax", [g.op1("Where", [allowed, scores, lowest32])], { axis: -1 }), "fp32", dtype);
    const attn = g.op1("Reshape", [g.op1("MatMul", [probs, vg]), g.constI64([0, nH, -1, D])]); // [B,nH,S,D]
    return [g.op1("Reshape", [g.op1("Transpose", [attn], { perm: [0, 2, 1, 3] }), g.constI64([0, 0, nH * D])]), kAll, vAll];
  };

  const inputs = [valueInfo(ids, DT.INT64, ["batch", "seq"]), valueInfo(mask, DT.INT64, ["batch", "total_seq"])];
  const outputs: ValueInfoProto[] = [];
  const heads = (x: string, n: number) => g.op1("Transpose", [g.op1("Reshape", [x, g.constI64([0, 0, n, D])])], { perm: [0, 2, 1, 3] }); // [B,n,S,D]
  const headNorm = (x: string, n: number, w: string) =>
    g.op1("Reshape", [fusedRmsNorm(g.op1("Reshape", [x, g.constI64([0, 0, n, D])]), w), g.constI64([0, 0, n * D])]);

  let x = g.op1("Gather", [g.weight("model.embed_tokens.weight", read("model.embed_tokens.weight"), [V, H], dtype), ids], { axis: 0 });
  let h = rmsNorm(x, vecW("model.layers.0.input_layernorm.weight", H));
  let mlpOut = "";
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}.`;
    if (l > 0) [h, x] = addNorm(mlpOut, x, vecW(p + "input_layernorm.weight", H));

    const pastK = `past_key_values.${l}.key`, pastV = `past_key_values.${l}.value`;
    const presentK = `present.${l}.key`, presentV = `present.${l}.value`;
    inputs.push(valueInfo(pastK, DT.FLOAT, ["batch", KV, "past_seq", D]), valueInfo(pastV, DT.FLOAT, ["batch", KV, "past_seq", D]));
    outputs.push(valueInfo(presentK, DT.FLOAT, ["batch", KV, "total_seq", D]), valueInfo(presentV, DT.FLOAT, ["batch", KV, "total_seq", D]));
    // In fp32 graphs the producing node writes the output itself (an Identity would copy the cache each step).
    const emit = (name: string, value: string) => void (half && g.named(name, "Cast", [value], { to: DT.FLOAT }));

    // q, k, v as [B,S,n*D].
    let q: string, k: string, v: string;
    if (fused) {
      const parts = (["q", "k", "v"] as const).map((kind) => ({ w: read(`${p}self_attn.${kind}_proj.weight`), out: (kind === "q" ? nH : KV) * D }));
      let qkv = g.op1("MatMul", [h, g.weight(`${p}self_attn.qkv_proj.weight`, stackLinear(parts, H), [H, (nH + 2 * KV) * D], dtype)]);
      if (c.attention_bias) {
        const b = new Float32Array((nH + 2 * KV) * D);
        b.set(read(`${p}self_attn.q_proj.bias`), 0);
        b.set(read(`${p}self_attn.k_proj.bias`), nH * D);
        b.set(read(`${p}self_attn.v_proj.bias`), (nH + KV) * D);
        qkv = g.op1("Add", [qkv, g.weight(`${p}self_attn.qkv_proj.bias`, b, [b.length], dtype)]);
      }
      [q, k, v] = g.op("Split", [qkv, g.constI64([nH * D, KV * D, KV * D])], { axis: -1 }, { nOut: 3 }) as [string, string, string];
      if (c.qk_norm) {
        q = headNorm(q, nH, vecW(p + "self_attn.q_norm.weight", D));
        k = headNorm(k, KV, vecW(p + "self_attn.k_norm.weight", D));
      }
      q = rope(q, nH);
      k = rope(k, KV);
    } else {
      const proj = (kind: "q" | "k" | "v", out: number) => {
        const y = g.op1("MatMul", [h, matW(`${p}self_attn.${kind}_proj.weight`, out, H)]);
        return c.attention_bias ? g.op1("Add", [y, vecW(`${p}self_attn.${kind}_proj.bias`, out)]) : y;
      };
      [q, k, v] = [proj("q", nH * D), proj("k", KV * D), proj("v", KV * D)];
    }

    let attnOut: string; // [B,S,nH*D]
    const pastKc = g.cast(pastK, "fp32", dtype), pastVc = g.cast(pastV, "fp32", dtype);
    // fp32 graphs name the producing node's outputs; half graphs cast them to the float32 outputs.
    const names = half ? undefined : [`attn_${l}`, presentK, presentV];
    if (attention === "GroupQueryAttention") {
      const typed = (n: string) => ({ name: n, elemType: ELEM_TYPE[dtype] });
      const matmulBranch = g.subgraph(`attention_${l}_matmul`, () => {
        return matmulAttention(heads(q, nH), heads(k, KV), heads(v, KV), pastKc, pastVc).map(typed);
      });
      const gqaBranch = g.subgraph(`attention_${l}_gqa`, () =>
        g.op("GroupQueryAttention", [q, k, v, pastKc, pastVc, seqlensK, totalI32, ...(gqaBias ? ["", "", "", gqaBias] : [])], { num_heads: nH, kv_num_heads: KV }, { nOut: 3, domain: MS_DOMAIN }).map(typed),
      );
      const [o, pk, pv] = g.ifElse(viaMatMul, matmulBranch, gqaBranch, names) as [string, string, string];
      attnOut = o;
      emit(presentK, pk);
      emit(presentV, pv);
    } else {
      let qh = heads(q, nH), kh = heads(k, KV);
      const vh = heads(v, KV);
      if (!fused) {
        if (c.qk_norm) {
          qh = plainRmsNorm(qh, vecW(p + "self_attn.q_norm.weight", D));
          kh = plainRmsNorm(kh, vecW(p + "self_attn.k_norm.weight", D));
        }
        qh = rope(qh, nH);
        kh = rope(kh, KV);
      }
      const [o, pk, pv] = matmulAttention(qh, kh, vh, pastKc, pastVc, half ? undefined : [presentK, presentV]);
      attnOut = o;
      emit(presentK, pk);
      emit(presentV, pv);
    }
    const [h2, x2] = addNorm(g.op1("MatMul", [attnOut, matW(p + "self_attn.o_proj.weight", H, nH * D)]), x, vecW(p + "post_attention_layernorm.weight", H));
    x = x2;

    let gate: string, up: string;
    if (fused) {
      const gu = stackLinear([{ w: read(p + "mlp.gate_proj.weight"), out: I }, { w: read(p + "mlp.up_proj.weight"), out: I }], H);
      [gate, up] = g.op("Split", [g.op1("MatMul", [h2, g.weight(p + "mlp.gate_up_proj.weight", gu, [H, 2 * I], dtype)]), g.constI64([I, I])], { axis: -1 }, { nOut: 2 }) as [string, string];
    } else {
      gate = g.op1("MatMul", [h2, matW(p + "mlp.gate_proj.weight", I, H)]);
      up = g.op1("MatMul", [h2, matW(p + "mlp.up_proj.weight", I, H)]);
    }
    const act = g.op1("Mul", [g.op1("Mul", [gate, g.op1("Sigmoid", [gate])]), up]);
    mlpOut = g.op1("MatMul", [act, matW(p + "mlp.down_proj.weight", H, I)]);
    onLayer?.(l);
  }
  const [xn] = addNorm(mlpOut, x, vecW("model.norm.weight", H));
  // Tied: transpose the embedding in the graph (ORT folds it at load) instead of storing a second copy.
  const lmHead = c.tie_word_embeddings ? g.op1("Transpose", ["model.embed_tokens.weight"], { perm: [1, 0] }) : matW("lm_head.weight", V, H);
  const logits = g.op("MatMul", [xn, lmHead], {}, { outputs: half ? undefined : ["logits"] })[0]!;
  if (half) g.named("logits", "Cast", [logits], { to: DT.FLOAT });
  outputs.unshift(valueInfo("logits", DT.FLOAT, ["batch", "seq", V]));
  return { inputs, outputs, attention };
}
