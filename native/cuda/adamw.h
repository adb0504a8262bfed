// Multi-tensor AdamW on the GPU: one launch updates many tensors. Per element,
// in the operation order of cpu/adamw.h (torch.optim.AdamW):
//   g' = g * grad_scale * clip + anchor_lambda * w * (p - p0)   (anchor optional)
//   p  = p * (1 - lr * weight_decay)
//   m  = b1 m + (1-b1) g' ; v = b2 v + (1-b2) g'^2
//   p -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
// fp32 master weights p and moments m, v; gradients fp32 or bf16; the updated
// p is also written as bf16 (p_bf16) in the same pass, rounded to nearest or
// stochastically. 28 bytes per parameter with bf16 gradients and the copy.
//
// Clipping without a host round trip: grad_sumsq writes the global sum of
// squares, grad_clip turns it into the scale min(1, max_norm / (norm + 1e-6))
// (torch.nn.utils.clip_grad_norm_) in a ClipState in device memory, and the
// update reads that scale; if the norm is not finite the update leaves every
// tensor untouched (the caller reads ClipState to find out).
#pragma once
#include <cstddef>
#include <cstdint>

#include "cuda/types.h"

namespace mt::cuda {

struct AdamWTensor {
  float* p = nullptr;           // fp32 master weights, updated
  const void* g = nullptr;      // gradient, fp32 or bf16 (g_bf16)
  bool g_bf16 = false;
  float* m = nullptr;           // first moment, updated
  float* v = nullptr;           // second moment, updated
  bf16* p_bf16 = nullptr;       // optional bf16 copy of the updated p
  const float* anchor = nullptr;    // optional p0
  const float* anchor_w = nullptr;  // optional per-element anchor weights (needs anchor)
  int64_t n = 0;
  float weight_decay = 0.f;     // 0 for tensors of fewer than 2 dims
};

struct AdamWConfig {
  float lr, beta1, beta2, eps;
  long step;                    // 1-based, after increment
  float grad_scale = 1.f;       // e.g. 1/targets; multiplied by the clip scale
  float anchor_lambda = 0.f;
  bool stochastic_rounding = false;  // for p_bf16
  uint64_t seed = 0;            // stochastic rounding: same seed, step and layout -> same bits
};

// In device memory; written by grad_clip, read by adamw_update.
struct ClipState {
  double sumsq;
  double norm;
  float scale;      // the clip factor (1 when max_norm <= 0)
  int32_t finite;   // 0: the norm is Inf/NaN, the update is skipped
};

// Simple: one element a thread, one launch per tensor. Fast: 16-byte
// accesses where a tensor's pointers allow, up to kAdamWBatch tensors a launch.
constexpr int kAdamWBatch = 24;

// clip may be nullptr (scale 1, always applied).
void adamw_update(const AdamWTensor* tensors, int count, const AdamWConfig& cfg, const ClipState* clip,
                  Impl impl = Impl::Fast, Stream s = nullptr);

// Sum of squares of every gradient (in double), into clip->sumsq, with the
// derived norm, scale and finiteness. Deterministic (fixed block partition and
// summation order). workspace: grad_sumsq_workspace_bytes(...) bytes.
size_t grad_sumsq_workspace_bytes(const AdamWTensor* tensors, int count);
void grad_clip(const AdamWTensor* tensors, int count, float max_norm, ClipState* clip, void* workspace,
               size_t workspace_bytes, Stream s = nullptr);

}  // namespace mt::cuda
