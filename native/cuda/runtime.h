// Device management for the CUDA backend: which devices exist, device
// memory, copies and synchronisation. Plain C++ interface (no CUDA headers);
// every failure is an mt::Error naming the operation and the CUDA error.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "cuda/types.h"

namespace mt::cuda {

struct DeviceInfo {
  int index;
  std::string name;
  int major, minor;       // compute capability
  int multiprocessors;
  size_t memory_bytes;
  size_t smem_optin_bytes;  // the most dynamic shared memory one block may opt in to
};

// The devices this process can use, or an empty list with `why` set (no
// driver, no device, emulation): never throws.
std::vector<DeviceInfo> devices(std::string* why);

// "cuda" for a real build, "emulated" for MIDTRAIN_CUDA=EMU.
const char* backend_kind();
// Whether the LM-head GEMMs go through cuBLAS (else the built-in GEMM).
bool uses_cublas();

// Bytes rounded up to cudaMalloc's 256-byte alignment: how workspaces and plans carve one allocation.
inline size_t align256(size_t n) { return (n + 255) / 256 * 256; }
// Whether [a, a + na) and [b, b + nb) share a byte (empty or null ranges never do): the kernels' in/out checks.
inline bool buffers_overlap(const void* a, size_t na, const void* b, size_t nb) {
  if (!a || !b || na == 0 || nb == 0) return false;
  const char *pa = static_cast<const char*>(a), *pb = static_cast<const char*>(b);
  return pa < pb + nb && pb < pa + na;
}

void* device_alloc(size_t bytes);          // throws on failure; 256-byte aligned
void device_free(void* p) noexcept;        // nullptr is fine
// Page-locked host memory: copies from it are asynchronous with respect to the host (from pageable memory the
// driver may wait for the stream first).
void* host_alloc_pinned(size_t bytes);     // throws on failure
void host_free_pinned(void* p) noexcept;   // nullptr is fine
void copy_to_device(void* dst, const void* src, size_t bytes);
void copy_to_host(void* dst, const void* src, size_t bytes);
void copy_on_device(void* dst, const void* src, size_t bytes, Stream s = nullptr);
void fill_bytes(void* dst, int byte, size_t bytes, Stream s = nullptr);

// Waits for the stream and turns an asynchronous kernel fault into an
// mt::Error that names `what` (the last kernel or operation launched).
void synchronize(const char* what, Stream s = nullptr);

// Milliseconds between two points on a stream, for benchmarks.
class Timer {
 public:
  Timer();
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  void start(Stream s = nullptr);
  float stop_ms(Stream s = nullptr);  // synchronises

 private:
  void* a_ = nullptr;
  void* b_ = nullptr;
};

}  // namespace mt::cuda
