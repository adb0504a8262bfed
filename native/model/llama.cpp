// Forward and backward of a Llama-family decoder, written top to bottom so it
// can be read beside Hugging Face's modeling_llama.py. Shapes: N = B*T tokens,
// C = hidden, F = intermediate, Hq/Hkv heads of D dims. Linear weights use the
// HF layout [out, in], so y = x W^T.
#include "model/llama.h"
#include "model/counter_random.h"
#include "model/hidden_pool.h"
#include "model/param_layout.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/check.h"
#include "cpu/attention.h"
#include "cpu/embedding.h"
#include "cpu/gemm.h"
#include "cpu/norm.h"
#include "cpu/swiglu.h"
#include "model/kl_head.h"

namespace mt {

using namespace mt::cpu;

void LlamaConfig::validate() const {
  MT_CHECK(vocab > 0, "config: vocab_size must be positive, got ", vocab);
  MT_CHECK(hidden > 0, "config: hidden_size must be positive, got ", hidden);
  MT_CHECK(intermediate > 0, "config: intermediate_size must be positive, got ", intermediate);
  MT_CHECK(layers > 0, "config: num_hidden_layers must be positive, got ", layers);
  MT_CHECK(heads > 0, "config: num_attention_heads must be positive, got ", heads);
  MT_CHECK(kv_heads > 0, "config: num_key_value_heads must be positive, got ", kv_heads);
  MT_CHECK(heads % kv_heads == 0, "config: num_key_value_heads (", kv_heads, ") must divide num_attention_heads (",
           heads, ")");
  MT_CHECK(head_dim > 0 && head_dim <= 256 && head_dim % 2 == 0, "config: head_dim must be even and in [2, 256], got ",
           head_dim);
  MT_CHECK(rms_eps > 0, "config: rms_norm_eps must be positive");
  MT_CHECK(rope_theta > 0, "config: rope_theta must be positive");
}

namespace {


using counter_random::normal_at;
using counter_random::uniform_at;

// Fixed 64K-element blocks summed in order: the same for any thread count.
double weighted_sq_dist(const float* p, const float* p0, const float* w, size_t n) {
  constexpr size_t kBlock = size_t(1) << 16;
  const long nb = long((n + kBlock - 1) / kBlock);
  std::vector<double> part(size_t(nb), 0.0);
#pragma omp parallel for schedule(static) if (nb > 1)
  for (long b = 0; b < nb; ++b) {
    const size_t lo = size_t(b) * kBlock, hi = std::min(n, lo + kBlock);
    double s = 0;
    for (size_t i = lo; i < hi; ++i) {
      const double d = double(p[i]) - double(p0[i]);
      s += (w ? double(w[i]) : 1.0) * d * d;
    }
    part[size_t(b)] = s;
  }
  double s = 0;
  for (double x : part) s += x;
  return s;
}

const char* const kProjName[kTargets] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                         "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};

// y[N, out] = x[N, in] W^T (+ bias)
void linear(const float* x, const float* W, const float* bias, float* y, int N, int in, int out) {
  gemm(false, true, N, out, in, 1.f, x, in, W, in, 0.f, y, out);
  if (bias) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; ++n) {
      float* r = y + size_t(n) * out;
      for (int j = 0; j < out; ++j) r[j] += bias[j];
    }
  }
}

// dx[N, in] (= or +=) dy[N, out] W ; dW[out, in] += dy^T x ; dbias[out] += colsum(dy)
// (dW or dbias nullptr: frozen, skipped)
void linear_backward(const float* dy, const float* x, const float* W, float* dx, bool accumulate_dx, float* dW,
                     float* dbias, int N, int in, int out) {
  gemm(false, false, N, in, out, 1.f, dy, out, W, in, accumulate_dx ? 1.f : 0.f, dx, in);
  if (dW) gemm(true, false, out, in, N, 1.f, dy, out, x, in, 1.f, dW, in);
  if (dbias) {
#pragma omp parallel for schedule(static)
    for (int j = 0; j < out; ++j) {
      double s = 0;
      for (int n = 0; n < N; ++n) s += dy[size_t(n) * out + j];
      dbias[j] += float(s);
    }
  }
}

// Adds the wall time of one statement to a phase of the model's profile.
struct PhaseTimer {
  double& acc;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  ~PhaseTimer() { acc += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
};
#define TIMED(phase, ...)                 \
  do {                                    \
    PhaseTimer timer_{prof_[phase]};      \
    __VA_ARGS__;                          \
  } while (0)

}  // namespace

const char* LlamaModel::phase_name(int p) {
  static const char* names[kPhases] = {"embedding", "rmsnorm", "gemm", "attention_fwd", "attention_bwd",
                                       "rope",      "swiglu",  "lm_head_xent", "optimizer"};
  return names[p];
}

LlamaModel::LlamaModel(const LlamaConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  const int64_t D = cfg.head_dim;
  declare_llama_params(cfg, &embed_, layers_, &final_norm_, &lm_head_,
                       [this](const std::string& name, std::vector<int64_t> shape, size_t* slot) { add_param(name, std::move(shape), slot); });
  for (int l = 0; l < cfg.layers; ++l)
    for (int t = 0; t < kTargets; ++t) layers_[l].proj[t] = index_.at("model.layers." + std::to_string(l) + "." + kProjName[t] + ".weight");
  params_.assign(total_, 0.f);  // gradients are allocated by the first backward
  inv_freq_.resize(D / 2);
  rope_inv_freq(inv_freq_.data(), int(D), cfg.rope_theta, cfg.rope_scaling);
}

void LlamaModel::add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot) {
  *slot = append_param(infos_, index_, total_, name, std::move(shape));
  by_offset_[*slot] = infos_.size() - 1;
}

const ParamInfo& LlamaModel::info_at(size_t offset) const { return infos_[by_offset_.at(offset)]; }

float* LlamaModel::grad_or_null(size_t offset) { return trainable_at(offset) ? grads_.data() + offset : nullptr; }

float* LlamaModel::norm_grad(size_t offset, size_t n) {
  if (trainable_at(offset)) return grads_.data() + offset;
  if (norm_sink_.size() < n) norm_sink_.resize(n);
  return norm_sink_.data();
}

void LlamaModel::set_trainable(const std::string& name, bool on) {
  ParamInfo& p = infos_[index_.at(param(name).name)];
  p.trainable = on;
  // A gradient left from before would count in the norm; frozen means zero.
  if (!on && grads_.size() == total_) std::fill(grads_.data() + p.offset, grads_.data() + p.offset + p.numel, 0.f);
  all_trainable_ = std::all_of(infos_.begin(), infos_.end(), [](const ParamInfo& i) { return i.trainable; });
}

void LlamaModel::set_lr_scale(const std::string& name, float scale) {
  MT_CHECK(std::isfinite(scale) && scale >= 0.f, "lr scale for '", name, "' must be finite and >= 0, got ", scale);
  infos_[index_.at(param(name).name)].lr_scale = scale;
}

int LlamaModel::backward_floor() const {
  if (all_trainable_ || trainable_at(embed_)) return 0;
  for (int l = 0; l < cfg_.layers; ++l) {
    const std::string prefix = "model.layers." + std::to_string(l) + ".";
    for (const ParamInfo& p : infos_)
      if (p.trainable && p.name.compare(0, prefix.size(), prefix) == 0) return l;
  }
  return cfg_.layers;
}

void LlamaModel::enable_lora(const LoraConfig& c) {
  MT_CHECK(lora_.rank == 0, "LoRA is already enabled on this model");
  MT_CHECK(c.rank >= 1, "LoRA rank must be >= 1, got ", c.rank);
  MT_CHECK(std::isfinite(c.alpha) && c.alpha > 0, "LoRA alpha must be > 0, got ", c.alpha);
  MT_CHECK(c.targets != 0 && c.targets < (1u << kTargets), "LoRA needs at least one target projection");
  MT_CHECK(anchor_.empty() && fisher_.empty() && kl_ref_ == nullptr, "enable LoRA before setting an anchor, a Fisher or a KL reference");
  const size_t old_total = total_;
  for (ParamInfo& p : infos_) p.trainable = false;  // the base is frozen
  for (int l = 0; l < cfg_.layers; ++l)
    for (int t = 0; t < kTargets; ++t) {
      if (!(c.targets & (1u << t))) continue;
      const size_t wi = layers_[l].proj[t];
      const int64_t out = infos_[wi].shape[0], in = infos_[wi].shape[1];
      const std::string base = infos_[wi].name.substr(0, infos_[wi].name.size() - 7);  // drop ".weight"
      size_t a = 0, b = 0;
      add_param(base + ".lora_A.weight", {c.rank, in}, &a);
      infos_.back().lora = true;
      add_param(base + ".lora_B.weight", {out, c.rank}, &b);
      infos_.back().lora = true;
      infos_[wi].lora_a = a, infos_[wi].lora_b = b;
    }
  // Grow the buffers, keeping the weights and any Adam moments.
  auto grow = [&](FloatBuffer& buf) {
    if (buf.empty()) return;
    FloatBuffer n;
    n.assign(total_, 0.f);
    std::copy(buf.data(), buf.data() + old_total, n.data());
    buf = std::move(n);
  };
  grow(params_), grow(m_), grow(v_);
  grads_ = FloatBuffer();
  lora_ = c;
  all_trainable_ = false;
  float* P = params_.data();
  for (size_t t = 0; t < infos_.size(); ++t) {
    const ParamInfo& p = infos_[t];
    if (!p.lora || p.name.find(".lora_A.") == std::string::npos) continue;  // B stays 0
    const float bound = 1.f / std::sqrt(float(p.shape[1]));
    const long n = long(p.numel);
    for (long i = 0; i < n; ++i) P[p.offset + size_t(i)] = bound * uniform_at(c.seed, t, uint64_t(i));
  }
  B_ = T_ = 0;  // activations need the LoRA buffers
}

void LlamaModel::merged_param(const std::string& name, float* out) const {
  const ParamInfo& p = param(name);
  const float* P = params_.data();
  std::copy(P + p.offset, P + p.offset + p.numel, out);
  if (p.lora_a == SIZE_MAX) return;
  const int r = lora_.rank, rows = int(p.shape[0]), cols = int(p.shape[1]);
  gemm(false, false, rows, cols, r, lora_.alpha / float(r), P + p.lora_b, r, P + p.lora_a, cols, 1.f, out, cols);
}

void LlamaModel::set_anchor() {
  anchor_.assign(total_, 0.f);
  std::copy(params_.data(), params_.data() + total_, anchor_.data());
}

void LlamaModel::clear_anchor() {
  anchor_ = FloatBuffer();
  anchor_w_ = FloatBuffer();
}

float* LlamaModel::anchor_weights(const std::string& name) {
  MT_CHECK(!anchor_.empty(), "set the anchor before its weights");
  if (anchor_w_.empty()) anchor_w_.assign(total_, 1.f);
  return anchor_w_.data() + param(name).offset;
}

double LlamaModel::anchor_distance() const {
  if (anchor_.empty()) return 0;
  double s = 0;
  for (const ParamInfo& p : infos_)
    if (p.trainable)
      s += weighted_sq_dist(params_.data() + p.offset, anchor_.data() + p.offset,
                            anchor_w_.empty() ? nullptr : anchor_w_.data() + p.offset, p.numel);
  return 0.5 * s;
}

int64_t LlamaModel::accumulate_fisher(const Batch& b, int B, int T) {
  MT_CHECK(b.labels.size() == size_t(B) * T, "labels must have B*T = ", size_t(B) * T, " entries, got ", b.labels.size());
  if (fisher_.empty()) fisher_.assign(total_, 0.f);
  int64_t rows = 0;
  for (int r = 0; r < B; ++r) {
    const Batch row = batch_row(b, r, T);
    int64_t targets = 0;
    for (int32_t y : row.labels) targets += y != -100;
    if (targets == 0) continue;
    zero_grad();
    forward_backward(row, 1, T, float(1.0 / double(targets)));
    float* F = fisher_.data();
    const float* G = grads_.data();
    const long n = long(total_);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) F[i] += G[i] * G[i];
    ++rows;
  }
  zero_grad();
  return rows;
}

float* LlamaModel::fisher(const std::string& name) {
  if (fisher_.empty()) fisher_.assign(total_, 0.f);
  return fisher_.data() + param(name).offset;
}

void LlamaModel::clear_fisher() { fisher_ = FloatBuffer(); }

void LlamaModel::set_kl_reference(TrainBackend* other, float weight) {
  MT_CHECK(std::isfinite(weight) && weight >= 0.f, "KL weight must be finite and >= 0, got ", weight);
  auto* ref = dynamic_cast<LlamaModel*>(other);
  MT_CHECK(other == nullptr || ref != nullptr, "the KL reference is on the ", other ? other->device() : "", " backend; it must be on the CPU too");
  MT_CHECK(ref != this, "the KL reference must be another model");
  if (ref) MT_CHECK(ref->cfg_.vocab == cfg_.vocab, "the KL reference has vocab_size ", ref->cfg_.vocab, ", this model ", cfg_.vocab);
  kl_ref_ = ref;
  kl_weight_ = ref ? weight : 0.f;
}

std::vector<std::vector<float>> LlamaModel::hidden_states(const Batch& b, int B, int T, const int32_t* mask, bool mean) {
  forward(b, B, T, true);
  const int L = cfg_.layers, C = cfg_.hidden;
  const std::vector<int64_t> count = mask_counts(mask, B, T, mean);
  std::vector<std::vector<float>> out(size_t(L) + 1);
  for (int l = 0; l <= L; ++l)
    out[size_t(l)] = pool_hidden(l < L ? acts_[l].res1.data() : xnF_.data(), B, T, C, mask, count, mean);
  return out;
}

const ParamInfo& LlamaModel::param(const std::string& name) const {
  auto it = index_.find(name);
  MT_CHECK(it != index_.end(), "no parameter named '", name, "'");
  return infos_[it->second];
}

size_t LlamaModel::num_params() const {
  size_t n = 0;
  for (const ParamInfo& p : infos_) n += p.numel;
  return n;
}

float* LlamaModel::adam_m(const std::string& name) {
  if (m_.empty()) m_.assign(total_, 0.f), v_.assign(total_, 0.f);
  return m_.data() + param(name).offset;
}
float* LlamaModel::adam_v(const std::string& name) {
  if (m_.empty()) m_.assign(total_, 0.f), v_.assign(total_, 0.f);
  return v_.data() + param(name).offset;
}

// --- TrainBackend's copies (state not yet allocated reads as zeros) ----------
namespace {
void copy_or_zero(const FloatBuffer& buf, const ParamInfo& p, float* out) {
  if (buf.empty()) std::fill(out, out + p.numel, 0.f);
  else std::copy(buf.data() + p.offset, buf.data() + p.offset + p.numel, out);
}
}  // namespace

void LlamaModel::get_param(const std::string& name, float* out) const { copy_or_zero(params_, param(name), out); }
void LlamaModel::set_param(const std::string& name, const float* in) {
  const ParamInfo& p = param(name);
  std::copy(in, in + p.numel, params_.data() + p.offset);
}
void LlamaModel::get_grad(const std::string& name, float* out) const { copy_or_zero(grads_, param(name), out); }
void LlamaModel::get_adam(const std::string& name, float* m, float* v) const {
  copy_or_zero(m_, param(name), m);
  copy_or_zero(v_, param(name), v);
}
void LlamaModel::set_adam(const std::string& name, const float* m, const float* v) {
  const ParamInfo& p = param(name);
  std::copy(m, m + p.numel, adam_m(name));
  std::copy(v, v + p.numel, adam_v(name));
}
void LlamaModel::set_anchor_weights(const std::string& name, const float* w) {
  std::copy(w, w + param(name).numel, anchor_weights(name));
}
void LlamaModel::get_fisher(const std::string& name, float* out) const { copy_or_zero(fisher_, param(name), out); }

BackendMemory LlamaModel::memory() const {
  BackendMemory m;
  m.weights_bytes = (params_.size() + grads_.size() + m_.size() + v_.size() + anchor_.size() + anchor_w_.size() + fisher_.size()) * 4;
  size_t acts = 0;
  for (const Acts& a : acts_)
    for (const std::vector<float>* v : {&a.res1, &a.xn1, &a.rstd1, &a.qraw, &a.kraw, &a.rstdq, &a.rstdk, &a.q, &a.k, &a.v, &a.att,
                                        &a.lse, &a.res2, &a.xn2, &a.rstd2, &a.gate, &a.up, &a.act})
      acts += v->size() * 4;
  m.activations_bytes = acts;
  return m;
}

std::vector<std::pair<std::string, double>> LlamaModel::phase_seconds() const {
  std::vector<std::pair<std::string, double>> out;
  for (int p = 0; p < kPhases; ++p) out.emplace_back(phase_name(p), prof_[p]);
  return out;
}

cpu::XentResult LlamaModel::loss_and_grad(const Batch& b, int B, int T, double* norm) {
  int64_t targets = 0;
  for (int32_t y : b.labels) targets += y != -100;
  MT_CHECK(targets > 0, "lossAndGrad: every label is -100");
  zero_grad();
  last_kl_sum_ = 0;
  cpu::XentResult r = forward_backward(b, B, T, float(1.0 / double(targets)), &last_kl_sum_);
  if (norm) *norm = grad_norm();
  return r;
}

void LlamaModel::init_weights(uint64_t seed, float std) {
  for (size_t t = 0; t < infos_.size(); ++t) {
    const ParamInfo& p = infos_[t];
    float* w = params_.data() + p.offset;
    bool is_norm = p.name.find("norm") != std::string::npos;
    bool is_bias = p.name.size() > 5 && p.name.compare(p.name.size() - 5, 5, ".bias") == 0;
    const long n = long(p.numel);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) w[i] = is_norm ? 1.f : is_bias ? 0.f : std * normal_at(seed, t, uint64_t(i));
  }
}

const float* LlamaModel::lm_head() const { return params_.data() + (cfg_.tie_embeddings ? embed_ : lm_head_); }
float* LlamaModel::lm_head_grad() { return grads_.data() + (cfg_.tie_embeddings ? embed_ : lm_head_); }

void LlamaModel::prepare(int B, int T) {
  MT_CHECK(B > 0 && T > 0, "batch must have B > 0 rows of T > 0 tokens, got B=", B, " T=", T);
  if (B == B_ && T == T_) return;
  const size_t N = size_t(B) * T, C = cfg_.hidden, F = cfg_.intermediate, D = cfg_.head_dim;
  const size_t Q = cfg_.heads * D, KV = cfg_.kv_heads * D;
  acts_.assign(cfg_.layers, Acts{});
  for (Acts& a : acts_) {
    a.res1.resize(N * C), a.xn1.resize(N * C), a.rstd1.resize(N);
    if (cfg_.qk_norm) a.qraw.resize(N * Q), a.kraw.resize(N * KV), a.rstdq.resize(N * cfg_.heads),
        a.rstdk.resize(N * cfg_.kv_heads);
    a.q.resize(N * Q), a.k.resize(N * KV), a.v.resize(N * KV), a.att.resize(N * Q);
    a.lse.resize(N * cfg_.heads);
    a.res2.resize(N * C), a.xn2.resize(N * C), a.rstd2.resize(N);
    a.gate.resize(N * F), a.up.resize(N * F), a.act.resize(N * F);
    for (int t = 0; t < kTargets; ++t)
      if (lora_.targets & (1u << t)) a.lora_u[t].resize(N * size_t(lora_.rank));
  }
  if (lora_.rank > 0) lora_du_.resize(N * size_t(lora_.rank));
  resF_.resize(N * C), xnF_.resize(N * C), rstdF_.resize(N), tmpC_.resize(N * C);
  dres_.resize(N * C), dxn_.resize(N * C), dq_.resize(N * Q), dk_.resize(N * KV), dv_.resize(N * KV);
  datt_.resize(N * Q), dgate_.resize(N * F), dup_.resize(N * F), dact_.resize(N * F);
  if (cfg_.qk_norm) dqr_.resize(N * Q), dkr_.resize(N * KV);
  pos_.resize(N), seg_.resize(N);
  B_ = B, T_ = T;
}

void LlamaModel::fill_positions(const Batch& b, int B, int T) {
  const size_t N = size_t(B) * T;
  MT_CHECK(b.ids.size() == N, "input_ids must have B*T = ", N, " entries, got ", b.ids.size());
  MT_CHECK(b.positions.empty() || b.positions.size() == N, "positions must have B*T = ", N, " entries, got ",
           b.positions.size());
  MT_CHECK(b.segments.empty() || b.segments.size() == N, "segment_ids must have B*T = ", N, " entries, got ",
           b.segments.size());
  if (!b.segments.empty()) std::copy(b.segments.begin(), b.segments.end(), seg_.begin());
  if (!b.positions.empty()) {
    for (size_t i = 0; i < N; ++i) MT_CHECK(b.positions[i] >= 0, "positions[", i, "] is negative");
    std::copy(b.positions.begin(), b.positions.end(), pos_.begin());
    return;
  }
  for (int r = 0; r < B; ++r)
    for (int t = 0; t < T; ++t) {
      size_t i = size_t(r) * T + t;
      bool restart = t == 0 || (!b.segments.empty() && seg_[i] != seg_[i - 1]);
      pos_[i] = restart ? 0 : pos_[i - 1] + 1;
    }
}

void LlamaModel::forward(const Batch& b, int B, int T, bool keep) {
  prepare(B, T);
  fill_positions(b, B, T);
  const int N = B * T, C = cfg_.hidden, F = cfg_.intermediate, D = cfg_.head_dim;
  const int Hq = cfg_.heads, Hkv = cfg_.kv_heads, Q = Hq * D, KV = Hkv * D;
  const float* P = params_.data();
  const int32_t* seg = b.segments.empty() ? nullptr : seg_.data();
  const AttnShape shape{B, T, Hq, Hkv, D};
  const float scale = 1.f / std::sqrt(float(D));

  TIMED(kEmbedding, embedding_forward(b.ids.data(), P + embed_, acts_[0].res1.data(), N, cfg_.vocab, C));
  for (int l = 0; l < cfg_.layers; ++l) {
    const Layer& L = layers_[l];
    Acts& a = acts_[keep ? l : 0];
    // Residual add fused into the norm: res1 = res2(previous layer) + mlp_out.
    if (l == 0)
      TIMED(kNorm, rmsnorm_forward(a.res1.data(), nullptr, a.res1.data(), a.xn1.data(), a.rstd1.data(), P + L.ln1, N, C, cfg_.rms_eps));
    else
      TIMED(kNorm, rmsnorm_forward(acts_[keep ? l - 1 : 0].res2.data(), tmpC_.data(), a.res1.data(), a.xn1.data(), a.rstd1.data(),
                      P + L.ln1, N, C, cfg_.rms_eps));
    // Attention block.
    float* qdst = cfg_.qk_norm ? a.qraw.data() : a.q.data();
    float* kdst = cfg_.qk_norm ? a.kraw.data() : a.k.data();
    TIMED(kGemm, proj(L, kQ, L.wq, cfg_.qkv_bias ? P + L.bq : nullptr, a.xn1.data(), qdst, N, C, Q, a));
    TIMED(kGemm, proj(L, kK, L.wk, cfg_.qkv_bias ? P + L.bk : nullptr, a.xn1.data(), kdst, N, C, KV, a));
    TIMED(kGemm, proj(L, kV, L.wv, cfg_.qkv_bias ? P + L.bv : nullptr, a.xn1.data(), a.v.data(), N, C, KV, a));
    if (cfg_.qk_norm) {  // Qwen3: RMSNorm over each head's D values, before RoPE
      TIMED(kNorm, rmsnorm_forward(qdst, nullptr, qdst, a.q.data(), a.rstdq.data(), P + L.qn, N * Hq, D, cfg_.rms_eps));
      TIMED(kNorm, rmsnorm_forward(kdst, nullptr, kdst, a.k.data(), a.rstdk.data(), P + L.kn, N * Hkv, D, cfg_.rms_eps));
    }
    TIMED(kRope, rope_apply(a.q.data(), pos_.data(), inv_freq_.data(), N, Hq, D, false));
    TIMED(kRope, rope_apply(a.k.data(), pos_.data(), inv_freq_.data(), N, Hkv, D, false));
    TIMED(kAttnFwd, attention_forward(a.q.data(), a.k.data(), a.v.data(), seg, a.att.data(), a.lse.data(), shape, scale));
    TIMED(kGemm, proj(L, kO, L.wo, nullptr, a.att.data(), tmpC_.data(), N, Q, C, a));
    // MLP block: res2 = res1 + attn_out, then SwiGLU.
    TIMED(kNorm, rmsnorm_forward(a.res1.data(), tmpC_.data(), a.res2.data(), a.xn2.data(), a.rstd2.data(), P + L.ln2, N, C,
                    cfg_.rms_eps));
    TIMED(kGemm, proj(L, kGate, L.wg, nullptr, a.xn2.data(), a.gate.data(), N, C, F, a));
    TIMED(kGemm, proj(L, kUp, L.wu, nullptr, a.xn2.data(), a.up.data(), N, C, F, a));
    TIMED(kSwiglu, swiglu_forward(a.gate.data(), a.up.data(), a.act.data(), size_t(N) * F));
    TIMED(kGemm, proj(L, kDown, L.wd, nullptr, a.act.data(), tmpC_.data(), N, F, C, a));
  }
  TIMED(kNorm, rmsnorm_forward(acts_[keep ? cfg_.layers - 1 : 0].res2.data(), tmpC_.data(), resF_.data(), xnF_.data(),
                  rstdF_.data(), P + final_norm_, N, C, cfg_.rms_eps));
}

void LlamaModel::forward_logits(const Batch& b, int B, int T, float* logits) {
  forward(b, B, T, false);
  TIMED(kGemm, linear(xnF_.data(), lm_head(), nullptr, logits, B * T, cfg_.hidden, cfg_.vocab));
}

XentResult LlamaModel::eval_loss(const Batch& b, int B, int T) {
  MT_CHECK(b.labels.size() == size_t(B) * T, "labels must have B*T = ", size_t(B) * T, " entries, got ",
           b.labels.size());
  forward(b, B, T, false);
  return lmhead_xent(xnF_.data(), lm_head(), b.labels.data(), B * T, cfg_.hidden, cfg_.vocab, 1.f, nullptr, nullptr,
                     nullptr, 0);
}

void LlamaModel::proj(const Layer& L, int t, size_t W, const float* bias, const float* x, float* y, int N, int in,
                      int out, Acts& a) {
  const float* P = params_.data();
  linear(x, P + W, bias, y, N, in, out);
  const ParamInfo& w = infos_[L.proj[t]];
  if (w.lora_a == SIZE_MAX) return;
  const int r = lora_.rank;
  float* u = a.lora_u[t].data();
  gemm(false, true, N, r, in, 1.f, x, in, P + w.lora_a, in, 0.f, u, r);                   // u = x A^T
  gemm(false, true, N, out, r, lora_.alpha / float(r), u, r, P + w.lora_b, r, 1.f, y, out);  // y += s u B^T
}

void LlamaModel::proj_backward(const Layer& L, int t, size_t W, size_t bias, const float* dy, const float* x, float* dx,
                               bool accumulate_dx, int N, int in, int out, Acts& a) {
  const float* P = params_.data();
  float* G = grads_.data();
  linear_backward(dy, x, P + W, dx, accumulate_dx, grad_or_null(W), cfg_.qkv_bias && bias != SIZE_MAX ? grad_or_null(bias) : nullptr,
                  N, in, out);
  const ParamInfo& w = infos_[L.proj[t]];
  if (w.lora_a == SIZE_MAX) return;
  const int r = lora_.rank;
  const float s = lora_.alpha / float(r);
  float* du = lora_du_.data();
  gemm(false, false, N, r, out, s, dy, out, P + w.lora_b, r, 0.f, du, r);                  // du = s dy B
  gemm(true, false, out, r, N, s, dy, out, a.lora_u[t].data(), r, 1.f, G + w.lora_b, r);  // dB += s dy^T u
  gemm(true, false, r, in, N, 1.f, du, r, x, in, 1.f, G + w.lora_a, in);                  // dA += du^T x
  gemm(false, false, N, in, r, 1.f, du, r, P + w.lora_a, in, 1.f, dx, in);                // dx += du A
}

XentResult LlamaModel::forward_backward(const Batch& b, int B, int T, float grad_scale, double* kl_sum) {
  MT_CHECK(b.labels.size() == size_t(B) * T, "labels must have B*T = ", size_t(B) * T, " entries, got ",
           b.labels.size());
  MT_CHECK(num_trainable() > 0, "every tensor is frozen: nothing to train");
  forward(b, B, T, true);
  if (grads_.size() != total_) grads_.assign(total_, 0.f);
  const int N = B * T, C = cfg_.hidden, F = cfg_.intermediate, D = cfg_.head_dim;
  const int Hq = cfg_.heads, Hkv = cfg_.kv_heads, Q = Hq * D, KV = Hkv * D;
  const float* P = params_.data();
  const int32_t* seg = b.segments.empty() ? nullptr : seg_.data();
  const AttnShape shape{B, T, Hq, Hkv, D};
  const float scale = 1.f / std::sqrt(float(D));
  const size_t head = cfg_.tie_embeddings ? embed_ : lm_head_;

  // LM head + cross-entropy (+ KL to the reference): dxn = d loss / d xnF, lm_head grad accumulated.
  XentResult r;
  if (kl_ref_ && kl_weight_ > 0) {
    LlamaModel& ref = *kl_ref_;
    ref.forward(b, B, T, false);
    KlHeadResult k;
    TIMED(kLmHead, k = lmhead_xent_kl(xnF_.data(), lm_head(), ref.xnF_.data(), ref.lm_head(), b.labels.data(), N, C,
                                      ref.cfg_.hidden, cfg_.vocab, grad_scale, kl_weight_, dxn_.data(), grad_or_null(head)));
    r = {k.loss_sum, k.count};
    if (kl_sum) *kl_sum += k.kl_sum;
  } else {
    TIMED(kLmHead, r = lmhead_xent(xnF_.data(), lm_head(), b.labels.data(), N, C, cfg_.vocab, grad_scale, dxn_.data(),
                                   grad_or_null(head), nullptr, 0));
  }
  std::fill(dres_.begin(), dres_.end(), 0.f);
  TIMED(kNorm, rmsnorm_backward(dxn_.data(), resF_.data(), rstdF_.data(), P + final_norm_, dres_.data(),
                                norm_grad(final_norm_, size_t(C)), N, C));

  // dres_ holds the gradient of the residual stream flowing down. Below the
  // lowest layer with a trainable tensor (and a frozen embedding) it is not needed.
  const int floor = backward_floor();
  const size_t none = SIZE_MAX;
  for (int l = cfg_.layers - 1; l >= floor; --l) {
    const Layer& L = layers_[l];
    Acts& a = acts_[l];
    // MLP: mlp_out's gradient is dres_.
    TIMED(kGemm, proj_backward(L, kDown, L.wd, none, dres_.data(), a.act.data(), dact_.data(), false, N, F, C, a));
    TIMED(kSwiglu, swiglu_backward(dact_.data(), a.gate.data(), a.up.data(), dgate_.data(), dup_.data(), size_t(N) * F));
    TIMED(kGemm, proj_backward(L, kGate, L.wg, none, dgate_.data(), a.xn2.data(), dxn_.data(), false, N, C, F, a));
    TIMED(kGemm, proj_backward(L, kUp, L.wu, none, dup_.data(), a.xn2.data(), dxn_.data(), true, N, C, F, a));
    TIMED(kNorm, rmsnorm_backward(dxn_.data(), a.res2.data(), a.rstd2.data(), P + L.ln2, dres_.data(),
                                  norm_grad(L.ln2, size_t(C)), N, C));
    // Attention: attn_out's gradient is dres_ (res2 = res1 + attn_out).
    TIMED(kGemm, proj_backward(L, kO, L.wo, none, dres_.data(), a.att.data(), datt_.data(), false, N, Q, C, a));
    TIMED(kAttnBwd, attention_backward(a.q.data(), a.k.data(), a.v.data(), seg, a.att.data(), datt_.data(), a.lse.data(), dq_.data(),
                       dk_.data(), dv_.data(), shape, scale));
    TIMED(kRope, rope_apply(dq_.data(), pos_.data(), inv_freq_.data(), N, Hq, D, true));
    TIMED(kRope, rope_apply(dk_.data(), pos_.data(), inv_freq_.data(), N, Hkv, D, true));
    float* dqs = dq_.data();
    float* dks = dk_.data();
    if (cfg_.qk_norm) {
      std::fill(dqr_.begin(), dqr_.end(), 0.f);
      std::fill(dkr_.begin(), dkr_.end(), 0.f);
      TIMED(kNorm, rmsnorm_backward(dq_.data(), a.qraw.data(), a.rstdq.data(), P + L.qn, dqr_.data(), norm_grad(L.qn, size_t(D)),
                                    N * Hq, D));
      TIMED(kNorm, rmsnorm_backward(dk_.data(), a.kraw.data(), a.rstdk.data(), P + L.kn, dkr_.data(), norm_grad(L.kn, size_t(D)),
                                    N * Hkv, D));
      dqs = dqr_.data(), dks = dkr_.data();
    }
    const bool bias = cfg_.qkv_bias;
    TIMED(kGemm, proj_backward(L, kQ, L.wq, bias ? L.bq : none, dqs, a.xn1.data(), dxn_.data(), false, N, C, Q, a));
    TIMED(kGemm, proj_backward(L, kK, L.wk, bias ? L.bk : none, dks, a.xn1.data(), dxn_.data(), true, N, C, KV, a));
    TIMED(kGemm, proj_backward(L, kV, L.wv, bias ? L.bv : none, dv_.data(), a.xn1.data(), dxn_.data(), true, N, C, KV, a));
    TIMED(kNorm, rmsnorm_backward(dxn_.data(), a.res1.data(), a.rstd1.data(), P + L.ln1, dres_.data(),
                                  norm_grad(L.ln1, size_t(C)), N, C));
  }
  if (floor == 0 && trainable_at(embed_))
    TIMED(kEmbedding, embedding_backward(b.ids.data(), dres_.data(), grads_.data() + embed_, N, cfg_.vocab, C));
  return r;
}

void LlamaModel::zero_grad() {
  if (grads_.size() != total_) grads_.assign(total_, 0.f);
  else if (all_trainable_) std::fill(grads_.begin(), grads_.end(), 0.f);
  else  // frozen tensors' gradients are never written and stay zero
    for (const ParamInfo& p : infos_)
      if (p.trainable) std::fill(grads_.data() + p.offset, grads_.data() + p.offset + p.numel, 0.f);
}

float* LlamaModel::grad_data(const std::string& name) {
  if (grads_.size() != total_) grads_.assign(total_, 0.f);
  return grads_.data() + param(name).offset;
}

double LlamaModel::grad_norm() const { return std::sqrt(sum_squares(grads_.data(), grads_.size())); }

StepResult LlamaModel::step(const std::vector<Batch>& micro, int B, int T, const StepHyper& h) {
  MT_CHECK(!micro.empty(), "a step needs at least one micro-batch");
  // The loss is the mean over every target token of the whole step, so each
  // micro-batch's gradient is scaled by 1/(total targets), not 1/(its own).
  int64_t targets = 0;
  for (const Batch& b : micro)
    for (int32_t y : b.labels) targets += y != -100;
  MT_CHECK(targets > 0, "this step has no target tokens (every label is -100)");
  const float grad_scale = float(1.0 / double(targets));

  zero_grad();
  double loss_sum = 0, kl_sum = 0;
  for (const Batch& b : micro) loss_sum += forward_backward(b, B, T, grad_scale, &kl_sum).loss_sum;
  StepResult res;
  res.loss = loss_sum / double(targets);
  res.kl = kl_sum / double(targets);
  res.targets = targets;
  res.tokens = int64_t(micro.size()) * B * T;
  TIMED(kOptimizer, res.grad_norm = grad_norm());
  MT_CHECK(std::isfinite(h.anchor_weight) && h.anchor_weight >= 0.f, "anchor weight must be finite and >= 0, got ", h.anchor_weight);
  if (!std::isfinite(res.loss) || !std::isfinite(res.grad_norm)) {
    res.skipped = true;
    return res;
  }
  const bool anchored = !anchor_.empty() && h.anchor_weight > 0.f;
  if (anchored) res.penalty = double(h.anchor_weight) * anchor_distance();

  // torch.nn.utils.clip_grad_norm_: scale = min(1, max_norm / (norm + 1e-6)).
  float clip = 1.f;
  if (h.grad_clip > 0) clip = float(std::min(1.0, double(h.grad_clip) / (res.grad_norm + 1e-6)));
  if (m_.empty()) m_.assign(total_, 0.f), v_.assign(total_, 0.f);
  ++step_;
  PhaseTimer timer{prof_[kOptimizer]};
  for (const ParamInfo& p : infos_) {
    if (!p.trainable) continue;  // no update, no moments, no decay
    const float lr = p.lr_scale == 1.f ? h.lr : h.lr * p.lr_scale;
    AdamWHyper a{lr, h.beta1, h.beta2, h.eps, p.shape.size() >= 2 ? h.weight_decay : 0.f, step_, clip,
                 anchored ? h.anchor_weight : 0.f};
    adamw_update(params_.data() + p.offset, grads_.data() + p.offset, m_.data() + p.offset, v_.data() + p.offset,
                 p.numel, a, anchored ? anchor_.data() + p.offset : nullptr,
                 anchored && !anchor_w_.empty() ? anchor_w_.data() + p.offset : nullptr);
  }
  return res;
}

}  // namespace mt
