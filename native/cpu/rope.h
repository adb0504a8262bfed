// Rotary position embeddings, Hugging Face "rotate half" convention:
// for i < D/2, (x_i, x_{i+D/2}) is rotated by angle pos * inv_freq[i].
#pragma once
#include <cstdint>

namespace mt::cpu {

struct RopeScaling {
  // type 0: none; 1: llama3 (factor, low_freq_factor, high_freq_factor,
  // original_max_position_embeddings); 2: linear (factor).
  int type = 0;
  float factor = 1.f, low_freq_factor = 1.f, high_freq_factor = 4.f;
  int original_max_position = 8192;
};

// inv_freq[D/2] as transformers computes it (rope_theta, then scaling).
void rope_inv_freq(float* inv_freq, int D, float theta, const RopeScaling& sc);

// In place on x [N, H, D]; pos[N] is each token's position in its document.
// inverse=true rotates by -angle, which is the backward pass.
void rope_apply(float* x, const int32_t* pos, const float* inv_freq, int N, int H, int D,
                bool inverse);

}  // namespace mt::cpu
