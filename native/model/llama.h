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
#include "model/backend.h"

namespace mt {

class LlamaModel final : public TrainBackend {
 public:
  explicit LlamaModel(const LlamaConfig& cfg);

  const char* device() const override { return "cpu"; }
  const LlamaConfig& config() const override { return cfg_; }
  const std::vector<ParamInfo>& params() const override { return infos_; }
  const ParamInfo& param(const std::string& name) const override;
  size_t num_params() const override;  // true element count (without alignment padding)
  float* param_data(const std::string& name) { return params_.data() + param(name).offset; }
  float* grad_data(const std::string& name);
  float* adam_m(const std::string& name);
  float* adam_v(const std::string& name);
  long step_count() const override { return step_; }
  void set_step_count(long s) override { step_ = s; }
  // TrainBackend's copies in and out (the pointers above are the CPU's own way).
  void get_param(const std::string& name, float* out) const override;
  void set_param(const std::string& name, const float* in) override;
  void get_grad(const std::string& name, float* out) const override;
  void get_adam(const std::string& name, float* m, float* v) const override;
  void set_adam(const std::string& name, const float* m, const float* v) override;
  BackendMemory memory() const override;

  // Linear and embedding weights ~ N(0, std), norm weights 1, biases 0.
  // (A new model is all zeros: loading a checkpoint should not pay for an init.)
  void init_weights(uint64_t seed, float std) override;

  // --- Strategies -----------------------------------------------------------
  void set_trainable(const std::string& name, bool on) override;
  void set_lr_scale(const std::string& name, float scale) override;
  // Adds LoRA factors to the targeted projections of every layer and freezes
  // every other tensor. Once per model, before any anchor or Fisher.
  void enable_lora(const LoraConfig& c) override;
  const LoraConfig& lora() const { return lora_; }
  // W + (alpha/r) B A for a checkpoint tensor (just W where it has no LoRA).
  void merged_param(const std::string& name, float* out) const override;
  // The anchor w0 := the current weights (all tensors); clear_anchor drops it
  // and its weights. anchor_weights(name) is F for EWC (1 until set).
  void set_anchor() override;
  void clear_anchor() override;
  bool has_anchor() const { return !anchor_.empty(); }
  float* anchor_weights(const std::string& name);
  void set_anchor_weights(const std::string& name, const float* w) override;
  // 1/2 sum over trainable tensors of F (w - w0)^2 (no anchor: 0).
  double anchor_distance() const override;
  // Diagonal Fisher: for each row of the batch with targets, adds the square
  // of the gradient of that row's mean token loss (the trainable tensors'
  // gradients; frozen ones add 0). Returns the rows counted. Leaves grads zero.
  int64_t accumulate_fisher(const Batch& b, int B, int T) override;
  float* fisher(const std::string& name);
  void get_fisher(const std::string& name, float* out) const override;
  void clear_fisher() override;
  // KL(p_ref || p) on every target position, weighted into the loss:
  // loss = CE + weight * KL, both means over target tokens. ref must outlive
  // its use and have the same vocabulary; nullptr or weight 0 = off.
  // A reference on another device is refused.
  void set_kl_reference(TrainBackend* ref, float weight) override;
  // Residual stream per layer, Hugging Face's output_hidden_states: entry 0 is
  // the embeddings, entry l the output of layer l, entry L the final-normed
  // output of the last layer. mean: each entry is [B, C], the mean over the
  // row's positions where mask != 0 (all positions when mask is null);
  // otherwise [B*T, C]. Throws naming a row with no masked position.
  std::vector<std::vector<float>> hidden_states(const Batch& b, int B, int T, const int32_t* mask, bool mean) override;

  // logits [B*T*V] for a batch (inference path; no activations kept for backward).
  void forward_logits(const Batch& b, int B, int T, float* logits) override;
  // Sum of token losses and target count, no gradients.
  cpu::XentResult eval_loss(const Batch& b, int B, int T) override;
  // grads += grad_scale * d(loss_sum [+ kl_weight * kl_sum])/d(params) for
  // trainable tensors. Returns the micro-batch's loss sum and count; adds its
  // KL sum to *kl_sum when given.
  cpu::XentResult forward_backward(const Batch& b, int B, int T, float grad_scale, double* kl_sum = nullptr);
  void zero_grad();
  double grad_norm() const;
  cpu::XentResult loss_and_grad(const Batch& b, int B, int T, double* grad_norm) override;
  double last_kl_sum() const override { return last_kl_sum_; }
  // One optimizer step over micro-batches (loss normalised by the step's
  // total target count); a non-finite loss or gradient norm is skipped.
  StepResult step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h) override;

  // Seconds spent per phase since the last reset (for `bench train`).
  enum Phase { kEmbedding, kNorm, kGemm, kAttnFwd, kAttnBwd, kRope, kSwiglu, kLmHead, kOptimizer, kPhases };
  static const char* phase_name(int p);
  const double* profile() const { return prof_; }
  std::vector<std::pair<std::string, double>> phase_seconds() const override;
  void reset_profile() override { std::fill(prof_, prof_ + kPhases, 0.0); }

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
  double last_kl_sum_ = 0;
  std::vector<float> norm_sink_, lora_du_, kl_logits_;

  int B_ = 0, T_ = 0;
  std::vector<Acts> acts_;
  std::vector<int32_t> pos_, seg_;
  std::vector<float> resF_, xnF_, rstdF_, tmpC_, tmpF_, dres_, dxn_, dq_, dk_, dv_, datt_, dgate_, dup_, dact_, dqr_, dkr_;
};

}  // namespace mt
