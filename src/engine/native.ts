// Loads the compiled addon once. MIDTRAIN_NATIVE may point at another build
// (for example the portable-GEMM build in build-portable/).
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface BuildInfo {
  blas: "openblas" | "portable";
  openmp: boolean;
  cuda: boolean;
  threads: number;
}

/** The raw addon: untyped on purpose; the typed wrappers in this folder are the API. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawAddon = Record<string, any>;

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

let cached: RawAddon | undefined;

export function addonPath(): string {
  const fromEnv = process.env.MIDTRAIN_NATIVE;
  if (fromEnv) return resolve(fromEnv);
  return join(packageRoot, "build", "Release", "midtrain_native.node");
}

export function native(): RawAddon {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(
      `midtrain: native addon not found at ${path}. Build it with 'npm run build:native' (needs cmake and a C++ compiler).`,
    );
  }
  // OpenMP kernels and OpenBLAS's own pthreads share the cores. With
  // libgomp's default (spin before sleeping) an idle OpenMP worker spins
  // through every OpenBLAS call and halves it; passive waiting measured
  // 2-10x faster kernels here (docs/perf.md). libgomp reads this when the
  // addon loads, so it must be set before require(). A user's value wins.
  process.env.OMP_WAIT_POLICY ??= "PASSIVE";
  // Likewise OpenBLAS's idle workers spin ~2^28 cycles after each GEMM,
  // halving the OpenMP kernels that follow; 2^4 lets them sleep at once.
  process.env.OPENBLAS_THREAD_TIMEOUT ??= "4";
  const require = createRequire(import.meta.url);
  cached = require(path) as RawAddon;
  return cached;
}

export function buildInfo(): BuildInfo {
  return native().buildInfo() as BuildInfo;
}

/** Threads for every kernel and for OpenBLAS. */
export function setThreads(n: number): void {
  native().setThreads(n);
}
