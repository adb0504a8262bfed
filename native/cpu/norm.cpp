// RMSNorm fused with the residual add. Rows are independent, so the forward
// and the dh part of the backward parallelise over rows; dw is a sum over rows
// and is reduced through per-thread double partials in a fixed order.
#include "cpu/norm.h"

#include <cmath>
#include <cstddef>
#include <vector>

#include "core/check.h"
#include "core/parallel.h"

namespace mt::cpu {

namespace {

// Below this many elements a parallel region costs more than it saves.
constexpr size_t kParallelMin = 1 << 15;

}  // namespace

void rmsnorm_forward(const float* x, const float* delta, float* h, float* y, float* rstd,
                     const float* w, int N, int C, float eps) {
  MT_CHECK(N >= 0, "rmsnorm_forward: N must be >= 0, got ", N);
  MT_CHECK(C > 0, "rmsnorm_forward: C must be > 0, got ", C);
  MT_CHECK(eps > 0.f && std::isfinite(eps), "rmsnorm_forward: eps must be finite and > 0, got ", eps);
  const bool par = size_t(N) * C >= kParallelMin;
#pragma omp parallel for schedule(static) if (par)
  for (int n = 0; n < N; ++n) {
    const size_t off = size_t(n) * C;
    const float* xr = x + off;
    float* hr = h + off;
    float* yr = y + off;
    // h may alias x: each element is read before it is written, same index.
    if (delta) {
      const float* dr = delta + off;
#pragma omp simd
      for (int c = 0; c < C; ++c) hr[c] = xr[c] + dr[c];
    } else if (hr != xr) {
#pragma omp simd
      for (int c = 0; c < C; ++c) hr[c] = xr[c];
    }
    // Mean of squares in double: C can be thousands of terms and the saved
    // rstd feeds the backward too.
    double ss = 0.0;
#pragma omp simd reduction(+ : ss)
    for (int c = 0; c < C; ++c) ss += double(hr[c]) * double(hr[c]);
    const float r = float(1.0 / std::sqrt(ss / C + double(eps)));
    rstd[n] = r;
    // (h * rstd) * w, the order transformers' LlamaRMSNorm uses.
#pragma omp simd
    for (int c = 0; c < C; ++c) yr[c] = (hr[c] * r) * w[c];
  }
}

void rmsnorm_backward(const float* dy, const float* h, const float* rstd, const float* w,
                      float* dh, float* dw, int N, int C) {
  MT_CHECK(N >= 0, "rmsnorm_backward: N must be >= 0, got ", N);
  MT_CHECK(C > 0, "rmsnorm_backward: C must be > 0, got ", C);
  if (N == 0) return;
  const bool par = size_t(N) * C >= kParallelMin;
  const int T = par ? num_threads() : 1;
  // partial[t][c]: thread t's dw sum over its static block of rows.
  std::vector<double> partial(size_t(T) * C, 0.0);
#pragma omp parallel num_threads(T) if (par)
  {
    // Explicit static row partition (not `omp for`) so each thread knows its
    // block; the team may be smaller than T, then the extra partials stay 0.
    const int nt = team_size(), t = thread_id();
    const int n0 = int(int64_t(N) * t / nt), n1 = int(int64_t(N) * (t + 1) / nt);
    double* pw = partial.data() + size_t(t) * C;
    for (int n = n0; n < n1; ++n) {
      const size_t off = size_t(n) * C;
      const float* dyr = dy + off;
      const float* hr = h + off;
      float* dhr = dh + off;
      const float r = rstd[n];
      double s = 0.0;
#pragma omp simd reduction(+ : s)
      for (int c = 0; c < C; ++c) s += double(dyr[c]) * double(w[c]) * double(hr[c]);
      // dh += r * (dy*w - h * r^2 * mean(dy*w*h))
      const float k = float(double(r) * double(r) * (s / C));
#pragma omp simd
      for (int c = 0; c < C; ++c) {
        dhr[c] += r * (dyr[c] * w[c] - hr[c] * k);
        pw[c] += double(dyr[c]) * double(hr[c] * r);
      }
    }
  }
  // Fixed-order reduction over threads, parallel over columns.
#pragma omp parallel for schedule(static) if (par)
  for (int c = 0; c < C; ++c) {
    double s = 0.0;
    for (int t = 0; t < T; ++t) s += partial[size_t(t) * C + c];
    dw[c] += float(s);
  }
}

}  // namespace mt::cpu
