import { describe, expect, it } from "vitest";
import { gemm } from "../src/engine/gemm.js";
import { buildInfo } from "../src/engine/native.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

// float64 reference C = alpha op(A) op(B) + beta C
function refGemm(ta: boolean, tb: boolean, M: number, N: number, K: number, alpha: number, A: Float32Array, B: Float32Array, beta: number, C: Float32Array): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? A[k * M + i]! : A[i * K + k]!) * (tb ? B[j * K + k]! : B[k * N + j]!);
      out[i * N + j] = alpha * s + beta * C[i * N + j]!;
    }
  return out;
}

const seed = freshSeed();
const shapes: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [64, 48, 300], [97, 131, 259], [6, 2049, 17]];

describe(`gemm (seed ${seed})`, () => {
  it("reports its backend", () => {
    expect(["openblas", "portable"]).toContain(buildInfo().blas);
  });
  for (const portable of [false, true])
    for (const [M, N, K] of shapes)
      for (const ta of [false, true])
        for (const tb of [false, true])
          it(`${portable ? "portable" : "default"} ${M}x${N}x${K} tA=${ta} tB=${tb}`, () => {
            const r = new Rng(seed + M * 7 + N * 13 + K);
            const A = r.f32(M * K), B = r.f32(K * N), C = r.f32(M * N);
            const ref = refGemm(ta, tb, M, N, K, 0.7, A, B, 0.3, C);
            const out = gemm({ transA: ta, transB: tb, M, N, K, alpha: 0.7, beta: 0.3, A, B, C: C.slice(), portable });
            // fp32 accumulation over K terms: relative error ~ sqrt(K) * 2^-24
            expect(relErr(out, ref)).toBeLessThan(1e-5);
          });
  it("rejects wrong lengths with a message naming the argument", () => {
    expect(() => gemm({ M: 2, N: 2, K: 2, A: new Float32Array(3), B: new Float32Array(4), C: new Float32Array(4) })).toThrow(/'A' must have 4 elements/);
    expect(() => gemm({ M: -1, N: 2, K: 2, A: new Float32Array(0), B: new Float32Array(4), C: new Float32Array(4) })).toThrow(/'M'/);
  });
});
