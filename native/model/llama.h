// A Llama-family decoder (Llama 2/3, Mistral, Qwen2/2.5/3, SmolLM) on the CPU
// kernels: forward, backward, gradient accumulation and the AdamW step.
// Parameters live in one flat buffer, addressed by Hugging Face tensor name.
// Preservation strategies live here too: frozen tensors, per-tensor LR
// scales, an L2-SP/EWC anchor, LoRA factors on the projections, a KL term to
// a reference model, and per-layer hidden states for representation probes.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/buffer.h"
#include "cpu/adamw.h"
#include "cpu/rope.h"
#include "cpu/xent.h"

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

class LlamaModel {
 public:
  explicit LlamaModel(const LlamaConfig& cfg);

  const LlamaConfig& config() const { return cfg_; }
  const std::vector<ParamInfo>& params() const { return infos_; }
  const ParamInfo& param(const std::string& name) const;
  size_t num_params() const;  // true element count (without alignment padding)
  float* param_data(const std::string& name) { return params_.data() + param(name).offset; }
  float* grad_data(const std::string& name);
  float* adam_m(const std::string& name);
  float* adam_v(const std::string& name);
  long step_count() const { return step_; }
  void set_step_count(long s) { step_ = s; }

  // Linear and embedding weights ~ N(0, std), norm weights 1, biases 0.
  // (A new model is all zeros: loading a checkpoint should not pay for an init.)
  void init_weights(uint64_t seed, float std);

  // --- Strategies -----------------------------------------------------------
  void set_trainable(const std::string& name, bool on);
  void set_lr_scale(const std::string& name, float scale);
  size_t num_trainable() const;
  // Adds LoRA factors to the targeted projections of every layer and freezes
  // every other tensor. Once per model, before any anchor or Fisher.
  void enable_lora(const LoraConfig& c);
  const LoraConfig& lora() const { return lora_; }
  // W + (alpha/r) B A for a checkpoint tensor (just W where it has no LoRA).
  void merged_param(const std::string& name, float* out) const;
  // The anchor w0 := the current weights (all tensors); clear_anchor drops it
  // and its weights. anchor_weights(name) is F for EWC (1 until set).
  void set_anchor();
  void clear_anchor();
  bool has_anchor() const { return !anchor_.empty(); }
  float* anchor_weights(const std::string& name);
  // 1/2 sum over trainable tensors of F (w - w0)^2 (no anchor: 0).
  double anchor_distance() const;
  // Diagonal Fisher: for each row of the batch with targets, adds the square
  // of the gradient of that row's mean token loss (the trainable tensors'
  // gradients; frozen ones add 0). Returns the rows counted. Leaves grads zero.
  int64_t accumulate_fisher(const Batch& b, int B, int T);
  float* fisher(const std::string& name);
  void clear_fisher();
  // KL(p_ref || p) on every target position, weighted into the loss:
  // loss = CE + weight * KL, both means over target tokens. ref must outlive
  // its use and have the same vocabulary; nullptr or weight 0 = off.
  void set_kl_reference(LlamaModel* ref, float weight);
  // Residual stream per layer, Hugging Face's output_hidden_states: entry 0 is
  // the embeddings, entry l the output of layer l, entry L the final-normed
  // output of the last layer. mean: each entry is [B, C], the mean over the
  // row's positions where mask != 0 (all positions when mask is null);
  // otherwise [B*T, C]. Throws naming a row with no masked position.
  std::vector<std::vector<float>> hidden_states(const Batch& b, int B, int T, const int32_t* mask, bool mean);

  // logits [B*T*V] for a batch (inference path; no activations kept for backward).
  void forward_logits(const Batch& b, int B, int T, float* logits);
  // Sum of token losses and target count, no gradients.
  cpu::XentResult eval_loss(const Batch& b, int B, int T);
  // grads += grad_scale * d(loss_sum [+ kl_weight * kl_sum])/d(params) for
  // trainable tensors. Returns the micro-batch's loss sum and count; adds its
  // KL sum to *kl_sum when given.
  cpu::XentResult forward_backward(const Batch& b, int B, int T, float grad_scale, double* kl_sum = nullptr);
  void zero_grad();
  double grad_norm() const;
  // One optimizer step over micro-batches (loss normalised by the step's
  // total target count); throws without touching the weights on a
  // non-finite loss or gradient.
  StepResult step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h);

  std::atomic<bool> busy{false};  // set while an async step runs

  // Seconds spent per phase since the last reset (for `bench train`).
  enum Phase { kEmbedding, kNorm, kGemm, kAttnFwd, kAttnBwd, kRope, kSwiglu, kLmHead, kOptimizer, kPhases };
  static const char* phase_name(int p);
  const double* profile() const { return prof_; }
  void reset_profile() { std::fill(prof_, prof_ + kPhases, 0.0); }

 private:
  struct Layer {
    size_t wq, wk, wv, wo, bq, bk, bv, qn, kn, wg, wu, wd, ln1, ln2;
    size_t proj[kTargets];  // index into infos_ of each projection weight
  };
  struct Acts {  // activations kept for backward, per layer
    std::vector<float> res1, xn1, rstd1, qraw, kraw, rstdq, rstdk, q, k, v, att, lse, res2, xn2, rstd2, gate,
        up, act;
    std::vector<float> lora_u[kTargets];  // x A^T per LoRA target [N, r]
  };

  void add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot);
  const ParamInfo& info_at(size_t offset) const;
  bool trainable_at(size_t offset) const { return info_at(offset).trainable; }
  // Gradient pointer for a tensor, or nullptr when it is frozen (its gradient is skipped).
  float* grad_or_null(size_t offset);
  // A norm weight's gradient, or a scratch sink when it is frozen.
  float* norm_grad(size_t offset, size_t n);
  // y = x W^T (+ bias) (+ (alpha/r) (x A^T) B^T), and its backward.
  void proj(const Layer& L, int t, size_t W, const float* bias, const float* x, float* y, int N, int in, int out, Acts& a);
  void proj_backward(const Layer& L, int t, size_t W, size_t bias, const float* dy, const float* x, float* dx,
                     bool accumulate_dx, int N, int in, int out, Acts& a);
  // The lowest layer the backward must reach (below it nothing is trainable).
  int backward_floor() const;
  void prepare(int B, int T);
  void fill_positions(const Batch& b, int B, int T);
  // Runs the layers; leaves the final normed hidden state in xnF_.
  void forward(const Batch& b, int B, int T, bool keep);
  const float* lm_head() const;
  float* lm_head_grad();

  LlamaConfig cfg_;
  std::vector<ParamInfo> infos_;
  std::map<std::string, size_t> index_;
  std::map<size_t, size_t> by_offset_;  // offset -> index into infos_
  size_t total_ = 0;
  FloatBuffer params_, grads_, m_, v_;
  std::vector<Layer> layers_;
  size_t embed_ = 0, final_norm_ = 0, lm_head_ = 0;
  std::vector<float> inv_freq_;
  long step_ = 0;
  double prof_[kPhases] = {};
  bool all_trainable_ = true;
  LoraConfig lora_;
  FloatBuffer anchor_, anchor_w_, fisher_;
  LlamaModel* kl_ref_ = nullptr;
  float kl_weight_ = 0.f;
  std::vector<float> norm_sink_, lora_du_, kl_logits_;

  int B_ = 0, T_ = 0;
  std::vector<Acts> acts_;
  std::vector<int32_t> pos_, seg_;
  std::vector<float> resF_, xnF_, rstdF_, tmpC_, tmpF_, dres_, dxn_, dq_, dk_, dv_, datt_, dgate_, dup_, dact_, dqr_, dkr_;
};

}  // namespace mt
