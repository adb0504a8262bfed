#include "model/hidden_pool.h"

#include "core/check.h"

namespace mt {

std::vector<int64_t> mask_counts(const int32_t* mask, int B, int T, bool mean) {
  std::vector<int64_t> count(size_t(B), 0);
  for (int r = 0; r < B; ++r) {
    for (int t = 0; t < T; ++t) count[size_t(r)] += !mask || mask[size_t(r) * T + t] != 0;
    MT_CHECK(!mean || count[size_t(r)] > 0, "hidden states: row ", r, " has no position in the mask");
  }
  return count;
}

std::vector<float> pool_hidden(const float* h, int B, int T, int C, const int32_t* mask, const std::vector<int64_t>& count,
                               bool mean) {
  if (!mean) return std::vector<float>(h, h + size_t(B) * T * C);
  std::vector<float> o(size_t(B) * C, 0.f);
#pragma omp parallel for schedule(static)
  for (int r = 0; r < B; ++r) {
    std::vector<double> acc(size_t(C), 0.0);
    for (int t = 0; t < T; ++t) {
      const size_t i = size_t(r) * T + t;
      if (mask && mask[i] == 0) continue;
      for (int c = 0; c < C; ++c) acc[size_t(c)] += h[i * C + c];
    }
    for (int c = 0; c < C; ++c) o[size_t(r) * C + c] = float(acc[size_t(c)] / double(count[size_t(r)]));
  }
  return o;
}

}  // namespace mt
