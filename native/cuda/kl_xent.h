// The LM head with cross-entropy plus a KL term to a reference model's
// next-token distribution, on the GPU: the counterpart of model/kl_head.h
// (the CPU's lmhead_xent_kl), chunked like cuda/xent.h so neither model's
// N x V logits exist whole. In bf16:
//   x [N, C], W [V, C]: this model's final normed hidden states and LM head;
//   xr [N, Cr], Wr [V, Cr]: the reference's; labels [N] int32 (-100 = ignore).
// On target rows, with p = softmax(x W^T) and q = softmax(xr Wr^T):
//   loss += -log p(label),  kl += KL(q || p) = sum_j q_j (log q_j - log p_j),
//   dlogits = grad_scale * ((p - onehot(label)) + kl_weight * (p - q))   (bf16),
//   dx [N, C] bf16 is WRITTEN with dlogits W (0 on ignored rows; nullable),
//   dW [V, C] fp32 is ADDED dlogits^T x (nullable: a frozen head).
// Per chunk: two logits GEMMs into fp32 scratch (model_gemm: cuBLAS where the
// build has it), one block per row for both softmaxes, KL and the gradient
// row, then the dx and dW GEMMs. Row results are kept in double and summed in
// row order: deterministic.
#pragma once
#include <cstddef>
#include <cstdint>

#include "cuda/types.h"
#include "cuda/xent.h"

namespace mt::cuda {

struct KlXentStats {
  double loss_sum;  // sum over target tokens of -log p(label)
  double kl_sum;    // sum over target tokens of KL(q || p)
  int64_t count;    // target tokens (label != -100)
};

// chunk: rows per chunk, 0 = choose (about 200 MB of scratch: two fp32 and one bf16 logits block).
int lmhead_xent_kl_chunk(int N, int V, int chunk);
size_t lmhead_xent_kl_workspace_bytes(int N, int V, int chunk);
// The largest chunk (at most the default one) whose workspace fits in `bytes`,
// 0 if none: lets the KL head run in a workspace sized for lmhead_xent (a KL
// logit takes 10 bytes of scratch, a plain one 6, so the chunks are smaller).
int lmhead_xent_kl_chunk_within(int N, int V, size_t bytes);

// Checked: validates every label before anything is written (a bad label
// throws naming its index and value, leaving dx and dW untouched) and waits
// for the stream to return the sums. Impl::Simple uses the built-in GEMM and
// three-pass double softmaxes even where cuBLAS exists.
KlXentStats lmhead_xent_kl(const bf16* x, const bf16* W, const bf16* xr, const bf16* Wr, const int32_t* labels, int N,
                           int C, int Cr, int V, float grad_scale, float kl_weight, bf16* dx, float* dW, int chunk,
                           void* workspace, size_t workspace_bytes, Impl impl = Impl::Fast, Stream s = nullptr);

// For a training step: no host wait and no label validation (the caller
// checks labels on the host; a label outside [0, V) other than -100 reads out
// of bounds). Adds this call's loss sum and target count into *acc and its KL
// sum into *kl_sum (both device memory, zeroed by the caller before the first
// call), ordered on the stream after the earlier calls.
void lmhead_xent_kl_accumulate(const bf16* x, const bf16* W, const bf16* xr, const bf16* Wr, const int32_t* labels,
                               int N, int C, int Cr, int V, float grad_scale, float kl_weight, bf16* dx, float* dW,
                               int chunk, void* workspace, size_t workspace_bytes, XentAccum* acc, double* kl_sum,
                               Impl impl = Impl::Fast, Stream s = nullptr);

}  // namespace mt::cuda
