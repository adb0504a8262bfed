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
