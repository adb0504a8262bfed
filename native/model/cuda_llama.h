// The Llama-family decoder on the CUDA kernels (native/cuda): bf16 weights
// and activations, fp32 master weights, gradients and AdamW moments, fp32
// accumulation everywhere. One device memory plan: the weight state is
// allocated with the model, the activations and workspaces for (B, T) at the
// first step with that shape, and both are reused by every later step.
// Not yet on the GPU (they throw, naming what is missing): LoRA, activation
// recompute, frozen tensors, per-tensor LR scales, anchors, Fisher, KL.
#pragma once
#include <map>
#include <memory>

#include "cuda/adamw.h"
#include "model/backend.h"

namespace mt {

class CudaLlama final : public TrainBackend {
 public:
  explicit CudaLlama(const LlamaConfig& cfg);
  ~CudaLlama() override;
  CudaLlama(const CudaLlama&) = delete;
  CudaLlama& operator=(const CudaLlama&) = delete;

  const char* device() const override;
  const LlamaConfig& config() const override { return cfg_; }
  const std::vector<ParamInfo>& params() const override { return infos_; }
  const ParamInfo& param(const std::string& name) const override;
  size_t num_params() const override;
  void get_param(const std::string& name, float* out) const override;
  void set_param(const std::string& name, const float* in) override;
  void get_grad(const std::string& name, float* out) const override;
  void get_adam(const std::string& name, float* m, float* v) const override;
  void set_adam(const std::string& name, const float* m, const float* v) override;
  long step_count() const override { return step_; }
  void set_step_count(long s) override { step_ = s; }
  void init_weights(uint64_t seed, float std) override;
  cpu::XentResult eval_loss(const Batch& b, int B, int T) override;
  cpu::XentResult loss_and_grad(const Batch& b, int B, int T, double* grad_norm) override;
  StepResult step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h) override;
  BackendMemory memory() const override;

 private:
  struct Layer {
    size_t wq, wk, wv, wo, bq, bk, bv, qn, kn, wg, wu, wd, ln1, ln2;
  };
  struct Acts;       // device pointers into the activation arena
  struct StepStats;  // loss, anchor distance and clip state in device memory
  void add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot);
  void plan(int B, int T);
  void upload(const Batch& b, int B, int T, bool labels);
  void forward(int B, int T);
  void backward(int B, int T, float grad_scale);
  void zero_loss();
  StepStats wait_stats(const char* what);
  std::vector<cuda::AdamWTensor> adam_tensors(float weight_decay) const;

  LlamaConfig cfg_;
  std::vector<ParamInfo> infos_;
  std::map<std::string, size_t> index_;
  std::vector<Layer> layers_;
  size_t embed_ = 0, final_norm_ = 0, lm_head_ = 0, total_ = 0;
  long step_ = 0;

  // Weight state (one allocation): fp32 master, fp32 grads, m, v, bf16 copy, rope table, clip state.
  void* state_ = nullptr;
  size_t state_bytes_ = 0;
  float *master_ = nullptr, *grads_ = nullptr, *m_ = nullptr, *v_ = nullptr, *inv_freq_ = nullptr;
  void* wbf_ = nullptr;  // bf16 [total_]
  StepStats* stats_ = nullptr;
  void* clip_ws_ = nullptr;
  size_t clip_ws_bytes_ = 0;

  // Activations for (B_, T_) (one allocation).
  void* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  int B_ = 0, T_ = 0;
  std::unique_ptr<Acts> acts_;
  std::vector<int32_t> h_pos_, h_start_, h_end_;
  bool has_segments_ = false;
};

}  // namespace mt
