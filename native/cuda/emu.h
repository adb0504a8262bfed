// A CPU emulation of the part of CUDA that native/cuda uses, so the kernels'
// logic (tile index math, fragment layouts, masking, barriers, cp.async
// ordering) can be run and tested on a machine without a GPU.
//
// Built only with MIDTRAIN_CUDA=EMU: the .cu files are then compiled as plain
// C++ with this header in place of the CUDA headers. Each thread block runs
// as one fiber per thread on the calling OS thread (cooperative, so a grid
// runs deterministically); __syncthreads and the warp collectives (shuffles,
// ldmatrix, mma.sync) are barriers over the fibers of the block or warp.
// The emulation is strict where the hardware is unforgiving:
//  - every fiber of a warp must reach the same collective, and every thread of
//    a block the same __syncthreads (else the launch fails with a message);
//  - cp.async copies land only at the thread's cp.async.wait_group, so a read
//    before the wait sees stale shared memory;
//  - dynamic shared memory starts as all-ones bytes (NaN in bf16 and fp32);
//  - ldmatrix and cp.async addresses must be 16-byte aligned and inside the
//    block's shared memory; launches check the block, grid and shared-memory
//    limits of an sm_80 device (more than 48 KB needs cudaFuncSetAttribute);
//  - fibers of a block run in a seeded random order at each barrier round.
// It does not model timing, memory-model subtleties beyond these, or the
// tensor cores' internal rounding (mma accumulates in double, then rounds).
#pragma once

#if defined(__CUDACC__)
#error "emu.h is for MIDTRAIN_CUDA=EMU builds, which compile the .cu files as C++"
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

// ---- Language keywords -------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __restrict__ __restrict

// ---- Vector and index types ---------------------------------------------
struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(16) uint4 {
  unsigned x, y, z, w;
};
struct alignas(8) uint2 {
  unsigned x, y;
};
struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(8) float2 {
  float x, y;
};
struct alignas(16) int4 {
  int x, y, z, w;
};

// ---- Runtime API subset -------------------------------------------------
typedef int cudaError_t;
enum : int {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorNoDevice = 100,
  cudaErrorLaunchFailure = 719,
};
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };
enum cudaDeviceAttr {
  cudaDevAttrMaxSharedMemoryPerBlockOptin = 97,
  cudaDevAttrMultiProcessorCount = 16,
  cudaDevAttrComputeCapabilityMajor = 75,
  cudaDevAttrComputeCapabilityMinor = 76,
};
struct CUstream_st;
typedef CUstream_st* cudaStream_t;
struct CUevent_st;
typedef CUevent_st* cudaEvent_t;

const char* cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
cudaError_t cudaGetDeviceCount(int* n);
cudaError_t cudaGetDevice(int* d);
cudaError_t cudaSetDevice(int d);
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int device);
cudaError_t cudaMalloc(void** p, size_t bytes);
cudaError_t cudaFree(void* p);
cudaError_t cudaMallocHost(void** p, size_t bytes);
cudaError_t cudaFreeHost(void* p);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t s = nullptr);
cudaError_t cudaMemset(void* p, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t s = nullptr);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaEventCreate(cudaEvent_t* e);
cudaError_t cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t a, cudaEvent_t b);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);

namespace mt::emu {

// Name of the emulated device, for device listings.
const char* device_name();

cudaError_t func_set_attribute(const void* fn, cudaFuncAttribute attr, int value);

// Runs body() once per thread of every block of the grid; returns false (and
// records the launch error) when the configuration is invalid or a fiber
// broke a rule above.
bool run_grid(const void* fn, dim3 grid, dim3 block, size_t dyn_smem, const std::function<void()>& body);

// Per-fiber state for the running kernel.
const uint3& thread_idx();
const uint3& block_idx();
const dim3& block_dim();
const dim3& grid_dim();
unsigned char* dyn_smem();
size_t dyn_smem_bytes();
void sync_threads();

// Warp collectives: every lane of the warp passes `bytes` (<= 64) of input
// under the same op code; once all 32 lanes have arrived the call returns a
// pointer to the 32 inputs (lane i's at offset 64 * i), valid until this
// lane's next collective. With `compute`, the last lane to arrive calls it
// once on the 32 inputs to fill 32 outputs (64 bytes each), and the call
// returns this lane's output instead.
int lane_id();
using WarpCompute = void (*)(const unsigned char* in, unsigned char* out);
const unsigned char* warp_exchange(int op, const void* in, size_t bytes, WarpCompute compute = nullptr);

// cp.async: the copy is queued and lands at the issuing thread's wait.
void cp_async(void* smem_dst, const void* gmem_src, int src_bytes);
void cp_async_commit();
void cp_async_wait(int newest_pending);

// Fails the running launch with a message (an emulated device-side fault).
[[noreturn]] void fault(const char* what);

}  // namespace mt::emu

template <class F>
cudaError_t cudaFuncSetAttribute(F* fn, cudaFuncAttribute attr, int value) {
  return mt::emu::func_set_attribute(reinterpret_cast<const void*>(fn), attr, value);
}

#define threadIdx (::mt::emu::thread_idx())
#define blockIdx (::mt::emu::block_idx())
#define blockDim (::mt::emu::block_dim())
#define gridDim (::mt::emu::grid_dim())

namespace mt::emu {

// kernel<<<grid, block, smem, stream>>>(args...): the arguments are copied,
// as a real launch copies its parameters.
template <class... P, class... A>
void launch(void (*kernel)(P...), dim3 grid, dim3 block, size_t smem, cudaStream_t, A&&... args) {
  std::function<void()> body = [kernel, args...]() { kernel(args...); };
  run_grid(reinterpret_cast<const void*>(kernel), grid, block, smem, body);
}

}  // namespace mt::emu
