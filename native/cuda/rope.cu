// RoPE (rope.h). cos/sin use sincosf, accurate to a couple of ulp over the
// whole range (no fast-math __sinf, whose error grows with the angle).
#include "cuda/rope.h"

#include <algorithm>
#include <cstdint>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

// One thread per (token, group of 8 frequencies), looping over the heads:
// blockDim = (D/16 groups, tokens per block).
__global__ void rope_fast(B16* x, const int32_t* pos, const float* inv_freq, int N, int H, int D, bool inverse) {
  const int half = D / 2;
  const int grp = threadIdx.x;  // frequencies 8*grp .. 8*grp+7
  const int n = blockIdx.x * blockDim.y + threadIdx.y;
  if (n >= N) return;
  const float p = float(pos[n]);
  float c[8], sn[8];
  MT_UNROLL
  for (int j = 0; j < 8; ++j) {
    const float a = p * inv_freq[8 * grp + j];
    dev::sincos_f32(a, &sn[j], &c[j]);
    if (inverse) sn[j] = -sn[j];
  }
  B16* row = x + size_t(n) * H * D;
  for (int hh = 0; hh < H; ++hh) {
    B16* x0 = row + size_t(hh) * D + 8 * grp;
    B16* x1 = x0 + half;
    float a[8], b[8], ra[8], rb[8];
    dev::unpack8(dev::load8(x0), a);
    dev::unpack8(dev::load8(x1), b);
    MT_UNROLL
    for (int j = 0; j < 8; ++j) {
      ra[j] = a[j] * c[j] - b[j] * sn[j];
      rb[j] = b[j] * c[j] + a[j] * sn[j];
    }
    dev::store8(x0, dev::pack8(ra));
    dev::store8(x1, dev::pack8(rb));
  }
}

__global__ void rope_simple(B16* x, const int32_t* pos, const float* inv_freq, int N, int H, int D, bool inverse) {
  const int half = D / 2;
  const size_t total = size_t(N) * H * half;
  const size_t t = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= total) return;
  const int i = int(t % half);
  const size_t nh = t / half;  // n * H + h
  const int n = int(nh / H);
  float sn, c;
  dev::sincos_f32(float(pos[n]) * inv_freq[i], &sn, &c);
  if (inverse) sn = -sn;
  B16* x0 = x + nh * D + i;
  const float a = dev::to_f32(x0[0]), b = dev::to_f32(x0[half]);
  x0[0] = dev::to_bf16(a * c - b * sn);
  x0[half] = dev::to_bf16(b * c + a * sn);
}

}  // namespace

void rope_apply(bf16* x, const int32_t* pos, const float* inv_freq, int N, int H, int D, bool inverse, Impl impl,
                Stream s) {
  MT_CHECK(N >= 0 && H > 0, "rope_apply: need N >= 0 and H > 0, got N=", N, " H=", H);
  MT_CHECK(D > 0 && D % 2 == 0, "rope_apply: head dim D must be even and > 0, got ", D);
  if (N == 0) return;
  MT_CHECK(x && pos && inv_freq, "rope_apply: x, pos and inv_freq are required");
  auto* xd = reinterpret_cast<B16*>(x);
  if (impl == Impl::Simple) {
    const size_t total = size_t(N) * H * (D / 2);
    const size_t blocks = (total + 255) / 256;
    MT_CHECK(blocks <= 0x7fffffffu, "rope_apply: N*H*D = ", total * 2, " is too large");
    auto* k = rope_simple;
    MT_LAUNCH(k, unsigned(blocks), 256, 0, s, xd, pos, inv_freq, N, H, D, inverse);
    MT_CUDA_LAUNCHED("rope_apply (simple)");
    return;
  }
  MT_CHECK(D % 16 == 0 && D <= 512, "rope_apply: the fast kernel needs D % 16 == 0 and D <= 512, got D=", D,
           " (use the simple kernel)");
  MT_CHECK(reinterpret_cast<uintptr_t>(x) % 16 == 0, "rope_apply: the fast kernel needs a 16-byte aligned x");
  const int groups = D / 16;                     // threads per token
  const int tokens = std::max(1, 256 / groups);  // tokens per block
  const unsigned blocks = unsigned((N + tokens - 1) / tokens);
  auto* k = rope_fast;
  MT_LAUNCH(k, blocks, dim3(unsigned(groups), unsigned(tokens)), 0, s, xd, pos, inv_freq, N, H, D, inverse);
  MT_CUDA_LAUNCHED("rope_apply");
}

}  // namespace mt::cuda
