// AdamW in one pass per tensor, PyTorch semantics (torch.optim.AdamW):
//   g' = g * grad_scale + anchor_lambda * w * (p - p0)      (anchor optional)
//   p  = p * (1 - lr * weight_decay)                        (decoupled decay)
//   m  = b1 m + (1-b1) g' ; v = b2 v + (1-b2) g'^2
//   p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
// The caller passes weight_decay = 0 for tensors of fewer than 2 dims.
// grad_scale carries the global-norm clipping factor.
#pragma once
#include <cstddef>

namespace mt::cpu {

struct AdamWHyper {
  float lr, beta1, beta2, eps, weight_decay;
  long step;  // 1-based step number after increment (for bias correction)
  float grad_scale = 1.f;
  float anchor_lambda = 0.f;
};

// anchor (p0) and anchor_w may be nullptr: no anchor / w = 1 everywhere
// (anchor_w without anchor throws). The anchor term uses p before decay.
// Like PyTorch, 1 - beta, the bias corrections, lr / bc1 and 1 - lr * wd are
// formed in double, from the shortest decimal that rounds to each float
// hyperparameter (0.999f -> 0.999), so they match PyTorch's Python floats.
void adamw_update(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h,
                  const float* anchor, const float* anchor_w);

// Sum of squares in double, for global-norm clipping. Partials over fixed
// 64K-element blocks summed in order: bit-identical for any thread count.
double sum_squares(const float* x, size_t n);

// True when every value is finite.
bool all_finite(const float* x, size_t n);

}  // namespace mt::cpu
