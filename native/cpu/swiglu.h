// SwiGLU gate: out = silu(gate) * up, elementwise over n values.
#pragma once
#include <cstddef>

namespace mt::cpu {

void swiglu_forward(const float* gate, const float* up, float* out, size_t n);
// Writes dgate and dup (distinct from the inputs).
void swiglu_backward(const float* dout, const float* gate, const float* up, float* dgate,
                     float* dup, size_t n);

}  // namespace mt::cpu
