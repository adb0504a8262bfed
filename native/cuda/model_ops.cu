// Kernels of model_ops.h. Compiled by nvcc, or as C++ on the CPU emulation.
#include "cuda/model_ops.h"

#include <mutex>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"

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
                           int64_t b_n, OutT* C, int64_t ldc, bool accumulate) {
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

unsigned blocks(int64_t n, int per) { return unsigned((n + per - 1) / per); }

}  // namespace

bool model_gemm_uses_cublas() {
#ifdef MT_MODEL_CUBLAS
  return true;
#else
  return false;
#endif
}

void model_gemm(bool ta, bool tb, int M, int N, int K, const bf16* A, int lda, const bf16* B, int ldb, void* C,
                bool c_fp32, int ldc, bool accumulate, Stream s) {
  MT_CHECK(M >= 0 && N >= 0 && K >= 0, "model_gemm: negative size M=", M, " N=", N, " K=", K);
  if (M == 0 || N == 0) return;
#ifdef MT_MODEL_CUBLAS
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
  cublasHandle_t h = handle();
  MT_CUBLAS_CHECK(cublasSetStream(h, s));
  const float alpha = 1.f, beta = accumulate ? 1.f : 0.f;
  MT_CUBLAS_CHECK(cublasGemmEx(h, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, N, M, K, &alpha, B,
                               CUDA_R_16BF, ldb, A, CUDA_R_16BF, lda, &beta, C, c_fp32 ? CUDA_R_32F : CUDA_R_16BF, ldc,
                               CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
#else
  MT_CHECK((M + 15) / 16 <= 65535, "model_gemm: M = ", M, " rows is too large for the built-in GEMM");
  const auto* a = reinterpret_cast<const B16*>(A);
  const auto* b = reinterpret_cast<const B16*>(B);
  const int64_t a_m = ta ? 1 : lda, a_k = ta ? lda : 1, b_k = tb ? 1 : ldb, b_n = tb ? ldb : 1;
  const dim3 grid(unsigned((N + 15) / 16), unsigned((M + 15) / 16)), block(16, 16);
  const size_t smem = 2 * 16 * 17 * sizeof(float);
  if (c_fp32) {
    auto* k = gemm_tiled<float>;
    MT_LAUNCH(k, grid, block, smem, s, M, N, K, a, a_m, a_k, b, b_k, b_n, static_cast<float*>(C), int64_t(ldc), accumulate);
  } else {
    auto* k = gemm_tiled<B16>;
    MT_LAUNCH(k, grid, block, smem, s, M, N, K, a, a_m, a_k, b, b_k, b_n, static_cast<B16*>(C), int64_t(ldc), accumulate);
  }
  MT_CUDA_LAUNCHED("model_gemm (built-in)");
#endif
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

void upload_async(void* dst, const void* src, size_t bytes, Stream s) {
  MT_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, s), "upload_async");
}

void device_memory(size_t* free_bytes, size_t* total_bytes) {
  MT_CUDA_CHECK(cudaMemGetInfo(free_bytes, total_bytes), "device_memory");
}

}  // namespace mt::cuda
