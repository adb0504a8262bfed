// The cuBLASLt path of model_gemm (model_ops.h): bf16 inputs, fp32 compute,
// fp32 or bf16 output, an optional bias epilogue, a per-device workspace and
// the heuristic's algorithm cached per shape. cuBLASLt chooses among more
// kernels than cublasGemmEx when it is given a workspace (Hopper's best bf16
// GEMMs need one), and the bias epilogue saves a pass over the output for the
// q/k/v projections that have biases (Qwen2).
// Status: compiled against the toolkit's cuBLASLt where it has one, and
// against declaration stubs by `npm run check:cuda` here; NOT yet run on a GPU
// (scripts/gpu-check.sh's parity checks cover it). MIDTRAIN_CUBLASLT=0 in the
// environment turns it off (model_gemm then uses cublasGemmEx).
#pragma once
#include "cuda/types.h"

namespace mt::cuda {

// Row-major C[M, N] (=, or += when accumulate) alpha op(A)[M, K] op(B)[K, N] (+ bias[N] on every row
// when bias is given). Returns false, having done nothing, where this build has no cuBLASLt, it is
// turned off, or the heuristic has no algorithm for the shape: the caller then takes another path.
bool gemm_lt(bool ta, bool tb, int M, int N, int K, float alpha, const bf16* A, int lda, const bf16* B, int ldb,
             void* C, bool c_fp32, int ldc, bool accumulate, const bf16* bias, Stream s);

// Whether gemm_lt can run here (built with cuBLASLt and not turned off).
bool gemm_lt_enabled();

}  // namespace mt::cuda
