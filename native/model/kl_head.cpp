// Per chunk of target tokens: logits of both models (two GEMMs), then per
// row the log-normalisers, the cross-entropy, KL(q || p) in double, and the
// logit gradient in place; dx and dW by two more GEMMs. Rows are independent
// (static OpenMP), sums are taken in token order: deterministic.
#include "model/kl_head.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/check.h"
#include "core/fast_exp.h"
#include "cpu/gemm.h"

namespace mt {

namespace {

// A row's max and sum of exp(z - max) (in double).
struct Norm {
  float mx;
  double s;
};
Norm normaliser(const float* z, int V) {
  float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int j = 0; j < V; ++j) mx = std::max(mx, z[j]);
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int j = 0; j < V; ++j) s += fast_exp_nonpos(z[j] - mx);
  return {mx, s};
}

}  // namespace

KlHeadResult lmhead_xent_kl(const float* x, const float* W, const float* xr, const float* Wr, const int32_t* labels,
                            int N, int C, int Cr, int V, float grad_scale, float kl_weight, float* dx, float* dW) {
  MT_CHECK(N >= 0 && C > 0 && Cr > 0 && V > 0, "lmhead_xent_kl: bad sizes N=", N, " C=", C, " Cr=", Cr, " V=", V);
  MT_CHECK(x && W && xr && Wr && labels && dx, "lmhead_xent_kl: x, W, xr, Wr, labels and dx are required");
  for (int i = 0; i < N; ++i)
    MT_CHECK(labels[i] == -100 || (labels[i] >= 0 && labels[i] < V), "lmhead_xent_kl: labels[", i, "] = ", labels[i],
             " is outside [0, V=", V, ") and is not -100");
  KlHeadResult res;
  const int chunk = std::min(N, std::clamp((1 << 22) / V, 64, 512));  // two chunk x V scratch arrays
  const size_t K = size_t(chunk);
  std::vector<float> lg(K * V), lr(K * V), xc(K * C), xrc(K * Cr), dxc(K * C);
  std::vector<int> idx(K);
  std::vector<double> row_ce(K), row_kl(K);
  int i = 0;
  while (i < N) {
    int rows = 0;
    for (; i < N && rows < chunk; ++i) {
      if (labels[i] == -100) {
        std::memset(dx + size_t(i) * C, 0, size_t(C) * sizeof(float));
        continue;
      }
      idx[size_t(rows++)] = i;
    }
    if (rows == 0) break;
#pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
      std::memcpy(xc.data() + size_t(r) * C, x + size_t(idx[size_t(r)]) * C, size_t(C) * sizeof(float));
      std::memcpy(xrc.data() + size_t(r) * Cr, xr + size_t(idx[size_t(r)]) * Cr, size_t(Cr) * sizeof(float));
    }
    cpu::gemm(false, true, rows, V, C, 1.f, xc.data(), C, W, C, 0.f, lg.data(), V);
    cpu::gemm(false, true, rows, V, Cr, 1.f, xrc.data(), Cr, Wr, Cr, 0.f, lr.data(), V);
#pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
      float* z = lg.data() + size_t(r) * V;
      const float* zr = lr.data() + size_t(r) * V;
      const int y = labels[idx[size_t(r)]];
      const Norm n = normaliser(z, V), nr = normaliser(zr, V);
      const double lse = double(n.mx) + std::log(n.s), lser = double(nr.mx) + std::log(nr.s);
      row_ce[size_t(r)] = lse - double(z[y]);
      // p and q from the kernels' expf (within ~1 ulp); the log-ratio from the logits in double.
      const double ip = 1.0 / n.s, iq = 1.0 / nr.s, gs = grad_scale, w = kl_weight;
      double kl = 0;
      for (int j = 0; j < V; ++j) {
        const double p = double(fast_exp_nonpos(z[j] - n.mx)) * ip, q = double(fast_exp_nonpos(zr[j] - nr.mx)) * iq;
        kl += q * ((double(zr[j]) - lser) - (double(z[j]) - lse));
        // p - 1 in double: p is close to 1 for confident predictions.
        z[j] = float(gs * (p - (j == y ? 1.0 : 0.0) + w * (p - q)));
      }
      row_kl[size_t(r)] = kl;
    }
    for (int r = 0; r < rows; ++r) res.loss_sum += row_ce[size_t(r)], res.kl_sum += row_kl[size_t(r)];
    res.count += rows;
    cpu::gemm(false, false, rows, C, V, 1.f, lg.data(), V, W, C, 0.f, dxc.data(), C);
#pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r)
      std::memcpy(dx + size_t(idx[size_t(r)]) * C, dxc.data() + size_t(r) * C, size_t(C) * sizeof(float));
    if (dW) cpu::gemm(true, false, V, C, rows, 1.f, lg.data(), V, xc.data(), C, 1.f, dW, C);
  }
  return res;
}

}  // namespace mt
