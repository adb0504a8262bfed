// LM head + cross-entropy in chunks (xent.h).
//
// The GEMMs are model_gemm's (model_ops.h: cuBLAS where the build links it,
// a built-in shared-memory-tiled GEMM otherwise); the per-row softmax is one
// block per row: an online (max, sum) pass, then a pass writing the bf16
// gradient row. Ignored rows (label -100) stay in the GEMMs with zero
// gradient rows, so their dx rows come out exactly 0. The loss is kept per
// row in double and summed in row order at the end: deterministic.
#include "cuda/xent.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"
#include "cuda/model_ops.h"
#include "cuda/runtime.h"
#include "cuda/softmax_rows.cuh"

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

constexpr int kRowThreads = 256;

struct XentDev {
  double loss_sum;
  int32_t count;
  int32_t bad_index;  // first invalid label's index, INT_MAX if none
};

// One block per row of the chunk. row_loss[row0 + r] (double) and, with
// grad, dlog[r][:] = (softmax - onehot) * grad_scale in bf16.
__global__ void __launch_bounds__(kRowThreads) softmax_rows(const float* logits, B16* dlog, const int32_t* labels,
                                                            int row0, int V, float grad_scale, bool grad,
                                                            double* row_loss, float* token_loss) {
  float* red = dev::dyn_smem<float>();
  const int r = blockIdx.x;
  const int32_t y = labels[row0 + r];
  const float* z = logits + size_t(r) * V;
  B16* d = grad ? dlog + size_t(r) * V : nullptr;
  if (y == kIgnore) {
    if (grad)
      for (int j = threadIdx.x; j < V; j += blockDim.x) d[j] = dev::to_bf16(0.f);
    if (threadIdx.x == 0) {
      row_loss[row0 + r] = 0.0;
      if (token_loss) token_loss[row0 + r] = 0.f;
    }
    return;
  }
  MaxSum ms{-INFINITY, 0.f};
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    const float x = z[j];
    if (x > ms.m) {
      ms.s = ms.s * expf(ms.m - x) + 1.f;
      ms.m = x;
    } else {
      ms.s += expf(x - ms.m);
    }
  }
  ms = block_maxsum(ms, red);
  if (threadIdx.x == 0) {
    const double loss = double(ms.m) + log(double(ms.s)) - double(z[y]);
    row_loss[row0 + r] = loss;
    if (token_loss) token_loss[row0 + r] = float(loss);
  }
  if (!grad) return;
  const float k = float(double(grad_scale) / double(ms.s));
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    const float e = expf(z[j] - ms.m);
    // p - 1 in double at the label: p is close to 1 for confident predictions.
    d[j] = dev::to_bf16(j == y ? float((double(e) / double(ms.s) - 1.0) * double(grad_scale)) : e * k);
  }
}

// Simple: three passes (max, sum in double, write), the same contract.
__global__ void softmax_rows_simple(const float* logits, B16* dlog, const int32_t* labels, int row0, int V,
                                    float grad_scale, bool grad, double* row_loss, float* token_loss) {
  double* red = dev::dyn_smem<double>();
  const int r = blockIdx.x;
  const int32_t y = labels[row0 + r];
  const float* z = logits + size_t(r) * V;
  if (y == kIgnore) {
    if (grad)
      for (int j = threadIdx.x; j < V; j += blockDim.x) dlog[size_t(r) * V + j] = dev::to_bf16(0.f);
    if (threadIdx.x == 0) {
      row_loss[row0 + r] = 0.0;
      if (token_loss) token_loss[row0 + r] = 0.f;
    }
    return;
  }
  float mx = -INFINITY;
  for (int j = threadIdx.x; j < V; j += blockDim.x) mx = fmaxf(mx, z[j]);
  mx = dev::warp_max(mx);
  if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = mx;
  dev::sync_threads();
  mx = -INFINITY;
  for (int w = 0; w < int(blockDim.x / 32); ++w) mx = fmaxf(mx, float(red[w]));
  dev::sync_threads();
  double s = 0.0;
  for (int j = threadIdx.x; j < V; j += blockDim.x) s += exp(double(z[j]) - double(mx));
  s = dev::warp_sum(s);
  if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = s;
  dev::sync_threads();
  s = 0.0;
  for (int w = 0; w < int(blockDim.x / 32); ++w) s += red[w];
  if (threadIdx.x == 0) {
    const double loss = double(mx) + log(s) - double(z[y]);
    row_loss[row0 + r] = loss;
    if (token_loss) token_loss[row0 + r] = float(loss);
  }
  if (!grad) return;
  for (int j = threadIdx.x; j < V; j += blockDim.x) {
    const double p = exp(double(z[j]) - double(mx)) / s;
    dlog[size_t(r) * V + j] = dev::to_bf16(float((p - (j == y ? 1.0 : 0.0)) * double(grad_scale)));
  }
}

__global__ void sum_losses(const double* row_loss, int N, XentDev* st) {
  double* red = dev::dyn_smem<double>();
  double s = 0.0;
  // Contiguous slices per thread, then thread order: a fixed summation order.
  const int per = (N + blockDim.x - 1) / blockDim.x;
  const int lo = int(threadIdx.x) * per, hi = lo + per < N ? lo + per : N;
  for (int i = lo; i < hi; ++i) s += row_loss[i];
  red[threadIdx.x] = s;
  dev::sync_threads();
  if (threadIdx.x == 0) {
    double t = 0.0;
    for (int i = 0; i < int(blockDim.x); ++i) t += red[i];
    st->loss_sum = t;
  }
}

// lmhead_xent_accumulate's totals: the rows' losses in the same fixed order
// as sum_losses, the targets counted, both added to *acc by one thread.
__global__ void accumulate_losses(const double* row_loss, const int32_t* labels, int N, XentAccum* acc) {
  double* red = dev::dyn_smem<double>();
  int* cnt = reinterpret_cast<int*>(red + blockDim.x);
  double s = 0.0;
  int c = 0;
  const int per = (N + blockDim.x - 1) / blockDim.x;
  const int lo = int(threadIdx.x) * per, hi = lo + per < N ? lo + per : N;
  for (int i = lo; i < hi; ++i) s += row_loss[i], c += labels[i] != kIgnore;
  red[threadIdx.x] = s;
  cnt[threadIdx.x] = c;
  dev::sync_threads();
  if (threadIdx.x == 0) {
    double t = 0.0;
    int64_t n = 0;
    for (int i = 0; i < int(blockDim.x); ++i) t += red[i], n += cnt[i];
    acc->loss_sum += t;
    acc->count += n;
  }
}

int default_chunk(int V) {
  int c = std::clamp((1 << 25) / std::max(V, 1), 64, 1024);
  return c / 16 * 16;
}

}  // namespace

int lmhead_xent_chunk(int N, int V, int chunk) {
  const int c = chunk > 0 ? chunk : default_chunk(V);
  return std::max(1, std::min(c, std::max(N, 1)));
}

size_t lmhead_xent_workspace_bytes(int N, int C, int V, int chunk) {
  (void)C;
  const size_t R = size_t(lmhead_xent_chunk(N, V, chunk));
  return align256(R * V * sizeof(float)) + align256(R * V * sizeof(uint16_t)) +
         align256(size_t(std::max(N, 1)) * sizeof(double)) + align256(sizeof(XentDev));
}

namespace {

// The argument checks both entry points share; returns the chunk's rows.
int check_args(const bf16* x, const bf16* W, const int32_t* labels, int N, int C, int V, float grad_scale,
               const bf16* dx, const float* dW, int chunk, const void* workspace, size_t workspace_bytes) {
  MT_CHECK(N >= 0 && C > 0 && V > 0, "lmhead_xent: need N >= 0, C > 0, V > 0 (got N=", N, ", C=", C, ", V=", V, ")");
  MT_CHECK(chunk >= 0, "lmhead_xent: chunk must be >= 0 (0 = choose), got ", chunk);
  MT_CHECK(std::isfinite(grad_scale), "lmhead_xent: grad_scale must be finite, got ", grad_scale);
  if (N == 0) return 0;
  MT_CHECK(x && W && labels, "lmhead_xent: x, W and labels are required");
  const size_t nx = size_t(N) * C * 2, nw = size_t(V) * C * 2, ndw = size_t(V) * C * 4;
  MT_CHECK(!buffers_overlap(dx, nx, x, nx) && !buffers_overlap(dx, nx, W, nw) && !buffers_overlap(dW, ndw, x, nx) &&
               !buffers_overlap(dW, ndw, W, nw) && !buffers_overlap(dx, nx, dW, ndw),
           "lmhead_xent: dx and dW must not overlap x, W or each other");
  const size_t need = lmhead_xent_workspace_bytes(N, C, V, chunk);
  MT_CHECK(workspace && workspace_bytes >= need, "lmhead_xent: workspace of ", need, " bytes needed, got ",
           workspace_bytes);
  return lmhead_xent_chunk(N, V, chunk);
}

struct Scratch {
  float* logits;
  B16* dlog;
  double* row_loss;
  XentDev* st;
};

Scratch carve(void* workspace, int R, int N, int V) {
  auto* base = static_cast<unsigned char*>(workspace);
  Scratch w{};
  w.logits = reinterpret_cast<float*>(base);
  base += align256(size_t(R) * V * sizeof(float));
  w.dlog = reinterpret_cast<B16*>(base);
  base += align256(size_t(R) * V * sizeof(uint16_t));
  w.row_loss = reinterpret_cast<double*>(base);
  base += align256(size_t(N) * sizeof(double));
  w.st = reinterpret_cast<XentDev*>(base);
  return w;
}

// The chunks: logits GEMM, softmax rows (row_loss, dlogits), dx and dW GEMMs. Labels already valid.
void run_chunks(const bf16* x, const bf16* W, const int32_t* labels, int N, int C, int V, float grad_scale, bf16* dx,
                float* dW, float* token_loss, int R, const Scratch& w, Impl impl, Stream s) {
  const bool grad = dx || dW;
  const bool simple = impl == Impl::Simple;
  const auto* dlog = reinterpret_cast<const bf16*>(w.dlog);
  for (int r0 = 0; r0 < N; r0 += R) {
    const int rows = std::min(R, N - r0);
    const bf16* xc = x + size_t(r0) * C;
    model_gemm(false, true, rows, V, C, 1.f, xc, C, W, C, w.logits, true, V, false, impl, s);  // logits = x_c W^T
    if (simple) {
      auto* k = softmax_rows_simple;
      MT_LAUNCH(k, unsigned(rows), kRowThreads, 32 * sizeof(double), s, w.logits, w.dlog, labels, r0, V, grad_scale,
                grad, w.row_loss, token_loss);
      MT_CUDA_LAUNCHED("lmhead_xent (softmax, simple)");
    } else {
      auto* k = softmax_rows;
      MT_LAUNCH(k, unsigned(rows), kRowThreads, 64 * sizeof(float), s, w.logits, w.dlog, labels, r0, V, grad_scale,
                grad, w.row_loss, token_loss);
      MT_CUDA_LAUNCHED("lmhead_xent (softmax)");
    }
    // dx_c = dlogits W ; dW += dlogits^T x_c
    if (dx) model_gemm(false, false, rows, C, V, 1.f, dlog, V, W, C, dx + size_t(r0) * C, false, C, false, impl, s);
    if (dW) model_gemm(true, false, V, C, rows, 1.f, dlog, V, xc, C, dW, true, C, true, impl, s);
  }
}

}  // namespace

XentStats lmhead_xent(const bf16* x, const bf16* W, const int32_t* labels, int N, int C, int V, float grad_scale,
                      bf16* dx, float* dW, float* token_loss, int chunk, void* workspace, size_t workspace_bytes,
                      Impl impl, Stream s) {
  XentStats res{0.0, 0};
  const int R = check_args(x, W, labels, N, C, V, grad_scale, dx, dW, chunk, workspace, workspace_bytes);
  if (N == 0) return res;
  const Scratch w = carve(workspace, R, N, V);

  // Labels first: nothing is written if one is bad.
  XentDev host = check_labels(labels, N, V, XentDev{0.0, 0, INT_MAX}, w.st, "lmhead_xent", s);

  run_chunks(x, W, labels, N, C, V, grad_scale, dx, dW, token_loss, R, w, impl, s);
  auto* ks = sum_losses;
  MT_LAUNCH(ks, 1, 256, 256 * sizeof(double), s, w.row_loss, N, w.st);
  MT_CUDA_LAUNCHED("lmhead_xent (loss sum)");
  MT_CUDA_CHECK(cudaMemcpyAsync(&host, w.st, sizeof host, cudaMemcpyDeviceToHost, s), "lmhead_xent");
  MT_CUDA_CHECK(cudaStreamSynchronize(s), "lmhead_xent");
  res.loss_sum = host.loss_sum;
  res.count = host.count;
  return res;
}

void lmhead_xent_accumulate(const bf16* x, const bf16* W, const int32_t* labels, int N, int C, int V,
                            float grad_scale, bf16* dx, float* dW, float* token_loss, int chunk, void* workspace,
                            size_t workspace_bytes, XentAccum* acc, Impl impl, Stream s) {
  MT_CHECK(acc, "lmhead_xent_accumulate: acc (device XentAccum) is required");
  const int R = check_args(x, W, labels, N, C, V, grad_scale, dx, dW, chunk, workspace, workspace_bytes);
  if (N == 0) return;
  const Scratch w = carve(workspace, R, N, V);
  run_chunks(x, W, labels, N, C, V, grad_scale, dx, dW, token_loss, R, w, impl, s);
  auto* k = accumulate_losses;
  MT_LAUNCH(k, 1, 256, 256 * (sizeof(double) + sizeof(int)), s, w.row_loss, labels, N, acc);
  MT_CUDA_LAUNCHED("lmhead_xent_accumulate (loss sum)");
}

}  // namespace mt::cuda
