// LM head fused with cross-entropy. Logits x @ W^T are computed a chunk of
// tokens at a time, so the N x V logits never exist whole.
#pragma once
#include <cstdint>

namespace mt::cpu {

struct XentResult {
  double loss_sum;  // sum over counted tokens of -log p(label)
  int64_t count;    // tokens whose label != -100
};

// x [N, C], W [V, C], labels [N] (-100 = ignore; others must be in [0, V)).
// If dx != nullptr: dx[N, C] is WRITTEN with grad_scale * d(loss_sum)/dx and
// dW[V, C] is ADDED grad_scale * d(loss_sum)/dW (dW may be nullptr to skip).
// token_loss [N] (optional) receives each token's loss (0 for ignored).
// chunk: tokens per chunk (0 = choose).
// Notes: gradients are formed when dx or dW is non-null (dx == dW == nullptr is
// eval mode; dW alone is allowed). chunk counts only non-ignored tokens; 0
// picks clamp(2^23 / V, 128, 1024) rounded down to a multiple of 16 (about 32 MB
// of fp32 logits scratch; 256 rows for V = 32000). All labels are validated
// before anything is written (a bad label throws naming its index, leaving dW
// untouched). dx and dW must not overlap x, W or each other. Call from outside
// any OpenMP parallel region: the GEMMs parallelise themselves. loss_sum is
// summed in token order: run-to-run deterministic.
XentResult lmhead_xent(const float* x, const float* W, const int32_t* labels, int N, int C, int V,
                       float grad_scale, float* dx, float* dW, float* token_loss, int chunk);

}  // namespace mt::cpu
