// Forward and backward of the Llama-family decoder on the CUDA kernels, in
// the order of model/llama.cpp (the CPU model) so the two read side by side.
// Everything from the first upload of a step to its AdamW update is queued on
// one stream without a host wait: the LM head adds each micro-batch's loss
// into device memory (lmhead_xent_accumulate), the loss's finiteness is folded
// into the ClipState that gates the update, and the host waits once, at the
// end of step(), to read loss, norm and the finite flag together (StepStats).
#ifdef MIDTRAIN_HAVE_CUDA
#include "model/cuda_llama.h"
#include "model/param_layout.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "core/check.h"
#include "cuda/adamw.h"
#include "cuda/attention.h"
#include "cuda/model_ops.h"
#include "cuda/norm.h"
#include "cuda/rope.h"
#include "cuda/runtime.h"
#include "cuda/swiglu.h"
#include "cuda/xent.h"

namespace mt {

using cuda::bf16;
using cuda::Impl;

namespace {

size_t align256(size_t n) { return (n + 255) / 256 * 256; }
double gib(size_t b) { return double(b) / double(size_t(1) << 30); }

// Allocates `bytes` or throws the out-of-memory error of the issue: what was
// asked, what is free, and what to try.
void* plan_alloc(size_t bytes, const char* what, int B, int T) {
  size_t free_b = 0, total_b = 0;
  cuda::device_memory(&free_b, &total_b);
  std::ostringstream hint;
  hint.precision(2);
  hint << std::fixed;
  auto oom = [&]() {
    hint << "CUDA out of memory: the " << what << " needs " << gib(bytes) << " GiB, " << gib(free_b) << " GiB of "
         << gib(total_b) << " GiB are free";
    if (B > 0) hint << " (micro-batch " << B << " x " << T << " tokens)";
    hint << ". Try a smaller --batch-size or --seq-len with a larger --grad-accum (same tokens per step); "
            "activation recompute and LoRA are not yet on the GPU, so they do not help here";
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
  double anchor_sq;      // sum F (w - w0)^2 over trainable tensors, before the update
  cuda::ClipState clip;  // global norm, clip factor, finite (norm and loss)
};

struct CudaLlama::Acts {
  struct L {
    bf16 *res1, *xn1, *qraw, *kraw, *q, *k, *v, *att, *res2, *xn2, *gate, *up, *act;
    float *rstd1, *rstdq, *rstdk, *lse, *rstd2;
  };
  std::vector<L> l;
  bf16 *resF, *xnF, *tmpC, *dres, *dxn, *dq, *dk, *dv, *datt, *dgate, *dup, *dact, *dqr, *dkr;
  float* rstdF;
  int32_t *ids, *labels, *pos, *start, *end;
  void *attn_ws, *norm_ws, *xent_ws;
  size_t attn_ws_bytes, norm_ws_bytes, xent_ws_bytes;
};

CudaLlama::CudaLlama(const LlamaConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  std::string why;
  const auto devs = cuda::devices(&why);
  MT_CHECK(!devs.empty(), "--device cuda: no CUDA device (", why, ")");
  const int64_t D = cfg.head_dim;
  declare_llama_params(cfg, &embed_, layers_, &final_norm_, &lm_head_,
                       [this](const std::string& name, std::vector<int64_t> shape, size_t* slot) { add_param(name, std::move(shape), slot); });
  if (cfg.tie_embeddings) lm_head_ = embed_;

  std::vector<cuda::AdamWTensor> ts(infos_.size());
  for (size_t i = 0; i < infos_.size(); ++i) ts[i].n = int64_t(infos_[i].numel);
  clip_ws_bytes_ = cuda::grad_sumsq_workspace_bytes(ts.data(), int(ts.size()));
  const size_t f32 = align256(total_ * 4), b16 = align256(total_ * 2);
  state_bytes_ = 4 * f32 + b16 + align256(size_t(D / 2) * 4) + align256(sizeof(StepStats)) + align256(clip_ws_bytes_);
  state_ = plan_alloc(state_bytes_, "weights, gradients and AdamW state", 0, 0);
  auto* p = static_cast<unsigned char*>(state_);
  master_ = reinterpret_cast<float*>(p), p += f32;
  grads_ = reinterpret_cast<float*>(p), p += f32;
  m_ = reinterpret_cast<float*>(p), p += f32;
  v_ = reinterpret_cast<float*>(p), p += f32;
  wbf_ = p, p += b16;
  inv_freq_ = reinterpret_cast<float*>(p), p += align256(size_t(D / 2) * 4);
  stats_ = reinterpret_cast<StepStats*>(p), p += align256(sizeof(StepStats));
  clip_ws_ = p;
  // A new model is all zeros, as the CPU model (loading a checkpoint should not pay for an init).
  cuda::fill_bytes(state_, 0, state_bytes_);
  std::vector<float> inv(size_t(D / 2));
  cpu::rope_inv_freq(inv.data(), int(D), cfg.rope_theta, cfg.rope_scaling);
  cuda::copy_to_device(inv_freq_, inv.data(), inv.size() * 4);
  cuda::synchronize("CudaLlama (allocation)");
}

CudaLlama::~CudaLlama() {
  cuda::device_free(arena_);
  cuda::device_free(state_);
}

const char* CudaLlama::device() const { return cuda::backend_kind(); }

void CudaLlama::add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot) {
  *slot = append_param(infos_, index_, total_, name, std::move(shape));
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

void CudaLlama::get_grad(const std::string& name, float* out) const {
  const ParamInfo& p = param(name);
  cuda::copy_to_host(out, grads_ + p.offset, p.numel * 4);
}

void CudaLlama::get_adam(const std::string& name, float* m, float* v) const {
  const ParamInfo& p = param(name);
  cuda::copy_to_host(m, m_ + p.offset, p.numel * 4);
  cuda::copy_to_host(v, v_ + p.offset, p.numel * 4);
}

void CudaLlama::set_adam(const std::string& name, const float* m, const float* v) {
  const ParamInfo& p = param(name);
  cuda::copy_to_device(m_ + p.offset, m, p.numel * 4);
  cuda::copy_to_device(v_ + p.offset, v, p.numel * 4);
}

void CudaLlama::init_weights(uint64_t seed, float std) {
  // The CPU model's counter-based init, so a seed gives the same model on both devices.
  LlamaModel cpu_model(cfg_);
  cpu_model.init_weights(seed, std);
  for (const ParamInfo& p : infos_) set_param(p.name, cpu_model.param_data(p.name));
}

BackendMemory CudaLlama::memory() const {
  BackendMemory m;
  m.weights_bytes = state_bytes_;
  m.activations_bytes = arena_bytes_;
  cuda::device_memory(&m.free_bytes, &m.total_bytes);
  return m;
}

void CudaLlama::plan(int B, int T) {
  if (B == B_ && T == T_ && arena_) return;
  cuda::device_free(arena_);
  arena_ = nullptr, acts_.reset(), B_ = T_ = 0;
  const size_t N = size_t(B) * T, C = cfg_.hidden, F = cfg_.intermediate, D = cfg_.head_dim;
  const size_t Hq = cfg_.heads, Hkv = cfg_.kv_heads, Q = Hq * D, KV = Hkv * D;
  const cuda::AttnShape shape{B, T, int(Hq), int(Hkv), int(D)};
  // Two passes over the same carving: the first sizes the arena, the second hands out pointers.
  auto a = std::make_unique<Acts>();
  a->l.resize(size_t(cfg_.layers));
  a->attn_ws_bytes = cuda::attention_backward_workspace_bytes(shape);
  a->norm_ws_bytes = std::max(cuda::rmsnorm_backward_workspace_bytes(int(N), int(C)),
                              cuda::rmsnorm_backward_workspace_bytes(int(N * Hq), int(D)));
  a->xent_ws_bytes = cuda::lmhead_xent_workspace_bytes(int(N), int(C), cfg_.vocab, 0);
  unsigned char* base = nullptr;
  size_t used = 0;
  auto take = [&](size_t bytes) -> void* {
    void* p = base ? base + used : nullptr;
    used += align256(std::max<size_t>(bytes, 1));
    return p;
  };
  auto carve = [&]() {
    used = 0;
    auto h = [&](size_t n) { return static_cast<bf16*>(take(n * 2)); };
    auto f = [&](size_t n) { return static_cast<float*>(take(n * 4)); };
    auto i = [&](size_t n) { return static_cast<int32_t*>(take(n * 4)); };
    for (auto& L : a->l) {
      L.res1 = h(N * C), L.xn1 = h(N * C), L.rstd1 = f(N);
      L.qraw = cfg_.qk_norm ? h(N * Q) : nullptr, L.kraw = cfg_.qk_norm ? h(N * KV) : nullptr;
      L.rstdq = cfg_.qk_norm ? f(N * Hq) : nullptr, L.rstdk = cfg_.qk_norm ? f(N * Hkv) : nullptr;
      L.q = h(N * Q), L.k = h(N * KV), L.v = h(N * KV), L.att = h(N * Q), L.lse = f(N * Hq);
      L.res2 = h(N * C), L.xn2 = h(N * C), L.rstd2 = f(N);
      L.gate = h(N * F), L.up = h(N * F), L.act = h(N * F);
    }
    a->resF = h(N * C), a->xnF = h(N * C), a->rstdF = f(N), a->tmpC = h(N * C);
    a->dres = h(N * C), a->dxn = h(N * C), a->dq = h(N * Q), a->dk = h(N * KV), a->dv = h(N * KV);
    a->datt = h(N * Q), a->dgate = h(N * F), a->dup = h(N * F), a->dact = h(N * F);
    a->dqr = cfg_.qk_norm ? h(N * Q) : nullptr, a->dkr = cfg_.qk_norm ? h(N * KV) : nullptr;
    a->ids = i(N), a->labels = i(N), a->pos = i(N), a->start = i(N), a->end = i(N);
    a->attn_ws = take(a->attn_ws_bytes), a->norm_ws = take(a->norm_ws_bytes), a->xent_ws = take(a->xent_ws_bytes);
  };
  carve();
  const size_t bytes = used;
  arena_ = plan_alloc(bytes, "activation plan", B, T);
  base = static_cast<unsigned char*>(arena_);
  carve();
  arena_bytes_ = bytes;
  acts_ = std::move(a);
  B_ = B, T_ = T;
  h_pos_.resize(N), h_start_.resize(N), h_end_.resize(N);
}

// Positions (restarting at each document, as LlamaModel::fill_positions) and
// document bounds on the host, then one async upload each.
void CudaLlama::upload(const Batch& b, int B, int T, bool labels) {
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
  plan(B, T);
  if (!b.positions.empty()) {
    for (size_t i = 0; i < N; ++i) MT_CHECK(b.positions[i] >= 0, "positions[", i, "] is negative");
    std::copy(b.positions.begin(), b.positions.end(), h_pos_.begin());
  } else {
    for (int r = 0; r < B; ++r)
      for (int t = 0; t < T; ++t) {
        const size_t i = size_t(r) * T + t;
        const bool restart = t == 0 || (!b.segments.empty() && b.segments[i] != b.segments[i - 1]);
        h_pos_[i] = restart ? 0 : h_pos_[i - 1] + 1;
      }
  }
  has_segments_ = !b.segments.empty();
  if (has_segments_) cuda::attention_doc_bounds(b.segments.data(), B, T, h_start_.data(), h_end_.data());
  Acts& a = *acts_;
  cuda::upload_async(a.ids, b.ids.data(), N * 4);
  if (labels) cuda::upload_async(a.labels, b.labels.data(), N * 4);
  cuda::upload_async(a.pos, h_pos_.data(), N * 4);
  if (has_segments_) cuda::upload_async(a.start, h_start_.data(), N * 4), cuda::upload_async(a.end, h_end_.data(), N * 4);
}

void CudaLlama::forward(int B, int T) {
  Acts& a = *acts_;
  const int N = B * T, C = cfg_.hidden, F = cfg_.intermediate, D = cfg_.head_dim;
  const int Hq = cfg_.heads, Hkv = cfg_.kv_heads, Q = Hq * D, KV = Hkv * D;
  const float eps = cfg_.rms_eps, scale = 1.f / std::sqrt(float(D));
  const bf16* W = static_cast<const bf16*>(wbf_);
  const cuda::AttnShape shape{B, T, Hq, Hkv, D};
  const Impl attn = (D == 64 || D == 128) ? Impl::Fast : Impl::Simple;
  const Impl rope = D % 16 == 0 ? Impl::Fast : Impl::Simple;
  const Impl norm = C % 8 == 0 && C <= 8192 ? Impl::Fast : Impl::Simple;
  const Impl hnorm = D % 8 == 0 ? Impl::Fast : Impl::Simple;
  const int32_t* ds = has_segments_ ? a.start : nullptr;
  const int32_t* de = has_segments_ ? a.end : nullptr;
  auto linear = [&](const bf16* x, size_t w, const bf16* bias, bf16* y, int in, int out) {
    cuda::model_gemm(false, true, N, out, in, 1.f, x, in, W + w, in, y, false, out, false);
    if (bias) cuda::bias_add(y, bias, N, out);
  };

  cuda::embedding_lookup(a.ids, W + embed_, a.l[0].res1, N, C);
  for (int l = 0; l < cfg_.layers; ++l) {
    const Layer& L = layers_[size_t(l)];
    Acts::L& x = a.l[size_t(l)];
    if (l == 0) cuda::rmsnorm_forward(x.res1, nullptr, x.res1, x.xn1, x.rstd1, W + L.ln1, N, C, eps, norm);
    else cuda::rmsnorm_forward(a.l[size_t(l) - 1].res2, a.tmpC, x.res1, x.xn1, x.rstd1, W + L.ln1, N, C, eps, norm);
    bf16* qdst = cfg_.qk_norm ? x.qraw : x.q;
    bf16* kdst = cfg_.qk_norm ? x.kraw : x.k;
    linear(x.xn1, L.wq, cfg_.qkv_bias ? W + L.bq : nullptr, qdst, C, Q);
    linear(x.xn1, L.wk, cfg_.qkv_bias ? W + L.bk : nullptr, kdst, C, KV);
    linear(x.xn1, L.wv, cfg_.qkv_bias ? W + L.bv : nullptr, x.v, C, KV);
    if (cfg_.qk_norm) {
      cuda::rmsnorm_forward(qdst, nullptr, qdst, x.q, x.rstdq, W + L.qn, N * Hq, D, eps, hnorm);
      cuda::rmsnorm_forward(kdst, nullptr, kdst, x.k, x.rstdk, W + L.kn, N * Hkv, D, eps, hnorm);
    }
    cuda::rope_apply(x.q, a.pos, inv_freq_, N, Hq, D, false, rope);
    cuda::rope_apply(x.k, a.pos, inv_freq_, N, Hkv, D, false, rope);
    cuda::attention_forward(x.q, x.k, x.v, ds, de, x.att, x.lse, shape, scale, attn);
    linear(x.att, L.wo, nullptr, a.tmpC, Q, C);
    cuda::rmsnorm_forward(x.res1, a.tmpC, x.res2, x.xn2, x.rstd2, W + L.ln2, N, C, eps, norm);
    linear(x.xn2, L.wg, nullptr, x.gate, C, F);
    linear(x.xn2, L.wu, nullptr, x.up, C, F);
    cuda::swiglu_forward(x.gate, x.up, x.act, size_t(N) * F);
    linear(x.act, L.wd, nullptr, a.tmpC, F, C);
  }
  cuda::rmsnorm_forward(a.l.back().res2, a.tmpC, a.resF, a.xnF, a.rstdF, W + final_norm_, N, C, eps, norm);
}

void CudaLlama::backward(int B, int T, float grad_scale) {
  Acts& a = *acts_;
  const int N = B * T, C = cfg_.hidden, F = cfg_.intermediate, D = cfg_.head_dim;
  const int Hq = cfg_.heads, Hkv = cfg_.kv_heads, Q = Hq * D, KV = Hkv * D;
  const float scale = 1.f / std::sqrt(float(D));
  const bf16* W = static_cast<const bf16*>(wbf_);
  float* G = grads_;
  const cuda::AttnShape shape{B, T, Hq, Hkv, D};
  const Impl attn = (D == 64 || D == 128) ? Impl::Fast : Impl::Simple;
  const Impl rope = D % 16 == 0 ? Impl::Fast : Impl::Simple;
  const Impl norm = C % 8 == 0 && C <= 8192 ? Impl::Fast : Impl::Simple;
  const Impl hnorm = D % 8 == 0 ? Impl::Fast : Impl::Simple;
  const int32_t* ds = has_segments_ ? a.start : nullptr;
  const int32_t* de = has_segments_ ? a.end : nullptr;
  // dx (= or +=) dy W ; dW += dy^T x ; dbias += colsum(dy)
  auto linear_bwd = [&](const bf16* dy, const bf16* x, size_t w, size_t bias, bf16* dx, bool acc, int in, int out) {
    cuda::model_gemm(false, false, N, in, out, 1.f, dy, out, W + w, in, dx, false, in, acc);
    cuda::model_gemm(true, false, out, in, N, 1.f, dy, out, x, in, G + w, true, in, true);
    if (bias != SIZE_MAX) cuda::bias_grad(dy, G + bias, N, out);
  };

  cuda::lmhead_xent_accumulate(a.xnF, W + lm_head_, a.labels, N, C, cfg_.vocab, grad_scale, a.dxn, G + lm_head_, nullptr,
                               0, a.xent_ws, a.xent_ws_bytes, &stats_->xent);
  cuda::fill_bytes(a.dres, 0, size_t(N) * C * 2);
  cuda::rmsnorm_backward(a.dxn, a.resF, a.rstdF, W + final_norm_, a.dres, G + final_norm_, N, C, a.norm_ws,
                         a.norm_ws_bytes, norm);
  const size_t none = SIZE_MAX;
  for (int l = cfg_.layers - 1; l >= 0; --l) {
    const Layer& L = layers_[size_t(l)];
    Acts::L& x = a.l[size_t(l)];
    linear_bwd(a.dres, x.act, L.wd, none, a.dact, false, F, C);
    cuda::swiglu_backward(a.dact, x.gate, x.up, a.dgate, a.dup, size_t(N) * F);
    linear_bwd(a.dgate, x.xn2, L.wg, none, a.dxn, false, C, F);
    linear_bwd(a.dup, x.xn2, L.wu, none, a.dxn, true, C, F);
    cuda::rmsnorm_backward(a.dxn, x.res2, x.rstd2, W + L.ln2, a.dres, G + L.ln2, N, C, a.norm_ws, a.norm_ws_bytes, norm);
    linear_bwd(a.dres, x.att, L.wo, none, a.datt, false, Q, C);
    cuda::attention_backward(x.q, x.k, x.v, ds, de, x.att, a.datt, x.lse, a.dq, a.dk, a.dv, shape, scale, a.attn_ws,
                             a.attn_ws_bytes, attn);
    cuda::rope_apply(a.dq, a.pos, inv_freq_, N, Hq, D, true, rope);
    cuda::rope_apply(a.dk, a.pos, inv_freq_, N, Hkv, D, true, rope);
    bf16* dqs = a.dq;
    bf16* dks = a.dk;
    if (cfg_.qk_norm) {
      cuda::fill_bytes(a.dqr, 0, size_t(N) * Q * 2);
      cuda::fill_bytes(a.dkr, 0, size_t(N) * KV * 2);
      cuda::rmsnorm_backward(a.dq, x.qraw, x.rstdq, W + L.qn, a.dqr, G + L.qn, N * Hq, D, a.norm_ws, a.norm_ws_bytes, hnorm);
      cuda::rmsnorm_backward(a.dk, x.kraw, x.rstdk, W + L.kn, a.dkr, G + L.kn, N * Hkv, D, a.norm_ws, a.norm_ws_bytes, hnorm);
      dqs = a.dqr, dks = a.dkr;
    }
    const bool bias = cfg_.qkv_bias;
    linear_bwd(dqs, x.xn1, L.wq, bias ? L.bq : none, a.dxn, false, C, Q);
    linear_bwd(dks, x.xn1, L.wk, bias ? L.bk : none, a.dxn, true, C, KV);
    linear_bwd(a.dv, x.xn1, L.wv, bias ? L.bv : none, a.dxn, true, C, KV);
    cuda::rmsnorm_backward(a.dxn, x.res1, x.rstd1, W + L.ln1, a.dres, G + L.ln1, N, C, a.norm_ws, a.norm_ws_bytes, norm);
  }
  cuda::embedding_grad(a.ids, a.dres, G + embed_, N, C);
}

// The stats' loss sum and count start at zero (queued, no wait).
void CudaLlama::zero_loss() { cuda::fill_bytes(&stats_->xent, 0, sizeof(cuda::XentAccum)); }

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

// The (trainable) tensors' AdamW descriptors: gradients, and with `update` the
// weights, moments and bf16 copies the update writes.
std::vector<cuda::AdamWTensor> CudaLlama::adam_tensors(float weight_decay) const {
  std::vector<cuda::AdamWTensor> ts;
  ts.reserve(infos_.size());
  bf16* wb = static_cast<bf16*>(wbf_);
  for (const ParamInfo& p : infos_) {
    cuda::AdamWTensor t;
    t.p = master_ + p.offset, t.g = grads_ + p.offset, t.m = m_ + p.offset, t.v = v_ + p.offset;
    t.p_bf16 = wb + p.offset, t.n = int64_t(p.numel);
    t.weight_decay = p.shape.size() >= 2 ? weight_decay : 0.f;
    ts.push_back(t);
  }
  return ts;
}

cpu::XentResult CudaLlama::loss_and_grad(const Batch& b, int B, int T, double* grad_norm) {
  int64_t targets = 0;
  for (int32_t y : b.labels) targets += y != -100;
  MT_CHECK(targets > 0, "this batch has no target tokens (every label is -100)");
  upload(b, B, T, true);
  cuda::fill_bytes(grads_, 0, total_ * 4);
  zero_loss();
  forward(B, T);
  backward(B, T, float(1.0 / double(targets)));
  const std::vector<cuda::AdamWTensor> ts = adam_tensors(0.f);
  cuda::grad_clip(ts.data(), int(ts.size()), 0.f, &stats_->clip, clip_ws_, clip_ws_bytes_);  // max_norm 0: the norm only
  const StepStats st = wait_stats("loss_and_grad");
  if (grad_norm) *grad_norm = st.clip.norm;
  return {st.xent.loss_sum, st.xent.count};
}

StepResult CudaLlama::step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h) {
  MT_CHECK(!micro.empty(), "a step needs at least one micro-batch");
  MT_CHECK(h.anchor_weight == 0.f, "anchors (L2-SP/EWC) are not yet on the GPU: use --device cpu");
  int64_t targets = 0;
  for (const Batch& b : micro)
    for (int32_t y : b.labels) targets += y != -100;
  MT_CHECK(targets > 0, "this step has no target tokens (every label is -100)");
  const float grad_scale = float(1.0 / double(targets));

  // Queued without a host wait from here to the AdamW update.
  cuda::fill_bytes(grads_, 0, total_ * 4);
  zero_loss();
  for (const Batch& b : micro) {
    upload(b, B, T, true);
    forward(B, T);
    backward(B, T, grad_scale);
  }
  // Norm, clip factor and update stay on the device; a non-finite norm or loss makes the update a no-op.
  const std::vector<cuda::AdamWTensor> ts = adam_tensors(h.weight_decay);
  cuda::grad_clip(ts.data(), int(ts.size()), h.grad_clip, &stats_->clip, clip_ws_, clip_ws_bytes_);
  cuda::fold_loss_finite(&stats_->xent, &stats_->clip);
  cuda::AdamWConfig cfg{h.lr, h.beta1, h.beta2, h.eps, step_ + 1};
  cuda::adamw_update(ts.data(), int(ts.size()), cfg, &stats_->clip);
  const StepStats st = wait_stats("step");  // the step's one wait

  StepResult res;
  res.targets = targets;
  res.tokens = int64_t(micro.size()) * B * T;
  res.loss = st.xent.loss_sum / double(targets);
  res.grad_norm = st.clip.norm;
  MT_CHECK(st.xent.count == targets, "step: the device counted ", st.xent.count, " target tokens, the host ", targets);
  if (!std::isfinite(res.loss) || !st.clip.finite) {
    res.skipped = true;  // the update was a no-op on the device; the step count stays
    return res;
  }
  ++step_;
  return res;
}

}  // namespace mt
#endif  // MIDTRAIN_HAVE_CUDA
