// LM head + cross-entropy in chunks (xent.h).
//
// The GEMMs are cuBLAS's where the build links it (MIDTRAIN_HAVE_CUBLAS) and
// a built-in shared-memory-tiled GEMM otherwise; the per-row softmax is one
// block per row: an online (max, sum) pass, then a pass writing the bf16
// gradient row. Ignored rows (label -100) stay in the GEMMs with zero
// gradient rows, so their dx rows come out exactly 0. The loss is kept per
// row in double and summed in row order at the end: deterministic.
#include "cuda/xent.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <mutex>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"

#if defined(MIDTRAIN_HAVE_CUBLAS) && defined(__CUDACC__)
#include <cublas_v2.h>
#define MT_XENT_CUBLAS 1
#endif

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

constexpr int32_t kIgnore = -100;
constexpr int kRowThreads = 256;

struct XentDev {
  double loss_sum;
  int32_t count;
  int32_t bad_index;  // first invalid label's index, INT_MAX if none
};

__global__ void validate_labels(const int32_t* labels, int N, int V, XentDev* st) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= N) return;
  const int32_t y = labels[i];
  if (y == kIgnore) return;
  if (y < 0 || y >= V) dev::atomic_min(&st->bad_index, i);
  else dev::atomic_add(&st->count, 1);
}

// ---- softmax rows ----

struct MaxSum {
  float m, s;  // running max and sum of exp(x - m)
};

MT_DEV MaxSum combine(MaxSum a, MaxSum b) {
  const float m = fmaxf(a.m, b.m);
  if (m == -INFINITY) return {m, 0.f};
  return {m, a.s * expf(a.m - m) + b.s * expf(b.m - m)};
}

// Block-wide (max, sum); every thread gets the result. `red` holds 64 floats.
MT_DEV MaxSum block_maxsum(MaxSum v, float* red) {
  MT_UNROLL
  for (int o = 16; o >= 1; o >>= 1) v = combine(v, {dev::shfl_xor(v.m, o), dev::shfl_xor(v.s, o)});
  const int warp = threadIdx.x / 32, nw = blockDim.x / 32;
  if (threadIdx.x % 32 == 0) red[warp] = v.m, red[32 + warp] = v.s;
  dev::sync_threads();
  MaxSum r{-INFINITY, 0.f};
  for (int w = 0; w < nw; ++w) r = combine(r, {red[w], red[32 + w]});
  dev::sync_threads();
  return r;
}

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

// ---- built-in GEMM: C[M, N] (=|+=) sum_k A(m, k) B(k, n), A and B bf16 at any
// strides, fp32 accumulation; 16 x 16 output tiles staged through shared memory.
template <class OutT>
__global__ void gemm_tiled(int M, int N, int K, const B16* A, int64_t a_m, int64_t a_k, const B16* B, int64_t b_k,
                           int64_t b_n, OutT* C, int64_t ldc, bool accumulate) {
  float* As = dev::dyn_smem<float>();  // [16][17]
  float* Bs = As + 16 * 17;            // [16][17]
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  float acc = 0.f;
  for (int k0 = 0; k0 < K; k0 += 16) {
    As[ty * 17 + tx] = (row < M && k0 + tx < K) ? dev::to_f32(A[row * a_m + int64_t(k0 + tx) * a_k]) : 0.f;
    Bs[ty * 17 + tx] = (k0 + ty < K && col < N) ? dev::to_f32(B[int64_t(k0 + ty) * b_k + col * b_n]) : 0.f;
    dev::sync_threads();
    MT_UNROLL
    for (int kk = 0; kk < 16; ++kk) acc += As[ty * 17 + kk] * Bs[kk * 17 + tx];
    dev::sync_threads();
  }
  if (row < M && col < N) {
    OutT* c = C + int64_t(row) * ldc + col;
    if constexpr (sizeof(OutT) == sizeof(float)) *c = accumulate ? *c + acc : acc;
    else *c = dev::to_bf16(acc);
  }
}

template <class OutT>
void gemm_builtin(int M, int N, int K, const B16* A, int64_t a_m, int64_t a_k, const B16* B, int64_t b_k, int64_t b_n,
                  OutT* C, int64_t ldc, bool accumulate, Stream s) {
  MT_CHECK((M + 15) / 16 <= 65535, "lmhead_xent: GEMM with M = ", M, " rows is too large for the built-in GEMM");
  auto* k = gemm_tiled<OutT>;
  MT_LAUNCH(k, dim3(unsigned((N + 15) / 16), unsigned((M + 15) / 16)), dim3(16, 16), 2 * 16 * 17 * sizeof(float), s,
            M, N, K, A, a_m, a_k, B, b_k, b_n, C, ldc, accumulate);
  MT_CUDA_LAUNCHED("lmhead_xent (GEMM)");
}

#ifdef MT_XENT_CUBLAS
const char* cublas_error(cublasStatus_t st) { return cublasGetStatusString(st); }

#define MT_CUBLAS_CHECK(call)                                                                               \
  do {                                                                                                      \
    const cublasStatus_t mt_st_ = (call);                                                                   \
    if (mt_st_ != CUBLAS_STATUS_SUCCESS) ::mt::fail("lmhead_xent: ", #call, " failed: ", cublas_error(mt_st_)); \
  } while (0)

// One handle per device, created on first use.
cublasHandle_t handle() {
  static std::mutex mu;
  static cublasHandle_t h[64] = {};
  int dev = 0;
  MT_CUDA_CHECK(cudaGetDevice(&dev), "lmhead_xent");
  MT_CHECK(dev >= 0 && dev < 64, "lmhead_xent: device index ", dev, " out of range");
  std::lock_guard<std::mutex> lock(mu);
  if (!h[dev]) MT_CUBLAS_CHECK(cublasCreate(&h[dev]));
  return h[dev];
}

// Row-major C[M, N] = op(A) op(B) as column-major C^T = op(B)^T op(A)^T.
void gemm_cublas(cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const void* A, int lda,
                 const void* B, int ldb, void* C, cudaDataType ct, int ldc, float beta, Stream s) {
  cublasHandle_t h = handle();
  MT_CUBLAS_CHECK(cublasSetStream(h, s));
  const float alpha = 1.f;
  MT_CUBLAS_CHECK(cublasGemmEx(h, ta, tb, m, n, k, &alpha, A, CUDA_R_16BF, lda, B, CUDA_R_16BF, ldb, &beta, C, ct, ldc,
                               CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}
#endif

int default_chunk(int V) {
  int c = std::clamp((1 << 25) / std::max(V, 1), 64, 1024);
  return c / 16 * 16;
}

bool overlaps(const void* a, size_t na, const void* b, size_t nb) {
  if (!a || !b || na == 0 || nb == 0) return false;
  const auto a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
  return a0 < b0 + nb && b0 < a0 + na;
}

size_t align256(size_t n) { return (n + 255) / 256 * 256; }

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

XentStats lmhead_xent(const bf16* x, const bf16* W, const int32_t* labels, int N, int C, int V, float grad_scale,
                      bf16* dx, float* dW, float* token_loss, int chunk, void* workspace, size_t workspace_bytes,
                      Impl impl, Stream s) {
  MT_CHECK(N >= 0 && C > 0 && V > 0, "lmhead_xent: need N >= 0, C > 0, V > 0 (got N=", N, ", C=", C, ", V=", V, ")");
  MT_CHECK(chunk >= 0, "lmhead_xent: chunk must be >= 0 (0 = choose), got ", chunk);
  MT_CHECK(std::isfinite(grad_scale), "lmhead_xent: grad_scale must be finite, got ", grad_scale);
  XentStats res{0.0, 0};
  if (N == 0) return res;
  MT_CHECK(x && W && labels, "lmhead_xent: x, W and labels are required");
  const size_t nx = size_t(N) * C * 2, nw = size_t(V) * C * 2, ndw = size_t(V) * C * 4;
  MT_CHECK(!overlaps(dx, nx, x, nx) && !overlaps(dx, nx, W, nw) && !overlaps(dW, ndw, x, nx) &&
               !overlaps(dW, ndw, W, nw) && !overlaps(dx, nx, dW, ndw),
           "lmhead_xent: dx and dW must not overlap x, W or each other");
  const size_t need = lmhead_xent_workspace_bytes(N, C, V, chunk);
  MT_CHECK(workspace && workspace_bytes >= need, "lmhead_xent: workspace of ", need, " bytes needed, got ",
           workspace_bytes);
  const int R = lmhead_xent_chunk(N, V, chunk);
  auto* base = static_cast<unsigned char*>(workspace);
  auto* logits = reinterpret_cast<float*>(base);
  base += align256(size_t(R) * V * sizeof(float));
  auto* dlog = reinterpret_cast<B16*>(base);
  base += align256(size_t(R) * V * sizeof(uint16_t));
  auto* row_loss = reinterpret_cast<double*>(base);
  base += align256(size_t(N) * sizeof(double));
  auto* st = reinterpret_cast<XentDev*>(base);

  // Labels first: nothing is written if one is bad.
  const XentDev init{0.0, 0, INT_MAX};
  MT_CUDA_CHECK(cudaMemcpyAsync(st, &init, sizeof init, cudaMemcpyHostToDevice, s), "lmhead_xent");
  auto* kv = validate_labels;
  MT_LAUNCH(kv, unsigned((N + 255) / 256), 256, 0, s, labels, N, V, st);
  MT_CUDA_LAUNCHED("lmhead_xent (labels)");
  XentDev host{};
  MT_CUDA_CHECK(cudaMemcpyAsync(&host, st, sizeof host, cudaMemcpyDeviceToHost, s), "lmhead_xent");
  MT_CUDA_CHECK(cudaStreamSynchronize(s), "lmhead_xent (labels)");
  if (host.bad_index != INT_MAX) {
    int32_t y = 0;
    MT_CUDA_CHECK(cudaMemcpy(&y, labels + host.bad_index, sizeof y, cudaMemcpyDeviceToHost), "lmhead_xent");
    mt::fail("lmhead_xent: labels[", host.bad_index, "] = ", y, " is outside [0, V=", V, ") and is not -100");
  }

  const bool grad = dx || dW;
  const bool simple = impl == Impl::Simple;
  auto* xd = reinterpret_cast<const B16*>(x);
  auto* Wd = reinterpret_cast<const B16*>(W);
  auto* dxd = reinterpret_cast<B16*>(dx);
#ifdef MT_XENT_CUBLAS
  const bool blas = !simple;
#endif
  for (int r0 = 0; r0 < N; r0 += R) {
    const int rows = std::min(R, N - r0);
    const B16* xc = xd + size_t(r0) * C;
#ifdef MT_XENT_CUBLAS
    if (blas)
      gemm_cublas(CUBLAS_OP_T, CUBLAS_OP_N, V, rows, C, Wd, C, xc, C, logits, CUDA_R_32F, V, 0.f, s);
    else
#endif
      gemm_builtin<float>(rows, V, C, xc, C, 1, Wd, 1, C, logits, V, false, s);

    if (simple) {
      auto* k = softmax_rows_simple;
      MT_LAUNCH(k, unsigned(rows), kRowThreads, 32 * sizeof(double), s, logits, dlog, labels, r0, V, grad_scale, grad,
                row_loss, token_loss);
      MT_CUDA_LAUNCHED("lmhead_xent (softmax, simple)");
    } else {
      auto* k = softmax_rows;
      MT_LAUNCH(k, unsigned(rows), kRowThreads, 64 * sizeof(float), s, logits, dlog, labels, r0, V, grad_scale, grad,
                row_loss, token_loss);
      MT_CUDA_LAUNCHED("lmhead_xent (softmax)");
    }
    if (dx) {
#ifdef MT_XENT_CUBLAS
      if (blas)
        gemm_cublas(CUBLAS_OP_N, CUBLAS_OP_N, C, rows, V, Wd, C, dlog, V, dxd + size_t(r0) * C, CUDA_R_16BF, C, 0.f, s);
      else
#endif
        gemm_builtin<B16>(rows, C, V, dlog, V, 1, Wd, C, 1, dxd + size_t(r0) * C, C, false, s);
    }
    if (dW) {
#ifdef MT_XENT_CUBLAS
      if (blas)
        gemm_cublas(CUBLAS_OP_N, CUBLAS_OP_T, C, V, rows, xc, C, dlog, V, dW, CUDA_R_32F, C, 1.f, s);
      else
#endif
        gemm_builtin<float>(V, C, rows, dlog, 1, V, xc, C, 1, dW, C, true, s);
    }
  }
  auto* ks = sum_losses;
  MT_LAUNCH(ks, 1, 256, 256 * sizeof(double), s, row_loss, N, st);
  MT_CUDA_LAUNCHED("lmhead_xent (loss sum)");
  MT_CUDA_CHECK(cudaMemcpyAsync(&host, st, sizeof host, cudaMemcpyDeviceToHost, s), "lmhead_xent");
  MT_CUDA_CHECK(cudaStreamSynchronize(s), "lmhead_xent");
  res.loss_sum = host.loss_sum;
  res.count = host.count;
  return res;
}

}  // namespace mt::cuda
