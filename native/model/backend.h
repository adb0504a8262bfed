// The training backend interface: what a device-resident implementation of
// the Llama-family model provides to the bindings. The CUDA model
// (model/cuda_llama.h) implements it. The CPU LlamaModel (model/llama.h) has
// the same operations under the same names and semantics (loss = mean over
// the step's target tokens, AdamW as PyTorch's, the same parameter names and
// layout) and is kept as it is, so its numbers stay bit-identical.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "model/llama.h"

namespace mt {

struct BackendMemory {
  size_t weights_bytes = 0;      // master weights, bf16 copy, gradients, AdamW moments
  size_t activations_bytes = 0;  // activations and workspaces for the current (B, T)
  size_t free_bytes = 0, total_bytes = 0;  // the device's, after the plan was allocated
};

class TrainBackend {
 public:
  virtual ~TrainBackend() = default;
  virtual const char* device() const = 0;  // "cuda" or "emulated"
  virtual const LlamaConfig& config() const = 0;
  virtual const std::vector<ParamInfo>& params() const = 0;
  virtual const ParamInfo& param(const std::string& name) const = 0;
  virtual size_t num_params() const = 0;
  // fp32 copies in and out (the master weights; setting one refreshes its bf16 copy).
  virtual void get_param(const std::string& name, float* out) const = 0;
  virtual void set_param(const std::string& name, const float* in) = 0;
  virtual void get_grad(const std::string& name, float* out) const = 0;
  virtual void get_adam(const std::string& name, float* m, float* v) const = 0;
  virtual void set_adam(const std::string& name, const float* m, const float* v) = 0;
  virtual long step_count() const = 0;
  virtual void set_step_count(long s) = 0;
  // The CPU model's initialisation (same values for the same seed and std).
  virtual void init_weights(uint64_t seed, float std) = 0;
  virtual cpu::XentResult eval_loss(const Batch& b, int B, int T) = 0;
  // Zeroes the gradients, then the mean loss of one batch and its gradient; returns the norm in *grad_norm.
  virtual cpu::XentResult loss_and_grad(const Batch& b, int B, int T, double* grad_norm) = 0;
  // One optimizer step over micro-batches (gradient accumulation); throws
  // without touching the weights on a non-finite loss or gradient.
  virtual StepResult step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h) = 0;
  virtual BackendMemory memory() const = 0;
};

}  // namespace mt
