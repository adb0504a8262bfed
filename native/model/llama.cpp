// Forward and backward of a Llama-family decoder, written top to bottom so it
// can be read beside Hugging Face's modeling_llama.py. Shapes: N = B*T tokens,
// C = hidden, F = intermediate, Hq/Hkv heads of D dims. Linear weights use the
// HF layout [out, in], so y = x W^T.
#include "model/llama.h"

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

constexpr size_t kAlign = 16;  // floats: each tensor starts on a 64-byte boundary

// Counter-based normal samples: value i of tensor t depends only on (seed, t, i),
// so initialisation is parallel and independent of the thread count.
inline uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
inline float normal_at(uint64_t seed, uint64_t t, uint64_t i) {
  uint64_t a = mix(seed ^ mix(t * 0x100000001b3ull + (i >> 1)));
  uint64_t b = mix(a);
  double u1 = (double((a >> 11) + 1)) / 9007199254740993.0, u2 = double(b >> 11) / 9007199254740992.0;
  double r = std::sqrt(-2.0 * std::log(u1));
  return float((i & 1) ? r * std::sin(2 * M_PI * u2) : r * std::cos(2 * M_PI * u2));
}

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
void linear_backward(const float* dy, const float* x, const float* W, float* dx, bool accumulate_dx, float* dW,
                     float* dbias, int N, int in, int out) {
  gemm(false, false, N, in, out, 1.f, dy, out, W, in, accumulate_dx ? 1.f : 0.f, dx, in);
  gemm(true, false, out, in, N, 1.f, dy, out, x, in, 1.f, dW, in);
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
  const int64_t C = cfg.hidden, F = cfg.intermediate, D = cfg.head_dim;
  const int64_t Q = int64_t(cfg.heads) * D, KV = int64_t(cfg.kv_heads) * D;
  add_param("model.embed_tokens.weight", {cfg.vocab, C}, &embed_);
  layers_.resize(cfg.layers);
  for (int l = 0; l < cfg.layers; ++l) {
    Layer& L = layers_[l];
    std::string p = "model.layers." + std::to_string(l) + ".";
    add_param(p + "input_layernorm.weight", {C}, &L.ln1);
    add_param(p + "self_attn.q_proj.weight", {Q, C}, &L.wq);
    add_param(p + "self_attn.k_proj.weight", {KV, C}, &L.wk);
    add_param(p + "self_attn.v_proj.weight", {KV, C}, &L.wv);
    if (cfg.qkv_bias) {
      add_param(p + "self_attn.q_proj.bias", {Q}, &L.bq);
      add_param(p + "self_attn.k_proj.bias", {KV}, &L.bk);
      add_param(p + "self_attn.v_proj.bias", {KV}, &L.bv);
    }
    if (cfg.qk_norm) {
      add_param(p + "self_attn.q_norm.weight", {D}, &L.qn);
      add_param(p + "self_attn.k_norm.weight", {D}, &L.kn);
    }
    add_param(p + "self_attn.o_proj.weight", {C, Q}, &L.wo);
    add_param(p + "post_attention_layernorm.weight", {C}, &L.ln2);
    add_param(p + "mlp.gate_proj.weight", {F, C}, &L.wg);
    add_param(p + "mlp.up_proj.weight", {F, C}, &L.wu);
    add_param(p + "mlp.down_proj.weight", {C, F}, &L.wd);
  }
  add_param("model.norm.weight", {C}, &final_norm_);
  if (!cfg.tie_embeddings) add_param("lm_head.weight", {cfg.vocab, C}, &lm_head_);
  params_.assign(total_, 0.f);  // gradients are allocated by the first backward
  inv_freq_.resize(D / 2);
  rope_inv_freq(inv_freq_.data(), int(D), cfg.rope_theta, cfg.rope_scaling);
}

void LlamaModel::add_param(const std::string& name, std::vector<int64_t> shape, size_t* slot) {
  ParamInfo info;
  info.name = name;
  info.shape = std::move(shape);
  info.numel = 1;
  for (int64_t d : info.shape) info.numel *= size_t(d);
  info.offset = total_;
  total_ += (info.numel + kAlign - 1) / kAlign * kAlign;
  *slot = info.offset;
  index_[name] = infos_.size();
  infos_.push_back(std::move(info));
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
  }
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
    TIMED(kGemm, linear(a.xn1.data(), P + L.wq, cfg_.qkv_bias ? P + L.bq : nullptr, qdst, N, C, Q));
    TIMED(kGemm, linear(a.xn1.data(), P + L.wk, cfg_.qkv_bias ? P + L.bk : nullptr, kdst, N, C, KV));
    TIMED(kGemm, linear(a.xn1.data(), P + L.wv, cfg_.qkv_bias ? P + L.bv : nullptr, a.v.data(), N, C, KV));
    if (cfg_.qk_norm) {  // Qwen3: RMSNorm over each head's D values, before RoPE
      TIMED(kNorm, rmsnorm_forward(qdst, nullptr, qdst, a.q.data(), a.rstdq.data(), P + L.qn, N * Hq, D, cfg_.rms_eps));
      TIMED(kNorm, rmsnorm_forward(kdst, nullptr, kdst, a.k.data(), a.rstdk.data(), P + L.kn, N * Hkv, D, cfg_.rms_eps));
    }
    TIMED(kRope, rope_apply(a.q.data(), pos_.data(), inv_freq_.data(), N, Hq, D, false));
    TIMED(kRope, rope_apply(a.k.data(), pos_.data(), inv_freq_.data(), N, Hkv, D, false));
    TIMED(kAttnFwd, attention_forward(a.q.data(), a.k.data(), a.v.data(), seg, a.att.data(), a.lse.data(), shape, scale));
    TIMED(kGemm, linear(a.att.data(), P + L.wo, nullptr, tmpC_.data(), N, Q, C));
    // MLP block: res2 = res1 + attn_out, then SwiGLU.
    TIMED(kNorm, rmsnorm_forward(a.res1.data(), tmpC_.data(), a.res2.data(), a.xn2.data(), a.rstd2.data(), P + L.ln2, N, C,
                    cfg_.rms_eps));
    TIMED(kGemm, linear(a.xn2.data(), P + L.wg, nullptr, a.gate.data(), N, C, F));
    TIMED(kGemm, linear(a.xn2.data(), P + L.wu, nullptr, a.up.data(), N, C, F));
    TIMED(kSwiglu, swiglu_forward(a.gate.data(), a.up.data(), a.act.data(), size_t(N) * F));
    TIMED(kGemm, linear(a.act.data(), P + L.wd, nullptr, tmpC_.data(), N, F, C));
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

XentResult LlamaModel::forward_backward(const Batch& b, int B, int T, float grad_scale) {
  MT_CHECK(b.labels.size() == size_t(B) * T, "labels must have B*T = ", size_t(B) * T, " entries, got ",
           b.labels.size());
  forward(b, B, T, true);
  if (grads_.size() != total_) grads_.assign(total_, 0.f);
  const int N = B * T, C = cfg_.hidden, F = cfg_.intermediate, D = cfg_.head_dim;
  const int Hq = cfg_.heads, Hkv = cfg_.kv_heads, Q = Hq * D, KV = Hkv * D;
  const float* P = params_.data();
  float* G = grads_.data();
  const int32_t* seg = b.segments.empty() ? nullptr : seg_.data();
  const AttnShape shape{B, T, Hq, Hkv, D};
  const float scale = 1.f / std::sqrt(float(D));

  // LM head + cross-entropy: dxn = d loss / d xnF, lm_head grad accumulated.
  XentResult r;
  TIMED(kLmHead, r = lmhead_xent(xnF_.data(), lm_head(), b.labels.data(), N, C, cfg_.vocab, grad_scale, dxn_.data(),
                                 lm_head_grad(), nullptr, 0));
  std::fill(dres_.begin(), dres_.end(), 0.f);
  TIMED(kNorm, rmsnorm_backward(dxn_.data(), resF_.data(), rstdF_.data(), P + final_norm_, dres_.data(), G + final_norm_, N, C));

  // dres_ holds the gradient of the residual stream flowing down.
  for (int l = cfg_.layers - 1; l >= 0; --l) {
    const Layer& L = layers_[l];
    Acts& a = acts_[l];
    // MLP: mlp_out's gradient is dres_.
    TIMED(kGemm, linear_backward(dres_.data(), a.act.data(), P + L.wd, dact_.data(), false, G + L.wd, nullptr, N, F, C));
    TIMED(kSwiglu, swiglu_backward(dact_.data(), a.gate.data(), a.up.data(), dgate_.data(), dup_.data(), size_t(N) * F));
    TIMED(kGemm, linear_backward(dgate_.data(), a.xn2.data(), P + L.wg, dxn_.data(), false, G + L.wg, nullptr, N, C, F));
    TIMED(kGemm, linear_backward(dup_.data(), a.xn2.data(), P + L.wu, dxn_.data(), true, G + L.wu, nullptr, N, C, F));
    TIMED(kNorm, rmsnorm_backward(dxn_.data(), a.res2.data(), a.rstd2.data(), P + L.ln2, dres_.data(), G + L.ln2, N, C));
    // Attention: attn_out's gradient is dres_ (res2 = res1 + attn_out).
    TIMED(kGemm, linear_backward(dres_.data(), a.att.data(), P + L.wo, datt_.data(), false, G + L.wo, nullptr, N, Q, C));
    TIMED(kAttnBwd, attention_backward(a.q.data(), a.k.data(), a.v.data(), seg, a.att.data(), datt_.data(), a.lse.data(), dq_.data(),
                       dk_.data(), dv_.data(), shape, scale));
    TIMED(kRope, rope_apply(dq_.data(), pos_.data(), inv_freq_.data(), N, Hq, D, true));
    TIMED(kRope, rope_apply(dk_.data(), pos_.data(), inv_freq_.data(), N, Hkv, D, true));
    float* dqs = dq_.data();
    float* dks = dk_.data();
    if (cfg_.qk_norm) {
      std::fill(dqr_.begin(), dqr_.end(), 0.f);
      std::fill(dkr_.begin(), dkr_.end(), 0.f);
      TIMED(kNorm, rmsnorm_backward(dq_.data(), a.qraw.data(), a.rstdq.data(), P + L.qn, dqr_.data(), G + L.qn, N * Hq, D));
      TIMED(kNorm, rmsnorm_backward(dk_.data(), a.kraw.data(), a.rstdk.data(), P + L.kn, dkr_.data(), G + L.kn, N * Hkv, D));
      dqs = dqr_.data(), dks = dkr_.data();
    }
    const bool bias = cfg_.qkv_bias;
    TIMED(kGemm, linear_backward(dqs, a.xn1.data(), P + L.wq, dxn_.data(), false, G + L.wq, bias ? G + L.bq : nullptr, N, C, Q));
    TIMED(kGemm, linear_backward(dks, a.xn1.data(), P + L.wk, dxn_.data(), true, G + L.wk, bias ? G + L.bk : nullptr, N, C, KV));
    TIMED(kGemm, linear_backward(dv_.data(), a.xn1.data(), P + L.wv, dxn_.data(), true, G + L.wv, bias ? G + L.bv : nullptr, N, C,
                    KV));
    TIMED(kNorm, rmsnorm_backward(dxn_.data(), a.res1.data(), a.rstd1.data(), P + L.ln1, dres_.data(), G + L.ln1, N, C));
  }
  TIMED(kEmbedding, embedding_backward(b.ids.data(), dres_.data(), G + embed_, N, cfg_.vocab, C));
  return r;
}

void LlamaModel::zero_grad() {
  if (grads_.size() != total_) grads_.assign(total_, 0.f);
  else std::fill(grads_.begin(), grads_.end(), 0.f);
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
  double loss_sum = 0;
  for (const Batch& b : micro) loss_sum += forward_backward(b, B, T, grad_scale).loss_sum;
  StepResult res;
  res.loss = loss_sum / double(targets);
  res.targets = targets;
  res.tokens = int64_t(micro.size()) * B * T;
  TIMED(kOptimizer, res.grad_norm = grad_norm());
  MT_CHECK(std::isfinite(res.loss), "non-finite loss (", res.loss, "); weights not updated");
  MT_CHECK(std::isfinite(res.grad_norm), "non-finite gradient norm; weights not updated");

  // torch.nn.utils.clip_grad_norm_: scale = min(1, max_norm / (norm + 1e-6)).
  float clip = 1.f;
  if (h.grad_clip > 0) clip = float(std::min(1.0, double(h.grad_clip) / (res.grad_norm + 1e-6)));
  if (m_.empty()) m_.assign(total_, 0.f), v_.assign(total_, 0.f);
  ++step_;
  PhaseTimer timer{prof_[kOptimizer]};
  for (const ParamInfo& p : infos_) {
    AdamWHyper a{h.lr, h.beta1, h.beta2, h.eps, p.shape.size() >= 2 ? h.weight_decay : 0.f, step_, clip, 0.f};
    adamw_update(params_.data() + p.offset, grads_.data() + p.offset, m_.data() + p.offset, v_.data() + p.offset,
                 p.numel, a, nullptr, nullptr);
  }
  return res;
}

}  // namespace mt
