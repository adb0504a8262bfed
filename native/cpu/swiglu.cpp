// SwiGLU: out = silu(g) * u. The sigmoid is built from e = exp(-|g|), which
// never overflows, so any finite g gives finite results, and 1 - sigmoid is
// formed without cancellation.
#include "cpu/swiglu.h"

#include <cstdint>
#include <cstring>

#include "core/parallel.h"

namespace mt::cpu {

namespace {

constexpr size_t kParallelMin = 1 << 15;

// exp(x) for x <= 0, branch-free so the loops vectorise (libm's expf does not
// without -ffast-math). Cephes expf: Cody-Waite reduction x = n ln2 + r,
// |r| <= ln2/2, degree-6 polynomial; about 1 ulp. 2^n is applied in two
// halves so results down into the subnormal range are right; below -104 the
// true value is under half the smallest subnormal and we return 0.
inline float exp_nonpos(float x) {
  x = x < -104.f ? -104.f : x;
  // round(x * log2(e)) by the 1.5 * 2^23 trick (exact for |.| < 2^22).
  const float magic = 12582912.f;
  const float n = (x * 1.44269504088896341f + magic) - magic;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t ni = int32_t(n);        // in [-150, 0]
  const int32_t n1 = ni / 2, n2 = ni - n1;  // each in [-75, 0]: normal scales
  const int32_t b1 = (n1 + 127) << 23, b2 = (n2 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, 4);
  std::memcpy(&s2, &b2, 4);
  return p * s1 * s2;
}

// sigmoid(g) and 1 - sigmoid(g), both accurate for any finite g.
inline void sigmoid2(float g, float& sig, float& sigc) {
  const float e = exp_nonpos(g >= 0.f ? -g : g);
  const float inv = 1.f / (1.f + e);
  const float small = e * inv;  // sigmoid(-|g|)
  sig = g >= 0.f ? inv : small;
  sigc = g >= 0.f ? small : inv;
}

}  // namespace

void swiglu_forward(const float* gate, const float* up, float* out, size_t n) {
  const long long nn = (long long)n;
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
  for (long long i = 0; i < nn; ++i) {
    const float g = gate[i];
    float sig, sigc;
    sigmoid2(g, sig, sigc);
    out[i] = (g * sig) * up[i];
  }
}

void swiglu_backward(const float* dout, const float* gate, const float* up, float* dgate, float* dup,
                     size_t n) {
  const long long nn = (long long)n;
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
  for (long long i = 0; i < nn; ++i) {
    // Inputs are read before either output is written, so an output may
    // share memory with an input (same index) without harm.
    const float g = gate[i], u = up[i], d = dout[i];
    float sig, sigc;
    sigmoid2(g, sig, sigc);
    // d silu/dg = sig * (1 + g * (1 - sig))
    dgate[i] = d * u * (sig * (1.f + g * sigc));
    dup[i] = d * (g * sig);
  }
}

}  // namespace mt::cpu
