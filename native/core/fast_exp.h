// Branch-free expf for the kernels' hot loops (softmax in attention and
// cross-entropy, the sigmoid in SwiGLU).
//
// Why: glibc's expf is a scalar call that GCC only replaces by a vector
// version (libmvec) under -ffast-math, which this build does not use (it
// breaks the non-finite checks). A loop that calls expf therefore runs one
// element at a time; these functions are plain arithmetic, so loops that use
// them vectorise (`omp simd` over the scalar form), and the GCC vector types
// use them directly.
//
// How: Cephes expf. Cody-Waite reduction x = n ln2 + r with n = round(x/ln2),
// |r| <= ln2/2, ln2 split in two so n*ln2_hi is exact; exp(r) = 1 + r +
// r^2 P(r), P of degree 5; then scaling by 2^n built from exponent bits.
// Accuracy, checked against exp in double over every float input: within
// 1.03 ulp of the exact value wherever the result is a normal float; in the
// subnormal range fast_exp_subnormal is within 0.75 of the smallest subnormal.
//
// Each function is a template over F = float, or a GCC/Clang vector of floats
// (float __attribute__((vector_size(N)))); the integer type of the same shape
// is derived. Results are bit-identical between the scalar and vector forms.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace mt {

namespace fast_exp_detail {

// int32_t for float; for a float vector, the type its comparisons yield
// (int32 lanes of the same count).
template <class F, bool = std::is_same_v<F, float>>
struct IntOf {
  using type = int32_t;
};
template <class F>
struct IntOf<F, false> {
  using type = decltype(F{} < F{});
};
template <class F>
using Int = typename IntOf<F>::type;

template <class F>
inline F bcast(float c) {
  return F{} + c;  // 0 + c == c exactly; broadcasts for vectors
}

// Truncating float->int conversion; callers pass integral values in range.
template <class F>
inline Int<F> to_int(F n) {
  if constexpr (std::is_same_v<F, float>)
    return int32_t(n);
  else
    return __builtin_convertvector(n, Int<F>);
}

// 2^k for integer k in [-126, 127], straight from the exponent bits.
template <class F>
inline F pow2i(Int<F> k) {
  const Int<F> bits = (k + 127) << 23;
  F s;
  std::memcpy(&s, &bits, sizeof s);
  return s;
}

// max(x, lo) with NaN -> lo: keeps every later float->int conversion defined
// and 2^n within the exponent range.
template <class F>
inline F clamp_below(F x, float lo) {
  return x > bcast<F>(lo) ? x : bcast<F>(lo);
}

// For x in [-104, 88]: n = round(x / ln2) (returned as a float) and
// exp(x - n ln2) in [0.70, 1.42].
template <class F>
inline F reduce(F x, F& n) {
  // Adding 1.5 * 2^23 rounds to an integer (to nearest even; exact for
  // |.| < 2^22), subtracting it gives that integer back as a float.
  const float magic = 12582912.f;
  n = (x * 1.44269504088896341f + magic) - magic;
  F r = x - n * 0.693359375f;  // ln2 high part: 9 significant bits, so n * it is exact
  r = r - n * -2.12194440e-4f;  // ... and the rest of ln2
  F p = bcast<F>(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return p * r * r + r + 1.f;
}

}  // namespace fast_exp_detail

// exp(x) for any x, clamped to [-87, 88] first: exp(-87) ~ 1.6e-38 is the
// smallest value returned (never 0, never subnormal), exp(88) ~ 1.7e38 the
// largest (never inf), and NaN gives exp(-87). For callers that mask out
// lanes whose inputs may be garbage (attention's tiles).
template <class F>
inline F fast_exp(F x) {
  using namespace fast_exp_detail;
  x = clamp_below(x, -87.f);
  x = x < bcast<F>(88.f) ? x : bcast<F>(88.f);
  F n;
  const F y = reduce(x, n);
  return y * pow2i<F>(to_int(n));
}

// exp(x) for x <= 0 (max-subtracted logits; anything up to 88 works): exactly
// 0 below -87, i.e. the subnormal range is flushed; NaN stays NaN.
template <class F>
inline F fast_exp_nonpos(F x) {
  using namespace fast_exp_detail;
  F n;
  const F y = reduce(clamp_below(x, -87.f), n);
  F e = y * pow2i<F>(to_int(n));
  // Two flat selects: GCC if-converts these inside a sum-reduction loop,
  // while the nested x < -87 ? 0 : (x == x ? e : x) stayed a branch there
  // and kept the loop scalar.
  e = x < bcast<F>(-87.f) ? F{} : e;
  return x == x ? e : x;
}

// exp(x) for x <= 0 (anything up to 88 works), correct into the subnormal
// range: 2^n is applied in two normal halves, so only the final product
// rounds. Below -104 the true value is under half the smallest subnormal and
// the result is 0 (also for -inf); NaN stays NaN.
template <class F>
inline F fast_exp_subnormal(F x) {
  using namespace fast_exp_detail;
  F n;
  const F y = reduce(clamp_below(x, -104.f), n);
  const Int<F> ni = to_int(n);              // in [-150, 127]
  const Int<F> n1 = ni / 2, n2 = ni - n1;  // each in [-75, 64]
  const F e = y * pow2i<F>(n1) * pow2i<F>(n2);
  return x == x ? e : x;
}

}  // namespace mt
