// Counter-based random numbers for weight initialisation: value i of tensor t
// depends only on (seed, t, i), so initialisation is parallel, independent of
// the thread count, and the same on every device (the CPU and CUDA models
// both draw from here; a seed gives the same model on both).
#pragma once
#include <cmath>
#include <cstdint>

namespace mt::counter_random {

// SplitMix64's finaliser.
inline uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
// Standard normal (Box-Muller on a pair of counters).
inline float normal_at(uint64_t seed, uint64_t t, uint64_t i) {
  uint64_t a = mix(seed ^ mix(t * 0x100000001b3ull + (i >> 1)));
  uint64_t b = mix(a);
  double u1 = (double((a >> 11) + 1)) / 9007199254740993.0, u2 = double(b >> 11) / 9007199254740992.0;
  double r = std::sqrt(-2.0 * std::log(u1));
  return float((i & 1) ? r * std::sin(2 * M_PI * u2) : r * std::cos(2 * M_PI * u2));
}
// Uniform in [-1, 1).
inline float uniform_at(uint64_t seed, uint64_t t, uint64_t i) {
  return float(double(mix(seed ^ mix(t * 0x100000001b3ull + i)) >> 11) / 4503599627370496.0 - 1.0);
}

}  // namespace mt::counter_random
