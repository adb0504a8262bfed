// Device management (runtime.h) over the CUDA runtime, or over the CPU
// emulation's fake runtime in MIDTRAIN_CUDA=EMU builds.
#include "cuda/runtime.h"

#include "cuda/cuda_check.h"

namespace mt::cuda {

std::vector<DeviceInfo> devices(std::string* why) {
  std::vector<DeviceInfo> out;
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    // No driver (the addon links the runtime statically, so it still loads) or no device.
    if (why) *why = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e);
    cudaGetLastError();  // clear it: this is not a kernel failure
    return out;
  }
  if (n == 0 && why) *why = "no CUDA device";
  for (int i = 0; i < n; ++i) {
    DeviceInfo d{};
    d.index = i;
    int v = 0;
#if defined(MIDTRAIN_CUDA_EMU)
    d.name = mt::emu::device_name();
#else
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, i) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    d.name = p.name;
#endif
    cudaDeviceGetAttribute(&v, cudaDevAttrComputeCapabilityMajor, i), d.major = v;
    cudaDeviceGetAttribute(&v, cudaDevAttrComputeCapabilityMinor, i), d.minor = v;
    cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, i), d.multiprocessors = v;
    cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, i), d.smem_optin_bytes = size_t(v);
    size_t free_b = 0, total_b = 0;
    int cur = 0;
    cudaGetDevice(&cur);
    if (cur == i && cudaMemGetInfo(&free_b, &total_b) == cudaSuccess) d.memory_bytes = total_b;
    cudaGetLastError();
    out.push_back(d);
  }
  return out;
}

const char* backend_kind() {
#if defined(MIDTRAIN_CUDA_EMU)
  return "emulated";
#else
  return "cuda";
#endif
}

bool uses_cublas() {
#if defined(MIDTRAIN_HAVE_CUBLAS)
  return true;
#else
  return false;
#endif
}

void* device_alloc(size_t bytes) {
  void* p = nullptr;
  MT_CUDA_CHECK(cudaMalloc(&p, bytes == 0 ? 1 : bytes), "device_alloc");
  return p;
}

void device_free(void* p) noexcept {
  if (p) cudaFree(p);
}

void* host_alloc_pinned(size_t bytes) {
  void* p = nullptr;
  MT_CUDA_CHECK(cudaMallocHost(&p, bytes == 0 ? 1 : bytes), "host_alloc_pinned");
  return p;
}

void host_free_pinned(void* p) noexcept {
  if (p) cudaFreeHost(p);
}

void copy_to_device(void* dst, const void* src, size_t bytes) {
  MT_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "copy_to_device");
}

void copy_to_host(void* dst, const void* src, size_t bytes) {
  MT_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "copy_to_host");
}

void copy_on_device(void* dst, const void* src, size_t bytes, Stream s) {
  MT_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, s), "copy_on_device");
}

void fill_bytes(void* dst, int byte, size_t bytes, Stream s) {
  MT_CUDA_CHECK(cudaMemsetAsync(dst, byte, bytes, s), "fill_bytes");
}

void synchronize(const char* what, Stream s) {
  MT_CUDA_LAUNCHED(what);
  const cudaError_t e = cudaStreamSynchronize(s);
  if (e != cudaSuccess) mt::fail(what, ": kernel failed: ", cudaGetErrorString(e));
}

Timer::Timer() {
  cudaEvent_t a, b;
  MT_CUDA_CHECK(cudaEventCreate(&a), "Timer");
  MT_CUDA_CHECK(cudaEventCreate(&b), "Timer");
  a_ = a, b_ = b;
}
Timer::~Timer() {
  cudaEventDestroy(static_cast<cudaEvent_t>(a_));
  cudaEventDestroy(static_cast<cudaEvent_t>(b_));
}
void Timer::start(Stream s) { MT_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(a_), s), "Timer::start"); }
float Timer::stop_ms(Stream s) {
  MT_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(b_), s), "Timer::stop");
  MT_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(b_)), "Timer::stop");
  float ms = 0.f;
  MT_CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(a_), static_cast<cudaEvent_t>(b_)), "Timer::stop");
  return ms;
}

}  // namespace mt::cuda
