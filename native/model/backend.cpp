// The defaults of TrainBackend's optional controls: each says, in a sentence,
// that this device does not have it yet and where it does.
#include "model/backend.h"

#include <string>

#include "core/check.h"

namespace mt {

void TrainBackend::not_here(const char* what) const {
  // "use --device cpu" only where the CPU has it: the CPU backend lacks only what saves GPU memory.
  if (std::string(device()) == "cpu") fail(what, " is not on the cpu backend yet");
  fail(what, " is not on the ", device(), " backend yet; use --device cpu");
}

void TrainBackend::set_recompute(bool on) {
  if (on) not_here("activation recompute (--recompute)");
}
void TrainBackend::forward_logits(const Batch&, int, int, float*) { not_here("logits (generation, evals)"); }
std::vector<std::vector<float>> TrainBackend::hidden_states(const Batch&, int, int, const int32_t*, bool) {
  not_here("hidden states (probes)");
}
void TrainBackend::set_trainable(const std::string&, bool on) {
  if (!on) not_here("frozen tensors (--freeze-layers)");
}
void TrainBackend::set_lr_scale(const std::string&, float scale) {
  if (scale != 1.f) not_here("per-tensor LR scales (--lr-scale)");
}
size_t TrainBackend::num_trainable() const {
  size_t n = 0;
  for (const ParamInfo& p : params()) n += p.trainable ? p.numel : 0;
  return n;
}
void TrainBackend::enable_lora(const LoraConfig&) { not_here("LoRA (--lora-rank)"); }
void TrainBackend::merged_param(const std::string& name, float* out) const { get_param(name, out); }
void TrainBackend::set_anchor() { not_here("anchors (--anchor)"); }
void TrainBackend::clear_anchor() {}
void TrainBackend::set_anchor_weights(const std::string&, const float*) { not_here("anchors (--anchor)"); }
double TrainBackend::anchor_distance() const { return 0; }
int64_t TrainBackend::accumulate_fisher(const Batch&, int, int) { not_here("the Fisher (--anchor ewc)"); }
void TrainBackend::get_fisher(const std::string&, float*) const { not_here("the Fisher (--anchor ewc)"); }
void TrainBackend::clear_fisher() {}
void TrainBackend::set_kl_reference(TrainBackend* ref, float) {
  if (ref) not_here("a KL reference (--kl-ref)");
}

}  // namespace mt
