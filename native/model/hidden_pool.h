// The pooling of hidden_states (TrainBackend): each layer's [B*T, C] residual
// states as they are, or each row's mean over its masked positions. Shared by
// the CPU and CUDA models so both pool the same way (double sums, row order).
#pragma once
#include <cstdint>
#include <vector>

namespace mt {

// Positions per row where mask != 0 (every position when mask is null); with
// `mean`, a row with none is an error naming it.
std::vector<int64_t> mask_counts(const int32_t* mask, int B, int T, bool mean);

// One hidden_states entry: h itself ([B*T, C]) or, with `mean`, [B, C] row means over the masked positions.
std::vector<float> pool_hidden(const float* h, int B, int T, int C, const int32_t* mask, const std::vector<int64_t>& count,
                               bool mean);

}  // namespace mt
