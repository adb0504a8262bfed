// Token embedding lookup and its gradient.
#pragma once
#include <cstdint>

namespace mt::cpu {

// out[N, C] = table[ids[n]]; every id must be in [0, V) (checked, throws).
void embedding_forward(const int32_t* ids, const float* table, float* out, int N, int V, int C);
// dtable[ids[n]] += dout[n], deterministic for a given thread count.
void embedding_backward(const int32_t* ids, const float* dout, float* dtable, int N, int V, int C);

}  // namespace mt::cpu
