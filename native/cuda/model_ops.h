// The small kernels the CUDA model needs beside the issue-9 families: GEMMs
// (cuBLAS where the build links it, else a built-in tiled kernel, so the
// emulation runs the whole model), embedding lookup and its gradient, bias
// add and bias gradient, fp32 -> bf16 weight copies, async uploads and the
// device's free memory. Plain C++ interface, like every native/cuda header.
#pragma once
#include <cstddef>
#include <cstdint>

#include "cuda/types.h"

namespace mt::cuda {

// Row-major C[M, N] (=, or += when accumulate) op(A)[M, K] op(B)[K, N]; op(X) = X^T when
// the flag is set. A and B bf16; C fp32 (c_fp32) or bf16; fp32 accumulation.
void model_gemm(bool ta, bool tb, int M, int N, int K, const bf16* A, int lda, const bf16* B, int ldb, void* C,
                bool c_fp32, int ldc, bool accumulate, Stream s = nullptr);
// Whether model_gemm goes through cuBLAS (else the built-in kernel).
bool model_gemm_uses_cublas();

// out[n, :] = W[ids[n], :] (ids checked by the caller, on the host).
void embedding_lookup(const int32_t* ids, const bf16* W, bf16* out, int N, int C, Stream s = nullptr);
// dW[ids[n], :] += dout[n, :] (fp32 atomics: a repeated id makes the sum order vary run to run).
void embedding_grad(const int32_t* ids, const bf16* dout, float* dW, int N, int C, Stream s = nullptr);
// y[n, :] += b (bf16 result); db[j] += sum_n dy[n, j] (fp32, a fixed order).
void bias_add(bf16* y, const bf16* b, int N, int C, Stream s = nullptr);
void bias_grad(const bf16* dy, float* db, int N, int C, Stream s = nullptr);
// y = bf16(x), round to nearest even.
void to_bf16(const float* x, bf16* y, size_t n, Stream s = nullptr);

// Host -> device without waiting for the stream (ordered after its earlier work).
void upload_async(void* dst, const void* src, size_t bytes, Stream s = nullptr);
// Free and total bytes of the current device.
void device_memory(size_t* free_bytes, size_t* total_bytes);

}  // namespace mt::cuda
