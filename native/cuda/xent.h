// LM head fused with cross-entropy on the GPU, a chunk of tokens at a time, so
// the N x V logits never exist whole. Semantics of cpu/xent.h, in bf16:
//   x [N, C] bf16, W [V, C] bf16, labels [N] int32 (-100 = ignore, others in [0, V)).
//   dx [N, C] bf16 is WRITTEN with grad_scale * d(loss_sum)/dx (0 for ignored rows);
//   dW [V, C] fp32 is ADDED grad_scale * d(loss_sum)/dW; token_loss [N] fp32 optional.
// Per chunk: logits (fp32) = x_c W^T; per row loss = logsumexp - logit[label]
// and dlogits (bf16) = (softmax - onehot) * grad_scale; dx_c = dlogits W;
// dW += dlogits^T x_c. The three GEMMs are model_gemm's (model_ops.h): cuBLAS
// where the build has it (bf16 inputs, fp32 accumulation), else a built-in tiled GEMM.
#pragma once
#include <cstddef>
#include <cstdint>

#include "cuda/types.h"

namespace mt::cuda {

struct XentStats {
  double loss_sum;  // sum over counted tokens of -log p(label), summed in token order
  int64_t count;    // tokens whose label != -100
};

// chunk: tokens per chunk, 0 = choose (about 192 MB of logits scratch).
int lmhead_xent_chunk(int N, int V, int chunk);
size_t lmhead_xent_workspace_bytes(int N, int C, int V, int chunk);

// Validates every label before anything is written (a bad label throws naming
// its index and value, leaving dW untouched); synchronises the stream to
// return the loss. Gradients are formed when dx or dW is given. Impl::Simple
// uses the built-in GEMM and a three-pass softmax even where cuBLAS exists.
XentStats lmhead_xent(const bf16* x, const bf16* W, const int32_t* labels, int N, int C, int V, float grad_scale,
                      bf16* dx, float* dW, float* token_loss, int chunk, void* workspace, size_t workspace_bytes,
                      Impl impl = Impl::Fast, Stream s = nullptr);

// Running totals in device memory for lmhead_xent_accumulate (zero them before the first call).
struct XentAccum {
  double loss_sum;  // each call adds its rows' losses, summed in row order (deterministic)
  int64_t count;    // tokens whose label != -100
};

// lmhead_xent for a training step: no host wait and no label validation (the
// caller checks labels on the host first; a label outside [0, V) other than
// -100 here reads out of bounds). Adds this call's loss sum and target count
// into *acc on the device, ordered on the stream after the earlier calls.
void lmhead_xent_accumulate(const bf16* x, const bf16* W, const int32_t* labels, int N, int C, int V,
                            float grad_scale, bf16* dx, float* dW, float* token_loss, int chunk, void* workspace,
                            size_t workspace_bytes, XentAccum* acc, Impl impl = Impl::Fast, Stream s = nullptr);

}  // namespace mt::cuda
