// float64 reference for causal attention with grouped-query heads and packed
// documents: the naive softmax over each query's visible keys, and its
// analytic backward. Layouts as in native/cpu/attention.h.

export interface AttnRefShape {
  B: number;
  T: number;
  Hq: number;
  Hkv: number;
  D: number;
  scale: number;
}

export interface AttnRefResult {
  out: Float64Array; // [B, T, Hq, D]
  lse: Float64Array; // [B, Hq, T]
  dq: Float64Array; // [B, T, Hq, D]
  dk: Float64Array; // [B, T, Hkv, D]
  dv: Float64Array; // [B, T, Hkv, D]
}

/** Query i sees key j iff j <= i and they are in the same document (same seg id). */
export function visible(seg: Int32Array | null, T: number, b: number, i: number, j: number): boolean {
  return j <= i && (seg === null || seg[b * T + j] === seg[b * T + i]);
}

/**
 * One query row (b, h, i): its softmax weights over keys 0..i (0 where masked),
 * the output row and lse. Shared by the full reference and by spot checks.
 */
export function attentionRowRef(
  q: Float32Array, k: Float32Array, v: Float32Array, seg: Int32Array | null, s: AttnRefShape, b: number, h: number, i: number,
): { p: Float64Array; out: Float64Array; lse: number } {
  const { T, Hq, Hkv, D, scale } = s;
  const hk = Math.floor(h / (Hq / Hkv));
  const qo = ((b * T + i) * Hq + h) * D;
  const p = new Float64Array(i + 1);
  let mx = -Infinity;
  for (let j = 0; j <= i; j++) {
    if (!visible(seg, T, b, i, j)) continue;
    const ko = ((b * T + j) * Hkv + hk) * D;
    let dot = 0;
    for (let d = 0; d < D; d++) dot += q[qo + d]! * k[ko + d]!;
    p[j] = dot * scale;
    mx = Math.max(mx, p[j]!);
  }
  let sum = 0;
  for (let j = 0; j <= i; j++) {
    p[j] = visible(seg, T, b, i, j) ? Math.exp(p[j]! - mx) : 0;
    sum += p[j]!;
  }
  const out = new Float64Array(D);
  for (let j = 0; j <= i; j++) {
    p[j] = p[j]! / sum;
    if (p[j] === 0) continue;
    const vo = ((b * T + j) * Hkv + hk) * D;
    for (let d = 0; d < D; d++) out[d] += p[j]! * v[vo + d]!;
  }
  return { p, out, lse: mx + Math.log(sum) };
}

/**
 * Forward and backward for upstream gradient dout. Backward (per query row):
 * dP_ij = dout_i . v_j, D_i = sum_j P_ij dP_ij, dS_ij = P_ij (dP_ij - D_i),
 * dq_i = scale sum_j dS_ij k_j, dk_j += scale dS_ij q_i, dv_j += P_ij dout_i.
 */
export function attentionRef(
  q: Float32Array, k: Float32Array, v: Float32Array, seg: Int32Array | null, dout: Float32Array, s: AttnRefShape,
): AttnRefResult {
  const { B, T, Hq, Hkv, D, scale } = s;
  const out = new Float64Array(B * T * Hq * D), lse = new Float64Array(B * Hq * T);
  const dq = new Float64Array(B * T * Hq * D), dk = new Float64Array(B * T * Hkv * D), dv = new Float64Array(B * T * Hkv * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < Hq; h++) {
      const hk = Math.floor(h / (Hq / Hkv));
      for (let i = 0; i < T; i++) {
        const row = attentionRowRef(q, k, v, seg, s, b, h, i);
        const qo = ((b * T + i) * Hq + h) * D;
        out.set(row.out, qo);
        lse[(b * Hq + h) * T + i] = row.lse;
        const dP = new Float64Array(i + 1);
        let Di = 0;
        for (let j = 0; j <= i; j++) {
          if (row.p[j] === 0) continue;
          const vo = ((b * T + j) * Hkv + hk) * D;
          let x = 0;
          for (let d = 0; d < D; d++) x += dout[qo + d]! * v[vo + d]!;
          dP[j] = x;
          Di += row.p[j]! * x;
        }
        for (let j = 0; j <= i; j++) {
          const pj = row.p[j]!;
          if (pj === 0) continue;
          const dS = pj * (dP[j]! - Di);
          const ko = ((b * T + j) * Hkv + hk) * D;
          for (let d = 0; d < D; d++) {
            dq[qo + d] += scale * dS * k[ko + d]!;
            dk[ko + d] += scale * dS * q[qo + d]!;
            dv[ko + d] += pj * dout[qo + d]!;
          }
        }
      }
    }
  return { out, lse, dq, dk, dv };
}

/** [B, T] document ids: row b split into documents of the given lengths (ids as given, any order). */
export function packedSeg(B: number, T: number, lengths: number[][], ids: number[][]): Int32Array {
  const seg = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    let t = 0;
    lengths[b]!.forEach((len, d) => {
      for (let n = 0; n < len; n++) seg[b * T + t++] = ids[b]![d]!;
    });
    if (t !== T) throw new Error(`row ${b}: document lengths sum to ${t}, not ${T}`);
  }
  return seg;
}
