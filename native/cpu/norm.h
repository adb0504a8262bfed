// RMSNorm, fused with the residual add that precedes it in a pre-norm block.
#pragma once

namespace mt::cpu {

// h = x + delta (delta may be nullptr: h = x; h may alias x), then
// y = h / sqrt(mean(h^2) + eps) * w. rstd[N] is saved for backward.
// Rows are N vectors of C floats.
void rmsnorm_forward(const float* x, const float* delta, float* h, float* y, float* rstd,
                     const float* w, int N, int C, float eps);

// Given dy and the saved h, rstd: ADDS the input gradient into dh (this is
// where the residual stream's gradient joins) and ADDS the weight gradient
// into dw.
void rmsnorm_backward(const float* dy, const float* h, const float* rstd, const float* w,
                      float* dh, float* dw, int N, int C);

}  // namespace mt::cpu
