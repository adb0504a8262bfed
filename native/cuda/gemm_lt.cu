// cuBLASLt GEMMs for the model (gemm_lt.h). Row-major C = op(A) op(B) is
// column-major C^T = op(B)^T op(A)^T, so B is cuBLASLt's first operand and A
// its second, as model_gemm's cublasGemmEx call does; a bias on row-major
// columns is a bias on column-major rows, which is what CUBLASLT_EPILOGUE_BIAS
// adds.
#include "cuda/gemm_lt.h"

#include <cstdlib>
#include <cstring>

#include "core/check.h"

#if defined(MIDTRAIN_HAVE_CUBLASLT) && defined(__CUDACC__)
#include <cublasLt.h>

#include <map>
#include <mutex>
#include <tuple>

#include "cuda/cuda_check.h"
#endif

namespace mt::cuda {

bool gemm_lt_enabled() {
#if defined(MIDTRAIN_HAVE_CUBLASLT) && defined(__CUDACC__)
  static const bool on = [] {
    const char* e = std::getenv("MIDTRAIN_CUBLASLT");
    return !(e && std::strcmp(e, "0") == 0);
  }();
  return on;
#else
  return false;
#endif
}

#if defined(MIDTRAIN_HAVE_CUBLASLT) && defined(__CUDACC__)
namespace {

#define MT_LT_CHECK(call)                                                                                      \
  do {                                                                                                         \
    const cublasStatus_t mt_st_ = (call);                                                                      \
    if (mt_st_ != CUBLAS_STATUS_SUCCESS) ::mt::fail("gemm_lt: ", #call, " failed: ", cublasGetStatusString(mt_st_)); \
  } while (0)

// 32 MiB: NVIDIA's recommendation for Hopper (smaller cards take what they need of it).
constexpr size_t kWorkspace = size_t(32) << 20;

struct Device {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
};

// One handle and workspace per device, made on first use and kept for the
// process (freeing them at exit could run after the CUDA context is gone).
Device& device_state() {
  static std::mutex mu;
  static Device devs[64];
  int dev = 0;
  MT_CUDA_CHECK(cudaGetDevice(&dev), "gemm_lt");
  MT_CHECK(dev >= 0 && dev < 64, "gemm_lt: device index ", dev, " out of range");
  std::lock_guard<std::mutex> lock(mu);
  Device& d = devs[dev];
  if (!d.handle) {
    MT_LT_CHECK(cublasLtCreate(&d.handle));
    MT_CUDA_CHECK(cudaMalloc(&d.workspace, kWorkspace), "gemm_lt (workspace)");
  }
  return d;
}

// A shape's descriptors and the heuristic's algorithm, made once.
struct Plan {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  bool ok = false;  // the heuristic found an algorithm
};
using Key = std::tuple<int, bool, bool, int, int, int, int, int, int, bool, bool>;

Plan make_plan(cublasLtHandle_t h, bool ta, bool tb, int M, int N, int K, int lda, int ldb, int ldc, bool c_fp32,
               bool bias) {
  Plan p;
  // cuBLASLt's operands: first = row-major B viewed column-major, second = row-major A.
  const cublasOperation_t op1 = tb ? CUBLAS_OP_T : CUBLAS_OP_N, op2 = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  MT_LT_CHECK(cublasLtMatmulDescCreate(&p.op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  MT_LT_CHECK(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSA, &op1, sizeof op1));
  MT_LT_CHECK(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSB, &op2, sizeof op2));
  if (bias) {
    const cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_BIAS;
    const cudaDataType_t bt = CUDA_R_16BF;
    MT_LT_CHECK(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
    MT_LT_CHECK(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bt, sizeof bt));
  }
  // Column-major stored shapes: the first operand is [N x K] (op N) or [K x N] (op T) with leading dim ldb.
  MT_LT_CHECK(cublasLtMatrixLayoutCreate(&p.a, CUDA_R_16BF, tb ? K : N, tb ? N : K, ldb));
  MT_LT_CHECK(cublasLtMatrixLayoutCreate(&p.b, CUDA_R_16BF, ta ? M : K, ta ? K : M, lda));
  MT_LT_CHECK(cublasLtMatrixLayoutCreate(&p.c, c_fp32 ? CUDA_R_32F : CUDA_R_16BF, N, M, ldc));
  cublasLtMatmulPreference_t pref = nullptr;
  MT_LT_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  const size_t ws = kWorkspace;
  MT_LT_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws));
  cublasLtMatmulHeuristicResult_t res{};
  int found = 0;
  const cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(h, p.op, p.a, p.b, p.c, p.c, pref, 1, &res, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  p.ok = st == CUBLAS_STATUS_SUCCESS && found > 0;
  if (p.ok) p.algo = res.algo;
  return p;
}

}  // namespace

bool gemm_lt(bool ta, bool tb, int M, int N, int K, float alpha, const bf16* A, int lda, const bf16* B, int ldb,
             void* C, bool c_fp32, int ldc, bool accumulate, const bf16* bias, Stream s) {
  if (!gemm_lt_enabled()) return false;
  Device& d = device_state();
  int dev = 0;
  MT_CUDA_CHECK(cudaGetDevice(&dev), "gemm_lt");
  // One lock over plan lookup and the enqueue (microseconds): the bias pointer is set on a shared descriptor.
  static std::mutex mu;
  static std::map<Key, Plan> plans;  // kept for the process, as the handle
  std::lock_guard<std::mutex> lock(mu);
  const Key key{dev, ta, tb, M, N, K, lda, ldb, ldc, c_fp32, bias != nullptr};
  auto it = plans.find(key);
  if (it == plans.end()) it = plans.emplace(key, make_plan(d.handle, ta, tb, M, N, K, lda, ldb, ldc, c_fp32, bias != nullptr)).first;
  Plan& p = it->second;
  if (!p.ok) return false;
  if (bias) MT_LT_CHECK(cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias));
  const float beta = accumulate ? 1.f : 0.f;
  MT_LT_CHECK(cublasLtMatmul(d.handle, p.op, &alpha, B, p.a, A, p.b, &beta, C, p.c, C, p.c, &p.algo, d.workspace,
                             kWorkspace, static_cast<cudaStream_t>(s)));
  return true;
}

#else

bool gemm_lt(bool, bool, int, int, int, float, const bf16*, int, const bf16*, int, void*, bool, int, bool, const bf16*,
             Stream) {
  return false;
}

#endif

}  // namespace mt::cuda
