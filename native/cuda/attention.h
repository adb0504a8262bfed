// Fused causal attention on the GPU, FlashAttention-2 style: bf16 q/k/v/out,
// fp32 accumulation and statistics, online softmax, grouped-query heads read
// in place (no repeated K/V), packed documents. Semantics of cpu/attention.h:
//   q, out, dout, dq : [B, T, Hq, D] bf16      k, v, dk, dv : [B, T, Hkv, D] bf16
//   lse              : [B, Hq, T] fp32, natural-log log-sum-exp of the scaled scores
//   query i attends key j iff start[i] <= j <= i (start = first position of i's document).
// Documents are given as per-token bounds (attention_doc_bounds), computed and
// validated on the host from the [B, T] segment ids the data loader produces,
// then copied to the device; nullptr bounds mean one document per row.
#pragma once
#include <cstddef>
#include <cstdint>

#include "cuda/types.h"

namespace mt::cuda {

struct AttnShape {
  int B, T, Hq, Hkv, D;
};

// Host: start[b*T+i] = first index of i's document, end[b*T+i] = one past its
// last, from seg [B, T] (nullptr: one document per row). Throws, as the CPU
// kernel does, when an id appears in two separate runs of a row.
void attention_doc_bounds(const int32_t* seg, int B, int T, int32_t* start, int32_t* end);

// Fast: head dims 64 and 128 (mma.sync m16n8k16, sm_80+), 16-byte aligned
// q/k/v/out. Simple: one warp per query row, any D in [1, 256]; exact fp32
// softmax (no bf16 rounding of P), the on-device reference.
// doc_start/doc_end: device [B, T] int32 from attention_doc_bounds, or both nullptr.
void attention_forward(const bf16* q, const bf16* k, const bf16* v, const int32_t* doc_start, const int32_t* doc_end,
                       bf16* out, float* lse, const AttnShape& shape, float scale, Impl impl = Impl::Fast,
                       Stream s = nullptr);

// Writes (overwrites) dq, dk, dv. workspace: attention_backward_workspace_bytes
// of device memory (an fp32 dq accumulator and rowsum(dO * O)). The fast
// kernel adds dq with fp32 atomics, so dq may differ in the last bits from run
// to run (as FlashAttention-2's); dk and dv are deterministic.
size_t attention_backward_workspace_bytes(const AttnShape& shape);
void attention_backward(const bf16* q, const bf16* k, const bf16* v, const int32_t* doc_start,
                        const int32_t* doc_end, const bf16* out, const bf16* dout, const float* lse, bf16* dq,
                        bf16* dk, bf16* dv, const AttnShape& shape, float scale, void* workspace,
                        size_t workspace_bytes, Impl impl = Impl::Fast, Stream s = nullptr);

}  // namespace mt::cuda
