// RMSNorm + residual (norm.h).
//
// Fast kernels: one block per row (grid-stride over rows), each thread owning
// CPL 16-byte chunks of the row, so the row is read once and kept in
// registers between the reduction and the normalisation. The weight gradient
// is summed per block in registers over that block's rows, then across
// blocks by a column kernel in a fixed order: deterministic, no atomics.
// Reductions: warp shuffles, then the warps' partials added in warp order.
#include "cuda/norm.h"

#include <algorithm>
#include <cstdint>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

constexpr int kMaxC = 8192;        // fast path: C/8 chunks over <= 256 threads x 4
constexpr int kBwdBlocks = 512;    // row blocks of the fast backward (fixed: the dw sum order)
constexpr int kFwdBlocks = 4096;

// Sum over the block, same value in every thread; `red` holds >= 32 floats.
// Ends with a barrier so `red` can be reused at once.
MT_DEV float block_sum(float v, float* red) {
  v = dev::warp_sum(v);
  const int warp = threadIdx.x / 32, nw = blockDim.x / 32;
  if (threadIdx.x % 32 == 0) red[warp] = v;
  dev::sync_threads();
  float s = 0.f;
  for (int i = 0; i < nw; ++i) s += red[i];
  dev::sync_threads();
  return s;
}

template <int CPL>
__global__ void __launch_bounds__(256) rmsnorm_fwd_fast(const B16* x, const B16* delta, B16* h, B16* y, float* rstd,
                                                        const B16* w, int N, int C, float eps) {
  float* red = dev::dyn_smem<float>();
  const int nch = C / 8;
  float wf[CPL][8] = {};  // chunks past the row end stay unused
  MT_UNROLL
  for (int k = 0; k < CPL; ++k) {
    const int c = threadIdx.x + k * blockDim.x;
    if (c < nch) dev::unpack8(dev::load8(w + 8 * c), wf[k]);
  }
  for (int row = blockIdx.x; row < N; row += gridDim.x) {
    const size_t off = size_t(row) * C;
    float hv[CPL][8] = {};
    float ss = 0.f;
    MT_UNROLL
    for (int k = 0; k < CPL; ++k) {
      const int c = threadIdx.x + k * blockDim.x;
      if (c < nch) {
        float xv[8];
        dev::unpack8(dev::load8(x + off + 8 * c), xv);
        if (delta) {
          float dv[8];
          dev::unpack8(dev::load8(delta + off + 8 * c), dv);
          MT_UNROLL
          for (int j = 0; j < 8; ++j) xv[j] += dv[j];
        }
        const dev::Bf16x8 hb = dev::pack8(xv);
        // h may alias x: this thread read this chunk above.
        if (delta || h != x) dev::store8(h + off + 8 * c, hb);
        dev::unpack8(hb, hv[k]);  // the statistics use the stored (rounded) h
        MT_UNROLL
        for (int j = 0; j < 8; ++j) ss += hv[k][j] * hv[k][j];
      }
    }
    ss = block_sum(ss, red);
    const float r = 1.f / sqrtf(ss / float(C) + eps);
    MT_UNROLL
    for (int k = 0; k < CPL; ++k) {
      const int c = threadIdx.x + k * blockDim.x;
      if (c < nch) {
        float yv[8];
        MT_UNROLL
        for (int j = 0; j < 8; ++j) yv[j] = (hv[k][j] * r) * wf[k][j];
        dev::store8(y + off + 8 * c, dev::pack8(yv));
      }
    }
    if (threadIdx.x == 0) rstd[row] = r;
  }
}

// dh += r * (dy*w - h * r^2 * mean(dy*w*h)); partial[block][:] = sum over the
// block's rows of dy * (h * r).
template <int CPL>
__global__ void __launch_bounds__(256) rmsnorm_bwd_fast(const B16* dy, const B16* h, const float* rstd, const B16* w,
                                                        B16* dh, float* partial, int N, int C) {
  float* red = dev::dyn_smem<float>();
  const int nch = C / 8;
  float wf[CPL][8] = {}, dw[CPL][8] = {};
  MT_UNROLL
  for (int k = 0; k < CPL; ++k) {
    const int c = threadIdx.x + k * blockDim.x;
    MT_UNROLL
    for (int j = 0; j < 8; ++j) dw[k][j] = 0.f;
    if (c < nch) dev::unpack8(dev::load8(w + 8 * c), wf[k]);
  }
  for (int row = blockIdx.x; row < N; row += gridDim.x) {
    const size_t off = size_t(row) * C;
    const float r = rstd[row];
    float gv[CPL][8] = {}, hv[CPL][8] = {};
    float s = 0.f;
    MT_UNROLL
    for (int k = 0; k < CPL; ++k) {
      const int c = threadIdx.x + k * blockDim.x;
      if (c < nch) {
        dev::unpack8(dev::load8(dy + off + 8 * c), gv[k]);
        dev::unpack8(dev::load8(h + off + 8 * c), hv[k]);
        MT_UNROLL
        for (int j = 0; j < 8; ++j) s += gv[k][j] * wf[k][j] * hv[k][j];
      }
    }
    s = block_sum(s, red);
    const float kk = r * r * (s / float(C));
    MT_UNROLL
    for (int k = 0; k < CPL; ++k) {
      const int c = threadIdx.x + k * blockDim.x;
      if (c < nch) {
        float d[8];
        dev::unpack8(dev::load8(dh + off + 8 * c), d);
        MT_UNROLL
        for (int j = 0; j < 8; ++j) {
          d[j] += r * (gv[k][j] * wf[k][j] - hv[k][j] * kk);
          dw[k][j] += gv[k][j] * (hv[k][j] * r);
        }
        dev::store8(dh + off + 8 * c, dev::pack8(d));
      }
    }
  }
  MT_UNROLL
  for (int k = 0; k < CPL; ++k) {
    const int c = threadIdx.x + k * blockDim.x;
    if (c < nch) {
      MT_UNROLL
      for (int j = 0; j < 8; ++j) partial[size_t(blockIdx.x) * C + 8 * c + j] = dw[k][j];
    }
  }
}

// dw[c] += sum over p < P of partial[p][c], in order of p.
__global__ void column_sum(const float* partial, int P, int C, float* dw) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  float s = 0.f;
  for (int p = 0; p < P; ++p) s += partial[size_t(p) * C + c];
  dw[c] += s;
}

// ---- simple versions: one block (256 threads) per row, scalar ----
__global__ void rmsnorm_fwd_simple(const B16* x, const B16* delta, B16* h, B16* y, float* rstd, const B16* w, int C,
                                   float eps) {
  float* red = dev::dyn_smem<float>();
  const int row = blockIdx.x;
  const size_t off = size_t(row) * C;
  float ss = 0.f;
  for (int c = threadIdx.x; c < C; c += blockDim.x) {
    const float hv = dev::to_f32(dev::to_bf16(dev::to_f32(x[off + c]) + (delta ? dev::to_f32(delta[off + c]) : 0.f)));
    h[off + c] = dev::to_bf16(hv);
    ss += hv * hv;
  }
  ss = block_sum(ss, red);
  const float r = 1.f / sqrtf(ss / float(C) + eps);
  for (int c = threadIdx.x; c < C; c += blockDim.x)
    y[off + c] = dev::to_bf16((dev::to_f32(h[off + c]) * r) * dev::to_f32(w[c]));
  if (threadIdx.x == 0) rstd[row] = r;
}

__global__ void rmsnorm_bwd_simple_dh(const B16* dy, const B16* h, const float* rstd, const B16* w, B16* dh, int C) {
  float* red = dev::dyn_smem<float>();
  const int row = blockIdx.x;
  const size_t off = size_t(row) * C;
  const float r = rstd[row];
  float s = 0.f;
  for (int c = threadIdx.x; c < C; c += blockDim.x)
    s += dev::to_f32(dy[off + c]) * dev::to_f32(w[c]) * dev::to_f32(h[off + c]);
  s = block_sum(s, red);
  const float kk = r * r * (s / float(C));
  for (int c = threadIdx.x; c < C; c += blockDim.x) {
    const float g = r * (dev::to_f32(dy[off + c]) * dev::to_f32(w[c]) - dev::to_f32(h[off + c]) * kk);
    dh[off + c] = dev::to_bf16(dev::to_f32(dh[off + c]) + g);
  }
}

__global__ void rmsnorm_bwd_simple_dw(const B16* dy, const B16* h, const float* rstd, float* dw, int N, int C) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  float s = 0.f;
  for (int n = 0; n < N; ++n) s += dev::to_f32(dy[size_t(n) * C + c]) * (dev::to_f32(h[size_t(n) * C + c]) * rstd[n]);
  dw[c] += s;
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

// Chunks per thread and threads per block for a row of C values.
void fast_shape(int C, int& cpl, int& threads) {
  const int nch = C / 8;
  cpl = nch <= 256 ? 1 : nch <= 512 ? 2 : 4;
  threads = std::min(256, ((nch + cpl - 1) / cpl + 31) / 32 * 32);
}

void check_fast(const char* what, int C, std::initializer_list<const void*> ptrs) {
  MT_CHECK(C % 8 == 0 && C <= kMaxC, what, ": the fast kernel needs C % 8 == 0 and C <= ", kMaxC, ", got C=", C,
           " (use the simple kernel)");
  for (const void* p : ptrs) MT_CHECK(!p || aligned16(p), what, ": the fast kernel needs 16-byte aligned pointers");
}

int bwd_blocks(int N) { return std::max(1, std::min(N, kBwdBlocks)); }

}  // namespace

void rmsnorm_forward(const bf16* x, const bf16* delta, bf16* h, bf16* y, float* rstd, const bf16* w, int N, int C,
                     float eps, Impl impl, Stream s) {
  MT_CHECK(N >= 0 && C > 0, "rmsnorm_forward: need N >= 0 and C > 0, got N=", N, " C=", C);
  MT_CHECK(eps > 0.f && eps < 1e30f, "rmsnorm_forward: eps must be finite and > 0, got ", eps);
  if (N == 0) return;
  MT_CHECK(x && h && y && rstd && w, "rmsnorm_forward: x, h, y, rstd and w are required");
  auto* xd = reinterpret_cast<const B16*>(x);
  auto* dd = reinterpret_cast<const B16*>(delta);
  auto* hd = reinterpret_cast<B16*>(h);
  auto* yd = reinterpret_cast<B16*>(y);
  auto* wd = reinterpret_cast<const B16*>(w);
  const size_t red = 32 * sizeof(float);
  if (impl == Impl::Simple) {
    auto* k = rmsnorm_fwd_simple;
    MT_LAUNCH(k, unsigned(N), 256, red, s, xd, dd, hd, yd, rstd, wd, C, eps);
    MT_CUDA_LAUNCHED("rmsnorm_forward (simple)");
    return;
  }
  check_fast("rmsnorm_forward", C, {x, delta, h, y, w});
  int cpl, threads;
  fast_shape(C, cpl, threads);
  const unsigned blocks = unsigned(std::min(N, kFwdBlocks));
  auto* k = cpl == 1 ? rmsnorm_fwd_fast<1> : cpl == 2 ? rmsnorm_fwd_fast<2> : rmsnorm_fwd_fast<4>;
  MT_LAUNCH(k, blocks, unsigned(threads), red, s, xd, dd, hd, yd, rstd, wd, N, C, eps);
  MT_CUDA_LAUNCHED("rmsnorm_forward");
}

size_t rmsnorm_backward_workspace_bytes(int N, int C) {
  return size_t(bwd_blocks(std::max(N, 1))) * size_t(std::max(C, 1)) * sizeof(float);
}

void rmsnorm_backward(const bf16* dy, const bf16* h, const float* rstd, const bf16* w, bf16* dh, float* dw, int N,
                      int C, void* workspace, size_t workspace_bytes, Impl impl, Stream s) {
  MT_CHECK(N >= 0 && C > 0, "rmsnorm_backward: need N >= 0 and C > 0, got N=", N, " C=", C);
  if (N == 0) return;
  MT_CHECK(dy && h && rstd && w && dh && dw, "rmsnorm_backward: dy, h, rstd, w, dh and dw are required");
  auto* dyd = reinterpret_cast<const B16*>(dy);
  auto* hd = reinterpret_cast<const B16*>(h);
  auto* wd = reinterpret_cast<const B16*>(w);
  auto* dhd = reinterpret_cast<B16*>(dh);
  const size_t red = 32 * sizeof(float);
  const unsigned col_blocks = unsigned((C + 255) / 256);
  if (impl == Impl::Simple) {
    auto* k1 = rmsnorm_bwd_simple_dh;
    MT_LAUNCH(k1, unsigned(N), 256, red, s, dyd, hd, rstd, wd, dhd, C);
    MT_CUDA_LAUNCHED("rmsnorm_backward (simple, dh)");
    auto* k2 = rmsnorm_bwd_simple_dw;
    MT_LAUNCH(k2, col_blocks, 256, 0, s, dyd, hd, rstd, dw, N, C);
    MT_CUDA_LAUNCHED("rmsnorm_backward (simple, dw)");
    return;
  }
  check_fast("rmsnorm_backward", C, {dy, h, w, dh});
  const size_t need = rmsnorm_backward_workspace_bytes(N, C);
  MT_CHECK(workspace && workspace_bytes >= need, "rmsnorm_backward: workspace of ", need, " bytes needed, got ",
           workspace_bytes);
  int cpl, threads;
  fast_shape(C, cpl, threads);
  const int P = bwd_blocks(N);
  auto* partial = static_cast<float*>(workspace);
  auto* k = cpl == 1 ? rmsnorm_bwd_fast<1> : cpl == 2 ? rmsnorm_bwd_fast<2> : rmsnorm_bwd_fast<4>;
  MT_LAUNCH(k, unsigned(P), unsigned(threads), red, s, dyd, hd, rstd, wd, dhd, partial, N, C);
  MT_CUDA_LAUNCHED("rmsnorm_backward");
  auto* k2 = column_sum;
  MT_LAUNCH(k2, col_blocks, 256, 0, s, partial, P, C, dw);
  MT_CUDA_LAUNCHED("rmsnorm_backward (dw sum)");
}

}  // namespace mt::cuda
