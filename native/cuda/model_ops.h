// The small kernels the CUDA model needs beside the issue-9 families: GEMMs
// (cuBLAS where the build links it, else a built-in tiled kernel, so the
// emulation runs the whole model; the one place with cuBLAS calls, which the
// LM head in xent.cu goes through too), embedding lookup and its gradient,
// bias add and bias gradient, fp32 -> bf16 weight copies, the step's
// device-side bookkeeping (loss finiteness into the clip state, the Fisher's
// squared gradients, the anchor distance), async uploads and the device's
// free memory. Plain C++ interface, like every native/cuda header.
#pragma once
#include <cstddef>
#include <cstdint>

#include "cuda/adamw.h"
#include "cuda/types.h"
#include "cuda/xent.h"

namespace mt::cuda {

// Row-major C[M, N] (=, or += when accumulate) alpha op(A)[M, K] op(B)[K, N]; op(X) = X^T
// when the flag is set. A and B bf16; C fp32 (c_fp32) or bf16; fp32 accumulation.
// Fast: cuBLAS where the build links it, else the built-in kernel; Simple: the built-in kernel always.
void model_gemm(bool ta, bool tb, int M, int N, int K, float alpha, const bf16* A, int lda, const bf16* B, int ldb,
                void* C, bool c_fp32, int ldc, bool accumulate, Impl impl = Impl::Fast, Stream s = nullptr);
// y[M, N] = x[M, K] W[N, K]^T + bias[N] on every row (bf16): cuBLASLt's bias epilogue where the build has it
// (the bias added in fp32 before the one rounding), else model_gemm then bias_add.
void linear_bias(int M, int N, int K, const bf16* x, const bf16* W, const bf16* bias, bf16* y, Stream s = nullptr);
// Whether model_gemm's Fast path goes through cuBLAS (else the built-in kernel).
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

// x[i] = value for i < n.
void fill_f32(float* x, float value, size_t n, Stream s = nullptr);
// f[i] += g[i]^2 (the diagonal Fisher's per-row term).
void add_squares(const float* g, float* f, size_t n, Stream s = nullptr);
// A non-finite accumulated loss makes the step's update a no-op: clip->finite = 0
// (grad_clip has written the rest of *clip; adamw_update reads it). No host wait.
void fold_loss_finite(const XentAccum* acc, ClipState* clip, Stream s = nullptr);

// Sum over ranges of w (p - p0)^2 in double (w nullptr: 1), into *out on the
// device (overwritten), in a fixed order: deterministic. Ranges index the same
// flat buffers p, p0 and w.
struct FlatRange {
  size_t offset, n;
};
size_t sq_dist_workspace_bytes(const FlatRange* ranges, int count);
void sq_dist(const float* p, const float* p0, const float* w, const FlatRange* ranges, int count, double* out,
             void* workspace, size_t workspace_bytes, Stream s = nullptr);

// Host -> device without waiting for the stream (ordered after its earlier work).
void upload_async(void* dst, const void* src, size_t bytes, Stream s = nullptr);
// Free and total bytes of the current device.
void device_memory(size_t* free_bytes, size_t* total_bytes);

}  // namespace mt::cuda
