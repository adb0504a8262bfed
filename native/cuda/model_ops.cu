// Kernels of model_ops.h. Compiled by nvcc, or as C++ on the CPU emulation.
// The project's one cuBLAS handle cache and status check are here.
#include "cuda/model_ops.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"
#include "cuda/gemm_lt.h"

#if defined(MIDTRAIN_HAVE_CUBLAS) && defined(__CUDACC__)
#include <cublas_v2.h>
#define MT_MODEL_CUBLAS 1
#endif

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

// 16 x 16 output tiles through shared memory; element (m, k) of op(A) is at
// A[m * a_m + k * a_k], (k, n) of op(B) at B[k * b_k + n * b_n].
template <class OutT>
__global__ void gemm_tiled(int M, int N, int K, const B16* A, int64_t a_m, int64_t a_k, const B16* B, int64_t b_k,
                           int64_t b_n, OutT* C, int64_t ldc, float alpha, bool accumulate) {
  float* As = dev::dyn_smem<float>();  // [16][17]
  float* Bs = As + 16 * 17;
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
    acc *= alpha;
    if constexpr (sizeof(OutT) == sizeof(float)) *c = accumulate ? *c + acc : acc;
    else *c = dev::to_bf16(accumulate ? dev::to_f32(*c) + acc : acc);
  }
}

#ifdef MT_MODEL_CUBLAS
#define MT_CUBLAS_CHECK(call)                                                                                    \
  do {                                                                                                           \
    const cublasStatus_t mt_st_ = (call);                                                                        \
    if (mt_st_ != CUBLAS_STATUS_SUCCESS) ::mt::fail("model_gemm: ", #call, " failed: ", cublasGetStatusString(mt_st_)); \
  } while (0)

// One handle per device, created on first use (the LM head's GEMMs use it too).
cublasHandle_t handle() {
  static std::mutex mu;
  static cublasHandle_t h[64] = {};
  int dev = 0;
  MT_CUDA_CHECK(cudaGetDevice(&dev), "model_gemm");
  MT_CHECK(dev >= 0 && dev < 64, "model_gemm: device index ", dev, " out of range");
  std::lock_guard<std::mutex> lock(mu);
  if (!h[dev]) MT_CUBLAS_CHECK(cublasCreate(&h[dev]));
  return h[dev];
}
#endif

__global__ void embedding_lookup_k(const int32_t* ids, const B16* W, B16* out, int N, int C) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= int64_t(N) * C) return;
  const int64_t n = i / C, c = i % C;
  out[i] = W[int64_t(ids[n]) * C + c];
}

__global__ void embedding_grad_k(const int32_t* ids, const B16* dout, float* dW, int N, int C) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= int64_t(N) * C) return;
  const int64_t n = i / C, c = i % C;
  dev::atomic_add(dW + int64_t(ids[n]) * C + c, dev::to_f32(dout[i]));
}

__global__ void bias_add_k(B16* y, const B16* b, int N, int C) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= int64_t(N) * C) return;
  y[i] = dev::to_bf16(dev::to_f32(y[i]) + dev::to_f32(b[i % C]));
}

// One thread a column, rows in order: deterministic.
__global__ void bias_grad_k(const B16* dy, float* db, int N, int C) {
  const int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= C) return;
  float s = 0.f;
  for (int n = 0; n < N; ++n) s += dev::to_f32(dy[int64_t(n) * C + j]);
  db[j] += s;
}

__global__ void to_bf16_k(const float* x, B16* y, size_t n) {
  const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) y[i] = dev::to_bf16(x[i]);
}

__global__ void fill_f32_k(float* x, float value, size_t n) {
  const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) x[i] = value;
}

__global__ void add_squares_k(const float* g, float* f, size_t n) {
  const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) f[i] += g[i] * g[i];
}

__global__ void fold_loss_finite_k(const XentAccum* acc, ClipState* clip) {
  const double l = acc->loss_sum;
  if (!(l == l && l <= 1.7976931348623157e308 && l >= -1.7976931348623157e308)) clip->finite = 0;
}

constexpr int kDistThreads = 256;
constexpr int64_t kDistBlock = int64_t(1) << 16;  // elements a block sums (fixed: the sum order)

// partial[b] = sum of w (p - p0)^2 over block b's elements of [offset, offset + n), in double.
__global__ void __launch_bounds__(kDistThreads) sq_dist_blocks(const float* p, const float* p0, const float* w,
                                                               size_t offset, int64_t n, double* partial) {
  double* red = dev::dyn_smem<double>();
  const int64_t e0 = int64_t(blockIdx.x) * kDistBlock;
  const int64_t e1 = e0 + kDistBlock < n ? e0 + kDistBlock : n;
  double s = 0.0;
  for (int64_t i = e0 + threadIdx.x; i < e1; i += kDistThreads) {
    const size_t j = offset + size_t(i);
    const double d = double(p[j]) - double(p0[j]);
    s += (w ? double(w[j]) : 1.0) * d * d;
  }
  s = dev::warp_sum(s);
  if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = s;
  dev::sync_threads();
  if (threadIdx.x == 0) {
    double t = 0.0;
    for (int i = 0; i < kDistThreads / 32; ++i) t += red[i];
    partial[blockIdx.x] = t;
  }
}

// *out = the partials in index order, by one thread (about 19K partials for a 1B model: microseconds).
__global__ void sum_partials(const double* partial, int64_t n, double* out) {
  if (threadIdx.x != 0) return;
  double t = 0.0;
  for (int64_t i = 0; i < n; ++i) t += partial[i];
  *out = t;
}

int64_t dist_blocks(size_t n) { return int64_t((n + size_t(kDistBlock) - 1) / size_t(kDistBlock)); }

unsigned blocks(int64_t n, int per) { return unsigned((n + per - 1) / per); }

}  // namespace

bool model_gemm_uses_cublas() {
#ifdef MT_MODEL_CUBLAS
  return true;
#else
  return false;
#endif
}

void model_gemm(bool ta, bool tb, int M, int N, int K, float alpha, const bf16* A, int lda, const bf16* B, int ldb,
                void* C, bool c_fp32, int ldc, bool accumulate, Impl impl, Stream s) {
  MT_CHECK(M >= 0 && N >= 0 && K >= 0, "model_gemm: negative size M=", M, " N=", N, " K=", K);
  MT_CHECK(std::isfinite(alpha), "model_gemm: alpha must be finite, got ", alpha);
  if (M == 0 || N == 0) return;
#ifdef MT_MODEL_CUBLAS
  if (impl == Impl::Fast) {
    // cuBLASLt with a workspace and the heuristic's algorithm where the build has it (gemm_lt.h).
    if (gemm_lt(ta, tb, M, N, K, alpha, A, lda, B, ldb, C, c_fp32, ldc, accumulate, nullptr, s)) return;
    // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
    cublasHandle_t h = handle();
    MT_CUBLAS_CHECK(cublasSetStream(h, s));
    const float beta = accumulate ? 1.f : 0.f;
    MT_CUBLAS_CHECK(cublasGemmEx(h, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K, &alpha, B,
                                 CUDA_R_16BF, ldb, A, CUDA_R_16BF, lda, &beta, C, c_fp32 ? CUDA_R_32F : CUDA_R_16BF,
                                 ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    return;
  }
#endif
  (void)impl;  // without cuBLAS both paths are the built-in kernel
  MT_CHECK((M + 15) / 16 <= 65535, "model_gemm: M = ", M, " rows is too large for the built-in GEMM");
  const auto* a = reinterpret_cast<const B16*>(A);
  const auto* b = reinterpret_cast<const B16*>(B);
  const int64_t a_m = ta ? 1 : lda, a_k = ta ? lda : 1, b_k = tb ? 1 : ldb, b_n = tb ? ldb : 1;
  const dim3 grid(unsigned((N + 15) / 16), unsigned((M + 15) / 16)), block(16, 16);
  const size_t smem = 2 * 16 * 17 * sizeof(float);
  if (c_fp32) {
    auto* k = gemm_tiled<float>;
    MT_LAUNCH(k, grid, block, smem, s, M, N, K, a, a_m, a_k, b, b_k, b_n, static_cast<float*>(C), int64_t(ldc), alpha,
              accumulate);
  } else {
    auto* k = gemm_tiled<B16>;
    MT_LAUNCH(k, grid, block, smem, s, M, N, K, a, a_m, a_k, b, b_k, b_n, static_cast<B16*>(C), int64_t(ldc), alpha,
              accumulate);
  }
  MT_CUDA_LAUNCHED("model_gemm (built-in)");
}

void linear_bias(int M, int N, int K, const bf16* x, const bf16* W, const bf16* bias, bf16* y, Stream s) {
  if (gemm_lt(false, true, M, N, K, 1.f, x, K, W, K, y, false, N, false, bias, s)) return;
  model_gemm(false, true, M, N, K, 1.f, x, K, W, K, y, false, N, false, Impl::Fast, s);
  bias_add(y, bias, M, N, s);
}

void embedding_lookup(const int32_t* ids, const bf16* W, bf16* out, int N, int C, Stream s) {
  if (N == 0) return;
  auto* k = embedding_lookup_k;
  MT_LAUNCH(k, blocks(int64_t(N) * C, 256), 256, 0, s, ids, reinterpret_cast<const B16*>(W), reinterpret_cast<B16*>(out), N, C);
  MT_CUDA_LAUNCHED("embedding_lookup");
}

void embedding_grad(const int32_t* ids, const bf16* dout, float* dW, int N, int C, Stream s) {
  if (N == 0) return;
  auto* k = embedding_grad_k;
  MT_LAUNCH(k, blocks(int64_t(N) * C, 256), 256, 0, s, ids, reinterpret_cast<const B16*>(dout), dW, N, C);
  MT_CUDA_LAUNCHED("embedding_grad");
}

void bias_add(bf16* y, const bf16* b, int N, int C, Stream s) {
  if (N == 0) return;
  auto* k = bias_add_k;
  MT_LAUNCH(k, blocks(int64_t(N) * C, 256), 256, 0, s, reinterpret_cast<B16*>(y), reinterpret_cast<const B16*>(b), N, C);
  MT_CUDA_LAUNCHED("bias_add");
}

void bias_grad(const bf16* dy, float* db, int N, int C, Stream s) {
  auto* k = bias_grad_k;
  MT_LAUNCH(k, blocks(C, 128), 128, 0, s, reinterpret_cast<const B16*>(dy), db, N, C);
  MT_CUDA_LAUNCHED("bias_grad");
}

void to_bf16(const float* x, bf16* y, size_t n, Stream s) {
  if (n == 0) return;
  auto* k = to_bf16_k;
  MT_LAUNCH(k, blocks(int64_t(n), 256), 256, 0, s, x, reinterpret_cast<B16*>(y), n);
  MT_CUDA_LAUNCHED("to_bf16");
}

void fill_f32(float* x, float value, size_t n, Stream s) {
  if (n == 0) return;
  auto* k = fill_f32_k;
  MT_LAUNCH(k, blocks(int64_t(n), 256), 256, 0, s, x, value, n);
  MT_CUDA_LAUNCHED("fill_f32");
}

void add_squares(const float* g, float* f, size_t n, Stream s) {
  if (n == 0) return;
  auto* k = add_squares_k;
  MT_LAUNCH(k, blocks(int64_t(n), 256), 256, 0, s, g, f, n);
  MT_CUDA_LAUNCHED("add_squares (Fisher)");
}

void fold_loss_finite(const XentAccum* acc, ClipState* clip, Stream s) {
  MT_CHECK(acc && clip, "fold_loss_finite: acc and clip are required");
  auto* k = fold_loss_finite_k;
  MT_LAUNCH(k, 1, 1, 0, s, acc, clip);
  MT_CUDA_LAUNCHED("fold_loss_finite");
}

size_t sq_dist_workspace_bytes(const FlatRange* ranges, int count) {
  int64_t b = 0;
  for (int i = 0; i < count; ++i) b += dist_blocks(ranges[i].n);
  return size_t(std::max<int64_t>(b, 1)) * sizeof(double);
}

void sq_dist(const float* p, const float* p0, const float* w, const FlatRange* ranges, int count, double* out,
             void* workspace, size_t workspace_bytes, Stream s) {
  MT_CHECK(p && p0 && out && (ranges || count == 0), "sq_dist: p, p0, ranges and out are required");
  const size_t need = sq_dist_workspace_bytes(ranges, count);
  MT_CHECK(workspace && workspace_bytes >= need, "sq_dist: workspace of ", need, " bytes needed, got ", workspace_bytes);
  auto* partial = static_cast<double*>(workspace);
  int64_t done = 0;
  for (int i = 0; i < count; ++i) {
    const int64_t nb = dist_blocks(ranges[i].n);
    if (nb == 0) continue;
    MT_CHECK(nb <= 0x7fffffff, "sq_dist: range ", i, " is too large");
    auto* k = sq_dist_blocks;
    MT_LAUNCH(k, unsigned(nb), kDistThreads, (kDistThreads / 32) * sizeof(double), s, p, p0, w, ranges[i].offset,
              int64_t(ranges[i].n), partial + done);
    MT_CUDA_LAUNCHED("sq_dist");
    done += nb;
  }
  if (done == 0) MT_CUDA_CHECK(cudaMemsetAsync(partial, 0, sizeof(double), s), "sq_dist");
  auto* k = sum_partials;
  MT_LAUNCH(k, 1, 32, 0, s, partial, std::max<int64_t>(done, 1), out);
  MT_CUDA_LAUNCHED("sq_dist (sum)");
}

void upload_async(void* dst, const void* src, size_t bytes, Stream s) {
  MT_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, s), "upload_async");
}

void device_memory(size_t* free_bytes, size_t* total_bytes) {
  MT_CUDA_CHECK(cudaMemGetInfo(free_bytes, total_bytes), "device_memory");
}

}  // namespace mt::cuda
