// Host-side types of the CUDA backend's API. Plain C++ (no CUDA headers), so
// the N-API bindings and other host code can include every native/cuda/*.h
// header whether or not the CUDA toolkit is present.
#pragma once
#include <cstdint>

struct CUstream_st;  // the CUDA runtime's stream type; cudaStream_t is CUstream_st*

namespace mt::cuda {

using Stream = CUstream_st*;  // nullptr: the default stream

// A bf16 value as stored (the upper 16 bits of an IEEE fp32). Kernels read it
// as __nv_bfloat16, which has the same size and alignment.
struct bf16 {
  uint16_t bits;
};

// Which version of a kernel family runs: the fast (tiled, tensor-core or
// vectorised) one, or the simple one kept beside it as an on-device reference.
enum class Impl { Fast, Simple };

}  // namespace mt::cuda
