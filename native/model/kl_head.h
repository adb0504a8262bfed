// The LM head with cross-entropy plus a KL term to a reference model's
// next-token distribution (KL to a reference checkpoint, a preservation
// strategy). Chunked like cpu::lmhead_xent, so neither model's N x V logits
// exist whole.
#pragma once
#include <cstdint>

namespace mt {

struct KlHeadResult {
  double loss_sum = 0;  // sum over target tokens of -log p(label)
  double kl_sum = 0;    // sum over target tokens of KL(q || p), q the reference's distribution
  int64_t count = 0;    // target tokens (label != -100)
};

// x [N, C], W [V, C]: this model's final hidden states and LM head; xr [N, Cr],
// Wr [V, Cr]: the reference's. On target positions (label != -100), with
// p = softmax(x W^T) and q = softmax(xr Wr^T):
//   d/dlogits (loss + kl_weight * kl) = (p - onehot(label)) + kl_weight * (p - q)
// dx [N, C] is WRITTEN with grad_scale times that through W (0 on ignored
// rows); dW (nullable: frozen) is ADDED the same through x.
KlHeadResult lmhead_xent_kl(const float* x, const float* W, const float* xr, const float* Wr, const int32_t* labels,
                            int N, int C, int Cr, int V, float grad_scale, float kl_weight, float* dx, float* dW);

}  // namespace mt
