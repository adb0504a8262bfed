#!/usr/bin/env bash
# npm run check:cuda: the CUDA backend's checks that need no GPU.
#  1. Compiles every native/cuda/*.cu for sm_80 and sm_90a with nvcc -Xptxas -v
#     and prints each kernel's registers, spills, stack and shared memory;
#     fails on any compile error. Where the toolkit has no cuBLAS, the cuBLAS
#     path of model_ops.cu (the one place with cuBLAS calls; the LM head's GEMMs
#     go through it) is also compiled against a declaration stub (types only).
#     Skipped, with a message, where there is no nvcc.
#  2. Builds the backend against the CPU emulation (MIDTRAIN_CUDA=EMU, into
#     build-cudaemu) and runs midtrain_cuda_check and test/cuda-kernels.test.ts
#     on it: the kernels' logic (tile indexing, fragment layouts, masks,
#     barriers, cp.async ordering) against the CPU kernels. Not a GPU run.
# Environment: NVCC (default: nvcc on PATH, else /usr/local/cuda/bin/nvcc),
# CHECK_CUDA_SKIP_EMU=1 to do step 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0

if [ -x "$NVCC" ]; then
  echo "check:cuda: $("$NVCC" --version | tail -1)"
  gencode=(-gencode=arch=compute_80,code=sm_80 -gencode=arch=compute_90a,code=sm_90a)
  printf '%-8s %-60s %5s %7s %7s %6s %7s\n' arch kernel regs spill_st spill_ld stack smem >"$tmp/table"
  for f in native/cuda/*.cu; do
    echo "  compiling $f (sm_80, sm_90a)" >&2
    if ! nice "$NVCC" -c -std=c++17 -O3 -I native "${gencode[@]}" -Xptxas -v "$f" -o "$tmp/out.o" 2>"$tmp/log"; then
      cat "$tmp/log" >&2
      echo "check:cuda: $f failed to compile" >&2
      status=1
      continue
    fi
    if grep -E "warning" "$tmp/log" | grep -v "ptxas info" >&2; then :; fi
    # ptxas -v: "Compiling entry function 'NAME' for 'sm_XX'", then the stack /
    # spill line, then "Used N registers, ..., S bytes smem".
    awk -v file="$(basename "$f")" '
      /Compiling entry function/ { match($0, /function \047[^\047]+\047/); name = substr($0, RSTART + 10, RLENGTH - 11);
                                   match($0, /for \047[^\047]+\047/); arch = substr($0, RSTART + 5, RLENGTH - 6);
                                   stack = st = ld = "-"; next }
      /bytes stack frame/ { stack = $1; st = $5; ld = $9; next }
      /Used [0-9]+ registers/ { match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15);
                                smem = 0; if (match($0, /[0-9]+ bytes smem/)) smem = substr($0, RSTART, RLENGTH - 11);
                                if (name != "") print arch "\t" name "\t" regs "\t" st "\t" ld "\t" stack "\t" smem; name = "" }
    ' "$tmp/log" >>"$tmp/rows"
  done
  if [ -s "$tmp/rows" ]; then
    # Readable names: demangled, without the namespaces.
    while IFS=$'\t' read -r arch name regs st ld stack smem; do
      pretty="$(c++filt "$name" 2>/dev/null || echo "$name")"
      pretty="$(echo "$pretty" | sed -E 's/mt::cuda::\(anonymous namespace\):://g; s/mt::cuda::_GLOBAL__N_[^:]*:://g; s/\(.*\)$//; s/^void //')"
      printf '%-8s %-60s %5s %7s %7s %6s %7s\n' "$arch" "${pretty:0:60}" "$regs" "$st" "$ld" "$stack" "$smem" >>"$tmp/table"
      if [ "$st" != "0" ] && [ "$st" != "-" ]; then echo "check:cuda: note: $pretty spills $st bytes on $arch" >&2; fi
    done <"$tmp/rows"
  fi
  echo
  echo "Register / spill report (ptxas -v; smem = static shared memory, the kernels use dynamic):"
  cat "$tmp/table"

  # The cuBLAS path of model_ops.cu, where the toolkit has no cuBLAS: against the
  # declarations of the cuBLAS API it calls (a type check of the calls only).
  cuda_inc="$(dirname "$(dirname "$(readlink -f "$NVCC")")")/include"
  if [ ! -f "$cuda_inc/cublas_v2.h" ]; then
    mkdir -p "$tmp/stub"
    cat >"$tmp/stub/cublas_v2.h" <<'EOF'
// Declarations of the cuBLAS v2 API calls model_ops.cu makes, for a compile check only.
#pragma once
#include <cuda_runtime.h>
#include <library_types.h>
typedef enum { CUBLAS_STATUS_SUCCESS = 0 } cublasStatus_t;
struct cublasContext;
typedef struct cublasContext* cublasHandle_t;
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 } cublasOperation_t;
typedef enum { CUBLAS_COMPUTE_32F = 68 } cublasComputeType_t;
typedef enum { CUBLAS_GEMM_DEFAULT = -1 } cublasGemmAlgo_t;
cublasStatus_t cublasCreate_v2(cublasHandle_t* handle);
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId);
const char* cublasGetStatusString(cublasStatus_t status);
cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                            int k, const void* alpha, const void* A, cudaDataType Atype, int lda, const void* B,
                            cudaDataType Btype, int ldb, const void* beta, void* C, cudaDataType Ctype, int ldc,
                            cublasComputeType_t computeType, cublasGemmAlgo_t algo);
#define cublasCreate cublasCreate_v2
#define cublasSetStream cublasSetStream_v2
EOF
    if nice "$NVCC" -c -std=c++17 -O1 -I native -I "$tmp/stub" -DMIDTRAIN_HAVE_CUBLAS -gencode=arch=compute_80,code=sm_80 \
      native/cuda/model_ops.cu -o "$tmp/model_ops_cublas.o" 2>"$tmp/log"; then
      echo "check:cuda: model_ops.cu with MIDTRAIN_HAVE_CUBLAS compiles (against declaration stubs: no cuBLAS in this toolkit)"
    else
      cat "$tmp/log" >&2
      echo "check:cuda: model_ops.cu's cuBLAS path failed to compile" >&2
      status=1
    fi
    # gemm_lt.cu against declarations of the cuBLASLt calls it makes (the enum values are placeholders:
    # a type check of the calls only; a real build uses the toolkit's cublasLt.h).
    cat >"$tmp/stub/cublasLt.h" <<'EOF'
#pragma once
#include <cstddef>
#include <cstdint>
#include "cublas_v2.h"
struct cublasLtContext;
typedef struct cublasLtContext* cublasLtHandle_t;
typedef struct { uint64_t data[32]; } cublasLtMatmulDescOpaque_t;
typedef cublasLtMatmulDescOpaque_t* cublasLtMatmulDesc_t;
typedef struct { uint64_t data[8]; } cublasLtMatrixLayoutOpaque_t;
typedef cublasLtMatrixLayoutOpaque_t* cublasLtMatrixLayout_t;
typedef struct { uint64_t data[8]; } cublasLtMatmulPreferenceOpaque_t;
typedef cublasLtMatmulPreferenceOpaque_t* cublasLtMatmulPreference_t;
typedef struct { uint64_t data[8]; } cublasLtMatmulAlgo_t;
typedef struct { cublasLtMatmulAlgo_t algo; size_t workspaceSize; cublasStatus_t state; float wavesCount; int reserved[4]; } cublasLtMatmulHeuristicResult_t;
typedef enum { CUBLASLT_MATMUL_DESC_TRANSA = 3, CUBLASLT_MATMUL_DESC_TRANSB = 4, CUBLASLT_MATMUL_DESC_EPILOGUE = 7,
               CUBLASLT_MATMUL_DESC_BIAS_POINTER = 8, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE = 26 } cublasLtMatmulDescAttributes_t;
typedef enum { CUBLASLT_EPILOGUE_DEFAULT = 1, CUBLASLT_EPILOGUE_BIAS = 4 } cublasLtEpilogue_t;
typedef enum { CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1 } cublasLtMatmulPreferenceAttributes_t;
cublasStatus_t cublasLtCreate(cublasLtHandle_t* handle);
cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* desc, cublasComputeType_t compute, cudaDataType_t scale);
cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr, const void* buf, size_t size);
cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* layout, cudaDataType type, uint64_t rows, uint64_t cols, int64_t ld);
cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref);
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref);
cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref, cublasLtMatmulPreferenceAttributes_t attr, const void* buf, size_t size);
cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t h, cublasLtMatmulDesc_t op, cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                              cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d, cublasLtMatmulPreference_t pref,
                                              int requested, cublasLtMatmulHeuristicResult_t results[], int* returned);
cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t op, const void* alpha, const void* A, cublasLtMatrixLayout_t a,
                              const void* B, cublasLtMatrixLayout_t b, const void* beta, const void* C, cublasLtMatrixLayout_t c,
                              void* D, cublasLtMatrixLayout_t d, const cublasLtMatmulAlgo_t* algo, void* workspace,
                              size_t workspace_bytes, cudaStream_t stream);
EOF
    if nice "$NVCC" -c -std=c++17 -O1 -I native -I "$tmp/stub" -DMIDTRAIN_HAVE_CUBLASLT -gencode=arch=compute_80,code=sm_80 \
      native/cuda/gemm_lt.cu -o "$tmp/gemm_lt.o" 2>"$tmp/log"; then
      echo "check:cuda: gemm_lt.cu with MIDTRAIN_HAVE_CUBLASLT compiles (against declaration stubs)"
    else
      cat "$tmp/log" >&2
      echo "check:cuda: gemm_lt.cu's cuBLASLt path failed to compile" >&2
      status=1
    fi
  fi
else
  echo "check:cuda: no nvcc (looked for \$NVCC, nvcc on PATH, /usr/local/cuda/bin/nvcc): skipping the sm_80/sm_90a compile"
fi

if [ "${CHECK_CUDA_SKIP_EMU:-0}" != 1 ]; then
  echo
  echo "check:cuda: the kernels on the CPU emulation (MIDTRAIN_CUDA=EMU, build-cudaemu)"
  nice npx cmake-js compile --log-level warn --out build-cudaemu --CDMIDTRAIN_CUDA=EMU 2>&1 | grep -E "midtrain:|rror" || true
  nice cmake --build build-cudaemu --target midtrain_cuda_check >/dev/null
  if ! ./build-cudaemu/midtrain_cuda_check | grep -vE "^PASS "; then status=1; fi
  if ! MIDTRAIN_NATIVE=build-cudaemu/Release/midtrain_native.node nice npx vitest run test/cuda-kernels.test.ts test/cuda-model.test.ts; then
    status=1
  fi
  echo
  echo "check:cuda: the same kernels under AddressSanitizer (build-cudaemu-asan): no access past any buffer"
  gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  nice cmake -S . -B build-cudaemu-asan "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DMIDTRAIN_CUDA=EMU \
    -DMIDTRAIN_CUDA_EMU_ASAN=ON >"$tmp/asan.log" 2>&1 || { cat "$tmp/asan.log"; exit 1; }
  nice cmake --build build-cudaemu-asan --target midtrain_cuda_check >"$tmp/asan.log" 2>&1 || { tail -30 "$tmp/asan.log"; exit 1; }
  if ! ASAN_OPTIONS=detect_leaks=0 ./build-cudaemu-asan/midtrain_cuda_check | grep -vE "^PASS "; then status=1; fi
fi

if [ "$status" != 0 ]; then
  echo "check:cuda: FAILED"
  exit 1
fi
echo "check:cuda: ok"
