// SwiGLU: out = silu(g) * u. The sigmoid is built from e = exp(-|g|), which
// never overflows, so any finite g gives finite results, and 1 - sigmoid is
// formed without cancellation.
#include "cpu/swiglu.h"

#include "core/fast_exp.h"
#include "core/parallel.h"

namespace mt::cpu {

namespace {

constexpr size_t kParallelMin = 1 << 15;

// sigmoid(g) and 1 - sigmoid(g), both accurate for any finite g.
inline void sigmoid2(float g, float& sig, float& sigc) {
  // Correct into the subnormal range, so sigmoid(-|g|) keeps its precision
  // for large |g|.
  const float e = fast_exp_subnormal(g >= 0.f ? -g : g);
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
