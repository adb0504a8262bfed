// The value types the Llama-family models share (CPU model/llama.h, CUDA
// model/cuda_llama.h) and the training-backend interface (model/backend.h):
// the config, the parameter table entry, LoRA settings, a micro-batch, the
// optimizer step's hyperparameters and result.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/rope.h"

namespace mt {

struct LlamaConfig {
  int vocab = 0, hidden = 0, intermediate = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0;
  float rms_eps = 1e-5f, rope_theta = 10000.f;
  cpu::RopeScaling rope_scaling;
  bool tie_embeddings = false, qkv_bias = false, qk_norm = false;
  void validate() const;  // throws mt::Error naming the field
};

struct ParamInfo {
  std::string name;
  std::vector<int64_t> shape;
  size_t offset = 0, numel = 0;
  bool trainable = true;  // false: no gradient, no Adam state or update, no decay
  float lr_scale = 1.f;   // this tensor's lr = step lr * lr_scale
  bool lora = false;      // a LoRA factor, not a checkpoint tensor
  // For a projection weight with LoRA: the offsets of its A [r, in] and B [out, r].
  size_t lora_a = SIZE_MAX, lora_b = SIZE_MAX;
};

// The projections LoRA can target, in this order (bit i of LoraConfig::targets).
enum LoraTarget { kQ, kK, kV, kO, kGate, kUp, kDown, kTargets };

struct LoraConfig {
  int rank = 0;
  float alpha = 0.f;   // the update is (alpha / rank) * B A
  unsigned targets = 0;
  uint64_t seed = 0;   // A ~ U(-1/sqrt(in), 1/sqrt(in)) (PEFT's kaiming_uniform(a=sqrt 5)); B = 0
};

// One micro-batch: B rows of T tokens. positions and segments may be empty:
// then positions restart at each document (from segments) or count 0..T-1.
struct Batch {
  std::vector<int32_t> ids, labels, positions, segments;
};

// Row r of a batch of rows of T tokens, as a batch of one (the Fisher's per-row gradients).
inline Batch batch_row(const Batch& b, int r, int T) {
  auto slice = [&](const std::vector<int32_t>& v) {
    return v.empty() ? std::vector<int32_t>() : std::vector<int32_t>(v.begin() + size_t(r) * T, v.begin() + size_t(r + 1) * T);
  };
  return {slice(b.ids), slice(b.labels), slice(b.positions), slice(b.segments)};
}

struct StepHyper {
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.f, grad_clip = 0.f;
  // L2-SP/EWC: adds anchor_weight * F * (w - w0) to each trainable tensor's
  // (clipped) gradient inside AdamW; 0 or no anchor set = off.
  float anchor_weight = 0.f;
};

struct StepResult {
  double loss = 0;          // mean cross-entropy over all target tokens of the step
  double grad_norm = 0;     // global L2 norm before clipping (trainable tensors, loss + KL terms)
  int64_t targets = 0, tokens = 0;
  double kl = 0;            // mean KL(p_ref || p) over target tokens (0 without a reference)
  double penalty = 0;       // anchor_weight/2 * sum F (w - w0)^2 at the weights before the step
  // A non-finite loss or gradient norm: the weights, AdamW moments and step
  // count were left untouched (the caller decides to stop or go on).
  bool skipped = false;
};

}  // namespace mt
