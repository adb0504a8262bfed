// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C,
// op(A) is M x K, op(B) is K x N, C is M x N. lda/ldb/ldc are row strides.
#pragma once

namespace mt::cpu {

// OpenBLAS sgemm when the addon was built with it, otherwise gemm_portable.
void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);

// The portable blocked, packed, OpenMP-parallel fallback; always compiled so
// it can be tested beside OpenBLAS in one build.
void gemm_portable(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                   int lda, const float* B, int ldb, float beta, float* C, int ldc);

bool gemm_uses_openblas();

}  // namespace mt::cpu
