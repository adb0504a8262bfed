// Rotary position embeddings in the Hugging Face "rotate half" layout.
#include "cpu/rope.h"

#include <cmath>
#include <cstddef>
#include <vector>

#include "core/check.h"
#include "core/parallel.h"

namespace mt::cpu {

void rope_inv_freq(float* inv_freq, int D, float theta, const RopeScaling& sc) {
  MT_CHECK(D > 0 && D % 2 == 0, "rope_inv_freq: head dim D must be even and > 0, got ", D);
  MT_CHECK(theta > 0.f && std::isfinite(theta), "rope_inv_freq: theta must be finite and > 0, got ", theta);
  MT_CHECK(sc.type >= 0 && sc.type <= 2, "rope_inv_freq: unknown scaling type ", sc.type);
  if (sc.type != 0)
    MT_CHECK(sc.factor > 0.f && std::isfinite(sc.factor), "rope_inv_freq: scaling factor must be > 0, got ", sc.factor);
  if (sc.type == 1) {
    MT_CHECK(sc.low_freq_factor > 0.f, "rope_inv_freq: low_freq_factor must be > 0, got ", sc.low_freq_factor);
    MT_CHECK(sc.high_freq_factor > sc.low_freq_factor, "rope_inv_freq: high_freq_factor (", sc.high_freq_factor,
             ") must be greater than low_freq_factor (", sc.low_freq_factor, ")");
    MT_CHECK(sc.original_max_position > 0, "rope_inv_freq: original_max_position must be > 0, got ",
             sc.original_max_position);
  }
  // transformers' _compute_default_rope_parameters, then the scaling rule;
  // computed in double and rounded once to float.
  const double pi = 3.14159265358979323846;
  const double factor = sc.factor, low = sc.low_freq_factor, high = sc.high_freq_factor;
  const double old_ctx = sc.original_max_position;
  const double low_freq_wavelen = old_ctx / low, high_freq_wavelen = old_ctx / high;
  for (int i = 0; i < D / 2; ++i) {
    double f = 1.0 / std::pow(double(theta), double(2 * i) / double(D));
    if (sc.type == 2) {
      f /= factor;
    } else if (sc.type == 1) {  // _compute_llama3_parameters
      const double wavelen = 2.0 * pi / f;
      if (wavelen > low_freq_wavelen) {
        f = f / factor;
      } else if (!(wavelen < high_freq_wavelen)) {  // medium band: smooth interpolation
        const double smooth = (old_ctx / wavelen - low) / (high - low);
        f = (1.0 - smooth) * f / factor + smooth * f;
      }  // high frequencies (wavelen < high_freq_wavelen) unchanged
    }
    inv_freq[i] = float(f);
  }
}

namespace {

// cos/sin of the rotation angle for one position, into cosv[half], sinv[half].
// As transformers' rotary embedding does in float32: angle = float(pos) *
// inv_freq rounded to float (the product is not done in double), then cos/sin
// of that float angle. We evaluate cos/sin in double and round, i.e. the
// correctly rounded float32 value.
inline void angles(int32_t pos, const float* inv_freq, int half, bool inverse, float* cosv, float* sinv) {
  const float p = float(pos);
  for (int i = 0; i < half; ++i) {
    const float a = p * inv_freq[i];
    cosv[i] = float(std::cos(double(a)));
    const float s = float(std::sin(double(a)));
    sinv[i] = inverse ? -s : s;  // backward: rotate by -angle
  }
}

inline void rotate(float* x, int H, int D, const float* cosv, const float* sinv) {
  const int half = D / 2;
  for (int hh = 0; hh < H; ++hh) {
    float* x0 = x + size_t(hh) * D;
    float* x1 = x0 + half;
#pragma omp simd
    for (int i = 0; i < half; ++i) {
      const float a = x0[i], b = x1[i];
      x0[i] = a * cosv[i] - b * sinv[i];
      x1[i] = b * cosv[i] + a * sinv[i];
    }
  }
}

}  // namespace

void rope_apply(float* x, const int32_t* pos, const float* inv_freq, int N, int H, int D, bool inverse) {
  MT_CHECK(N >= 0 && H > 0, "rope_apply: need N >= 0 and H > 0, got N=", N, " H=", H);
  MT_CHECK(D > 0 && D % 2 == 0, "rope_apply: head dim D must be even and > 0, got ", D);
  if (N == 0) return;
  const int half = D / 2;
  const bool par = size_t(N) * H * D >= (1u << 14);
  const size_t row = size_t(H) * D;
  // cos/sin cost more than the rotation itself. In a batch of B sequences the
  // positions repeat (each restarts at 0), so when the position range is
  // narrower than N, tabulate it once; otherwise compute per token and reuse
  // across the H heads. Both give the same bits.
  int32_t pmin = pos[0], pmax = pos[0];
  for (int n = 1; n < N; ++n) {
    pmin = pos[n] < pmin ? pos[n] : pmin;
    pmax = pos[n] > pmax ? pos[n] : pmax;
  }
  const int64_t span = int64_t(pmax) - pmin + 1;
  if (span < N) {
    std::vector<float> tab(size_t(span) * 2 * half);  // [span][cos half | sin half]
#pragma omp parallel for schedule(static) if (par)
    for (int64_t p = 0; p < span; ++p)
      angles(int32_t(pmin + p), inv_freq, half, inverse, &tab[size_t(p) * D], &tab[size_t(p) * D + half]);
#pragma omp parallel for schedule(static) if (par)
    for (int n = 0; n < N; ++n) {
      const float* t = &tab[size_t(pos[n] - pmin) * D];
      rotate(x + size_t(n) * row, H, D, t, t + half);
    }
    return;
  }
#pragma omp parallel if (par)
  {
    std::vector<float> cs(static_cast<size_t>(D));
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      angles(pos[n], inv_freq, half, inverse, cs.data(), cs.data() + half);
      rotate(x + size_t(n) * row, H, D, cs.data(), cs.data() + half);
    }
  }
}

}  // namespace mt::cpu
