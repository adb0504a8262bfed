// AdamW (torch.optim.AdamW, foreach=False), sum of squares and a finiteness
// check. Each is one pass over memory, OpenMP-static and vectorisable.
#include "cpu/adamw.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/check.h"

namespace mt::cpu {

namespace {

// Below this size a parallel region costs more than it saves.
constexpr size_t kParallelMin = size_t(1) << 15;
// Fixed reduction blocks: the partials, and so the result, do not depend on
// the thread count.
constexpr size_t kBlock = size_t(1) << 16;

// The hyperparameters arrive as fp32, but PyTorch forms 1 - beta, 1 - beta^t,
// lr / (1 - beta1^t) and 1 - lr * wd in double from the user's decimal values.
// The shortest decimal that rounds to the float is what the user typed (for
// any value with <= 7 significant digits), so parsing it as a double recovers
// PyTorch's scalar: 0.999f -> 0.999, where double(0.999f) would make
// 1 - beta2 1.3e-5 (relative) off PyTorch's.
double as_typed(float f) {
  char buf[64];
  const auto w = std::to_chars(buf, buf + sizeof buf, f);
  double d = double(f);
  if (w.ec == std::errc()) std::from_chars(buf, w.ptr, d);
  return d;
}

struct Coeffs {
  float decay, b1, omb1, b2, omb2, step_size, bc2_sqrt, eps, grad_scale, lambda;
};

// The per-element update in PyTorch's operation order: decay, moments,
// denom = sqrt(v) / sqrt(bc2) + eps, p -= step_size * m / denom.
template <bool kAnchor, bool kWeights>
void update(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, size_t n,
            const Coeffs c, const float* __restrict p0, const float* __restrict w) {
  const ptrdiff_t nn = ptrdiff_t(n);
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
  for (ptrdiff_t i = 0; i < nn; ++i) {
    const float pi = p[i];
    float gi = g[i] * c.grad_scale;
    // The anchor pulls toward p0 from the parameter before this step's decay.
    if constexpr (kAnchor) gi += c.lambda * (kWeights ? w[i] : 1.f) * (pi - p0[i]);
    const float mi = c.b1 * m[i] + c.omb1 * gi;
    const float vi = c.b2 * v[i] + c.omb2 * gi * gi;
    const float denom = std::sqrt(vi) / c.bc2_sqrt + c.eps;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi * c.decay - c.step_size * (mi / denom);
  }
}

double block_sum_squares(const float* __restrict x, size_t n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (size_t i = 0; i < n; ++i) s += double(x[i]) * double(x[i]);
  return s;
}

bool block_finite(const float* __restrict x, size_t n) {
  uint32_t bad = 0;
#pragma omp simd reduction(| : bad)
  for (size_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, x + i, sizeof b);
    bad |= uint32_t((b & 0x7f800000u) == 0x7f800000u);  // exponent all ones: Inf or NaN
  }
  return bad == 0;
}

}  // namespace

void adamw_update(float* p, const float* g, float* m, float* v, size_t n, const AdamWHyper& h, const float* anchor,
                  const float* anchor_w) {
  MT_CHECK(h.step >= 1, "adamw_update: step must be >= 1, got ", h.step);
  MT_CHECK(std::isfinite(h.lr) && h.lr >= 0.f, "adamw_update: lr must be finite and >= 0, got ", h.lr);
  MT_CHECK(h.beta1 >= 0.f && h.beta1 < 1.f, "adamw_update: beta1 must be in [0, 1), got ", h.beta1);
  MT_CHECK(h.beta2 >= 0.f && h.beta2 < 1.f, "adamw_update: beta2 must be in [0, 1), got ", h.beta2);
  MT_CHECK(std::isfinite(h.eps) && h.eps > 0.f, "adamw_update: eps must be finite and > 0, got ", h.eps);
  MT_CHECK(std::isfinite(h.weight_decay) && h.weight_decay >= 0.f, "adamw_update: weight_decay must be finite and >= 0, got ",
           h.weight_decay);
  MT_CHECK(std::isfinite(h.grad_scale), "adamw_update: grad_scale must be finite, got ", h.grad_scale);
  MT_CHECK(std::isfinite(h.anchor_lambda), "adamw_update: anchor_lambda must be finite, got ", h.anchor_lambda);
  MT_CHECK(anchor || !anchor_w, "adamw_update: anchor_w given without anchor");
  if (n == 0) return;
  MT_CHECK(p && g && m && v, "adamw_update: p, g, m and v are required");

  // Scalars as PyTorch forms them: in double from the typed values, then used
  // in fp32 (the float betas multiply the moments, as PyTorch's mul_ does).
  const double lr = as_typed(h.lr), b1 = as_typed(h.beta1), b2 = as_typed(h.beta2), wd = as_typed(h.weight_decay);
  const double bc1 = 1.0 - std::pow(b1, double(h.step));
  const double bc2 = 1.0 - std::pow(b2, double(h.step));
  Coeffs c;
  c.decay = float(1.0 - lr * wd);
  c.b1 = h.beta1;
  c.omb1 = float(1.0 - b1);
  c.b2 = h.beta2;
  c.omb2 = float(1.0 - b2);
  c.step_size = float(lr / bc1);
  c.bc2_sqrt = float(std::sqrt(bc2));
  c.eps = h.eps;
  c.grad_scale = h.grad_scale;
  c.lambda = h.anchor_lambda;

  if (!anchor) update<false, false>(p, g, m, v, n, c, nullptr, nullptr);
  else if (!anchor_w) update<true, false>(p, g, m, v, n, c, anchor, nullptr);
  else update<true, true>(p, g, m, v, n, c, anchor, anchor_w);
}

double sum_squares(const float* x, size_t n) {
  if (n == 0) return 0.0;
  MT_CHECK(x, "sum_squares: x is required");
  const size_t nb = (n + kBlock - 1) / kBlock;
  if (nb == 1) return block_sum_squares(x, n);
  std::vector<double> part(nb);
  const ptrdiff_t nbi = ptrdiff_t(nb);
#pragma omp parallel for schedule(static)
  for (ptrdiff_t b = 0; b < nbi; ++b) {
    const size_t lo = size_t(b) * kBlock;
    part[b] = block_sum_squares(x + lo, std::min(kBlock, n - lo));
  }
  double s = 0;
  for (double q : part) s += q;  // fixed order
  return s;
}

bool all_finite(const float* x, size_t n) {
  if (n == 0) return true;
  MT_CHECK(x, "all_finite: x is required");
  const ptrdiff_t nb = ptrdiff_t((n + kBlock - 1) / kBlock);
  int bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad) if (nb > 1)
  for (ptrdiff_t b = 0; b < nb; ++b) {
    const size_t lo = size_t(b) * kBlock;
    bad |= block_finite(x + lo, std::min(kBlock, n - lo)) ? 0 : 1;
  }
  return bad == 0;
}

}  // namespace mt::cpu
