// LM head fused with cross-entropy: per chunk of counted tokens,
//   logits = x_c W^T            (GEMM, chunk x V scratch)
//   loss   = logsumexp - logit[label], dlogits = (softmax - onehot) * grad_scale (in place)
//   dx_c   = dlogits W          (GEMM, written)
//   dW    += dlogits^T x_c      (GEMM, beta = 1)
// Ignored tokens (label -100) are compacted out before the GEMMs, so they cost
// nothing. The GEMMs run outside any OpenMP region (they parallelise
// themselves); the per-row softmax is a static OpenMP loop over rows, and the
// loss is summed in double in token order, so results are deterministic.
#include "cpu/xent.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/check.h"
#include "core/fast_exp.h"
#include "cpu/gemm.h"

namespace mt::cpu {

namespace {

constexpr int32_t kIgnore = -100;

// One row of logits: returns -log softmax(row)[label] in double. With grad,
// the row is overwritten by (softmax - onehot(label)) * grad_scale.
double row_xent(float* __restrict row, int V, int label, bool grad, float grad_scale) {
  float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int j = 0; j < V; ++j) mx = std::max(mx, row[j]);
  const float z_label = row[label];
  // exp values are in [0, 1]; summing them in double keeps the normaliser
  // exact to fp32 precision for any V.
  double s = 0;
  if (grad) {
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < V; ++j) {
      const float e = fast_exp_nonpos(row[j] - mx);
      row[j] = e;
      s += e;
    }
  } else {
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < V; ++j) s += fast_exp_nonpos(row[j] - mx);
  }
  const double loss = double(mx) + std::log(s) - double(z_label);
  if (grad) {
    const double e_label = row[label];
    const float k = float(double(grad_scale) / s);
#pragma omp simd
    for (int j = 0; j < V; ++j) row[j] *= k;
    // p - 1 in double: p is close to 1 for confident predictions.
    row[label] = float((e_label / s - 1.0) * double(grad_scale));
  }
  return loss;
}

bool overlaps(const float* a, size_t na, const float* b, size_t nb) {
  if (!a || !b || na == 0 || nb == 0) return false;
  const auto a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
  return a0 < b0 + nb * sizeof(float) && b0 < a0 + na * sizeof(float);
}

// About 32 MB of logits per chunk (at least 128 rows): GEMMs of >= 256 rows
// ran 25% faster than 64-row ones at V = 32000 (docs/perf.md), and it is
// still far from N x V.
int default_chunk(int V) {
  int c = std::clamp((1 << 23) / V, 128, 1024);
  return c >= 32 ? c / 16 * 16 : c;
}

}  // namespace

XentResult lmhead_xent(const float* x, const float* W, const int32_t* labels, int N, int C, int V,
                       float grad_scale, float* dx, float* dW, float* token_loss, int chunk) {
  MT_CHECK(N >= 0 && C > 0 && V > 0, "lmhead_xent: need N >= 0, C > 0, V > 0 (got N=", N, ", C=", C, ", V=", V, ")");
  MT_CHECK(chunk >= 0, "lmhead_xent: chunk must be >= 0 (0 = choose), got ", chunk);
  XentResult res{0.0, 0};
  if (N == 0) return res;
  MT_CHECK(x && W && labels, "lmhead_xent: x, W and labels are required");
  const size_t nx = size_t(N) * C, nw = size_t(V) * C;
  MT_CHECK(!overlaps(dx, nx, x, nx) && !overlaps(dx, nx, W, nw) && !overlaps(dW, nw, x, nx) &&
               !overlaps(dW, nw, W, nw) && !overlaps(dx, nx, dW, nw),
           "lmhead_xent: dx and dW must not overlap x, W or each other");
  // Validate every label before writing anything, so a bad batch leaves dW untouched.
  for (int i = 0; i < N; ++i)
    MT_CHECK(labels[i] == kIgnore || (labels[i] >= 0 && labels[i] < V), "lmhead_xent: labels[", i, "] = ", labels[i],
             " is outside [0, V=", V, ") and is not -100");

  if (chunk == 0) chunk = default_chunk(V);
  chunk = std::min(chunk, N);
  // dW without dx is allowed: gradients are formed whenever either is asked for.
  const bool grad = dx != nullptr || dW != nullptr;

  std::vector<float> logits(size_t(chunk) * V);
  std::vector<float> xbuf, dxbuf;  // only for chunks whose counted rows are not contiguous
  std::vector<int> idx(chunk);
  std::vector<double> row_loss(chunk);

  int i = 0;
  while (i < N) {
    // Gather the next `chunk` counted tokens; ignored ones get zero dx and loss.
    int rows = 0;
    for (; i < N && rows < chunk; ++i) {
      if (labels[i] == kIgnore) {
        if (dx) std::memset(dx + size_t(i) * C, 0, size_t(C) * sizeof(float));
        if (token_loss) token_loss[i] = 0.f;
        continue;
      }
      idx[rows++] = i;
    }
    if (rows == 0) break;
    const int* ix = idx.data();
    // Contiguous rows (the usual case) are used in place: no copy in or out.
    const bool contiguous = ix[rows - 1] - ix[0] == rows - 1;
    const float* xc = x + size_t(ix[0]) * C;
    if (!contiguous) {
      xbuf.resize(size_t(chunk) * C);
      float* xb = xbuf.data();
#pragma omp parallel for schedule(static)
      for (int r = 0; r < rows; ++r) std::memcpy(xb + size_t(r) * C, x + size_t(ix[r]) * C, size_t(C) * sizeof(float));
      xc = xb;
    }

    float* lg = logits.data();
    gemm(false, true, rows, V, C, 1.f, xc, C, W, C, 0.f, lg, V);

    double* rl = row_loss.data();
#pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) rl[r] = row_xent(lg + size_t(r) * V, V, labels[ix[r]], grad, grad_scale);
    for (int r = 0; r < rows; ++r) {  // fixed order: deterministic for any thread count
      res.loss_sum += rl[r];
      if (token_loss) token_loss[ix[r]] = float(rl[r]);
    }
    res.count += rows;

    if (dx) {
      float* dxc = dx + size_t(ix[0]) * C;
      if (!contiguous) {
        dxbuf.resize(size_t(chunk) * C);
        dxc = dxbuf.data();
      }
      gemm(false, false, rows, C, V, 1.f, lg, V, W, C, 0.f, dxc, C);
      if (!contiguous) {
#pragma omp parallel for schedule(static)
        for (int r = 0; r < rows; ++r) std::memcpy(dx + size_t(ix[r]) * C, dxc + size_t(r) * C, size_t(C) * sizeof(float));
      }
    }
    if (dW) gemm(true, false, V, C, rows, 1.f, lg, V, xc, C, 1.f, dW, C);
  }
  return res;
}

}  // namespace mt::cpu
