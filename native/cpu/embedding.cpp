// Token embedding gather and its scatter-add gradient.
#include "cpu/embedding.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "core/check.h"
#include "core/parallel.h"

namespace mt::cpu {

namespace {

// Checked up front, serially, so the error names the first bad position and
// nothing is written when one is bad (exceptions cannot leave an omp region).
void check_ids(const char* fn, const int32_t* ids, int N, int V) {
  for (int n = 0; n < N; ++n)
    MT_CHECK(ids[n] >= 0 && ids[n] < V, fn, ": token id out of range at position ", n, ": ids[", n,
             "] = ", ids[n], ", vocabulary size V = ", V);
}

}  // namespace

void embedding_forward(const int32_t* ids, const float* table, float* out, int N, int V, int C) {
  MT_CHECK(N >= 0 && V > 0 && C > 0, "embedding_forward: need N >= 0, V > 0, C > 0, got N=", N, " V=", V,
           " C=", C);
  check_ids("embedding_forward", ids, N, V);
#pragma omp parallel for schedule(static) if (size_t(N) * C >= (1u << 15))
  for (int n = 0; n < N; ++n)
    std::memcpy(out + size_t(n) * C, table + size_t(ids[n]) * C, size_t(C) * sizeof(float));
}

void embedding_backward(const int32_t* ids, const float* dout, float* dtable, int N, int V, int C) {
  MT_CHECK(N >= 0 && V > 0 && C > 0, "embedding_backward: need N >= 0, V > 0, C > 0, got N=", N, " V=", V,
           " C=", C);
  check_ids("embedding_backward", ids, N, V);
  // Each thread owns a contiguous column range (in 16-float blocks, one cache
  // line, so threads never share a line) and walks the tokens in order, so
  // every dtable element is summed by one thread in token order: the result
  // is the same as the serial loop's for any thread count.
  const int blocks = (C + 15) / 16;
#pragma omp parallel if (size_t(N) * C >= (1u << 15))
  {
    const int nt = team_size(), t = thread_id();
    const int c0 = std::min(C, int(int64_t(blocks) * t / nt) * 16);
    const int c1 = std::min(C, int(int64_t(blocks) * (t + 1) / nt) * 16);
    if (c0 < c1) {
      for (int n = 0; n < N; ++n) {
        const float* src = dout + size_t(n) * C;
        float* dst = dtable + size_t(ids[n]) * C;
#pragma omp simd
        for (int c = c0; c < c1; ++c) dst[c] += src[c];
      }
    }
  }
}

}  // namespace mt::cpu
