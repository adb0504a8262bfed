// SwiGLU forward/backward (swiglu.h). Memory-bound: the fast kernels move 16
// bytes per access in a grid-stride loop; the sigmoid is formed as in
// cpu/swiglu.cpp from e = exp(-|g|), which never overflows.
#include "cuda/swiglu.h"

#include <algorithm>
#include <cstdint>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"

namespace mt::cuda {

namespace {

using B16 = dev::bf16;  // the device bf16 type (mt::cuda::bf16 is its host twin)
using dev::Bf16x8;

// sigmoid(g) and 1 - sigmoid(g), both without cancellation.
MT_DEV void sigmoid2(float g, float& sig, float& sigc) {
  const float e = expf(g >= 0.f ? -g : g);
  const float inv = 1.f / (1.f + e);
  const float small = e * inv;
  sig = g >= 0.f ? inv : small;
  sigc = g >= 0.f ? small : inv;
}

MT_DEV float fwd1(float g, float u) {
  float sig, sigc;
  sigmoid2(g, sig, sigc);
  return (g * sig) * u;
}

MT_DEV void bwd1(float d, float g, float u, float& dg, float& du) {
  float sig, sigc;
  sigmoid2(g, sig, sigc);
  dg = d * u * (sig * (1.f + g * sigc));
  du = d * (g * sig);
}

__global__ void swiglu_fwd_vec(const B16* gate, const B16* up, B16* out, size_t n) {
  const size_t nv = n / 8;
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    float g[8], u[8], o[8];
    dev::unpack8(dev::load8(gate + 8 * i), g);
    dev::unpack8(dev::load8(up + 8 * i), u);
    MT_UNROLL
    for (int j = 0; j < 8; ++j) o[j] = fwd1(g[j], u[j]);
    dev::store8(out + 8 * i, dev::pack8(o));
  }
  // Tail (n % 8 values): block 0.
  if (blockIdx.x == 0)
    for (size_t i = nv * 8 + threadIdx.x; i < n; i += blockDim.x)
      out[i] = dev::to_bf16(fwd1(dev::to_f32(gate[i]), dev::to_f32(up[i])));
}

__global__ void swiglu_bwd_vec(const B16* dout, const B16* gate, const B16* up, B16* dgate, B16* dup,
                               size_t n) {
  const size_t nv = n / 8;
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < nv; i += stride) {
    float d[8], g[8], u[8], dg[8], du[8];
    dev::unpack8(dev::load8(dout + 8 * i), d);
    dev::unpack8(dev::load8(gate + 8 * i), g);
    dev::unpack8(dev::load8(up + 8 * i), u);
    MT_UNROLL
    for (int j = 0; j < 8; ++j) bwd1(d[j], g[j], u[j], dg[j], du[j]);
    dev::store8(dgate + 8 * i, dev::pack8(dg));
    dev::store8(dup + 8 * i, dev::pack8(du));
  }
  if (blockIdx.x == 0)
    for (size_t i = nv * 8 + threadIdx.x; i < n; i += blockDim.x) {
      float dg, du;
      bwd1(dev::to_f32(dout[i]), dev::to_f32(gate[i]), dev::to_f32(up[i]), dg, du);
      dgate[i] = dev::to_bf16(dg);
      dup[i] = dev::to_bf16(du);
    }
}

__global__ void swiglu_fwd_simple(const B16* gate, const B16* up, B16* out, size_t n) {
  const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = dev::to_bf16(fwd1(dev::to_f32(gate[i]), dev::to_f32(up[i])));
}

__global__ void swiglu_bwd_simple(const B16* dout, const B16* gate, const B16* up, B16* dgate, B16* dup,
                                  size_t n) {
  const size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float dg, du;
  bwd1(dev::to_f32(dout[i]), dev::to_f32(gate[i]), dev::to_f32(up[i]), dg, du);
  dgate[i] = dev::to_bf16(dg);
  dup[i] = dev::to_bf16(du);
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

// Grid-stride launches: enough blocks to fill any current GPU, capped so a
// block loops over several vectors.
unsigned vec_blocks(size_t nv) { return unsigned(std::max<size_t>(1, std::min<size_t>((nv + 255) / 256, 8192))); }

constexpr unsigned kSimpleBlock = 256;

unsigned simple_blocks(size_t n, const char* what) {
  const size_t b = (n + kSimpleBlock - 1) / kSimpleBlock;
  MT_CHECK(b <= 0x7fffffffu, what, ": n = ", n, " is too large for the simple kernel");
  return unsigned(b);
}

}  // namespace

void swiglu_forward(const bf16* gate, const bf16* up, bf16* out, size_t n, Impl impl, Stream s) {
  if (n == 0) return;
  MT_CHECK(gate && up && out, "swiglu_forward: gate, up and out are required");
  auto* g = reinterpret_cast<const B16*>(gate);
  auto* u = reinterpret_cast<const B16*>(up);
  auto* o = reinterpret_cast<B16*>(out);
  if (impl == Impl::Fast) {
    MT_CHECK(aligned16(gate) && aligned16(up) && aligned16(out),
             "swiglu_forward: the fast kernel needs 16-byte aligned gate, up and out");
    auto* k = swiglu_fwd_vec;
    MT_LAUNCH(k, vec_blocks(n / 8), 256, 0, s, g, u, o, n);
    MT_CUDA_LAUNCHED("swiglu_forward");
  } else {
    auto* k = swiglu_fwd_simple;
    MT_LAUNCH(k, simple_blocks(n, "swiglu_forward"), kSimpleBlock, 0, s, g, u, o, n);
    MT_CUDA_LAUNCHED("swiglu_forward (simple)");
  }
}

void swiglu_backward(const bf16* dout, const bf16* gate, const bf16* up, bf16* dgate, bf16* dup, size_t n,
                     Impl impl, Stream s) {
  if (n == 0) return;
  MT_CHECK(dout && gate && up && dgate && dup, "swiglu_backward: dout, gate, up, dgate and dup are required");
  MT_CHECK(dgate != dup, "swiglu_backward: dgate and dup must be different buffers");
  auto* d = reinterpret_cast<const B16*>(dout);
  auto* g = reinterpret_cast<const B16*>(gate);
  auto* u = reinterpret_cast<const B16*>(up);
  auto* dg = reinterpret_cast<B16*>(dgate);
  auto* du = reinterpret_cast<B16*>(dup);
  if (impl == Impl::Fast) {
    MT_CHECK(aligned16(dout) && aligned16(gate) && aligned16(up) && aligned16(dgate) && aligned16(dup),
             "swiglu_backward: the fast kernel needs 16-byte aligned pointers");
    auto* k = swiglu_bwd_vec;
    MT_LAUNCH(k, vec_blocks(n / 8), 256, 0, s, d, g, u, dg, du, n);
    MT_CUDA_LAUNCHED("swiglu_backward");
  } else {
    auto* k = swiglu_bwd_simple;
    MT_LAUNCH(k, simple_blocks(n, "swiglu_backward"), kSimpleBlock, 0, s, d, g, u, dg, du, n);
    MT_CUDA_LAUNCHED("swiglu_backward (simple)");
  }
}

}  // namespace mt::cuda
