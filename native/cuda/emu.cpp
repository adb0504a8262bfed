// The CPU emulation of CUDA described in emu.h: fibers (ucontext) for the
// threads of one block at a time, barrier rounds, deferred cp.async, and a
// fake device whose memory is host memory.
#include "cuda/emu.h"

#include <ucontext.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define MT_EMU_ASAN 1
#endif

namespace mt::emu {

namespace {

// The limits of an sm_80 (A100) device: the kernels must fit it, so the
// emulation enforces the smaller of the sm_80 and sm_90 limits.
constexpr size_t kSmemDefault = 48 * 1024;
constexpr size_t kSmemOptin = 166912;  // 163 KB
constexpr unsigned kMaxThreads = 1024;
constexpr size_t kStackBytes = 256 * 1024;

// ---- context switching ----------------------------------------------------
// On x86-64 a six-register switch (no signal-mask system call, unlike
// swapcontext, which made the emulation ~10x slower); ucontext elsewhere.
#if defined(__x86_64__) && !defined(MIDTRAIN_EMU_UCONTEXT)
extern "C" void mt_emu_switch(void** save_sp, void* load_sp);
asm(R"(
  .text
  .p2align 4
  .globl mt_emu_switch
  .hidden mt_emu_switch
  .type mt_emu_switch, @function
mt_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size mt_emu_switch, .-mt_emu_switch
)");

struct Context {
  void* sp = nullptr;
};
void fiber_entry();
// A fresh stack whose first switch "returns" into fiber_entry with the
// alignment of a called function.
void make_context(Context& c, char* stack, size_t size) {
  auto top = reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t(15);
  auto* sp = reinterpret_cast<void**>(top);
  *--sp = nullptr;                                     // fiber_entry's return address: never used
  *--sp = reinterpret_cast<void*>(&fiber_entry);      // popped by ret
  for (int i = 0; i < 6; ++i) *--sp = nullptr;        // rbp rbx r12 r13 r14 r15
  c.sp = sp;
}
inline void switch_context(Context& from, Context& to) { mt_emu_switch(&from.sp, to.sp); }
#else
struct Context {
  ucontext_t uc;
};
void fiber_entry();
__attribute__((noinline)) void make_context(Context& c, char* stack, size_t size) {
  getcontext(&c.uc);
  c.uc.uc_stack.ss_sp = stack;
  c.uc.uc_stack.ss_size = size;
  c.uc.uc_link = nullptr;
  makecontext(&c.uc, fiber_entry, 0);
}
inline void switch_context(Context& from, Context& to) { swapcontext(&from.uc, &to.uc); }
#endif

enum class St { Runnable, BlockWait, WarpWait, Done };

struct PendingCopy {
  unsigned char* dst;
  unsigned char data[16];
};

struct Fiber {
  Context ctx;
  char* stack = nullptr;
  St st = St::Runnable;
  uint3 tid{0, 0, 0};
  int linear = 0;
  uint64_t gen = 0;  // warp collectives done
  std::vector<std::vector<PendingCopy>> groups;  // committed cp.async groups, oldest first
  std::vector<PendingCopy> open;                 // not yet committed
};

// Two banks: lanes released from collective k read bank k % 2 while faster
// lanes already write collective k+1's inputs into the other.
struct Warp {
  alignas(16) unsigned char in[2][32][64];
  alignas(16) unsigned char out[2][32][64];
  int op[2][32];
  int arrived = 0;
};

struct Block {
  dim3 grid, block;
  uint3 bidx{0, 0, 0};
  std::vector<unsigned char> smem;
  std::vector<Fiber> fibers;
  std::vector<Warp> warps;
  Context sched;
  Fiber* cur = nullptr;
  const std::function<void()>* body = nullptr;
  int at_barrier = 0, exited = 0;
  bool failed = false;
  std::string error;
  uint64_t rng = 0x9e3779b97f4a7c15ull;
};

Block* g_block = nullptr;  // the block being run (one at a time, on one OS thread)
std::mutex g_launch_mutex;
std::vector<std::unique_ptr<char[]>> g_stacks;

// The last launch error, until cudaGetLastError reads it; the message of the
// most recent error stays for cudaGetErrorString.
cudaError_t g_last_error = cudaSuccess;
cudaError_t g_message_code = cudaSuccess;
std::string g_last_message;
std::map<const void*, int> g_smem_attr;

uint64_t next_rand(uint64_t& s) {
  s += 0x9e3779b97f4a7c15ull;
  uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

#ifdef MT_EMU_ASAN
void* g_fake_stack = nullptr;         // the scheduler's, saved while a fiber runs
const void* g_main_bottom = nullptr;  // the scheduler's stack, learnt at a fiber's first entry
size_t g_main_size = 0;
#endif

// Scheduler -> fiber f, until f blocks or exits.
void enter(Fiber& f) {
  g_block->cur = &f;
#ifdef MT_EMU_ASAN
  __sanitizer_start_switch_fiber(&g_fake_stack, f.stack, kStackBytes);
#endif
  switch_context(g_block->sched, f.ctx);
#ifdef MT_EMU_ASAN
  __sanitizer_finish_switch_fiber(g_fake_stack, nullptr, nullptr);
#endif
  g_block->cur = nullptr;
}

// Fiber -> scheduler; returns when the scheduler resumes this fiber.
void leave(Fiber& f) {
#ifdef MT_EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, g_main_bottom, g_main_size);
#endif
  switch_context(f.ctx, g_block->sched);
#ifdef MT_EMU_ASAN
  __sanitizer_finish_switch_fiber(fake, &g_main_bottom, &g_main_size);
#endif
}

void land_copies(Fiber& f) {
  for (auto& grp : f.groups)
    for (auto& c : grp) std::memcpy(c.dst, c.data, 16);
  for (auto& c : f.open) std::memcpy(c.dst, c.data, 16);
  f.groups.clear(), f.open.clear();
}

std::string describe(const Block& b) {
  int counts[4] = {0, 0, 0, 0};
  for (const Fiber& f : b.fibers) counts[int(f.st)]++;
  return "block (" + std::to_string(b.bidx.x) + "," + std::to_string(b.bidx.y) + "," + std::to_string(b.bidx.z) +
         "): " + std::to_string(counts[0]) + " runnable, " + std::to_string(counts[1]) + " at __syncthreads, " +
         std::to_string(counts[2]) + " at a warp collective, " + std::to_string(counts[3]) + " exited";
}

void fail_block(const std::string& why) {
  if (!g_block->failed) g_block->failed = true, g_block->error = why;
}

// Releases a block barrier that every live thread reached; an exited thread
// means __syncthreads in divergent code.
void maybe_release_block() {
  Block& b = *g_block;
  const int n = int(b.fibers.size());
  if (b.at_barrier == 0 || b.at_barrier + b.exited != n) return;
  if (b.exited > 0) {
    fail_block("__syncthreads reached by " + std::to_string(b.at_barrier) + " of " + std::to_string(n) +
               " threads (the others exited): " + describe(b));
    return;
  }
  for (Fiber& f : b.fibers) f.st = St::Runnable;
  b.at_barrier = 0;
}

void fiber_entry() {
  Fiber& f = *g_block->cur;
#ifdef MT_EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &g_main_bottom, &g_main_size);
#endif
  (*g_block->body)();
  land_copies(f);  // un-waited cp.async copies land when the thread exits
  f.st = St::Done;
  g_block->exited++;
  maybe_release_block();
#ifdef MT_EMU_ASAN
  __sanitizer_start_switch_fiber(nullptr, g_main_bottom, g_main_size);
#endif
  Context dead;
  switch_context(dead, g_block->sched);
  std::abort();  // never resumed
}

void set_error(cudaError_t e, const std::string& msg) {
  if (g_last_error == cudaSuccess) g_last_error = e;
  g_message_code = e;
  g_last_message = msg;
}

// Runs one block to completion; false on a rule violation (b.error says which).
bool run_block(Block& b) {
  const int n = int(b.fibers.size());
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  for (;;) {
    // A random order each round: a missing barrier shows as a wrong result.
    for (int i = n - 1; i > 0; --i) std::swap(order[i], order[next_rand(b.rng) % uint64_t(i + 1)]);
    bool ran = false;
    for (int i : order) {
      Fiber& f = b.fibers[i];
      if (f.st != St::Runnable) continue;
      enter(f);
      ran = true;
      if (b.failed) return false;
    }
    if (b.exited == n) return true;
    if (!ran) {
      b.error = "deadlock: " + describe(b) +
                " (a __syncthreads or warp collective not reached by every thread, or a partial warp)";
      return false;
    }
  }
}

Fiber& me() {
  if (!g_block || !g_block->cur) {
    std::fprintf(stderr, "midtrain emu: device function called outside a kernel\n");
    std::abort();
  }
  return *g_block->cur;
}

}  // namespace

const char* device_name() { return "midtrain CUDA emulator (CPU)"; }

[[noreturn]] void fault(const char* what) {
  Fiber& f = me();
  fail_block(std::string(what) + " (thread " + std::to_string(f.linear) + ")");
  f.st = St::BlockWait;  // parked for good: the launch is abandoned
  leave(f);
  std::abort();  // never resumed
}

cudaError_t func_set_attribute(const void* fn, cudaFuncAttribute attr, int value) {
  if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaErrorInvalidValue;
  if (value < 0 || size_t(value) > kSmemOptin) return cudaErrorInvalidValue;
  std::lock_guard<std::mutex> lock(g_launch_mutex);
  g_smem_attr[fn] = value;
  return cudaSuccess;
}

bool run_grid(const void* fn, dim3 grid, dim3 block, size_t dyn_smem, const std::function<void()>& body) {
  std::lock_guard<std::mutex> lock(g_launch_mutex);
  const unsigned long long nthreads = (unsigned long long)block.x * block.y * block.z;
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || nthreads == 0 || nthreads > kMaxThreads || block.z > 64 ||
      grid.y > 65535 || grid.z > 65535 || grid.x > 2147483647u) {
    set_error(cudaErrorInvalidConfiguration,
              "invalid configuration argument (grid " + std::to_string(grid.x) + "x" + std::to_string(grid.y) + "x" +
                  std::to_string(grid.z) + ", block " + std::to_string(block.x) + "x" + std::to_string(block.y) +
                  "x" + std::to_string(block.z) + ")");
    return false;
  }
  size_t limit = kSmemDefault;
  if (auto it = g_smem_attr.find(fn); it != g_smem_attr.end()) limit = std::max(limit, size_t(it->second));
  if (dyn_smem > limit) {
    set_error(cudaErrorInvalidValue, "invalid argument (" + std::to_string(dyn_smem) +
                                         " bytes of dynamic shared memory; the kernel's limit is " +
                                         std::to_string(limit) + ")");
    return false;
  }
  const int n = int(nthreads);
  while (g_stacks.size() < size_t(n)) g_stacks.emplace_back(new char[kStackBytes]);

  Block b;
  b.grid = grid, b.block = block, b.body = &body;
  if (const char* s = std::getenv("MIDTRAIN_EMU_SEED")) b.rng = std::strtoull(s, nullptr, 10);
  Block* saved = g_block;
  g_block = &b;
  bool ok = true;
  for (unsigned bz = 0; bz < grid.z && ok; ++bz)
    for (unsigned by = 0; by < grid.y && ok; ++by)
      for (unsigned bx = 0; bx < grid.x && ok; ++bx) {
        b.bidx = {bx, by, bz};
        b.smem.assign(dyn_smem, 0xff);  // NaN in bf16 and fp32: reads before writes show
        b.fibers.clear();
        b.fibers.resize(n);
        b.warps.assign((n + 31) / 32, Warp{});
        b.at_barrier = 0, b.exited = 0;
        for (int t = 0; t < n; ++t) {
          Fiber& f = b.fibers[t];
          f.linear = t;
          f.tid = {unsigned(t) % block.x, (unsigned(t) / block.x) % block.y, unsigned(t) / (block.x * block.y)};
          f.stack = g_stacks[t].get();
          make_context(f.ctx, f.stack, kStackBytes);
        }
        ok = run_block(b);
      }
  g_block = saved;
  if (!ok) {
    set_error(cudaErrorLaunchFailure, "unspecified launch failure (emulator: " + b.error + ")");
    return false;
  }
  return true;
}

const uint3& thread_idx() { return me().tid; }
const uint3& block_idx() {
  me();
  return g_block->bidx;
}
const dim3& block_dim() {
  me();
  return g_block->block;
}
const dim3& grid_dim() {
  me();
  return g_block->grid;
}
unsigned char* dyn_smem() {
  me();
  return g_block->smem.data();
}
size_t dyn_smem_bytes() {
  me();
  return g_block->smem.size();
}

void sync_threads() {
  Fiber& f = me();
  f.st = St::BlockWait;
  g_block->at_barrier++;
  maybe_release_block();
  if (f.st == St::BlockWait) leave(f);
}

int lane_id() { return me().linear % 32; }

const unsigned char* warp_exchange(int op, const void* in, size_t bytes, WarpCompute compute) {
  Fiber& f = me();
  if (bytes > 64) fault("emu: collective input over 64 bytes");
  Block& b = *g_block;
  Warp& w = b.warps[f.linear / 32];
  const int bank = int(f.gen & 1), lane = f.linear % 32;
  std::memcpy(w.in[bank][lane], in, bytes);
  w.op[bank][lane] = op;
  f.gen++;
  if (++w.arrived == 32) {
    w.arrived = 0;
    const int lo = (f.linear / 32) * 32;
    for (int l = 1; l < 32; ++l)
      if (w.op[bank][l] != w.op[bank][0]) {
        fail_block("warp " + std::to_string(lo / 32) + ": lanes 0 and " + std::to_string(l) +
                   " are at different warp collectives (op " + std::to_string(w.op[bank][0]) + " vs " +
                   std::to_string(w.op[bank][l]) + ")");
        f.st = St::BlockWait;
        leave(f);
      }
    if (compute) compute(&w.in[bank][0][0], &w.out[bank][0][0]);
    for (int l = lo; l < lo + 32; ++l)
      if (b.fibers[l].st == St::WarpWait) b.fibers[l].st = St::Runnable;
  } else {
    f.st = St::WarpWait;
    leave(f);
  }
  return compute ? w.out[bank][lane] : &w.in[bank][0][0];
}

void cp_async(void* smem_dst, const void* gmem_src, int src_bytes) {
  Fiber& f = me();
  auto* dst = static_cast<unsigned char*>(smem_dst);
  unsigned char* lo = g_block->smem.data();
  if (dst < lo || dst + 16 > lo + g_block->smem.size()) fault("emu: cp.async destination outside shared memory");
  if (size_t(dst - lo) % 16 != 0 || reinterpret_cast<uintptr_t>(gmem_src) % 16 != 0)
    fault("emu: cp.async address not 16-byte aligned");
  if (src_bytes < 0 || src_bytes > 16) fault("emu: cp.async source size outside [0, 16]");
  PendingCopy c;
  c.dst = dst;
  std::memset(c.data, 0, 16);
  if (src_bytes > 0) std::memcpy(c.data, gmem_src, size_t(src_bytes));  // read at issue, lands at the wait
  f.open.push_back(c);
}

void cp_async_commit() {
  Fiber& f = me();
  f.groups.push_back(std::move(f.open));
  f.open.clear();
}

void cp_async_wait(int newest_pending) {
  Fiber& f = me();
  while (int(f.groups.size()) > newest_pending) {
    for (auto& c : f.groups.front()) std::memcpy(c.dst, c.data, 16);
    f.groups.erase(f.groups.begin());
  }
}

}  // namespace mt::emu

// ---- The fake runtime: host memory, synchronous copies -------------------

using mt::emu::g_last_error;
using mt::emu::g_last_message;
using mt::emu::g_message_code;

const char* cudaGetErrorString(cudaError_t e) {
  if (e != cudaSuccess && e == g_message_code && !g_last_message.empty()) return g_last_message.c_str();
  static thread_local std::string msg;
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    default: msg = "emulated CUDA error " + std::to_string(e); return msg.c_str();
  }
}

cudaError_t cudaGetLastError() {
  const cudaError_t e = g_last_error;
  g_last_error = cudaSuccess;
  return e;
}
cudaError_t cudaPeekAtLastError() { return g_last_error; }
cudaError_t cudaGetDeviceCount(int* n) {
  *n = 1;
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int* d) {
  *d = 0;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : cudaErrorInvalidValue; }
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int) {
  switch (a) {
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *v = int(mt::emu::kSmemOptin); return cudaSuccess;
    case cudaDevAttrMultiProcessorCount: *v = 4; return cudaSuccess;
    case cudaDevAttrComputeCapabilityMajor: *v = 8; return cudaSuccess;
    case cudaDevAttrComputeCapabilityMinor: *v = 0; return cudaSuccess;
  }
  return cudaErrorInvalidValue;
}
cudaError_t cudaMalloc(void** p, size_t bytes) {
  // 256-byte aligned like cudaMalloc, exactly `bytes` long (so AddressSanitizer
  // builds catch a kernel reading or writing past a buffer), filled with
  // garbage so unwritten outputs show.
  void* q = nullptr;
  if (posix_memalign(&q, 256, bytes ? bytes : 1) != 0) return cudaErrorMemoryAllocation;
  std::memset(q, 0xa5, bytes ? bytes : 1);
  *p = q;
  return cudaSuccess;
}
cudaError_t cudaFree(void* p) {
  std::free(p);
  return cudaSuccess;
}
// Page-locked host memory is plain host memory here.
cudaError_t cudaMallocHost(void** p, size_t bytes) { return cudaMalloc(p, bytes); }
cudaError_t cudaFreeHost(void* p) { return cudaFree(p); }
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
  if (bytes) std::memmove(dst, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}
cudaError_t cudaMemset(void* p, int value, size_t bytes) {
  if (bytes) std::memset(p, value, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t) { return cudaMemset(p, value, bytes); }
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaEventCreate(cudaEvent_t* e) {
  *e = nullptr;
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventRecord(cudaEvent_t, cudaStream_t) { return cudaSuccess; }
cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t, cudaEvent_t) {
  *ms = 0.f;
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  *free_bytes = size_t(1) << 32;
  *total_bytes = size_t(1) << 32;
  return cudaSuccess;
}
