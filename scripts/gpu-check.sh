#!/usr/bin/env bash
# The GPU check of the CUDA backend, one command for a machine with an NVIDIA
# GPU, the CUDA toolkit and PyTorch (no internet needed, no Node needed):
#   bash scripts/gpu-check.sh            (writes under $OUT, else build-cuda/out)
#  1. builds the kernels and midtrain_cuda_check with CUDA into build-cuda
#     (plain CMake + Ninja; SASS for this GPU only, to keep the build short;
#     cuBLAS from the toolkit or from PyTorch's pip nvidia-cublas package);
#  2. runs every kernel against the CPU kernels on fresh random inputs (bf16
#     tolerances), the bad-input errors, and a kernel fault in a process of its
#     own (a fault poisons the CUDA context);
#  3. where Node and node_modules exist, also builds the addon (build-cuda-addon)
#     and runs test/cuda-kernels.test.ts through the N-API bindings;
#  4. times every kernel (midtrain_cuda_check --bench) and its PyTorch
#     counterpart (scripts/gpu/bench_torch.py) in the same call;
#  4b. (issue 10) where the addon was built: scripts/gpu/hf_parity.py (the CUDA
#     model vs transformers) and `midtrain bench train --device cuda` for
#     llama-124m and llama-1b beside PyTorch, each skipped past its time budget;
#  5. writes $OUT/gpu-check.md and $OUT/gpu-check.json (scripts/gpu/report.py)
#     and prints the table last. Exits non-zero if a check failed.
# Budget: under 8 minutes including the build (each phase has a time limit).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="${OUT:-$ROOT/build-cuda/out}"
mkdir -p "$OUT"
exec > >(tee -a "$OUT/gpu-check.log") 2>&1
export PYTHONUNBUFFERED=1
START=$(date +%s)
elapsed() { echo $(( $(date +%s) - START )); }
phase() { echo; echo "=== [$(elapsed)s] $* ==="; }
status=0

phase "machine"
nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader || { echo "no nvidia-smi / GPU"; exit 3; }
NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
"$NVCC" --version | tail -2
command -v python3 >/dev/null && python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" || echo "no PyTorch"
CC_NUM="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d ' .')"
case "$CC_NUM" in
  90) ARCHS="90a" ;;          # H100 / H200: the sm_90a build
  8*) ARCHS="80" ;;           # A100 and other sm_8x: sm_80 code runs on all of them
  *) ARCHS="80" ;;            # newer: sm_80 code plus the compute_80 PTX the driver compiles
esac
CUBLAS_ROOT=""
if ! ls "$(dirname "$(dirname "$(readlink -f "$NVCC")")")"/lib64/libcublas.so* >/dev/null 2>&1; then
  CUBLAS_ROOT="$(python3 -c 'import nvidia.cublas as c; print(list(c.__path__)[0])' 2>/dev/null || true)"
fi
echo "compute capability $CC_NUM -> archs $ARCHS; cuBLAS root: ${CUBLAS_ROOT:-the toolkit}"

phase "build (build-cuda)"
GEN=(); command -v ninja >/dev/null && GEN=(-G Ninja)
if ! timeout 300 cmake -S . -B build-cuda "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DMIDTRAIN_CUDA=ON \
    -DMIDTRAIN_CUDA_ARCHS="$ARCHS" -DCMAKE_CUDA_COMPILER="$NVCC" ${CUBLAS_ROOT:+-DMIDTRAIN_CUBLAS_ROOT="$CUBLAS_ROOT"} \
    >"$OUT/cmake.log" 2>&1; then
  tail -30 "$OUT/cmake.log"; echo "configure failed"; exit 1
fi
grep "midtrain:" "$OUT/cmake.log"
if ! timeout 360 cmake --build build-cuda --target midtrain_cuda_check -j "$(nproc)" >"$OUT/build.log" 2>&1; then
  grep -E "error|Error" "$OUT/build.log" | head -40; echo "build failed"; exit 1
fi
echo "built in $(elapsed)s"

phase "correctness: every kernel vs the CPU kernels, then timings"
timeout 240 ./build-cuda/midtrain_cuda_check --bench --json "$OUT/midtrain.json" | grep -vE "^PASS " || status=1
phase "a kernel fault becomes an error naming the kernel (own process)"
timeout 60 ./build-cuda/midtrain_cuda_check --fault || status=1

if command -v node >/dev/null && [ -d node_modules/cmake-js ] && [ "$(elapsed)" -lt 200 ]; then
  phase "N-API bindings: test/cuda-kernels.test.ts on the CUDA addon (build-cuda-addon)"
  if timeout 240 npx cmake-js compile --log-level warn --out build-cuda-addon --CDMIDTRAIN_CUDA=ON \
      --CDMIDTRAIN_CUDA_ARCHS="$ARCHS" ${CUBLAS_ROOT:+--CDMIDTRAIN_CUBLAS_ROOT="$CUBLAS_ROOT"} >"$OUT/addon.log" 2>&1; then
    MIDTRAIN_NATIVE=build-cuda-addon/Release/midtrain_native.node timeout 120 npx vitest run test/cuda-kernels.test.ts || status=1
  else
    tail -20 "$OUT/addon.log"; echo "addon build failed"; status=1
  fi
else
  echo "(no Node/node_modules here, or no time left: the bindings test is skipped; midtrain_cuda_check covered the kernels)"
fi

# ---- issue 10: the model on the GPU (needs Node, node_modules and the addon built above) ----
if [ -f build-cuda-addon/Release/midtrain_native.node ] && command -v node >/dev/null; then
  export MIDTRAIN_NATIVE="$ROOT/build-cuda-addon/Release/midtrain_native.node"
  if [ ! -f dist/cli/main.js ]; then timeout 120 npx tsc -p . >"$OUT/tsc.log" 2>&1 || { tail -20 "$OUT/tsc.log"; echo "tsc failed"; }; fi
  phase "HF parity: scripts/gpu/hf_parity.py (midtrain's CUDA model vs transformers, loss/grads + 20 AdamW steps)"
  if [ "$(elapsed)" -lt 330 ] && [ -f dist/cli/main.js ]; then
    timeout 150 python3 scripts/gpu/hf_parity.py --device cuda --json "$OUT/hf_parity.json" || status=1
  else
    echo "skipped (past the time budget, or no dist/)"
  fi
  phase "bench train --device cuda: midtrain beside PyTorch (eager, SDPA, fused AdamW)"
  for preset in llama-124m llama-1b; do
    if [ "$(elapsed)" -lt 400 ] && [ -f dist/cli/main.js ]; then
      timeout 100 node dist/cli/main.js bench train --device cuda --preset "$preset" --batch 8 --seq 1024 --steps 5 --python "$(command -v python3)" \
        --warmup 2 --json >"$OUT/bench-train-$preset.json" || echo "bench train $preset failed or timed out"
      cat "$OUT/bench-train-$preset.json" 2>/dev/null
    else
      echo "bench train $preset: skipped (past the time budget)"
    fi
  done
  unset MIDTRAIN_NATIVE
else
  echo "(no CUDA addon or no Node: the model checks of issue 10 are skipped)"
fi

phase "PyTorch counterparts"
if command -v python3 >/dev/null && [ "$(elapsed)" -lt 330 ]; then
  timeout 150 python3 scripts/gpu/bench_torch.py --json "$OUT/torch.json" || echo "bench_torch.py failed or timed out"
else
  echo "skipped (no python3, or past the time budget)"
fi

phase "report ($OUT/gpu-check.md)"
[ -f "$OUT/torch.json" ] || echo '{"rows": []}' >"$OUT/torch.json"
python3 scripts/gpu/report.py "$OUT/midtrain.json" "$OUT/torch.json" --md "$OUT/gpu-check.md" --json "$OUT/gpu-check.json" || status=1
echo "total $(elapsed)s; exit status $status"
exit $status
