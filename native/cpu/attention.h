// Fused causal attention, FlashAttention-style: tiles of queries against tiles
// of keys with an online softmax, so no T x T matrix is ever stored.
//
// Layouts (row-major, fp32), N = B*T tokens:
//   q, out, dout, dq : [B, T, Hq, D]
//   k, v, dk, dv     : [B, T, Hkv, D]   (Hq % Hkv == 0; query head h reads kv head h / (Hq/Hkv))
//   seg              : [B, T] int32 document ids, or nullptr for one document per row.
//                      Query i attends key j iff j <= i and seg[j] == seg[i].
//   lse              : [B, Hq, T] log-sum-exp of the scaled scores, saved for backward.
// A row with no visible key cannot happen (every token sees itself).
//
// Contract details (attention.cpp):
//  - Each document must be one contiguous run of positions within its row (ids
//    need not be sorted or distinct across rows); a repeated id in a later run
//    throws mt::Error. Masked keys contribute exact zeros: an output never
//    depends, by even one ulp, on keys of another document.
//  - Results are bit-identical run to run and for any thread count; a row's
//    results do not depend on the other rows of the batch.
//  - Memory: O(64 x 64 + 64 x D) floats of scratch per thread, plus B*T ints and
//    (backward) B*Hq*T floats; no T x T buffer. Outputs must not overlap inputs.
//  - Fastest when D is a multiple of the SIMD width (16 floats with AVX-512);
//    any D in [1, 256] is correct.
//  - Both functions parallelise internally with OpenMP: call them from outside
//    any parallel region.
#pragma once
#include <cstdint>

namespace mt::cpu {

struct AttnShape {
  int B, T, Hq, Hkv, D;
};

void attention_forward(const float* q, const float* k, const float* v, const int32_t* seg,
                       float* out, float* lse, const AttnShape& s, float scale);

// Writes (overwrites) dq, dk, dv.
void attention_backward(const float* q, const float* k, const float* v, const int32_t* seg,
                        const float* out, const float* dout, const float* lse, float* dq, float* dk,
                        float* dv, const AttnShape& s, float scale);

}  // namespace mt::cpu
