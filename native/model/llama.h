// A Llama-family decoder (Llama 2/3, Mistral, Qwen2/2.5/3, SmolLM) on the CPU
// kernels: forward, backward, gradient accumulation and the AdamW step.
// Parameters live in one flat buffer, addressed by Hugging Face tensor name.
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
};

// One micro-batch: B rows of T tokens. positions and segments may be empty:
// then positions restart at each document (from segments) or count 0..T-1.
struct Batch {
  std::vector<int32_t> ids, labels, positions, segments;
};

struct StepHyper {
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.f, grad_clip = 0.f;
};

struct StepResult {
  double loss = 0;          // mean over all target tokens of the step
  double grad_norm = 0;     // global L2 norm before clipping
  int64_t targets = 0, tokens = 0;
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

  // logits [B*T*V] for a batch (inference path; no activations kept for backward).
  void forward_logits(const Batch& b, int B, int T, float* logits);
  // Sum of token losses and target count, no gradients.
  cpu::XentResult eval_loss(const Batch& b, int B, int T);
  // grads += grad_scale * d(loss_sum)/d(params). Returns the micro-batch's loss sum and count.
  cpu::XentResult forward_backward(const Batch& b, int B, int T, float grad_scale);
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
  };
  struct Acts {  // activations kept for backward, per layer
    std::vector<float> res1, xn1, rstd1, qraw, kraw, rstdq, rstdk, q, k, v, att, lse, res2, xn2, rstd2, gate,
        up, act;
  };

  void add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot);
  void prepare(int B, int T);
  void fill_positions(const Batch& b, int B, int T);
  // Runs the layers; leaves the final normed hidden state in xnF_.
  void forward(const Batch& b, int B, int T, bool keep);
  const float* lm_head() const;
  float* lm_head_grad();

  LlamaConfig cfg_;
  std::vector<ParamInfo> infos_;
  std::map<std::string, size_t> index_;
  size_t total_ = 0;
  FloatBuffer params_, grads_, m_, v_;
  std::vector<Layer> layers_;
  size_t embed_ = 0, final_norm_ = 0, lm_head_ = 0;
  std::vector<float> inv_freq_;
  long step_ = 0;
  double prof_[kPhases] = {};

  int B_ = 0, T_ = 0;
  std::vector<Acts> acts_;
  std::vector<int32_t> pos_, seg_;
  std::vector<float> resF_, xnF_, rstdF_, tmpC_, tmpF_, dres_, dxn_, dq_, dk_, dv_, datt_, dgate_, dup_, dact_, dqr_, dkr_;
};

}  // namespace mt
