// Forward and backward of the Llama-family decoder on the CUDA kernels, in
// the order of model/llama.cpp (the CPU model) so the two read side by side.
// Everything from the first upload of a step to its AdamW update is queued on
// one stream without a host wait: the LM head adds each micro-batch's loss
// into device memory (lmhead_xent_accumulate, or lmhead_xent_kl_accumulate with
// a KL reference, whose forward is queued on the same stream before the head), the loss's finiteness is folded
// into the ClipState that gates the update, and the host waits once, at the
// end of step(), to read loss, norm and the finite flag together (StepStats).
#ifdef MIDTRAIN_HAVE_CUDA
#include "model/cuda_llama.h"
#include "model/param_layout.h"
#include "model/counter_random.h"
#include "model/hidden_pool.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <sstream>

#include "core/check.h"
#include "cpu/gemm.h"
#include "cuda/adamw.h"
#include "cuda/attention.h"
#include "cuda/kl_xent.h"
#include "cuda/model_ops.h"
#include "cuda/norm.h"
#include "cuda/rope.h"
#include "cuda/runtime.h"
#include "cuda/swiglu.h"
#include "cuda/xent.h"

namespace mt {

using cuda::bf16;
using cuda::Impl;
using cuda::align256;

namespace {

size_t align16(size_t n) { return (n + kParamAlign - 1) / kParamAlign * kParamAlign; }
double gib(size_t b) { return double(b) / double(size_t(1) << 30); }

// Allocates `bytes` or throws the out-of-memory error of the issue: what was
// asked, what is free, and what to try (B > 0: the activations' options; else
// the weight state's: LoRA and frozen layers keep no gradients or moments for
// the frozen tensors).
void* plan_alloc(size_t bytes, const char* what, int B, int T) {
  size_t free_b = 0, total_b = 0;
  cuda::device_memory(&free_b, &total_b);
  std::ostringstream hint;
  hint.precision(2);
  hint << std::fixed;
  auto oom = [&]() {
    hint << "CUDA out of memory: the " << what << " needs " << gib(bytes) << " GiB, " << gib(free_b) << " GiB of "
         << gib(total_b) << " GiB are free";
    if (B > 0) {
      hint << " (micro-batch " << B << " x " << T << " tokens)";
      hint << ". Try --recompute (keeps each layer's input and one layer's activations instead of every layer's; "
              "costs about one more forward per step), or a smaller --batch-size or --seq-len with a larger "
              "--grad-accum (same tokens per step)";
    } else {
      hint << ". Try --lora-rank R or --freeze-layers (a frozen parameter takes 6 bytes of device memory, a "
              "trained one 18: fp32 master, gradient, AdamW m and v, and a bf16 copy)";
    }
    return hint.str();
  };
  if (bytes > free_b) fail(oom());
  try {
    return cuda::device_alloc(bytes);
  } catch (const std::exception&) {
    fail(oom());
  }
}

}  // namespace

// The step's results in device memory, read by the host in one copy after its one wait.
struct CudaLlama::StepStats {
  cuda::XentAccum xent;  // loss sum and target count over the step's micro-batches
  double kl_sum;         // KL sum over the same tokens (with a KL reference; zeroed with xent)
  double anchor_sq;      // sum F (w - w0)^2 over trainable tensors, before the update
  cuda::ClipState clip;  // global norm, clip factor, finite (norm and loss)
};

// One layer's activations. With recompute every layer's entry points at the
// same scratch set except res1, the layer's input, which each layer keeps.
struct CudaLlama::LayerActs {
  bf16 *res1, *xn1, *qraw, *kraw, *q, *k, *v, *att, *res2, *xn2, *gate, *up, *act;
  float *rstd1, *rstdq, *rstdk, *lse, *rstd2;
  bf16* lora_u[kTargets];  // x A^T [N, r] of each LoRA target (nullptr: not targeted)
};

struct CudaLlama::Acts {
  using L = LayerActs;
  std::vector<L> l;
  bf16 *resF, *xnF, *tmpC, *dres, *dxn, *dq, *dk, *dv, *datt, *dgate, *dup, *dact, *dqr, *dkr, *dlu;
  float *rstdF, *sink;  // sink: a frozen norm weight's gradient goes here (never read)
  int32_t *ids, *labels, *pos, *start, *end;
  void *attn_ws, *norm_ws, *xent_ws;
  size_t attn_ws_bytes, norm_ws_bytes, xent_ws_bytes;
};

struct CudaLlama::State {
  float *master, *inv_freq;
  bf16* wbf;
  StepStats* stats;
};

// The trainable tensors, in parameter order, each on a 16-float boundary as in
// the full layout (with nothing frozen, toff[i] == infos[i].offset).
struct CudaLlama::TrainState {
  std::vector<size_t> toff;  // per tensor: its offset in grads, m and v; SIZE_MAX when frozen
  size_t total = 0;          // floats in each of grads, m and v
  float *grads, *m, *v;
  void* clip_ws;  // grad_clip's partial sums over the trainable tensors
  size_t clip_ws_bytes;
};

namespace {

// Hands out 256-byte aligned slices of an allocation; with base == nullptr it only counts.
struct Carver {
  unsigned char* base;
  size_t used = 0;
  void* take(size_t bytes) {
    void* p = base ? base + used : nullptr;
    used += align256(std::max<size_t>(bytes, 1));
    return p;
  }
  bf16* h(size_t n) { return static_cast<bf16*>(take(n * 2)); }
  float* f(size_t n) { return static_cast<float*>(take(n * 4)); }
  int32_t* i(size_t n) { return static_cast<int32_t*>(take(n * 4)); }
};

}  // namespace

size_t CudaLlama::carve_state(const LlamaConfig& cfg, size_t total, unsigned char* base, State* out) {
  Carver c{base};
  out->master = c.f(total);
  out->wbf = c.h(total);
  out->inv_freq = c.f(size_t(cfg.head_dim / 2));
  out->stats = static_cast<StepStats*>(c.take(sizeof(StepStats)));
  return c.used;
}

size_t CudaLlama::carve_train(const std::vector<ParamInfo>& infos, unsigned char* base, TrainState* out) {
  out->toff.assign(infos.size(), SIZE_MAX);
  std::vector<cuda::AdamWTensor> ts;  // the sizes adam_tensors will hand grad_clip, in its order
  size_t t = 0;
  for (size_t i = 0; i < infos.size(); ++i) {
    if (!infos[i].trainable) continue;
    out->toff[i] = t;
    t += align16(infos[i].numel);
    ts.emplace_back().n = int64_t(infos[i].numel);
  }
  out->total = t;
  Carver c{base};
  out->grads = c.f(t), out->m = c.f(t), out->v = c.f(t);
  out->clip_ws_bytes = cuda::grad_sumsq_workspace_bytes(ts.data(), int(ts.size()));
  out->clip_ws = c.take(out->clip_ws_bytes);
  return c.used;
}

size_t CudaLlama::carve_acts(const LlamaConfig& cfg, int B, int T, bool recompute, const LoraConfig& lora,
                             unsigned char* base, Acts* a) {
  const size_t N = size_t(B) * T, C = cfg.hidden, F = cfg.intermediate, D = cfg.head_dim;
  const size_t Hq = cfg.heads, Hkv = cfg.kv_heads, Q = Hq * D, KV = Hkv * D, R = size_t(lora.rank);
  const cuda::AttnShape shape{B, T, int(Hq), int(Hkv), int(D)};
  a->attn_ws_bytes = cuda::attention_backward_workspace_bytes(shape);
  a->norm_ws_bytes = std::max(cuda::rmsnorm_backward_workspace_bytes(int(N), int(C)),
                              cuda::rmsnorm_backward_workspace_bytes(int(N * Hq), int(D)));
  // The LM head's workspace, which the KL head (two fp32 logits blocks, not one) shares in smaller chunks;
  // sized for at least 16 KL rows, which only a micro-batch under ~30 tokens needs more bytes for.
  a->xent_ws_bytes = std::max(cuda::lmhead_xent_workspace_bytes(int(N), int(C), cfg.vocab, 0),
                              cuda::lmhead_xent_kl_workspace_bytes(int(N), cfg.vocab, int(std::min<size_t>(N, 16))));
  Carver c{base};
  // Everything of a layer that its backward reads, but its input res1.
  auto layer_set = [&](Acts::L& L) {
    L.xn1 = c.h(N * C), L.rstd1 = c.f(N);
    L.qraw = cfg.qk_norm ? c.h(N * Q) : nullptr, L.kraw = cfg.qk_norm ? c.h(N * KV) : nullptr;
    L.rstdq = cfg.qk_norm ? c.f(N * Hq) : nullptr, L.rstdk = cfg.qk_norm ? c.f(N * Hkv) : nullptr;
    L.q = c.h(N * Q), L.k = c.h(N * KV), L.v = c.h(N * KV), L.att = c.h(N * Q), L.lse = c.f(N * Hq);
    L.res2 = c.h(N * C), L.xn2 = c.h(N * C), L.rstd2 = c.f(N);
    L.gate = c.h(N * F), L.up = c.h(N * F), L.act = c.h(N * F);
    for (int t = 0; t < kTargets; ++t) L.lora_u[t] = R && (lora.targets & (1u << t)) ? c.h(N * R) : nullptr;
  };
  a->l.assign(size_t(cfg.layers), Acts::L{});
  for (Acts::L& L : a->l) {
    L.res1 = c.h(N * C);
    if (!recompute) layer_set(L);
  }
  if (recompute) {
    Acts::L scratch{};
    layer_set(scratch);
    for (Acts::L& L : a->l) {
      bf16* res1 = L.res1;
      L = scratch;
      L.res1 = res1;
    }
  }
  a->resF = c.h(N * C), a->xnF = c.h(N * C), a->rstdF = c.f(N), a->tmpC = c.h(N * C);
  a->dres = c.h(N * C), a->dxn = c.h(N * C), a->dq = c.h(N * Q), a->dk = c.h(N * KV), a->dv = c.h(N * KV);
  a->datt = c.h(N * Q), a->dgate = c.h(N * F), a->dup = c.h(N * F), a->dact = c.h(N * F);
  a->dqr = cfg.qk_norm ? c.h(N * Q) : nullptr, a->dkr = cfg.qk_norm ? c.h(N * KV) : nullptr;
  a->dlu = R ? c.h(N * R) : nullptr;
  a->sink = c.f(std::max(C, D));
  a->ids = c.i(N), a->labels = c.i(N), a->pos = c.i(N), a->start = c.i(N), a->end = c.i(N);
  a->attn_ws = c.take(a->attn_ws_bytes), a->norm_ws = c.take(a->norm_ws_bytes), a->xent_ws = c.take(a->xent_ws_bytes);
  return c.used;
}

// The anchor distance's workspace: sized for one range per tensor, the most the trainable ranges can need.
size_t CudaLlama::anchor_ws_bytes(const std::vector<ParamInfo>& infos) {
  std::vector<cuda::FlatRange> ranges;
  for (const ParamInfo& p : infos) ranges.push_back({p.offset, p.numel});
  return align256(cuda::sq_dist_workspace_bytes(ranges.data(), int(ranges.size())));
}

CudaMemoryPlan CudaLlama::plan(const LlamaConfig& cfg, int B, int T, bool recompute, const CudaPlanOptions& o) {
  cfg.validate();
  MT_CHECK(B > 0 && T > 0, "plan: batch must have B > 0 rows of T > 0 tokens, got B=", B, " T=", T);
  MT_CHECK(int64_t(B) * T <= INT32_MAX / std::max(cfg.heads, 1), "plan: B*T*heads = ", int64_t(B) * T * cfg.heads,
           " is too large");
  std::vector<ParamInfo> infos;
  std::map<std::string, size_t> index;
  std::vector<Layer> layers;
  size_t total = 0, embed = 0, final_norm = 0, lm_head = 0;
  declare_llama_params(cfg, &embed, layers, &final_norm, &lm_head,
                       [&](const std::string& name, std::vector<int64_t> shape, size_t* slot) {
                         *slot = append_param(infos, index, total, name, std::move(shape));
                       });
  index_projections(layers, index);
  if (o.lora.rank != 0) {  // alpha and seed do not change the bytes
    MT_CHECK(o.lora.rank >= 1, "plan: LoRA rank must be >= 1, got ", o.lora.rank);
    MT_CHECK(o.lora.targets != 0 && o.lora.targets < (1u << kTargets), "plan: LoRA needs at least one target projection");
    append_lora(o.lora, layers, infos, index, total);
  }
  for (const std::string& name : o.frozen) {
    auto it = index.find(name);
    MT_CHECK(it != index.end(), "plan: frozen: no parameter named '", name, "'");
    infos[it->second].trainable = false;
  }
  MT_CHECK(o.anchor >= 0 && o.anchor <= 2, "plan: anchor must be 0 (none), 1 (L2-SP) or 2 (EWC), got ", o.anchor);
  State st{};
  TrainState tr{};
  Acts a{};
  CudaMemoryPlan p;
  p.weights_bytes = carve_state(cfg, total, nullptr, &st) + carve_train(infos, nullptr, &tr);
  // The anchor's buffers, as set_anchor and set_anchor_weights allocate them.
  if (o.anchor >= 1) p.weights_bytes += align256(total * 4) + anchor_ws_bytes(infos);
  if (o.anchor == 2) p.weights_bytes += align256(total * 4);
  p.activations_bytes = carve_acts(cfg, B, T, recompute, o.lora, nullptr, &a);
  // A KL reference (set_kl_reference): its weight state, no trainable state (never stepped), and the
  // forward's recompute plan. Its own parameters, LoRA factors excluded.
  if (o.kl_ref) {
    std::vector<ParamInfo> ref_infos;
    std::map<std::string, size_t> ref_index;
    std::vector<Layer> ref_layers;
    size_t ref_total = 0, e = 0, fn = 0, lh = 0;
    declare_llama_params(cfg, &e, ref_layers, &fn, &lh, [&](const std::string& name, std::vector<int64_t> shape, size_t* slot) {
      *slot = append_param(ref_infos, ref_index, ref_total, name, std::move(shape));
    });
    State rs{};
    Acts ra{};
    p.weights_bytes += carve_state(cfg, ref_total, nullptr, &rs);
    p.activations_bytes += carve_acts(cfg, B, T, true, LoraConfig{}, nullptr, &ra);
  }
  return p;
}

void CudaLlama::index_projections(std::vector<Layer>& layers, const std::map<std::string, size_t>& index) {
  static const char* const proj_name[kTargets] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                                  "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                                  "mlp.down_proj"};
  for (size_t l = 0; l < layers.size(); ++l)
    for (int t = 0; t < kTargets; ++t)
      layers[l].proj[t] = index.at("model.layers." + std::to_string(l) + "." + proj_name[t] + ".weight");
}

void CudaLlama::check_lora(const LoraConfig& c) {
  MT_CHECK(c.rank >= 1, "LoRA rank must be >= 1, got ", c.rank);
  MT_CHECK(std::isfinite(c.alpha) && c.alpha > 0, "LoRA alpha must be > 0, got ", c.alpha);
  MT_CHECK(c.targets != 0 && c.targets < (1u << kTargets), "LoRA needs at least one target projection");
}

void CudaLlama::append_lora(const LoraConfig& c, const std::vector<Layer>& layers, std::vector<ParamInfo>& infos,
                            std::map<std::string, size_t>& index, size_t& total) {
  for (ParamInfo& p : infos) p.trainable = false;  // the base is frozen
  for (size_t l = 0; l < layers.size(); ++l)
    for (int t = 0; t < kTargets; ++t) {
      if (!(c.targets & (1u << t))) continue;
      const ParamInfo& w = infos[layers[l].proj[t]];
      const int64_t out = w.shape[0], in = w.shape[1];
      const std::string base = w.name.substr(0, w.name.size() - 7);  // drop ".weight"
      const size_t a = append_param(infos, index, total, base + ".lora_A.weight", {c.rank, in});
      infos.back().lora = true;
      const size_t b = append_param(infos, index, total, base + ".lora_B.weight", {out, c.rank});
      infos.back().lora = true;
      infos[layers[l].proj[t]].lora_a = a, infos[layers[l].proj[t]].lora_b = b;
    }
}

CudaLlama::CudaLlama(const LlamaConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  std::string why;
  const auto devs = cuda::devices(&why);
  MT_CHECK(!devs.empty(), "--device cuda: no CUDA device (", why, ")");
  declare_llama_params(cfg, &embed_, layers_, &final_norm_, &lm_head_,
                       [this](const std::string& name, std::vector<int64_t> shape, size_t* slot) { add_param(name, std::move(shape), slot); });
  if (cfg.tie_embeddings) lm_head_ = embed_;
  index_projections(layers_, index_);
  // A new model is all zeros, as the CPU model (loading a checkpoint should not pay for an init).
  try {
    alloc_state("weights (fp32 master and bf16 copy)");
    alloc_train();
    cuda::synchronize("CudaLlama (allocation)");
  } catch (...) {
    release();  // the destructor does not run for a constructor that throws
    throw;
  }
}

CudaLlama::~CudaLlama() { release(); }

void CudaLlama::release() noexcept {
  cuda::device_free(arena_);
  cuda::device_free(state_);
  cuda::device_free(tstate_);
  cuda::device_free(anchor_);
  cuda::device_free(anchor_w_);
  cuda::device_free(fisher_);
  cuda::device_free(dist_ws_);
  arena_ = state_ = tstate_ = dist_ws_ = nullptr, anchor_ = anchor_w_ = fisher_ = nullptr;
  cuda::host_free_pinned(staging_);
  staging_ = nullptr, staging_ints_ = 0;
}

void CudaLlama::alloc_state(const char* what) {
  State st{};
  const size_t bytes = carve_state(cfg_, total_, nullptr, &st);
  state_ = plan_alloc(bytes, what, 0, 0);
  state_bytes_ = bytes;
  carve_state(cfg_, total_, static_cast<unsigned char*>(state_), &st);
  master_ = st.master, inv_freq_ = st.inv_freq, wbf_ = st.wbf, stats_ = st.stats;
  cuda::fill_bytes(state_, 0, bytes);
  std::vector<float> inv(size_t(cfg_.head_dim / 2));
  cpu::rope_inv_freq(inv.data(), cfg_.head_dim, cfg_.rope_theta, cfg_.rope_scaling);
  cuda::copy_to_device(inv_freq_, inv.data(), inv.size() * 4);
}

void CudaLlama::free_state() noexcept {
  cuda::device_free(state_);
  state_ = nullptr, state_bytes_ = 0, master_ = inv_freq_ = nullptr, wbf_ = nullptr, stats_ = nullptr;
}

void CudaLlama::alloc_train() {
  TrainState tr{};
  const size_t bytes = carve_train(infos_, nullptr, &tr);
  tstate_ = plan_alloc(bytes, "gradients and AdamW moments of the trainable tensors", 0, 0);
  tstate_bytes_ = bytes;
  carve_train(infos_, static_cast<unsigned char*>(tstate_), &tr);
  grads_ = tr.grads, m_ = tr.m, v_ = tr.v, clip_ws_ = tr.clip_ws, clip_ws_bytes_ = tr.clip_ws_bytes;
  toff_ = std::move(tr.toff), ttotal_ = tr.total;
  cuda::fill_bytes(tstate_, 0, bytes);
  layout_stale_ = false, moments_zero_ = true;
}

void CudaLlama::free_train() noexcept {
  cuda::device_free(tstate_);
  tstate_ = nullptr, tstate_bytes_ = 0, ttotal_ = 0, grads_ = m_ = v_ = nullptr, clip_ws_ = nullptr, clip_ws_bytes_ = 0;
  // No slots: everything reads as zeros, and the next relayout makes the state again.
  toff_.assign(infos_.size(), SIZE_MAX);
  layout_stale_ = true, moments_zero_ = true;
}

void CudaLlama::relayout() {
  if (!layout_stale_) return;
  TrainState tr{};
  const size_t bytes = carve_train(infos_, nullptr, &tr);
  // Refused before anything changes if the new layout cannot fit once the old one is freed.
  size_t free_b = 0, total_b = 0;
  cuda::device_memory(&free_b, &total_b);
  MT_CHECK(bytes <= free_b + tstate_bytes_, "CUDA out of memory: the gradients and AdamW moments of the trainable "
           "tensors need ", gib(bytes), " GiB, ", gib(free_b + tstate_bytes_), " GiB would be free. Freeze more "
           "tensors (--freeze-layers) or train LoRA factors (--lora-rank R)");
  // The moments of tensors that stay trainable move to their new offsets through the host, so the device
  // never holds both layouts (a 1B model's moments alone are 10 GB); skipped while they are all zero.
  // Gradients are not kept: every step, loss_and_grad and Fisher row zeroes them before use.
  std::vector<float> hm, hv;
  bool kept = false;
  if (!moments_zero_) {
    hm.assign(tr.total, 0.f), hv.assign(tr.total, 0.f);
    for (size_t i = 0; i < infos_.size(); ++i) {
      const size_t from = toff_of(i);
      if (from == SIZE_MAX) continue;  // frozen, or unfrozen since the last layout: fresh moments
      cuda::copy_to_host(hm.data() + tr.toff[i], m_ + from, infos_[i].numel * 4);
      cuda::copy_to_host(hv.data() + tr.toff[i], v_ + from, infos_[i].numel * 4);
      kept = true;
    }
  }
  free_train();
  alloc_train();
  if (kept) {
    cuda::copy_to_device(m_, hm.data(), ttotal_ * 4);
    cuda::copy_to_device(v_, hv.data(), ttotal_ * 4);
    moments_zero_ = false;
  }
  cuda::synchronize("relayout");
}

float* CudaLlama::grad_at(size_t offset) const {
  const size_t i = by_offset_.at(offset);
  if (!infos_[i].trainable) return nullptr;
  MT_CHECK(toff_[i] != SIZE_MAX, "internal: '", infos_[i].name, "' is trainable but has no gradient slot (relayout)");
  return grads_ + toff_[i];
}

const char* CudaLlama::device() const { return cuda::backend_kind(); }

void CudaLlama::add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot) {
  *slot = append_param(infos_, index_, total_, name, std::move(shape));
  by_offset_[*slot] = infos_.size() - 1;
}

const ParamInfo& CudaLlama::param(const std::string& name) const {
  auto it = index_.find(name);
  MT_CHECK(it != index_.end(), "no parameter named '", name, "'");
  return infos_[it->second];
}

size_t CudaLlama::num_params() const {
  size_t n = 0;
  for (const ParamInfo& p : infos_) n += p.numel;
  return n;
}

void CudaLlama::get_param(const std::string& name, float* out) const {
  const ParamInfo& p = param(name);
  cuda::copy_to_host(out, master_ + p.offset, p.numel * 4);
}

void CudaLlama::set_param(const std::string& name, const float* in) {
  const ParamInfo& p = param(name);
  cuda::copy_to_device(master_ + p.offset, in, p.numel * 4);
  cuda::to_bf16(master_ + p.offset, static_cast<bf16*>(wbf_) + p.offset, p.numel);
  cuda::synchronize("set_param");
}

// A frozen tensor has no gradient or moments on the GPU (no device memory for
// them): zeros, and so has a tensor unfrozen since (fresh moments). The CPU
// model returns whatever its buffers held when the tensor was frozen; nothing
// relies on that (checkpoints save and restore the moments of trainable
// tensors only, src/train/checkpointing.ts).
void CudaLlama::get_grad(const std::string& name, float* out) const {
  const ParamInfo& p = param(name);
  const size_t at = toff_of(index_.at(p.name));
  if (at == SIZE_MAX) std::fill(out, out + p.numel, 0.f);
  else cuda::copy_to_host(out, grads_ + at, p.numel * 4);
}

void CudaLlama::get_adam(const std::string& name, float* m, float* v) const {
  const ParamInfo& p = param(name);
  const size_t at = toff_of(index_.at(p.name));
  if (at == SIZE_MAX) {
    std::fill(m, m + p.numel, 0.f), std::fill(v, v + p.numel, 0.f);
    return;
  }
  cuda::copy_to_host(m, m_ + at, p.numel * 4);
  cuda::copy_to_host(v, v_ + at, p.numel * 4);
}

void CudaLlama::set_adam(const std::string& name, const float* m, const float* v) {
  const ParamInfo& p = param(name);
  const size_t i = index_.at(p.name);
  MT_CHECK(p.trainable, "set_adam: '", name, "' is frozen: it has no AdamW moments on the GPU (set it trainable first)");
  relayout();
  cuda::copy_to_device(m_ + toff_[i], m, p.numel * 4);
  cuda::copy_to_device(v_ + toff_[i], v, p.numel * 4);
  moments_zero_ = false;
}

void CudaLlama::init_weights(uint64_t seed, float std) {
  MT_CHECK(lora_.rank == 0, "init_weights: initialise the model before enable_lora");
  // The CPU model's counter-based init, so a seed gives the same model on both devices.
  LlamaModel cpu_model(cfg_);
  cpu_model.init_weights(seed, std);
  for (const ParamInfo& p : infos_) set_param(p.name, cpu_model.param_data(p.name));
}

BackendMemory CudaLlama::memory() const {
  BackendMemory m;
  const size_t f32 = align256(total_ * 4);
  m.weights_bytes = state_bytes_ + tstate_bytes_ + (anchor_ ? f32 + dist_ws_bytes_ : 0) + (anchor_w_ ? f32 : 0) + (fisher_ ? f32 : 0);
  m.activations_bytes = arena_bytes_;
  m.peak_bytes = peak_;
  cuda::device_memory(&m.free_bytes, &m.total_bytes);
  return m;
}

void CudaLlama::set_recompute(bool on) {
  if (on == recompute_) return;
  recompute_ = on;
  // The next step plans the arena again, for the new layout.
  cuda::device_free(arena_);
  arena_ = nullptr, arena_bytes_ = 0, acts_.reset(), B_ = T_ = 0;
}

void CudaLlama::plan_activations(int B, int T) {
  MT_CHECK(B > 0 && T > 0, "batch must have B > 0 rows of T > 0 tokens, got B=", B, " T=", T);
  if (B == B_ && T == T_ && arena_) return;
  cuda::device_free(arena_);
  arena_ = nullptr, arena_bytes_ = 0, acts_.reset(), B_ = T_ = 0;
  auto a = std::make_unique<Acts>();
  const size_t bytes = carve_acts(cfg_, B, T, recompute_, lora_, nullptr, a.get());
  arena_ = plan_alloc(bytes, recompute_ ? "activation plan (with recompute)" : "activation plan", B, T);
  carve_acts(cfg_, B, T, recompute_, lora_, static_cast<unsigned char*>(arena_), a.get());
  arena_bytes_ = bytes;
  acts_ = std::move(a);
  B_ = B, T_ = T;
  const size_t N = size_t(B) * T;
}

// Grows the staging to `slots` micro-batches of N tokens. Only between steps: the stream is drained first, so
// no pending copy reads the old buffer.
void CudaLlama::reserve_staging(size_t slots, size_t N) {
  const size_t need = slots * 5 * N;
  if (need <= staging_ints_) return;
  cuda::synchronize("reserve_staging");
  cuda::host_free_pinned(staging_);
  staging_ = nullptr, staging_ints_ = 0;
  staging_ = static_cast<int32_t*>(cuda::host_alloc_pinned(need * 4));
  staging_ints_ = need;
}

// Positions (restarting at each document, as LlamaModel::fill_positions) and
// document bounds on the host, into the pinned slot, then one async upload each.
void CudaLlama::upload(const Batch& b, int B, int T, bool labels, size_t slot) {
  const size_t N = size_t(B) * T;
  MT_CHECK(b.ids.size() == N, "input_ids must have B*T = ", N, " entries, got ", b.ids.size());
  MT_CHECK(!labels || b.labels.size() == N, "labels must have B*T = ", N, " entries, got ", b.labels.size());
  MT_CHECK(b.positions.empty() || b.positions.size() == N, "positions must have B*T = ", N, " entries, got ", b.positions.size());
  MT_CHECK(b.segments.empty() || b.segments.size() == N, "segment_ids must have B*T = ", N, " entries, got ", b.segments.size());
  for (size_t i = 0; i < N; ++i)
    MT_CHECK(b.ids[i] >= 0 && b.ids[i] < cfg_.vocab, "input_ids[", i, "] = ", b.ids[i], " is outside [0, ", cfg_.vocab, ")");
  // The device does not validate labels (lmhead_xent_accumulate): a bad one would read out of bounds.
  if (labels)
    for (size_t i = 0; i < N; ++i)
      MT_CHECK(b.labels[i] == -100 || (b.labels[i] >= 0 && b.labels[i] < cfg_.vocab), "labels[", i, "] = ", b.labels[i],
               " is outside [0, ", cfg_.vocab, ") and is not -100");
  if (!b.positions.empty())
    for (size_t i = 0; i < N; ++i) MT_CHECK(b.positions[i] >= 0, "positions[", i, "] is negative");
  plan_activations(B, T);
  reserve_staging(slot + 1, N);  // a no-op inside a step (reserved for all its slots)
  int32_t* ids = staging_ + slot * 5 * N;
  int32_t *lab = ids + N, *pos = lab + N, *start = pos + N, *end = start + N;
  std::copy(b.ids.begin(), b.ids.end(), ids);
  if (labels) std::copy(b.labels.begin(), b.labels.end(), lab);
  if (!b.positions.empty()) {
    std::copy(b.positions.begin(), b.positions.end(), pos);
  } else {
    for (int r = 0; r < B; ++r)
      for (int t = 0; t < T; ++t) {
        const size_t i = size_t(r) * T + t;
        const bool restart = t == 0 || (!b.segments.empty() && b.segments[i] != b.segments[i - 1]);
        pos[i] = restart ? 0 : pos[i - 1] + 1;
      }
  }
  has_segments_ = !b.segments.empty();
  if (has_segments_) cuda::attention_doc_bounds(b.segments.data(), B, T, start, end);
  Acts& a = *acts_;
  cuda::upload_async(a.ids, ids, N * 4);
  if (labels) cuda::upload_async(a.labels, lab, N * 4);
  cuda::upload_async(a.pos, pos, N * 4);
  if (has_segments_) cuda::upload_async(a.start, start, N * 4), cuda::upload_async(a.end, end, N * 4);
}

// The kernels' shapes of this model, for forward, recompute and backward alike.
struct CudaLlama::Ctx {
  int N, C, F, D, Hq, Hkv, Q, KV;
  float eps, scale;
  cuda::AttnShape shape;
  Impl attn, rope, norm, hnorm;
  const int32_t *ds, *de;
  const bf16* W;
};

CudaLlama::Ctx CudaLlama::ctx(int B, int T) const {
  Ctx c;
  c.N = B * T, c.C = cfg_.hidden, c.F = cfg_.intermediate, c.D = cfg_.head_dim;
  c.Hq = cfg_.heads, c.Hkv = cfg_.kv_heads, c.Q = c.Hq * c.D, c.KV = c.Hkv * c.D;
  c.eps = cfg_.rms_eps, c.scale = 1.f / std::sqrt(float(c.D));
  c.shape = cuda::AttnShape{B, T, c.Hq, c.Hkv, c.D};
  c.attn = (c.D == 64 || c.D == 128) ? Impl::Fast : Impl::Simple;
  c.rope = c.D % 16 == 0 ? Impl::Fast : Impl::Simple;
  c.norm = c.C % 8 == 0 && c.C <= 8192 ? Impl::Fast : Impl::Simple;
  c.hnorm = c.D % 8 == 0 ? Impl::Fast : Impl::Simple;
  c.ds = has_segments_ ? acts_->start : nullptr;
  c.de = has_segments_ ? acts_->end : nullptr;
  c.W = static_cast<const bf16*>(wbf_);
  return c;
}

// y = x W^T (+ bias) (+ (alpha/r) (x A^T) B^T, x A^T kept in u for the backward).
void CudaLlama::proj(const Ctx& c, int l, int t, const bf16* bias, const bf16* x, bf16* y, int in, int out,
                     LayerActs& L, bool only_lora) {
  const ParamInfo& w = infos_[layers_[size_t(l)].proj[t]];
  if (!only_lora) {
    if (bias) cuda::linear_bias(c.N, out, in, x, c.W + w.offset, bias, y);  // a fused epilogue where cuBLASLt has it
    else cuda::model_gemm(false, true, c.N, out, in, 1.f, x, in, c.W + w.offset, in, y, false, out, false);
  }
  if (w.lora_a == SIZE_MAX) return;
  const int r = lora_.rank;
  bf16* u = L.lora_u[t];
  cuda::model_gemm(false, true, c.N, r, in, 1.f, x, in, c.W + w.lora_a, in, u, false, r, false);  // u = x A^T
  if (!only_lora)
    cuda::model_gemm(false, true, c.N, out, r, lora_.alpha / float(r), u, r, c.W + w.lora_b, r, y, false, out, true);
}

// dx (= or +=) dy W ; dW += dy^T x ; dbias += colsum(dy) (frozen: skipped) ; and the LoRA terms.
void CudaLlama::proj_backward(const Ctx& c, int l, int t, size_t bias, const bf16* dy, const bf16* x, bf16* dx,
                              bool acc, int in, int out, LayerActs& L) {
  const ParamInfo& w = infos_[layers_[size_t(l)].proj[t]];
  cuda::model_gemm(false, false, c.N, in, out, 1.f, dy, out, c.W + w.offset, in, dx, false, in, acc);
  if (float* dW = grad_at(w.offset)) cuda::model_gemm(true, false, out, in, c.N, 1.f, dy, out, x, in, dW, true, in, true);
  if (bias != SIZE_MAX)
    if (float* db = grad_at(bias)) cuda::bias_grad(dy, db, c.N, out);
  if (w.lora_a == SIZE_MAX) return;
  const int r = lora_.rank;
  const float s = lora_.alpha / float(r);
  bf16* du = acts_->dlu;
  // A frozen factor has no gradient slot (the CPU computes its gradient and never reads it).
  cuda::model_gemm(false, false, c.N, r, out, s, dy, out, c.W + w.lora_b, r, du, false, r, false);  // du = s dy B
  if (float* dB = grad_at(w.lora_b))
    cuda::model_gemm(true, false, out, r, c.N, s, dy, out, L.lora_u[t], r, dB, true, r, true);  // dB += s dy^T u
  if (float* dA = grad_at(w.lora_a)) cuda::model_gemm(true, false, r, in, c.N, 1.f, du, r, x, in, dA, true, in, true);  // dA += du^T x
  cuda::model_gemm(false, false, c.N, in, r, 1.f, du, r, c.W + w.lora_a, in, dx, false, in, true);  // dx += du A
}

float* CudaLlama::norm_grad(size_t offset) {
  float* g = grad_at(offset);
  return g ? g : acts_->sink;
}

int CudaLlama::backward_floor() const {
  if (info_at(embed_).trainable) return 0;
  for (int l = 0; l < cfg_.layers; ++l) {
    const std::string prefix = "model.layers." + std::to_string(l) + ".";
    for (const ParamInfo& p : infos_)
      if (p.trainable && p.name.compare(0, prefix.size(), prefix) == 0) return l;
  }
  return cfg_.layers;
}

void CudaLlama::forward(int B, int T) {
  Acts& a = *acts_;
  const Ctx c = ctx(B, T);
  cuda::embedding_lookup(a.ids, c.W + embed_, a.l[0].res1, c.N, c.C);
  for (int l = 0; l < cfg_.layers; ++l) layer_forward(c, l, false);
  cuda::rmsnorm_forward(a.l.back().res2, a.tmpC, a.resF, a.xnF, a.rstdF, c.W + final_norm_, c.N, c.C, c.eps, c.norm);
}

void CudaLlama::layer_forward(const Ctx& c, int l, bool again) {
  Acts& a = *acts_;
  const Layer& L = layers_[size_t(l)];
  Acts::L& x = a.l[size_t(l)];
  const bf16* W = c.W;
  const int N = c.N;
  // Residual add fused into the norm: res1 = res2(previous layer) + mlp_out. Again: res1 is kept,
  // and the norm of the stored (bf16) res1 is what the first pass computed too.
  if (l == 0 || again) cuda::rmsnorm_forward(x.res1, nullptr, x.res1, x.xn1, x.rstd1, W + L.ln1, N, c.C, c.eps, c.norm);
  else cuda::rmsnorm_forward(a.l[size_t(l) - 1].res2, a.tmpC, x.res1, x.xn1, x.rstd1, W + L.ln1, N, c.C, c.eps, c.norm);
  bf16* qdst = cfg_.qk_norm ? x.qraw : x.q;
  bf16* kdst = cfg_.qk_norm ? x.kraw : x.k;
  const bool bias = cfg_.qkv_bias;
  proj(c, l, kQ, bias ? W + L.bq : nullptr, x.xn1, qdst, c.C, c.Q, x);
  proj(c, l, kK, bias ? W + L.bk : nullptr, x.xn1, kdst, c.C, c.KV, x);
  proj(c, l, kV, bias ? W + L.bv : nullptr, x.xn1, x.v, c.C, c.KV, x);
  if (cfg_.qk_norm) {  // Qwen3: RMSNorm over each head's D values, before RoPE
    cuda::rmsnorm_forward(qdst, nullptr, qdst, x.q, x.rstdq, W + L.qn, N * c.Hq, c.D, c.eps, c.hnorm);
    cuda::rmsnorm_forward(kdst, nullptr, kdst, x.k, x.rstdk, W + L.kn, N * c.Hkv, c.D, c.eps, c.hnorm);
  }
  cuda::rope_apply(x.q, a.pos, inv_freq_, N, c.Hq, c.D, false, c.rope);
  cuda::rope_apply(x.k, a.pos, inv_freq_, N, c.Hkv, c.D, false, c.rope);
  cuda::attention_forward(x.q, x.k, x.v, c.ds, c.de, x.att, x.lse, c.shape, c.scale, c.attn);
  proj(c, l, kO, nullptr, x.att, a.tmpC, c.Q, c.C, x);
  // MLP block: res2 = res1 + attn_out, then SwiGLU.
  cuda::rmsnorm_forward(x.res1, a.tmpC, x.res2, x.xn2, x.rstd2, W + L.ln2, N, c.C, c.eps, c.norm);
  proj(c, l, kGate, nullptr, x.xn2, x.gate, c.C, c.F, x);
  proj(c, l, kUp, nullptr, x.xn2, x.up, c.C, c.F, x);
  cuda::swiglu_forward(x.gate, x.up, x.act, size_t(N) * c.F);
  // The down projection only feeds the next layer's residual; again, only its LoRA input is needed.
  proj(c, l, kDown, nullptr, x.act, a.tmpC, c.F, c.C, x, again);
}

void CudaLlama::backward(int B, int T, float grad_scale) {
  Acts& a = *acts_;
  const Ctx c = ctx(B, T);
  const int N = c.N;
  const bf16* W = c.W;
  if (kl_on()) {  // the reference's final normed hidden state is in its own arena (reference_forward)
    const CudaLlama& ref = *kl_ref_;
    const int chunk = cuda::lmhead_xent_kl_chunk_within(N, cfg_.vocab, a.xent_ws_bytes);
    MT_CHECK(chunk > 0, "internal: the LM head workspace holds no KL chunk");
    cuda::lmhead_xent_kl_accumulate(a.xnF, W + lm_head_, ref.acts_->xnF, static_cast<const bf16*>(ref.wbf_) + ref.lm_head_,
                                    a.labels, N, c.C, ref.cfg_.hidden, cfg_.vocab, grad_scale, kl_weight_, a.dxn,
                                    grad_at(lm_head_), chunk, a.xent_ws, a.xent_ws_bytes, &stats_->xent,
                                    &stats_->kl_sum);
  } else {
    cuda::lmhead_xent_accumulate(a.xnF, W + lm_head_, a.labels, N, c.C, cfg_.vocab, grad_scale, a.dxn,
                                 grad_at(lm_head_), nullptr, 0, a.xent_ws, a.xent_ws_bytes, &stats_->xent);
  }
  cuda::fill_bytes(a.dres, 0, size_t(N) * c.C * 2);
  cuda::rmsnorm_backward(a.dxn, a.resF, a.rstdF, W + final_norm_, a.dres, norm_grad(final_norm_), N, c.C, a.norm_ws,
                         a.norm_ws_bytes, c.norm);
  // Below the lowest layer with a trainable tensor (and a frozen embedding) nothing needs dres.
  const int floor = backward_floor();
  const size_t none = SIZE_MAX;
  for (int l = cfg_.layers - 1; l >= floor; --l) {
    const Layer& L = layers_[size_t(l)];
    Acts::L& x = a.l[size_t(l)];
    // With recompute the scratch holds the top layer from the forward; every other layer is run again.
    if (recompute_ && l != cfg_.layers - 1) layer_forward(c, l, true);
    proj_backward(c, l, kDown, none, a.dres, x.act, a.dact, false, c.F, c.C, x);
    cuda::swiglu_backward(a.dact, x.gate, x.up, a.dgate, a.dup, size_t(N) * c.F);
    proj_backward(c, l, kGate, none, a.dgate, x.xn2, a.dxn, false, c.C, c.F, x);
    proj_backward(c, l, kUp, none, a.dup, x.xn2, a.dxn, true, c.C, c.F, x);
    cuda::rmsnorm_backward(a.dxn, x.res2, x.rstd2, W + L.ln2, a.dres, norm_grad(L.ln2), N, c.C, a.norm_ws,
                           a.norm_ws_bytes, c.norm);
    proj_backward(c, l, kO, none, a.dres, x.att, a.datt, false, c.Q, c.C, x);
    cuda::attention_backward(x.q, x.k, x.v, c.ds, c.de, x.att, a.datt, x.lse, a.dq, a.dk, a.dv, c.shape, c.scale,
                             a.attn_ws, a.attn_ws_bytes, c.attn);
    cuda::rope_apply(a.dq, a.pos, inv_freq_, N, c.Hq, c.D, true, c.rope);
    cuda::rope_apply(a.dk, a.pos, inv_freq_, N, c.Hkv, c.D, true, c.rope);
    bf16* dqs = a.dq;
    bf16* dks = a.dk;
    if (cfg_.qk_norm) {
      cuda::fill_bytes(a.dqr, 0, size_t(N) * c.Q * 2);
      cuda::fill_bytes(a.dkr, 0, size_t(N) * c.KV * 2);
      cuda::rmsnorm_backward(a.dq, x.qraw, x.rstdq, W + L.qn, a.dqr, norm_grad(L.qn), N * c.Hq, c.D, a.norm_ws,
                             a.norm_ws_bytes, c.hnorm);
      cuda::rmsnorm_backward(a.dk, x.kraw, x.rstdk, W + L.kn, a.dkr, norm_grad(L.kn), N * c.Hkv, c.D, a.norm_ws,
                             a.norm_ws_bytes, c.hnorm);
      dqs = a.dqr, dks = a.dkr;
    }
    const bool bias = cfg_.qkv_bias;
    proj_backward(c, l, kQ, bias ? L.bq : none, dqs, x.xn1, a.dxn, false, c.C, c.Q, x);
    proj_backward(c, l, kK, bias ? L.bk : none, dks, x.xn1, a.dxn, true, c.C, c.KV, x);
    proj_backward(c, l, kV, bias ? L.bv : none, a.dv, x.xn1, a.dxn, true, c.C, c.KV, x);
    cuda::rmsnorm_backward(a.dxn, x.res1, x.rstd1, W + L.ln1, a.dres, norm_grad(L.ln1), N, c.C, a.norm_ws,
                           a.norm_ws_bytes, c.norm);
  }
  if (floor == 0)
    if (float* dE = grad_at(embed_)) cuda::embedding_grad(a.ids, a.dres, dE, N, c.C);
}

// The stats' loss sum, count and KL sum start at zero (queued, no wait; kl_sum follows xent).
void CudaLlama::zero_loss() { cuda::fill_bytes(&stats_->xent, 0, offsetof(StepStats, kl_sum) + sizeof(double)); }

void CudaLlama::reference_forward(const Batch& b, int B, int T, size_t slot) {
  if (!kl_on()) return;
  kl_ref_->upload(b, B, T, false, slot);
  kl_ref_->forward(B, T);
}

// The one wait: everything queued so far, then the stats in one copy.
CudaLlama::StepStats CudaLlama::wait_stats(const char* what) {
  cuda::synchronize(what);
  StepStats host{};
  cuda::copy_to_host(&host, stats_, sizeof host);
  return host;
}

cpu::XentResult CudaLlama::eval_loss(const Batch& b, int B, int T) {
  upload(b, B, T, true);
  zero_loss();
  forward(B, T);
  const Acts& a = *acts_;
  cuda::lmhead_xent_accumulate(a.xnF, static_cast<const bf16*>(wbf_) + lm_head_, a.labels, B * T, cfg_.hidden,
                               cfg_.vocab, 1.f, nullptr, nullptr, nullptr, 0, a.xent_ws, a.xent_ws_bytes, &stats_->xent);
  const StepStats st = wait_stats("eval_loss");
  return {st.xent.loss_sum, st.xent.count};
}

std::vector<cuda::AdamWTensor> CudaLlama::adam_tensors(float weight_decay, bool anchored) const {
  std::vector<cuda::AdamWTensor> ts;
  ts.reserve(infos_.size());
  bf16* wb = static_cast<bf16*>(wbf_);
  for (size_t i = 0; i < infos_.size(); ++i) {
    const ParamInfo& p = infos_[i];
    if (!p.trainable) continue;  // no gradient in the norm, no moments, no update, no decay
    cuda::AdamWTensor t;
    const size_t at = toff_[i];  // gradient and moments in the trainable layout; weights in the full one
    t.p = master_ + p.offset, t.g = grads_ + at, t.m = m_ + at, t.v = v_ + at;
    t.p_bf16 = wb + p.offset, t.n = int64_t(p.numel);
    t.weight_decay = p.shape.size() >= 2 ? weight_decay : 0.f;
    if (anchored) t.anchor = anchor_ + p.offset, t.anchor_w = anchor_w_ ? anchor_w_ + p.offset : nullptr;
    ts.push_back(t);
  }
  return ts;
}

void CudaLlama::check_trainable() const { MT_CHECK(num_trainable() > 0, "every tensor is frozen: nothing to train"); }

cpu::XentResult CudaLlama::loss_and_grad(const Batch& b, int B, int T, double* grad_norm) {
  int64_t targets = 0;
  for (int32_t y : b.labels) targets += y != -100;
  MT_CHECK(targets > 0, "this batch has no target tokens (every label is -100)");
  check_trainable();
  relayout();
  upload(b, B, T, true);
  cuda::fill_bytes(grads_, 0, ttotal_ * 4);
  zero_loss();
  reference_forward(b, B, T);
  forward(B, T);
  backward(B, T, float(1.0 / double(targets)));
  const std::vector<cuda::AdamWTensor> ts = adam_tensors(0.f, false);
  cuda::grad_clip(ts.data(), int(ts.size()), 0.f, &stats_->clip, clip_ws_, clip_ws_bytes_);  // max_norm 0: the norm only
  const StepStats st = wait_stats("loss_and_grad");
  if (grad_norm) *grad_norm = st.clip.norm;
  last_kl_sum_ = kl_on() ? st.kl_sum : 0.0;
  return {st.xent.loss_sum, st.xent.count};
}

StepResult CudaLlama::step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h) {
  MT_CHECK(!micro.empty(), "a step needs at least one micro-batch");
  MT_CHECK(std::isfinite(h.anchor_weight) && h.anchor_weight >= 0.f, "anchor weight must be finite and >= 0, got ",
           h.anchor_weight);
  int64_t targets = 0;
  for (const Batch& b : micro)
    for (int32_t y : b.labels) targets += y != -100;
  MT_CHECK(targets > 0, "this step has no target tokens (every label is -100)");
  check_trainable();
  relayout();
  const float grad_scale = float(1.0 / double(targets));
  const bool anchored = anchor_ && h.anchor_weight > 0.f;

  // Queued without a host wait from here to the AdamW update.
  cuda::fill_bytes(grads_, 0, ttotal_ * 4);
  zero_loss();
  // Every micro-batch has its own pinned staging slot, so no upload waits for the kernels before it.
  reserve_staging(micro.size(), size_t(B) * T);
  if (kl_on()) kl_ref_->reserve_staging(micro.size(), size_t(B) * T);
  for (size_t m = 0; m < micro.size(); ++m) {
    reference_forward(micro[m], B, T, m);
    upload(micro[m], B, T, true, m);
    forward(B, T);
    backward(B, T, grad_scale);
  }
  // Norm, clip factor and update stay on the device; a non-finite norm or loss makes the update a no-op.
  const std::vector<cuda::AdamWTensor> ts = adam_tensors(h.weight_decay, anchored);
  cuda::grad_clip(ts.data(), int(ts.size()), h.grad_clip, &stats_->clip, clip_ws_, clip_ws_bytes_);
  cuda::fold_loss_finite(&stats_->xent, &stats_->clip);
  if (anchored) queue_anchor_sq();  // the penalty at the weights before the update
  // One update per distinct LR scale (the CPU's lr = h.lr * scale, in float).
  std::vector<float> scales;
  for (const ParamInfo& p : infos_)
    if (p.trainable && std::find(scales.begin(), scales.end(), p.lr_scale) == scales.end()) scales.push_back(p.lr_scale);
  for (float sc : scales) {
    std::vector<cuda::AdamWTensor> group;
    size_t k = 0;
    for (const ParamInfo& p : infos_) {
      if (!p.trainable) continue;
      if (p.lr_scale == sc) group.push_back(ts[k]);
      ++k;
    }
    cuda::AdamWConfig cfg{sc == 1.f ? h.lr : h.lr * sc, h.beta1, h.beta2, h.eps, step_ + 1};
    cfg.anchor_lambda = anchored ? h.anchor_weight : 0.f;
    cuda::adamw_update(group.data(), int(group.size()), cfg, &stats_->clip);
  }
  moments_zero_ = false;
  const StepStats st = wait_stats("step");  // the step's one wait
  size_t free_b = 0, total_b = 0;
  cuda::device_memory(&free_b, &total_b);
  peak_ = std::max(peak_, total_b - free_b);

  StepResult res;
  res.targets = targets;
  res.tokens = int64_t(micro.size()) * B * T;
  res.loss = st.xent.loss_sum / double(targets);
  res.kl = kl_on() ? st.kl_sum / double(targets) : 0.0;
  res.grad_norm = st.clip.norm;
  MT_CHECK(st.xent.count == targets, "step: the device counted ", st.xent.count, " target tokens, the host ", targets);
  if (!std::isfinite(res.loss) || !st.clip.finite) {
    res.skipped = true;  // the update was a no-op on the device; the step count stays
    return res;
  }
  if (anchored) res.penalty = double(h.anchor_weight) * 0.5 * st.anchor_sq;
  ++step_;
  return res;
}

// ---- Strategies --------------------------------------------------------------

void CudaLlama::set_trainable(const std::string& name, bool on) {
  const size_t i = index_.at(param(name).name);
  if (infos_[i].trainable == on) return;
  infos_[i].trainable = on;
  // Laid out by the next call that needs the trainable state (relayout), once for many changes. The slot
  // is dropped now either way: frozen, its gradient and moments read as zeros; unfrozen again, it starts
  // with fresh moments, like a tensor never trained.
  toff_[i] = SIZE_MAX;
  layout_stale_ = true;
}

void CudaLlama::set_lr_scale(const std::string& name, float scale) {
  MT_CHECK(std::isfinite(scale) && scale >= 0.f, "lr scale for '", name, "' must be finite and >= 0, got ", scale);
  infos_[index_.at(param(name).name)].lr_scale = scale;
}

void CudaLlama::set_anchor() {
  if (!anchor_) {
    const size_t f32 = align256(total_ * 4);
    anchor_ = static_cast<float*>(plan_alloc(f32, "anchor (L2-SP/EWC) weights", 0, 0));
    dist_ws_bytes_ = anchor_ws_bytes(infos_);
    dist_ws_ = plan_alloc(dist_ws_bytes_, "anchor distance workspace", 0, 0);
  }
  cuda::copy_on_device(anchor_, master_, total_ * 4);
  cuda::synchronize("set_anchor");
}

void CudaLlama::clear_anchor() {
  cuda::device_free(anchor_);
  cuda::device_free(anchor_w_);
  cuda::device_free(dist_ws_);
  anchor_ = anchor_w_ = nullptr, dist_ws_ = nullptr, dist_ws_bytes_ = 0;
}

void CudaLlama::set_anchor_weights(const std::string& name, const float* w) {
  const ParamInfo& p = param(name);
  MT_CHECK(anchor_, "set the anchor before its weights");
  if (!anchor_w_) {
    anchor_w_ = static_cast<float*>(plan_alloc(align256(total_ * 4), "anchor (EWC) importance weights", 0, 0));
    cuda::fill_f32(anchor_w_, 1.f, total_);  // F is 1 until set
  }
  cuda::copy_to_device(anchor_w_ + p.offset, w, p.numel * 4);
}

void CudaLlama::queue_anchor_sq() const {
  // Trainable tensors as ranges of the flat buffers, neighbours merged (the padding between them is 0 in both).
  std::vector<cuda::FlatRange> ranges;
  for (const ParamInfo& p : infos_) {
    if (!p.trainable) continue;
    if (!ranges.empty() && ranges.back().offset + align16(ranges.back().n) == p.offset) ranges.back().n = align16(ranges.back().n) + p.numel;
    else ranges.push_back({p.offset, p.numel});
  }
  cuda::sq_dist(master_, anchor_, anchor_w_, ranges.data(), int(ranges.size()), &stats_->anchor_sq, dist_ws_,
                dist_ws_bytes_);
}

double CudaLlama::anchor_distance() const {
  if (!anchor_) return 0;
  queue_anchor_sq();
  cuda::synchronize("anchor_distance");
  double s = 0;
  cuda::copy_to_host(&s, &stats_->anchor_sq, sizeof s);
  return 0.5 * s;
}

int64_t CudaLlama::accumulate_fisher(const Batch& b, int B, int T) {
  const size_t N = size_t(B) * T;
  MT_CHECK(b.labels.size() == N, "labels must have B*T = ", N, " entries, got ", b.labels.size());
  check_trainable();
  relayout();
  if (!fisher_) {
    fisher_ = static_cast<float*>(plan_alloc(align256(total_ * 4), "Fisher (EWC)", 0, 0));
    cuda::fill_bytes(fisher_, 0, total_ * 4);
  }
  // Row by row, as the CPU model: each row's own mean-token-loss gradient, squared.
  int64_t rows = 0;
  for (int r = 0; r < B; ++r) {
    const Batch row = batch_row(b, r, T);
    int64_t targets = 0;
    for (int32_t y : row.labels) targets += y != -100;
    if (targets == 0) continue;
    reference_forward(row, 1, T);  // with a KL reference the CPU's Fisher rows include its term too
    upload(row, 1, T, true);
    cuda::fill_bytes(grads_, 0, ttotal_ * 4);
    zero_loss();
    forward(1, T);
    backward(1, T, float(1.0 / double(targets)));
    // Trainable tensors only (a frozen one's Fisher stays 0, as its gradient on the CPU); F by full offset.
    for (size_t i = 0; i < infos_.size(); ++i)
      if (infos_[i].trainable) cuda::add_squares(grads_ + toff_[i], fisher_ + infos_[i].offset, infos_[i].numel);
    ++rows;
  }
  cuda::fill_bytes(grads_, 0, ttotal_ * 4);
  cuda::synchronize("accumulate_fisher");
  return rows;
}

void CudaLlama::get_fisher(const std::string& name, float* out) const {
  const ParamInfo& p = param(name);
  if (!fisher_) std::fill(out, out + p.numel, 0.f);
  else cuda::copy_to_host(out, fisher_ + p.offset, p.numel * 4);
}

void CudaLlama::clear_fisher() {
  cuda::device_free(fisher_);
  fisher_ = nullptr;
}

void CudaLlama::set_kl_reference(TrainBackend* other, float weight) {
  MT_CHECK(std::isfinite(weight) && weight >= 0.f, "KL weight must be finite and >= 0, got ", weight);
  auto* ref = dynamic_cast<CudaLlama*>(other);
  MT_CHECK(other == nullptr || ref != nullptr, "the KL reference is on the ", other ? other->device() : "",
           " backend; it must be on the ", device(), " backend too (load it on the training model's device)");
  MT_CHECK(ref != this, "the KL reference must be another model");
  if (ref) {
    MT_CHECK(ref->cfg_.vocab == cfg_.vocab, "the KL reference has vocab_size ", ref->cfg_.vocab, ", this model ",
             cfg_.vocab);
    // Forward only from here (see the header): the recompute layout is all a forward needs, and gradients
    // and moments it never stepped (all zero) are freed; relayout() makes them again if it is ever trained.
    ref->set_recompute(true);
    if (ref->moments_zero_ && ref->tstate_) ref->free_train();
  }
  kl_ref_ = ref;
  kl_weight_ = ref ? weight : 0.f;
}

void CudaLlama::enable_lora(const LoraConfig& c) {
  MT_CHECK(lora_.rank == 0, "LoRA is already enabled on this model");
  check_lora(c);
  MT_CHECK(!anchor_ && !fisher_ && !kl_ref_, "enable LoRA before setting an anchor, a Fisher or a KL reference");
  // The new parameter table: the factors appended, so every old tensor keeps its offset; the base frozen.
  std::vector<ParamInfo> infos = infos_;
  std::map<std::string, size_t> index = index_;
  size_t total = total_;
  append_lora(c, layers_, infos, index, total);
  State st{};
  TrainState tr{};
  const size_t bytes = carve_state(cfg_, total, nullptr, &st) + carve_train(infos, nullptr, &tr);
  // The master weights are staged through the host (the bf16 copy is derived; no moment survives: the base
  // is frozen and the factors are new), so the device never holds both states. Refused before anything
  // changes if the new ones cannot fit.
  size_t free_b = 0, total_b = 0;
  cuda::device_memory(&free_b, &total_b);
  const size_t freed = state_bytes_ + tstate_bytes_ + arena_bytes_;
  MT_CHECK(bytes <= free_b + freed, "CUDA out of memory: the weight state with LoRA needs ", gib(bytes), " GiB, ",
           gib(free_b + freed), " GiB would be free");
  std::vector<float> hm(total, 0.f);
  cuda::copy_to_host(hm.data(), master_, total_ * 4);
  cuda::device_free(arena_);
  arena_ = nullptr, arena_bytes_ = 0, acts_.reset(), B_ = T_ = 0;  // the activations need the LoRA buffers
  free_train();
  free_state();
  infos_ = std::move(infos), index_ = std::move(index), total_ = total;
  for (size_t i = 0; i < infos_.size(); ++i) by_offset_[infos_[i].offset] = i;
  lora_ = c;
  // A ~ U(-1/sqrt(in), 1/sqrt(in)) from the seed as on the CPU; B = 0.
  for (size_t t = 0; t < infos_.size(); ++t) {
    const ParamInfo& p = infos_[t];
    if (!p.lora || p.name.find(".lora_A.") == std::string::npos) continue;
    const float bound = 1.f / std::sqrt(float(p.shape[1]));
    for (size_t i = 0; i < p.numel; ++i) hm[p.offset + i] = bound * counter_random::uniform_at(c.seed, t, uint64_t(i));
  }
  alloc_state("weights (fp32 master and bf16 copy) with LoRA");
  alloc_train();
  cuda::copy_to_device(master_, hm.data(), total_ * 4);
  cuda::to_bf16(master_, static_cast<bf16*>(wbf_), total_);
  cuda::synchronize("enable_lora");
}

void CudaLlama::merged_param(const std::string& name, float* out) const {
  const ParamInfo& p = param(name);
  get_param(name, out);
  if (p.lora_a == SIZE_MAX) return;
  // On the host in fp32, as the CPU model: W + (alpha/r) B A from the master weights.
  const int r = lora_.rank, rows = int(p.shape[0]), cols = int(p.shape[1]);
  std::vector<float> A(size_t(r) * cols), Bm(size_t(rows) * r);
  cuda::copy_to_host(A.data(), master_ + p.lora_a, A.size() * 4);
  cuda::copy_to_host(Bm.data(), master_ + p.lora_b, Bm.size() * 4);
  cpu::gemm(false, false, rows, cols, r, lora_.alpha / float(r), Bm.data(), r, A.data(), cols, 1.f, out, cols);
}

// ---- Inference and probes ------------------------------------------------------

void CudaLlama::forward_logits(const Batch& b, int B, int T, float* logits) {
  upload(b, B, T, false);
  forward(B, T);
  const Acts& a = *acts_;
  const int N = B * T, C = cfg_.hidden, V = cfg_.vocab;
  // A chunk of rows at a time through the LM head's logits scratch (the N x V logits never exist on the device).
  const int R = cuda::lmhead_xent_chunk(N, V, 0);
  auto* chunk = static_cast<float*>(a.xent_ws);
  const bf16* W = static_cast<const bf16*>(wbf_);
  for (int r0 = 0; r0 < N; r0 += R) {
    const int rows = std::min(R, N - r0);
    cuda::model_gemm(false, true, rows, V, C, 1.f, a.xnF + size_t(r0) * C, C, W + lm_head_, C, chunk, true, V, false);
    cuda::synchronize("forward_logits");
    cuda::copy_to_host(logits + size_t(r0) * V, chunk, size_t(rows) * V * 4);
  }
}

std::vector<std::vector<float>> CudaLlama::hidden_states(const Batch& b, int B, int T, const int32_t* mask, bool mean) {
  const int L = cfg_.layers, C = cfg_.hidden;
  const size_t N = size_t(B) * T;
  const std::vector<int64_t> count = mask_counts(mask, B, T, mean);
  upload(b, B, T, false);
  forward(B, T);
  cuda::synchronize("hidden_states");
  // Entry l < L: layer l's input residual (kept with recompute too); entry L: the final-normed output.
  std::vector<std::vector<float>> out(size_t(L) + 1);
  std::vector<uint16_t> raw(N * C);
  std::vector<float> h(N * C);
  for (int l = 0; l <= L; ++l) {
    const bf16* src = l < L ? acts_->l[size_t(l)].res1 : acts_->xnF;
    cuda::copy_to_host(raw.data(), src, raw.size() * 2);
    for (size_t i = 0; i < raw.size(); ++i) {
      const uint32_t bits = uint32_t(raw[i]) << 16;
      std::memcpy(&h[i], &bits, 4);
    }
    out[size_t(l)] = pool_hidden(h.data(), B, T, C, mask, count, mean);
  }
  return out;
}

}  // namespace mt
#endif  // MIDTRAIN_HAVE_CUDA
