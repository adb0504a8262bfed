// Every CUDA runtime call and kernel launch is checked; a failure becomes an
// mt::Error (a JS exception through the bindings) that names the kernel or
// operation and carries cudaGetErrorString's text. Never an abort, never a
// silently ignored error.
#pragma once

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#elif defined(MIDTRAIN_CUDA_EMU)
#include "cuda/emu.h"
#else
#include <cuda_runtime.h>  // host-only translation units of a real CUDA build
#endif

#include "core/check.h"

// MT_CUDA_CHECK(cudaMemsetAsync(...), "attention_backward");
#define MT_CUDA_CHECK(call, what)                                                              \
  do {                                                                                         \
    const cudaError_t mt_err_ = (call);                                                        \
    if (mt_err_ != cudaSuccess) ::mt::fail(what, ": ", #call, " failed: ", cudaGetErrorString(mt_err_)); \
  } while (0)

// After a launch: configuration errors (too much shared memory, a bad grid)
// surface here, naming the kernel.
#define MT_CUDA_LAUNCHED(what)                                                            \
  do {                                                                                    \
    const cudaError_t mt_err_ = cudaGetLastError();                                       \
    if (mt_err_ != cudaSuccess) ::mt::fail(what, ": launch failed: ", cudaGetErrorString(mt_err_)); \
  } while (0)
