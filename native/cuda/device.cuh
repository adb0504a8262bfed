// Device-side building blocks shared by the kernel families: bf16
// conversions, warp shuffles, the sm_80 tensor-core path (ldmatrix,
// mma.sync m16n8k16 bf16 -> fp32), cp.async, and the launch macro.
//
// Kernels call only what is here (never a CUDA intrinsic or inline PTX
// directly), so the same source compiles for the GPU with nvcc and, with
// MIDTRAIN_CUDA=EMU, as C++ against the CPU emulation in emu.h.
//
// Fragment layouts (PTX ISA, mma.m16n8k16 with .bf16; g = lane / 4,
// t = lane % 4). Registers hold two bf16 each, the lower-indexed element in
// the low half:
//   A (16 x 16, row): a0 = A[g][2t..2t+1]   a1 = A[g+8][2t..]  a2 = A[g][2t+8..]  a3 = A[g+8][2t+8..]
//   B (16 x 8, col):  b0 = B[2t..2t+1][g]   b1 = B[2t+8..2t+9][g]
//   C (16 x 8, f32):  c0, c1 = C[g][2t], C[g][2t+1]   c2, c3 = C[g+8][2t], C[g+8][2t+1]
// ldmatrix.x4: lanes 8i..8i+7 give the row addresses of 8x8 matrix i; lane l
// receives in register i the elements (l/4, 2(l%4)..+1) of matrix i, or with
// .trans the elements (2(l%4)..+1, l/4), i.e. a column pair.
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#elif defined(MIDTRAIN_CUDA_EMU)
#include <cmath>
#include <cstring>

#include "cuda/emu.h"
#else
#error "device.cuh needs nvcc, or MIDTRAIN_CUDA_EMU for the CPU emulation"
#endif

#if defined(__CUDACC__)
#define MT_DEV __device__ __forceinline__
#define MT_UNROLL _Pragma("unroll")
// kernel<<<grid, block, smem, stream>>>(args): `kernel` is a function (or
// function pointer) name, so template kernels are first bound to a variable.
#define MT_LAUNCH(kernel, grid, block, smem, stream, ...) kernel<<<(grid), (block), (smem), (stream)>>>(__VA_ARGS__)
#else
#define MT_DEV inline
#define MT_UNROLL _Pragma("GCC unroll 16")
#define MT_LAUNCH(kernel, grid, block, smem, stream, ...) \
  ::mt::emu::launch(kernel, (grid), (block), (smem), (stream), __VA_ARGS__)
#endif

namespace mt::dev {

// ---- bf16 ----------------------------------------------------------------
#if defined(__CUDACC__)
using bf16 = __nv_bfloat16;
MT_DEV float to_f32(bf16 x) { return __bfloat162float(x); }
MT_DEV bf16 to_bf16(float x) { return __float2bfloat16_rn(x); }
MT_DEV uint16_t bits(bf16 x) { return __bfloat16_as_ushort(x); }
MT_DEV bf16 from_bits(uint16_t b) { return __ushort_as_bfloat16(b); }
MT_DEV uint32_t float_bits(float x) { return __float_as_uint(x); }
MT_DEV float bits_float(uint32_t b) { return __uint_as_float(b); }
#else
struct bf16 {
  uint16_t x;
};
MT_DEV uint32_t float_bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return b;
}
MT_DEV float bits_float(uint32_t b) {
  float x;
  std::memcpy(&x, &b, 4);
  return x;
}
MT_DEV float to_f32(bf16 x) { return bits_float(uint32_t(x.x) << 16); }
MT_DEV bf16 to_bf16(float f) {  // round to nearest even; NaN stays NaN
  uint32_t b = float_bits(f);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu)) return bf16{uint16_t((b >> 16) | 0x40)};
  b += 0x7fffu + ((b >> 16) & 1u);
  return bf16{uint16_t(b >> 16)};
}
MT_DEV uint16_t bits(bf16 x) { return x.x; }
MT_DEV bf16 from_bits(uint16_t b) { return bf16{b}; }
#endif

MT_DEV int imin(int a, int b) { return a < b ? a : b; }
MT_DEV int imax(int a, int b) { return a > b ? a : b; }

// Two floats as a bf16 pair in one register: lo in the low half.
MT_DEV uint32_t pack_bf16x2(float lo, float hi) {
  return uint32_t(bits(to_bf16(lo))) | (uint32_t(bits(to_bf16(hi))) << 16);
}
MT_DEV float lo_f32(uint32_t r) { return bits_float(r << 16); }
MT_DEV float hi_f32(uint32_t r) { return bits_float(r & 0xffff0000u); }

// ---- math ----------------------------------------------------------------
#if defined(__CUDACC__)
// 2^x by the SFU (ex2.approx.ftz: ~2 ulp; 2^-inf = 0).
MT_DEV float exp2_approx(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}
MT_DEV void sincos_f32(float x, float* s, float* c) { sincosf(x, s, c); }
#else
MT_DEV float exp2_approx(float x) { return std::exp2(x); }
MT_DEV void sincos_f32(float x, float* s, float* c) {
  *s = std::sin(x);
  *c = std::cos(x);
}
#endif

// ---- threads and warps ---------------------------------------------------
#if defined(__CUDACC__)
MT_DEV void sync_threads() { __syncthreads(); }
MT_DEV float shfl_xor(float v, int mask) { return __shfl_xor_sync(0xffffffffu, v, mask); }
MT_DEV double shfl_xor(double v, int mask) { return __shfl_xor_sync(0xffffffffu, v, mask); }
MT_DEV int shfl_xor(int v, int mask) { return __shfl_xor_sync(0xffffffffu, v, mask); }
MT_DEV void atomic_add(float* p, float v) { atomicAdd(p, v); }
MT_DEV int atomic_min(int* p, int v) { return atomicMin(p, v); }
MT_DEV int atomic_add(int* p, int v) { return atomicAdd(p, v); }
template <class T>
MT_DEV T* dyn_smem() {
  extern __shared__ __align__(16) unsigned char mt_dyn_smem[];
  return reinterpret_cast<T*>(mt_dyn_smem);
}
#else
MT_DEV void sync_threads() { ::mt::emu::sync_threads(); }
template <class T>
MT_DEV T shfl_xor_emu(T v, int mask) {
  const unsigned char* all = ::mt::emu::warp_exchange(1000 + int(sizeof(T)), &v, sizeof v);
  T r;
  std::memcpy(&r, all + 64 * (::mt::emu::lane_id() ^ (mask & 31)), sizeof r);
  return r;
}
MT_DEV float shfl_xor(float v, int mask) { return shfl_xor_emu(v, mask); }
MT_DEV double shfl_xor(double v, int mask) { return shfl_xor_emu(v, mask); }
MT_DEV int shfl_xor(int v, int mask) { return shfl_xor_emu(v, mask); }
// One OS thread runs every fiber, so a plain read-modify-write is atomic.
MT_DEV void atomic_add(float* p, float v) { *p += v; }
MT_DEV int atomic_min(int* p, int v) {
  const int old = *p;
  if (v < old) *p = v;
  return old;
}
MT_DEV int atomic_add(int* p, int v) {
  const int old = *p;
  *p = old + v;
  return old;
}
template <class T>
MT_DEV T* dyn_smem() {
  return reinterpret_cast<T*>(::mt::emu::dyn_smem());
}
#endif

#if defined(__CUDACC__)
MT_DEV float warp_sum(float v) {
  MT_UNROLL
  for (int m = 16; m >= 1; m >>= 1) v += shfl_xor(v, m);
  return v;
}
MT_DEV double warp_sum(double v) {
  MT_UNROLL
  for (int m = 16; m >= 1; m >>= 1) v += shfl_xor(v, m);
  return v;
}
MT_DEV float warp_max(float v) {
  MT_UNROLL
  for (int m = 16; m >= 1; m >>= 1) v = fmaxf(v, shfl_xor(v, m));
  return v;
}
#else
// One collective for the whole butterfly (the same additions in the same
// order as the five shuffles; every lane ends with the same value).
namespace emu_detail {
template <class T, class Op>
void butterfly(const unsigned char* in, unsigned char* out) {
  T v[32];
  for (int l = 0; l < 32; ++l) std::memcpy(&v[l], in + 64 * l, sizeof(T));
  for (int m = 16; m >= 1; m >>= 1) {
    T n[32];
    for (int l = 0; l < 32; ++l) n[l] = Op{}(v[l], v[l ^ m]);
    for (int l = 0; l < 32; ++l) v[l] = n[l];
  }
  for (int l = 0; l < 32; ++l) std::memcpy(out + 64 * l, &v[l], sizeof(T));
}
struct Add {
  template <class T>
  T operator()(T a, T b) const { return a + b; }
};
struct Max {
  float operator()(float a, float b) const { return fmaxf(a, b); }
};
template <class T, class Op>
T warp_reduce(T v, int op) {
  T r;
  std::memcpy(&r, ::mt::emu::warp_exchange(op, &v, sizeof v, butterfly<T, Op>), sizeof r);
  return r;
}
}  // namespace emu_detail
MT_DEV float warp_sum(float v) { return emu_detail::warp_reduce<float, emu_detail::Add>(v, 4001); }
MT_DEV double warp_sum(double v) { return emu_detail::warp_reduce<double, emu_detail::Add>(v, 4002); }
MT_DEV float warp_max(float v) { return emu_detail::warp_reduce<float, emu_detail::Max>(v, 4003); }
#endif

// ---- tensor cores (sm_80+) -----------------------------------------------
#if defined(__CUDACC__)
MT_DEV uint32_t smem_addr(const void* p) { return static_cast<uint32_t>(__cvta_generic_to_shared(p)); }

MT_DEV void ldmatrix_x4(uint32_t (&r)[4], const void* smem_row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(smem_row))
               : "memory");
}
MT_DEV void ldmatrix_x4_trans(uint32_t (&r)[4], const void* smem_row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_addr(smem_row))
               : "memory");
}
// d += A B, A 16x16 (4 regs), B 16x8 (2 regs), fp32 accumulators.
MT_DEV void mma_bf16_16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
// 16 bytes global -> shared, asynchronously; !valid zero-fills (src not read).
MT_DEV void cp_async_16(void* smem_dst, const void* gmem_src, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_addr(smem_dst)), "l"(gmem_src),
               "r"(valid ? 16 : 0)
               : "memory");
}
MT_DEV void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
// Waits until at most N of this thread's committed groups are pending.
template <int N>
MT_DEV void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
#else
namespace emu_detail {
struct MmaIn {
  uint32_t a[4], b[2];
  float c[4];
};
inline float half_of(uint32_t r, int h) { return h ? hi_f32(r) : lo_f32(r); }
inline void check_row(const void* p) {
  const auto* q = static_cast<const unsigned char*>(p);
  const unsigned char* lo = ::mt::emu::dyn_smem();
  if (q < lo || q + 16 > lo + ::mt::emu::dyn_smem_bytes()) ::mt::emu::fault("emu: ldmatrix row outside shared memory");
  if ((q - lo) % 16 != 0) ::mt::emu::fault("emu: ldmatrix row address not 16-byte aligned");
}
// Lane l receives in register i the elements (row, col) of 8x8 matrix i, whose
// row k starts at lane 8i+k's address: (l/4, 2(l%4)+j), or with .trans
// (2(l%4)+j, l/4), j = 0, 1 (the low and high halves).
template <bool kTrans>
void ldmatrix_all(const unsigned char* in, unsigned char* out) {
  for (int l = 0; l < 32; ++l) {
    uint32_t r[4];
    for (int i = 0; i < 4; ++i) {
      uint16_t e[2];
      for (int j = 0; j < 2; ++j) {
        const int mrow = kTrans ? 2 * (l % 4) + j : l / 4;
        const int mcol = kTrans ? l / 4 : 2 * (l % 4) + j;
        const uint16_t* p;
        std::memcpy(&p, in + 64 * (8 * i + mrow), sizeof p);
        e[j] = p[mcol];
      }
      r[i] = uint32_t(e[0]) | (uint32_t(e[1]) << 16);
    }
    std::memcpy(out + 64 * l, r, sizeof r);
  }
}
template <bool kTrans>
inline void ldmatrix(uint32_t (&r)[4], const void* row) {
  check_row(row);
  const unsigned char* mine = ::mt::emu::warp_exchange(kTrans ? 2002 : 2001, &row, sizeof row, ldmatrix_all<kTrans>);
  std::memcpy(r, mine, sizeof r);
}
// The whole 16x8 product from the 32 lanes' fragments (PTX layouts above):
// A(r, k) in lane (r%8)*4 + (k%8)/2, register (r>=8) + 2(k>=8), half k%2;
// B(k, n) in lane n*4 + (k%8)/2, register (k>=8), half k%2;
// C(r, n) in lane (r%8)*4 + n/2, element 2(r>=8) + n%2.
inline void mma_all(const unsigned char* in, unsigned char* out) {
  MmaIn x[32];
  for (int l = 0; l < 32; ++l) std::memcpy(&x[l], in + 64 * l, sizeof(MmaIn));
  double A[16][16], B[16][8];
  for (int r = 0; r < 16; ++r)
    for (int k = 0; k < 16; ++k) A[r][k] = half_of(x[(r % 8) * 4 + (k % 8) / 2].a[(r >= 8) + 2 * (k >= 8)], k % 2);
  for (int k = 0; k < 16; ++k)
    for (int n = 0; n < 8; ++n) B[k][n] = half_of(x[n * 4 + (k % 8) / 2].b[k >= 8], k % 2);
  for (int l = 0; l < 32; ++l) {
    float d[4];
    for (int e = 0; e < 4; ++e) {
      const int r = l / 4 + 8 * (e / 2), n = 2 * (l % 4) + e % 2;
      double s = x[l].c[e];
      for (int k = 0; k < 16; ++k) s += A[r][k] * B[k][n];
      d[e] = float(s);
    }
    std::memcpy(out + 64 * l, d, sizeof d);
  }
}
}  // namespace emu_detail

MT_DEV void ldmatrix_x4(uint32_t (&r)[4], const void* smem_row) { emu_detail::ldmatrix<false>(r, smem_row); }
MT_DEV void ldmatrix_x4_trans(uint32_t (&r)[4], const void* smem_row) { emu_detail::ldmatrix<true>(r, smem_row); }
MT_DEV void mma_bf16_16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  emu_detail::MmaIn in;
  for (int i = 0; i < 4; ++i) in.a[i] = a[i], in.c[i] = d[i];
  in.b[0] = b0, in.b[1] = b1;
  const unsigned char* mine = ::mt::emu::warp_exchange(3001, &in, sizeof in, emu_detail::mma_all);
  std::memcpy(d, mine, 4 * sizeof(float));
}
MT_DEV void cp_async_16(void* smem_dst, const void* gmem_src, bool valid) {
  ::mt::emu::cp_async(smem_dst, gmem_src, valid ? 16 : 0);
}
MT_DEV void cp_async_commit() { ::mt::emu::cp_async_commit(); }
template <int N>
MT_DEV void cp_async_wait() {
  ::mt::emu::cp_async_wait(N);
}
#endif

// ---- 16-byte vectors of 8 bf16 ---------------------------------------------
struct alignas(16) Bf16x8 {
  uint32_t r[4];  // element 2i in the low half of r[i], 2i+1 in the high half
};
MT_DEV Bf16x8 load8(const bf16* p) { return *reinterpret_cast<const Bf16x8*>(p); }
MT_DEV void store8(bf16* p, const Bf16x8& v) { *reinterpret_cast<Bf16x8*>(p) = v; }
MT_DEV void unpack8(const Bf16x8& v, float (&f)[8]) {
  MT_UNROLL
  for (int i = 0; i < 4; ++i) f[2 * i] = lo_f32(v.r[i]), f[2 * i + 1] = hi_f32(v.r[i]);
}
MT_DEV Bf16x8 pack8(const float (&f)[8]) {
  Bf16x8 v;
  MT_UNROLL
  for (int i = 0; i < 4; ++i) v.r[i] = pack_bf16x2(f[2 * i], f[2 * i + 1]);
  return v;
}

}  // namespace mt::dev
