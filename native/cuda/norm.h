// RMSNorm fused with the residual add, on the GPU: bf16 activations, fp32
// statistics and weight gradient. Semantics of cpu/norm.h:
//   h = x + delta (delta may be nullptr: h = x; h may alias x), rounded to bf16;
//   y = (h * rstd) * w with rstd = 1 / sqrt(mean(h^2) + eps) from the bf16 h.
#pragma once
#include <cstddef>

#include "cuda/types.h"

namespace mt::cuda {

// Fast: one block a row, the row held in registers (16-byte accesses); needs
// C % 8 == 0, C <= 8192 and 16-byte aligned pointers. Simple: any C.
void rmsnorm_forward(const bf16* x, const bf16* delta, bf16* h, bf16* y, float* rstd, const bf16* w, int N, int C,
                     float eps, Impl impl = Impl::Fast, Stream s = nullptr);

// ADDS the input gradient into dh (bf16: dh = bf16(dh + grad)) and the weight
// gradient into dw (fp32). Deterministic: dw is summed in a fixed order.
// workspace: rmsnorm_backward_workspace_bytes(N, C) bytes of device memory.
size_t rmsnorm_backward_workspace_bytes(int N, int C);
void rmsnorm_backward(const bf16* dy, const bf16* h, const float* rstd, const bf16* w, bf16* dh, float* dw, int N,
                      int C, void* workspace, size_t workspace_bytes, Impl impl = Impl::Fast, Stream s = nullptr);

}  // namespace mt::cuda
