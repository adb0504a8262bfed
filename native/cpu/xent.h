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
XentResult lmhead_xent(const float* x, const float* W, const int32_t* labels, int N, int C, int V,
                       float grad_scale, float* dx, float* dW, float* token_loss, int chunk);

}  // namespace mt::cpu
