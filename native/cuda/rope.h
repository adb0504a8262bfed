// Rotary position embeddings on the GPU, Hugging Face "rotate half" layout,
// bf16 in place, fp32 math: semantics of cpu/rope.h. For i < D/2 the pair
// (x_i, x_{i+D/2}) is rotated by angle float(pos) * inv_freq[i] (the product
// rounded to fp32, as transformers does); inverse = true rotates by -angle
// (the backward pass).
#pragma once
#include <cstdint>

#include "cuda/types.h"

namespace mt::cuda {

// x [N, H, D] bf16 (device), pos [N] int32 (device), inv_freq [D/2] fp32
// (device; cpu::rope_inv_freq computes it). Fast: cos/sin computed once per
// (token, frequency) and applied to every head with 16-byte accesses; needs
// D % 16 == 0 and a 16-byte aligned x. Simple: one pair a thread, any even D.
void rope_apply(bf16* x, const int32_t* pos, const float* inv_freq, int N, int H, int D, bool inverse,
                Impl impl = Impl::Fast, Stream s = nullptr);

}  // namespace mt::cuda
