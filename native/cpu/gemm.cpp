// GEMM: OpenBLAS when available; otherwise a Goto-style blocked GEMM with
// packed panels and a 6x16 register-tiled micro-kernel (GCC vector
// extensions, so it compiles to AVX2/AVX-512/NEON or plain scalar code).
#include "cpu/gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/check.h"

#ifdef MIDTRAIN_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace mt::cpu {

namespace {

constexpr int MR = 6, NR = 16;
constexpr int MC = 96, KC = 256, NC = 2048;

typedef float v8 __attribute__((vector_size(32)));

inline float opA(bool t, const float* A, int lda, int i, int k) { return t ? A[size_t(k) * lda + i] : A[size_t(i) * lda + k]; }

// Packs rows [i0, i0+mc) x cols [k0, k0+kc) of op(A) into MR-row panels laid
// out [panel][k][MR], zero-padded.
void pack_a(bool t, const float* A, int lda, int i0, int mc, int k0, int kc, float* dst) {
  for (int ip = 0; ip < mc; ip += MR) {
    int mr = std::min(MR, mc - ip);
    for (int k = 0; k < kc; ++k) {
      for (int r = 0; r < mr; ++r) dst[r] = opA(t, A, lda, i0 + ip + r, k0 + k);
      for (int r = mr; r < MR; ++r) dst[r] = 0.f;
      dst += MR;
    }
  }
}

// Packs op(B) rows [k0, k0+kc) x cols [j0+jp, ...) for one NR-wide panel.
void pack_b_panel(bool t, const float* B, int ldb, int k0, int kc, int j, int nr, float* dst) {
  for (int k = 0; k < kc; ++k) {
    if (!t && nr == NR) {
      std::memcpy(dst, B + size_t(k0 + k) * ldb + j, NR * sizeof(float));
    } else {
      for (int c = 0; c < nr; ++c) dst[c] = t ? B[size_t(j + c) * ldb + k0 + k] : B[size_t(k0 + k) * ldb + j + c];
      for (int c = nr; c < NR; ++c) dst[c] = 0.f;
    }
    dst += NR;
  }
}

// acc[MR][NR] = sum_k a[k][r] * b[k][c]
inline void micro_kernel(int kc, const float* __restrict a, const float* __restrict b, float* __restrict out) {
  v8 c00{}, c01{}, c10{}, c11{}, c20{}, c21{}, c30{}, c31{}, c40{}, c41{}, c50{}, c51{};
  for (int k = 0; k < kc; ++k) {
    v8 b0, b1;
    std::memcpy(&b0, b + 16 * k, 32);
    std::memcpy(&b1, b + 16 * k + 8, 32);
    const float* ak = a + 6 * k;
    v8 a0 = v8{} + ak[0], a1 = v8{} + ak[1], a2 = v8{} + ak[2];
    c00 += a0 * b0; c01 += a0 * b1;
    c10 += a1 * b0; c11 += a1 * b1;
    c20 += a2 * b0; c21 += a2 * b1;
    v8 a3 = v8{} + ak[3], a4 = v8{} + ak[4], a5 = v8{} + ak[5];
    c30 += a3 * b0; c31 += a3 * b1;
    c40 += a4 * b0; c41 += a4 * b1;
    c50 += a5 * b0; c51 += a5 * b1;
  }
  v8 rows[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  std::memcpy(out, rows, sizeof(rows));
}

}  // namespace

void gemm_portable(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                   const float* B, int ldb, float beta, float* C, int ldc) {
  MT_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm: negative dimension");
  if (M == 0 || N == 0) return;
  if (beta != 1.f) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < M; ++i) {
      float* c = C + size_t(i) * ldc;
      if (beta == 0.f) std::fill(c, c + N, 0.f);
      else for (int j = 0; j < N; ++j) c[j] *= beta;
    }
  }
  if (K == 0 || alpha == 0.f) return;

  std::vector<float> bpack(size_t(KC) * ((NC + NR - 1) / NR) * NR);
  for (int jc = 0; jc < N; jc += NC) {
    int nc = std::min(NC, N - jc);
    int npanels = (nc + NR - 1) / NR;
    for (int pc = 0; pc < K; pc += KC) {
      int kc = std::min(KC, K - pc);
#pragma omp parallel
      {
#pragma omp for schedule(static)
        for (int p = 0; p < npanels; ++p)
          pack_b_panel(transB, B, ldb, pc, kc, jc + p * NR, std::min(NR, nc - p * NR), bpack.data() + size_t(p) * kc * NR);
        // implicit barrier: B is packed before anyone reads it
        std::vector<float> apack(size_t(MC) * KC);
        alignas(32) float tile[MR * NR];
        int mblocks = (M + MC - 1) / MC;
#pragma omp for schedule(static)
        for (int ib = 0; ib < mblocks; ++ib) {
          int ic = ib * MC, mc = std::min(MC, M - ic);
          pack_a(transA, A, lda, ic, mc, pc, kc, apack.data());
          for (int p = 0; p < npanels; ++p) {
            int jr = p * NR, nr = std::min(NR, nc - jr);
            const float* bp = bpack.data() + size_t(p) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = std::min(MR, mc - ir);
              micro_kernel(kc, apack.data() + size_t(ir) * kc, bp, tile);
              for (int r = 0; r < mr; ++r) {
                float* c = C + size_t(ic + ir + r) * ldc + jc + jr;
                const float* t = tile + r * NR;
                for (int cc = 0; cc < nr; ++cc) c[cc] += alpha * t[cc];
              }
            }
          }
        }
      }
    }
  }
}

void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc) {
#ifdef MIDTRAIN_HAVE_OPENBLAS
  MT_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm: negative dimension");
  if (M == 0 || N == 0) return;
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M, N, K, alpha,
              A, lda, B, ldb, beta, C, ldc);
#else
  gemm_portable(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

bool gemm_uses_openblas() {
#ifdef MIDTRAIN_HAVE_OPENBLAS
  return true;
#else
  return false;
#endif
}

}  // namespace mt::cpu
