// SwiGLU on the GPU, bf16 in and out, fp32 math: out = silu(gate) * up, and
// its backward, the same semantics as cpu/swiglu.h.
#pragma once
#include <cstddef>

#include "cuda/types.h"

namespace mt::cuda {

// Fast: 16-byte vectors (8 values a thread), needs 16-byte aligned pointers
// (any n; the tail is scalar). Simple: one value a thread, any alignment.
void swiglu_forward(const bf16* gate, const bf16* up, bf16* out, size_t n, Impl impl = Impl::Fast,
                    Stream s = nullptr);
// Writes dgate and dup; an output may be the same buffer as an input.
void swiglu_backward(const bf16* dout, const bf16* gate, const bf16* up, bf16* dgate, bf16* dup, size_t n,
                     Impl impl = Impl::Fast, Stream s = nullptr);

}  // namespace mt::cuda
