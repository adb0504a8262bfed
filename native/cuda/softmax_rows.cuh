// Device pieces shared by the LM-head kernels (xent.cu, kl_xent.cu): the -100
// label, label validation into a stats struct, and the online softmax
// normaliser (running max and sum of exp) with its block-wide reduction.
// Included by .cu files only; internal linkage, one copy per kernel file.
#pragma once
#include <cmath>
#include <cstdint>

#include "cuda/device.cuh"

namespace mt::cuda {
namespace {

constexpr int32_t kIgnore = -100;

// Counts the target labels and records the first invalid one's index (Stats has int32 count and bad_index,
// the latter INT_MAX before).
template <class Stats>
__global__ void validate_labels(const int32_t* labels, int N, int V, Stats* st) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= N) return;
  const int32_t y = labels[i];
  if (y == kIgnore) return;
  if (y < 0 || y >= V) dev::atomic_min(&st->bad_index, i);
  else dev::atomic_add(&st->count, 1);
}

struct MaxSum {
  float m, s;  // running max and sum of exp(x - m)
};

MT_DEV MaxSum combine(MaxSum a, MaxSum b) {
  const float m = fmaxf(a.m, b.m);
  if (m == -INFINITY) return {m, 0.f};
  return {m, a.s * expf(a.m - m) + b.s * expf(b.m - m)};
}

MT_DEV void push(MaxSum& a, float x) {
  if (x > a.m) {
    a.s = a.s * expf(a.m - x) + 1.f;
    a.m = x;
  } else {
    a.s += expf(x - a.m);
  }
}

// Block-wide (max, sum), combined in warp order (a fixed order); every thread gets the result. `red` holds
// 64 floats; it ends with a barrier, so the caller may reuse it.
MT_DEV MaxSum block_maxsum(MaxSum v, float* red) {
  MT_UNROLL
  for (int o = 16; o >= 1; o >>= 1) v = combine(v, {dev::shfl_xor(v.m, o), dev::shfl_xor(v.s, o)});
  const int warp = threadIdx.x / 32, nw = blockDim.x / 32;
  if (threadIdx.x % 32 == 0) red[warp] = v.m, red[32 + warp] = v.s;
  dev::sync_threads();
  MaxSum r{-INFINITY, 0.f};
  for (int w = 0; w < nw; ++w) r = combine(r, {red[w], red[32 + w]});
  dev::sync_threads();
  return r;
}

}  // namespace
}  // namespace mt::cuda
