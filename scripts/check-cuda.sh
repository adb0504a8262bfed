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

  # The cuBLAS and cuBLASLt paths (model_ops.cu, gemm_lt.cu), where the toolkit has no cuBLAS: against
  # declarations of the API calls they make (scripts/cuda-stubs: a type check of the calls only).
  cuda_inc="$(dirname "$(dirname "$(readlink -f "$NVCC")")")/include"
  if [ ! -f "$cuda_inc/cublas_v2.h" ]; then
    for pair in "model_ops.cu MIDTRAIN_HAVE_CUBLAS" "gemm_lt.cu MIDTRAIN_HAVE_CUBLASLT"; do
      set -- $pair
      if nice "$NVCC" -c -std=c++17 -O1 -I native -I scripts/cuda-stubs -D"$2" -gencode=arch=compute_80,code=sm_80 \
        "native/cuda/$1" -o "$tmp/stub.o" 2>"$tmp/log"; then
        echo "check:cuda: $1 with $2 compiles (against declaration stubs: no cuBLAS in this toolkit)"
      else
        cat "$tmp/log" >&2
        echo "check:cuda: $1's $2 path failed to compile" >&2
        status=1
      fi
    done
  fi
else
  echo "check:cuda: no nvcc (looked for \$NVCC, nvcc on PATH, /usr/local/cuda/bin/nvcc): skipping the sm_80/sm_90a compile"
fi

if [ "${CHECK_CUDA_SKIP_EMU:-0}" != 1 ]; then
  echo
  echo "check:cuda: the kernels on the CPU emulation (MIDTRAIN_CUDA=EMU, build-cudaemu)"
  nice npx cmake-js compile --log-level warn --out build-cudaemu --CDMIDTRAIN_CUDA=EMU 2>&1 | grep -E "midtrain:|rror" || true
  nice cmake --build build-cudaemu --target midtrain_cuda_check midtrain_model_check >/dev/null
  if ! ./build-cudaemu/midtrain_cuda_check | grep -vE "^PASS "; then status=1; fi
  # The GPU check's model program (scripts/gpu/model_check.cpp) on a tiny model: it builds and trains.
  printf 'vocab_size=256\nhidden_size=128\nintermediate_size=256\nnum_hidden_layers=2\nnum_attention_heads=2\nnum_key_value_heads=1\nhead_dim=64\nrms_norm_eps=1e-5\nrope_theta=10000\n' >"$tmp/tiny.kv"
  if ./build-cudaemu/midtrain_model_check bench --config "$tmp/tiny.kv" --batch 1 --seq 32 --steps 2 --warmup 1 --recompute >"$tmp/bench.json" &&
     python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['loss_last'] < r['loss_first'], r; print('check:cuda: midtrain_model_check bench (emulated):', r['tokens_per_s'], 'tok/s, loss', r['loss_first'], '->', r['loss_last'])" "$tmp/bench.json"; then :; else
    echo "check:cuda: midtrain_model_check failed" >&2; status=1
  fi
  if ! MIDTRAIN_NATIVE=build-cudaemu/Release/midtrain_native.node nice npx vitest run test/cuda-kernels.test.ts test/cuda-model.test.ts test/bench-plan.test.ts \
      ${CHECK_CUDA_VITEST_JSON:+--reporter=default --reporter=json --outputFile="$CHECK_CUDA_VITEST_JSON"}; then
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
