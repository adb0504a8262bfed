// Typed GEMM: C = alpha * op(A) op(B) + beta * C on packed row-major matrices.
import { native } from "./native.js";

export interface GemmArgs {
  transA?: boolean;
  transB?: boolean;
  M: number;
  N: number;
  K: number;
  alpha?: number;
  beta?: number;
  A: Float32Array;
  B: Float32Array;
  C: Float32Array;
  /** Force the portable blocked GEMM even when OpenBLAS is linked. */
  portable?: boolean;
}

export function gemm(a: GemmArgs): Float32Array {
  native().gemm(a.transA ?? false, a.transB ?? false, a.M, a.N, a.K, a.alpha ?? 1, a.A, a.B, a.beta ?? 0, a.C, a.portable ?? false);
  return a.C;
}
