// The training backend interface: one Llama-family model on one device, as the
// bindings (napi/bind_model.cpp) see it. The CPU model (model/llama.h) and the
// CUDA model (model/cuda_llama.h) implement it, with the same parameter names
// and layout, loss (the mean over the step's target tokens) and AdamW (as
// PyTorch's). The preservation strategies' controls have defaults that throw
// "... is not on the <device> backend", so a device gains them one at a time
// and a user always gets a sentence, never a missing method.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "cpu/xent.h"
#include "model/model_types.h"

namespace mt {

struct BackendMemory {
  size_t weights_bytes = 0;      // master weights, bf16 copy, gradients, AdamW moments (and strategy state)
  size_t activations_bytes = 0;  // activations and workspaces for the current (B, T)
  size_t peak_bytes = 0;         // the most device memory in use seen at the end of a step (0 where not measured)
  size_t free_bytes = 0, total_bytes = 0;  // the device's now (0 on the CPU)
};

class TrainBackend {
 public:
  virtual ~TrainBackend() = default;
  virtual const char* device() const = 0;  // "cpu", "cuda" or "emulated"
  virtual const LlamaConfig& config() const = 0;
  // Every tensor, checkpoint tensors and LoRA factors (ParamInfo::lora).
  virtual const std::vector<ParamInfo>& params() const = 0;
  virtual const ParamInfo& param(const std::string& name) const = 0;
  virtual size_t num_params() const = 0;
  // fp32 copies in and out (on the GPU: the master weights; setting one refreshes its bf16 copy).
  virtual void get_param(const std::string& name, float* out) const = 0;
  virtual void set_param(const std::string& name, const float* in) = 0;
  virtual void get_grad(const std::string& name, float* out) const = 0;
  virtual void get_adam(const std::string& name, float* m, float* v) const = 0;
  virtual void set_adam(const std::string& name, const float* m, const float* v) = 0;
  virtual long step_count() const = 0;
  virtual void set_step_count(long s) = 0;
  // The CPU model's counter-based initialisation (same values for the same seed and std on every device).
  virtual void init_weights(uint64_t seed, float std) = 0;
  virtual cpu::XentResult eval_loss(const Batch& b, int B, int T) = 0;
  // Zeroes the gradients, then the mean loss of one batch and its gradient; returns the norm in *grad_norm.
  virtual cpu::XentResult loss_and_grad(const Batch& b, int B, int T, double* grad_norm) = 0;
  // The KL sum of the last loss_and_grad (0 without a KL reference).
  virtual double last_kl_sum() const { return 0; }
  // One optimizer step over micro-batches (gradient accumulation). A
  // non-finite loss or gradient norm returns skipped = true with the weights,
  // moments and step count untouched.
  virtual StepResult step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h) = 0;
  virtual BackendMemory memory() const = 0;
  // Seconds per phase since the last reset (for `bench train`); empty where not measured.
  virtual std::vector<std::pair<std::string, double>> phase_seconds() const { return {}; }
  virtual void reset_profile() {}

  // --- Memory plan -----------------------------------------------------------
  // Keep only each layer's input for backward and recompute the layer there.
  virtual void set_recompute(bool on);
  virtual bool recompute() const { return false; }

  // --- Inference and probes --------------------------------------------------
  // logits [B*T*V] (fp32) for a batch; no activations kept for backward.
  virtual void forward_logits(const Batch& b, int B, int T, float* logits);
  // Residual stream per layer as Hugging Face's output_hidden_states (see model/llama.h).
  virtual std::vector<std::vector<float>> hidden_states(const Batch& b, int B, int T, const int32_t* mask, bool mean);

  // --- Preservation strategies (docs/strategies.md) ---------------------------
  virtual void set_trainable(const std::string& name, bool on);
  virtual void set_lr_scale(const std::string& name, float scale);
  // Elements in trainable tensors (LoRA factors included).
  virtual size_t num_trainable() const;
  // LoRA factors on the targeted projections of every layer; every other tensor frozen.
  virtual void enable_lora(const LoraConfig& c);
  // W + (alpha/r) B A for a checkpoint tensor (just W where it has no LoRA).
  virtual void merged_param(const std::string& name, float* out) const;
  // The anchor w0 := the current weights; F (EWC) is 1 until set.
  virtual void set_anchor();
  virtual void clear_anchor();
  virtual void set_anchor_weights(const std::string& name, const float* w);
  virtual double anchor_distance() const;
  // Diagonal Fisher: adds each row's squared mean-token-loss gradient; returns the rows counted.
  virtual int64_t accumulate_fisher(const Batch& b, int B, int T);
  virtual void get_fisher(const std::string& name, float* out) const;
  virtual void clear_fisher();
  // KL(p_ref || p) weighted into the loss; ref on the same device, outliving its use; nullptr = off.
  virtual void set_kl_reference(TrainBackend* ref, float weight);

 protected:
  // The error of a control this backend does not have.
  [[noreturn]] void not_here(const char* what) const;
};

}  // namespace mt
