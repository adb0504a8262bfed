// Pieces shared by the LM-head kernels (xent.cu, kl_xent.cu): the -100 label,
// label validation into a stats struct (and the checked entries' host side of
// it), and the online softmax normaliser (running max and sum of exp) with its
// block-wide reduction.
// Included by .cu files only; internal linkage, one copy per kernel file.
#pragma once
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"
#include "cuda/types.h"

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

// The checked entries' first step, on the host: zeroes *st from `init`, validates every label on the device,
// waits, and fails naming the first bad one (`what` names the entry) before anything else is written.
// Returns the stats as the device left them (the target count).
template <class Stats>
Stats check_labels(const int32_t* labels, int N, int V, const Stats& init, Stats* st, const char* what, Stream s) {
  const std::string fn = what;
  MT_CUDA_CHECK(cudaMemcpyAsync(st, &init, sizeof init, cudaMemcpyHostToDevice, s), fn);
  auto* kv = validate_labels<Stats>;
  MT_LAUNCH(kv, unsigned((N + 255) / 256), 256, 0, s, labels, N, V, st);
  MT_CUDA_LAUNCHED(fn + " (labels)");
  Stats host{};
  MT_CUDA_CHECK(cudaMemcpyAsync(&host, st, sizeof host, cudaMemcpyDeviceToHost, s), fn);
  MT_CUDA_CHECK(cudaStreamSynchronize(s), fn + " (labels)");
  if (host.bad_index != INT_MAX) {
    int32_t y = 0;
    MT_CUDA_CHECK(cudaMemcpy(&y, labels + host.bad_index, sizeof y, cudaMemcpyDeviceToHost), fn);
    ::mt::fail(fn, ": labels[", host.bad_index, "] = ", y, " is outside [0, V=", V, ") and is not -100");
  }
  return host;
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
