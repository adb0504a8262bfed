// The Llama-family decoder on the CUDA kernels (native/cuda): bf16 weights
// and activations, fp32 master weights, gradients and AdamW moments, fp32
// accumulation everywhere. One device memory plan: the weight state (fp32
// master and bf16 copy of every tensor, 6 bytes a parameter) is allocated with
// the model; the trainable state (fp32 gradients, m and v of the trainable
// tensors only, 12 bytes a trainable parameter, in a compact layout of its
// own) with it and again whenever trainability changes, so frozen tensors and
// a LoRA base cost 6 bytes a parameter instead of 18; the activations and
// workspaces for (B, T) at the first step with that shape. All are reused by
// every later step. CudaLlama::plan sizes them without allocating (the same
// carving routines).
// With activation recompute the plan keeps each layer's input only, plus one
// layer's activations as scratch, and the backward recomputes each layer's
// forward there just before that layer's backward (bit-identical results).
// The strategies of TrainBackend run on the GPU too: frozen tensors,
// per-tensor LR scales, the L2-SP/EWC anchor, the diagonal Fisher, LoRA,
// logits and hidden states, and the KL term to a reference CudaLlama (the
// reference runs forward only, in its own memory: see set_kl_reference).
#pragma once
#include <map>
#include <memory>

#include "cuda/adamw.h"
#include "model/backend.h"

namespace mt {

// Device bytes of a CudaLlama: the weight and trainable state (allocated with
// the model) and the activation plan for one (B, T).
struct CudaMemoryPlan {
  size_t weights_bytes = 0, activations_bytes = 0;
};

// What a plan needs to know beyond the config: LoRA (rank and targets; alpha
// and seed do not change the bytes) and the tensors set_trainable(false)
// freezes (checkpoint tensors or LoRA factors; with LoRA the base is frozen
// anyway).
struct CudaPlanOptions {
  LoraConfig lora;  // rank 0: no LoRA
  std::vector<std::string> frozen;
  int anchor = 0;   // 0: none; 1: L2-SP (the anchor w0); 2: EWC (w0 and its importance weights F)
  bool kl_ref = false;  // a KL reference of the same config: its weights and a recompute plan for (B, T)
};

class CudaLlama final : public TrainBackend {
 public:
  explicit CudaLlama(const LlamaConfig& cfg);
  ~CudaLlama() override;
  CudaLlama(const CudaLlama&) = delete;
  CudaLlama& operator=(const CudaLlama&) = delete;

  // What the constructor (then enable_lora, set_trainable and set_anchor as in o)
  // and the first step of shape (B, T) allocate, without a device. The Fisher's
  // buffer is not in it: EWC estimates and clears it before training.
  static CudaMemoryPlan plan(const LlamaConfig& cfg, int B, int T, bool recompute, const CudaPlanOptions& o = {});

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

  void set_recompute(bool on) override;
  bool recompute() const override { return recompute_; }

  void forward_logits(const Batch& b, int B, int T, float* logits) override;
  std::vector<std::vector<float>> hidden_states(const Batch& b, int B, int T, const int32_t* mask, bool mean) override;

  // The CPU model's semantics (model/llama.h): frozen tensors get no gradient,
  // moments or update and are out of the norm; lr = step lr * lr_scale. A
  // trainability change is laid out lazily (relayout) by the next call that
  // needs gradients or moments, so freezing many tensors one by one re-makes
  // the trainable state once; memory() shows it after that.
  void set_trainable(const std::string& name, bool on) override;
  void set_lr_scale(const std::string& name, float scale) override;
  void enable_lora(const LoraConfig& c) override;
  void merged_param(const std::string& name, float* out) const override;
  void set_anchor() override;
  void clear_anchor() override;
  void set_anchor_weights(const std::string& name, const float* w) override;
  double anchor_distance() const override;
  int64_t accumulate_fisher(const Batch& b, int B, int T) override;
  void get_fisher(const std::string& name, float* out) const override;
  void clear_fisher() override;
  // KL(p_ref || p) weighted into the loss of step, loss_and_grad and the Fisher
  // rows, as the CPU model (model/kl_head.h; cuda/kl_xent.h fused on the GPU).
  // ref must be another CudaLlama (every CudaLlama of a process is on the
  // runtime's current device) with the same vocab_size. The reference runs
  // forward only, to its final normed hidden state, from its own weights and
  // activation plan; it is put in that shape here: recompute on (each layer's
  // input and one layer's scratch, all a forward needs; bit-identical) and,
  // when it holds no moments to lose, its gradients and moments freed (made
  // again if it is ever trained). So a reference adds its 6 bytes a parameter
  // plus its recompute activation plan (plan(ref config, B, T, true)'s
  // activations); this model's plan is unchanged: the KL head runs in the LM
  // head's workspace, in smaller chunks.
  void set_kl_reference(TrainBackend* ref, float weight) override;
  double last_kl_sum() const override { return last_kl_sum_; }

 private:
  static size_t anchor_ws_bytes(const std::vector<ParamInfo>& infos);
  struct Layer {
    size_t wq, wk, wv, wo, bq, bk, bv, qn, kn, wg, wu, wd, ln1, ln2;
    size_t proj[kTargets];  // index into infos_ of each projection weight
  };
  struct LayerActs;  // device pointers to one layer's activations
  struct Acts;       // device pointers into the activation arena
  struct StepStats;  // loss, anchor distance and clip state in device memory
  struct State;      // device pointers into the weight-state allocation
  struct TrainState; // the trainable layout and device pointers into its allocation
  // The one carving of each allocation: with base == nullptr it only sizes
  // (CudaLlama::plan), else it also hands out the pointers.
  static size_t carve_state(const LlamaConfig& cfg, size_t total, unsigned char* base, State* out);
  static size_t carve_train(const std::vector<ParamInfo>& infos, unsigned char* base, TrainState* out);
  static size_t carve_acts(const LlamaConfig& cfg, int B, int T, bool recompute, const LoraConfig& lora,
                           unsigned char* base, Acts* a);
  // Layer::proj from the parameter index; LoRA's checks; its factors appended
  // to a parameter table (every old tensor keeps its offset, the base frozen).
  static void index_projections(std::vector<Layer>& layers, const std::map<std::string, size_t>& index);
  static void check_lora(const LoraConfig& c);
  static void append_lora(const LoraConfig& c, const std::vector<Layer>& layers, std::vector<ParamInfo>& infos,
                          std::map<std::string, size_t>& index, size_t& total);

  void add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot);
  const ParamInfo& info_at(size_t offset) const { return infos_[by_offset_.at(offset)]; }
  void plan_activations(int B, int T);
  // Checks a micro-batch on the host, fills staging slot `slot` (positions, document bounds) and queues its
  // upload; reserve_staging(n, N) first when a step uploads n micro-batches.
  void upload(const Batch& b, int B, int T, bool labels, size_t slot = 0);
  void reserve_staging(size_t slots, size_t N);
  struct Ctx;  // the kernels' shapes and choices for one (B, T)
  Ctx ctx(int B, int T) const;
  void forward(int B, int T);
  // One layer's forward; again = the recompute before its backward (from the
  // kept input; the down projection, which only feeds the next layer, skipped).
  void layer_forward(const Ctx& c, int l, bool again);
  void backward(int B, int T, float grad_scale);
  // Projection t of layer l with its LoRA term (only_lora: just x A^T), and its
  // backward (frozen weights and biases get no gradient).
  void proj(const Ctx& c, int l, int t, const cuda::bf16* bias, const cuda::bf16* x, cuda::bf16* y, int in, int out,
            LayerActs& L, bool only_lora = false);
  void proj_backward(const Ctx& c, int l, int t, size_t bias, const cuda::bf16* dy, const cuda::bf16* x, cuda::bf16* dx,
                     bool acc, int in, int out, LayerActs& L);
  // The weight state for total_ floats (zeros, the rope table filled); the
  // trainable state for infos_' trainability (zeros); their frees; all device memory freed.
  void alloc_state(const char* what);
  void free_state() noexcept;
  void alloc_train();
  void free_train() noexcept;
  void release() noexcept;
  // The trainable state for the current trainability, keeping the moments of
  // tensors that stay trainable (a no-op unless trainability changed).
  void relayout();
  // The gradient of the tensor at `offset` in the trainable layout; nullptr when it is frozen.
  float* grad_at(size_t offset) const;
  // Where tensor i's gradient and moments are in the trainable state; SIZE_MAX: none (zeros).
  size_t toff_of(size_t i) const { return infos_[i].trainable ? toff_[i] : SIZE_MAX; }
  // A norm weight's gradient, or the arena's sink when it is frozen.
  float* norm_grad(size_t offset);
  // The lowest layer the backward must reach (below it nothing is trainable).
  int backward_floor() const;
  void zero_loss();
  // The KL reference's forward for this batch (nothing without one, or with weight 0).
  void reference_forward(const Batch& b, int B, int T, size_t slot = 0);
  bool kl_on() const { return kl_ref_ && kl_weight_ > 0.f; }
  StepStats wait_stats(const char* what);
  // The trainable tensors' AdamW descriptors (anchored: with p0 and F).
  std::vector<cuda::AdamWTensor> adam_tensors(float weight_decay, bool anchored) const;
  // sum F (w - w0)^2 over the trainable tensors into stats_->anchor_sq (queued, no wait).
  void queue_anchor_sq() const;
  void check_trainable() const;

  LlamaConfig cfg_;
  std::vector<ParamInfo> infos_;
  std::map<std::string, size_t> index_;
  std::map<size_t, size_t> by_offset_;  // offset -> index into infos_
  std::vector<Layer> layers_;
  size_t embed_ = 0, final_norm_ = 0, lm_head_ = 0, total_ = 0;
  long step_ = 0;
  bool recompute_ = false;
  LoraConfig lora_;  // rank 0: no LoRA

  // Weight state (one allocation): fp32 master, bf16 copy (both [total_], by ParamInfo::offset), rope table, step stats.
  void* state_ = nullptr;
  size_t state_bytes_ = 0;
  float *master_ = nullptr, *inv_freq_ = nullptr;
  void* wbf_ = nullptr;  // bf16 [total_]
  StepStats* stats_ = nullptr;
  // Trainable state (one allocation): fp32 grads, m, v [ttotal_] of the trainable tensors, at toff_, and the
  // clip workspace. toff_[i] is SIZE_MAX for a tensor without a slot: frozen, or unfrozen since the last
  // relayout (fresh moments). layout_stale_: trainability changed since the layout was made; moments_zero_:
  // m and v are known to be zero (none set or stepped since the layout), so relayout need not stage them.
  void* tstate_ = nullptr;
  size_t tstate_bytes_ = 0, ttotal_ = 0;
  float *grads_ = nullptr, *m_ = nullptr, *v_ = nullptr;
  void* clip_ws_ = nullptr;
  size_t clip_ws_bytes_ = 0;
  std::vector<size_t> toff_;
  bool layout_stale_ = false, moments_zero_ = true;
  size_t peak_ = 0;  // the most device memory in use seen at the end of a step

  // Strategy state, allocated when first used (fp32 [total_] each).
  float *anchor_ = nullptr, *anchor_w_ = nullptr, *fisher_ = nullptr;
  void* dist_ws_ = nullptr;  // sq_dist's partial sums, allocated with the anchor
  size_t dist_ws_bytes_ = 0;

  // The KL reference (not owned; the bindings keep it alive) and its weight; the last loss_and_grad's KL sum.
  CudaLlama* kl_ref_ = nullptr;
  float kl_weight_ = 0.f;
  double last_kl_sum_ = 0;

  // Activations for (B_, T_) (one allocation).
  void* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  int B_ = 0, T_ = 0;
  std::unique_ptr<Acts> acts_;
  // Page-locked staging of the inputs: per micro-batch slot, ids, labels, positions, starts and ends (5 x B*T
  // int32). A copy from pageable memory may make the host wait for the stream; from here it cannot, and each
  // micro-batch of a step has its own slot, so none is overwritten while its copy is pending.
  int32_t* staging_ = nullptr;
  size_t staging_ints_ = 0;
  bool has_segments_ = false;
};

}  // namespace mt
