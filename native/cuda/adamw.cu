// Multi-tensor AdamW, gradient sum of squares and clip scale (adamw.h).
//
// A launch covers up to kAdamWBatch tensors, passed by value in the kernel's
// parameters (no descriptor upload): each block takes one chunk of kChunk
// elements and finds its tensor by binary search over the batch's chunk
// offsets. Elements move 16 bytes at a time where the tensor's pointers are
// aligned. The scalars are formed on the host exactly as cpu/adamw.cpp forms
// them (in double, from the typed decimal value), so both engines agree to
// the last few ulp.
#include "cuda/adamw.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"

#if defined(__CUDACC__)
#define MT_GRID_CONST __grid_constant__
#else
#define MT_GRID_CONST
#endif

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

constexpr int kThreads = 256;
constexpr int64_t kChunk = 4096;  // elements per block: 256 threads x 4 vectors of 4

enum : int { kGradBf16 = 1, kVec = 2, kAnchor = 4, kAnchorW = 8, kCopy = 16 };

struct DevTensor {
  float* p;
  const void* g;
  float* m;
  float* v;
  B16* pb;
  const float* p0;
  const float* w0;
  int64_t n;
  float decay;  // 1 - lr * weight_decay
  int flags;
};

struct Batch {
  DevTensor t[kAdamWBatch];
  int64_t first_chunk[kAdamWBatch + 1];  // chunk offsets; [count] = total
  int count;
  int tensor_base;  // index of t[0] among all the call's tensors (stochastic rounding keys)
};

struct Coeffs {
  float b1, omb1, b2, omb2, step_size, bc2_sqrt, eps, grad_scale, lambda;
  int sr;
  uint64_t seed;
};

MT_DEV int find_tensor(const Batch& b, int64_t chunk) {
  int lo = 0, hi = b.count - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (b.first_chunk[mid] <= chunk) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

MT_DEV uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// bf16 of x rounded up in magnitude with probability (dropped bits) / 2^16:
// add 16 random bits below the kept ones and truncate. E[result] = x.
MT_DEV B16 round_stochastic(float x, uint32_t r16) {
  uint32_t b = dev::float_bits(x);
  if ((b & 0x7f800000u) == 0x7f800000u) return dev::to_bf16(x);  // Inf/NaN: as is
  b += r16 & 0xffffu;
  return dev::from_bits(uint16_t(b >> 16));
}

MT_DEV float load_g(const DevTensor& t, int64_t i) {
  return (t.flags & kGradBf16) ? dev::to_f32(static_cast<const B16*>(t.g)[i]) : static_cast<const float*>(t.g)[i];
}

// One element, in cpu/adamw.cpp's order. Returns the new p.
MT_DEV float step1(float pi, float gi, float& mi, float& vi, float p0, float w, const Coeffs& c, float gs, float decay,
                   bool anchor) {
  gi = gi * gs;
  if (anchor) gi += c.lambda * w * (pi - p0);
  mi = c.b1 * mi + c.omb1 * gi;
  vi = c.b2 * vi + c.omb2 * gi * gi;
  const float denom = sqrtf(vi) / c.bc2_sqrt + c.eps;
  return pi * decay - c.step_size * (mi / denom);
}

MT_DEV void store_copy(const DevTensor& t, const Coeffs& c, int tensor_index, int64_t i, float p) {
  if (!(t.flags & kCopy)) return;
  if (c.sr) {
    const uint64_t key = c.seed ^ ((uint64_t(tensor_index) << 40) + uint64_t(i));
    t.pb[i] = round_stochastic(p, uint32_t(mix64(key) >> 32));
  } else {
    t.pb[i] = dev::to_bf16(p);
  }
}

MT_DEV void scalar_element(const DevTensor& t, const Coeffs& c, float gs, int tensor_index, int64_t i) {
  const bool anchor = t.flags & kAnchor;
  float m = t.m[i], v = t.v[i];
  const float p = step1(t.p[i], load_g(t, i), m, v, anchor ? t.p0[i] : 0.f,
                        (t.flags & kAnchorW) ? t.w0[i] : 1.f, c, gs, t.decay, anchor);
  t.m[i] = m;
  t.v[i] = v;
  t.p[i] = p;
  store_copy(t, c, tensor_index, i, p);
}

__global__ void __launch_bounds__(kThreads) adamw_fast(const MT_GRID_CONST Batch b, const Coeffs c,
                                                       const ClipState* clip) {
  if (clip && !clip->finite) return;  // non-finite gradients: leave everything as it was
  const float gs = c.grad_scale * (clip ? clip->scale : 1.f);
  const int64_t chunk = blockIdx.x;
  const int ti = find_tensor(b, chunk);
  const DevTensor& t = b.t[ti];
  const int tensor_index = b.tensor_base + ti;
  const int64_t e0 = (chunk - b.first_chunk[ti]) * kChunk;
  const int64_t e1 = e0 + kChunk < t.n ? e0 + kChunk : t.n;
  if (!(t.flags & kVec)) {
    for (int64_t i = e0 + threadIdx.x; i < e1; i += kThreads) scalar_element(t, c, gs, tensor_index, i);
    return;
  }
  const bool anchor = t.flags & kAnchor;
  for (int64_t i = e0 + 4 * int64_t(threadIdx.x); i < e1; i += 4 * kThreads) {
    if (i + 4 > e1) {  // the tensor's last few elements
      for (int64_t j = i; j < e1; ++j) scalar_element(t, c, gs, tensor_index, j);
      continue;
    }
    const float4 p4 = *reinterpret_cast<const float4*>(t.p + i);
    float4 m4 = *reinterpret_cast<const float4*>(t.m + i);
    float4 v4 = *reinterpret_cast<const float4*>(t.v + i);
    float g[4];
    if (t.flags & kGradBf16) {
      const uint2 gb = *reinterpret_cast<const uint2*>(static_cast<const B16*>(t.g) + i);
      g[0] = dev::lo_f32(gb.x), g[1] = dev::hi_f32(gb.x), g[2] = dev::lo_f32(gb.y), g[3] = dev::hi_f32(gb.y);
    } else {
      const float4 g4 = *reinterpret_cast<const float4*>(static_cast<const float*>(t.g) + i);
      g[0] = g4.x, g[1] = g4.y, g[2] = g4.z, g[3] = g4.w;
    }
    float4 a4 = {0.f, 0.f, 0.f, 0.f}, w4 = {1.f, 1.f, 1.f, 1.f};
    if (anchor) a4 = *reinterpret_cast<const float4*>(t.p0 + i);
    if (t.flags & kAnchorW) w4 = *reinterpret_cast<const float4*>(t.w0 + i);
    float4 out;
    out.x = step1(p4.x, g[0], m4.x, v4.x, a4.x, w4.x, c, gs, t.decay, anchor);
    out.y = step1(p4.y, g[1], m4.y, v4.y, a4.y, w4.y, c, gs, t.decay, anchor);
    out.z = step1(p4.z, g[2], m4.z, v4.z, a4.z, w4.z, c, gs, t.decay, anchor);
    out.w = step1(p4.w, g[3], m4.w, v4.w, a4.w, w4.w, c, gs, t.decay, anchor);
    *reinterpret_cast<float4*>(t.m + i) = m4;
    *reinterpret_cast<float4*>(t.v + i) = v4;
    *reinterpret_cast<float4*>(t.p + i) = out;
    if (t.flags & kCopy) {
      if (c.sr) {
        store_copy(t, c, tensor_index, i, out.x);
        store_copy(t, c, tensor_index, i + 1, out.y);
        store_copy(t, c, tensor_index, i + 2, out.z);
        store_copy(t, c, tensor_index, i + 3, out.w);
      } else {
        uint2 pb;
        pb.x = dev::pack_bf16x2(out.x, out.y);
        pb.y = dev::pack_bf16x2(out.z, out.w);
        *reinterpret_cast<uint2*>(t.pb + i) = pb;
      }
    }
  }
}

// Simple: one element a thread over one tensor.
__global__ void adamw_simple(const DevTensor t, const Coeffs c, const ClipState* clip, int tensor_index) {
  if (clip && !clip->finite) return;
  const float gs = c.grad_scale * (clip ? clip->scale : 1.f);
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < t.n) scalar_element(t, c, gs, tensor_index, i);
}

// Per chunk: the sum of squares of its gradient values (in double).
__global__ void __launch_bounds__(kThreads) sumsq_chunks(const MT_GRID_CONST Batch b, double* partial) {
  double* red = dev::dyn_smem<double>();
  const int64_t chunk = blockIdx.x;
  const int ti = find_tensor(b, chunk);
  const DevTensor& t = b.t[ti];
  const int64_t e0 = (chunk - b.first_chunk[ti]) * kChunk;
  const int64_t e1 = e0 + kChunk < t.n ? e0 + kChunk : t.n;
  double s = 0.0;
  for (int64_t i = e0 + threadIdx.x; i < e1; i += kThreads) {
    const double g = double(load_g(t, i));
    s += g * g;
  }
  s = dev::warp_sum(s);
  if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = s;
  dev::sync_threads();
  if (threadIdx.x == 0) {
    double tot = 0.0;
    for (int w = 0; w < kThreads / 32; ++w) tot += red[w];
    partial[chunk] = tot;  // `partial` starts at this batch's first chunk
  }
}

// Sums the partials in a fixed order; derives norm, scale and finiteness.
__global__ void __launch_bounds__(kThreads) clip_finish(const double* partial, int64_t n, float max_norm,
                                                        ClipState* out) {
  double* red = dev::dyn_smem<double>();
  double s = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) s += partial[i];
  s = dev::warp_sum(s);
  if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = s;
  dev::sync_threads();
  if (threadIdx.x == 0) {
    double tot = 0.0;
    for (int w = 0; w < kThreads / 32; ++w) tot += red[w];
    const double norm = sqrt(tot);
    const bool finite = norm == norm && norm <= 1.7976931348623157e308;
    out->sumsq = tot;
    out->norm = norm;
    out->finite = finite ? 1 : 0;
    out->scale = (max_norm > 0.f && finite) ? float(fmin(1.0, double(max_norm) / (norm + 1e-6))) : 1.f;
  }
}

// ---- host side ----

// As cpu/adamw.cpp: the shortest decimal that rounds to the float is what the
// user typed; PyTorch forms its scalars in double from that.
double as_typed(float f) {
  char buf[64];
  const auto w = std::to_chars(buf, buf + sizeof buf, f);
  double d = double(f);
  if (w.ec == std::errc()) std::from_chars(buf, w.ptr, d);
  return d;
}

bool aligned(const void* p, size_t a) { return reinterpret_cast<uintptr_t>(p) % a == 0; }

void check_tensor(const AdamWTensor& t, int i, const char* what) {
  MT_CHECK(t.n >= 0, what, ": tensor ", i, " has n = ", t.n);
  if (t.n == 0) return;
  MT_CHECK(t.p && t.g && t.m && t.v, what, ": tensor ", i, " needs p, g, m and v");
  MT_CHECK(t.anchor || !t.anchor_w, what, ": tensor ", i, " has anchor_w without anchor");
  MT_CHECK(std::isfinite(t.weight_decay) && t.weight_decay >= 0.f, what, ": tensor ", i,
           " weight_decay must be finite and >= 0, got ", t.weight_decay);
}

DevTensor to_dev(const AdamWTensor& t, double lr) {
  DevTensor d{};
  d.p = t.p, d.g = t.g, d.m = t.m, d.v = t.v;
  d.pb = reinterpret_cast<B16*>(t.p_bf16);
  d.p0 = t.anchor, d.w0 = t.anchor_w;
  d.n = t.n;
  d.decay = float(1.0 - lr * as_typed(t.weight_decay));
  d.flags = (t.g_bf16 ? kGradBf16 : 0) | (t.anchor ? kAnchor : 0) | (t.anchor_w ? kAnchorW : 0) |
            (t.p_bf16 ? kCopy : 0);
  const bool vec = aligned(t.p, 16) && aligned(t.m, 16) && aligned(t.v, 16) && aligned(t.g, t.g_bf16 ? 8 : 16) &&
                   (!t.p_bf16 || aligned(t.p_bf16, 8)) && (!t.anchor || aligned(t.anchor, 16)) &&
                   (!t.anchor_w || aligned(t.anchor_w, 16));
  if (vec) d.flags |= kVec;
  return d;
}

// Splits the non-empty tensors into launch batches; calls f(batch, total chunks).
template <class F>
void for_batches(const AdamWTensor* tensors, int count, double lr, F&& f) {
  Batch b{};
  int64_t chunks = 0;
  auto flush = [&]() {
    if (b.count == 0) return;
    b.first_chunk[b.count] = chunks;
    MT_CHECK(chunks <= 0x7fffffff, "adamw: a batch of ", chunks, " chunks is too large for one launch");
    f(b, chunks);
    b = Batch{};
    chunks = 0;
  };
  for (int i = 0; i < count; ++i) {
    const AdamWTensor& t = tensors[i];
    if (t.n == 0) continue;
    if (b.count == kAdamWBatch) flush();
    if (b.count == 0) b.tensor_base = i;
    // tensor_base + slot must equal i for the rounding keys: start a new batch at gaps.
    if (b.count > 0 && b.tensor_base + b.count != i) {
      flush();
      b.tensor_base = i;
    }
    b.t[b.count] = to_dev(t, lr);
    b.first_chunk[b.count] = chunks;
    chunks += (t.n + kChunk - 1) / kChunk;
    ++b.count;
  }
  flush();
}

Coeffs make_coeffs(const AdamWConfig& h) {
  MT_CHECK(h.step >= 1, "adamw_update: step must be >= 1, got ", h.step);
  MT_CHECK(std::isfinite(h.lr) && h.lr >= 0.f, "adamw_update: lr must be finite and >= 0, got ", h.lr);
  MT_CHECK(h.beta1 >= 0.f && h.beta1 < 1.f, "adamw_update: beta1 must be in [0, 1), got ", h.beta1);
  MT_CHECK(h.beta2 >= 0.f && h.beta2 < 1.f, "adamw_update: beta2 must be in [0, 1), got ", h.beta2);
  MT_CHECK(std::isfinite(h.eps) && h.eps > 0.f, "adamw_update: eps must be finite and > 0, got ", h.eps);
  MT_CHECK(std::isfinite(h.grad_scale), "adamw_update: grad_scale must be finite, got ", h.grad_scale);
  MT_CHECK(std::isfinite(h.anchor_lambda), "adamw_update: anchor_lambda must be finite, got ", h.anchor_lambda);
  const double lr = as_typed(h.lr), b1 = as_typed(h.beta1), b2 = as_typed(h.beta2);
  const double bc1 = 1.0 - std::pow(b1, double(h.step));
  const double bc2 = 1.0 - std::pow(b2, double(h.step));
  Coeffs c{};
  c.b1 = h.beta1;
  c.omb1 = float(1.0 - b1);
  c.b2 = h.beta2;
  c.omb2 = float(1.0 - b2);
  c.step_size = float(lr / bc1);
  c.bc2_sqrt = float(std::sqrt(bc2));
  c.eps = h.eps;
  c.grad_scale = h.grad_scale;
  c.lambda = h.anchor_lambda;
  c.sr = h.stochastic_rounding ? 1 : 0;
  c.seed = h.seed ^ (uint64_t(h.step) * 0xd1b54a32d192ed03ull);
  return c;
}

}  // namespace

void adamw_update(const AdamWTensor* tensors, int count, const AdamWConfig& cfg, const ClipState* clip, Impl impl,
                  Stream s) {
  MT_CHECK(count >= 0 && (tensors || count == 0), "adamw_update: bad tensor list");
  const Coeffs c = make_coeffs(cfg);
  for (int i = 0; i < count; ++i) check_tensor(tensors[i], i, "adamw_update");
  const double lr = as_typed(cfg.lr);
  if (impl == Impl::Simple) {
    for (int i = 0; i < count; ++i) {
      if (tensors[i].n == 0) continue;
      const DevTensor d = to_dev(tensors[i], lr);
      const int64_t blocks = (d.n + 255) / 256;
      MT_CHECK(blocks <= 0x7fffffff, "adamw_update: tensor ", i, " is too large for the simple kernel");
      auto* k = adamw_simple;
      MT_LAUNCH(k, unsigned(blocks), 256, 0, s, d, c, clip, i);
      MT_CUDA_LAUNCHED("adamw_update (simple)");
    }
    return;
  }
  for_batches(tensors, count, lr, [&](const Batch& b, int64_t chunks) {
    auto* k = adamw_fast;
    MT_LAUNCH(k, unsigned(chunks), kThreads, 0, s, b, c, clip);
    MT_CUDA_LAUNCHED("adamw_update");
  });
}

size_t grad_sumsq_workspace_bytes(const AdamWTensor* tensors, int count) {
  int64_t chunks = 0;
  for (int i = 0; i < count; ++i) chunks += (std::max<int64_t>(tensors[i].n, 0) + kChunk - 1) / kChunk;
  return size_t(std::max<int64_t>(chunks, 1)) * sizeof(double);
}

void grad_clip(const AdamWTensor* tensors, int count, float max_norm, ClipState* clip, void* workspace,
               size_t workspace_bytes, Stream s) {
  MT_CHECK(count >= 0 && (tensors || count == 0), "grad_clip: bad tensor list");
  MT_CHECK(clip, "grad_clip: clip (device ClipState) is required");
  MT_CHECK(std::isfinite(max_norm), "grad_clip: max_norm must be finite, got ", max_norm);
  for (int i = 0; i < count; ++i) {
    MT_CHECK(tensors[i].n >= 0, "grad_clip: tensor ", i, " has n = ", tensors[i].n);
    MT_CHECK(tensors[i].n == 0 || tensors[i].g, "grad_clip: tensor ", i, " needs g");
  }
  const size_t need = grad_sumsq_workspace_bytes(tensors, count);
  MT_CHECK(workspace && workspace_bytes >= need, "grad_clip: workspace of ", need, " bytes needed, got ",
           workspace_bytes);
  auto* partial = static_cast<double*>(workspace);
  int64_t done = 0;
  for_batches(tensors, count, 0.0, [&](const Batch& b, int64_t chunks) {
    auto* k = sumsq_chunks;
    MT_LAUNCH(k, unsigned(chunks), kThreads, (kThreads / 32) * sizeof(double), s, b, partial + done);
    MT_CUDA_LAUNCHED("grad_clip (sum of squares)");
    done += chunks;
  });
  if (done == 0) MT_CUDA_CHECK(cudaMemsetAsync(partial, 0, sizeof(double), s), "grad_clip");
  auto* k = clip_finish;
  MT_LAUNCH(k, 1, kThreads, (kThreads / 32) * sizeof(double), s, partial, std::max<int64_t>(done, 1), max_norm, clip);
  MT_CUDA_LAUNCHED("grad_clip");
}

}  // namespace mt::cuda
