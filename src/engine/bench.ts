// `midtrain bench kernels`: each CPU kernel at a training-like size, as
// GFLOP/s (compute-bound kernels) or GB/s (memory-bound ones).
import { adamwUpdate } from "./adamw.js";
import { attentionBackward, attentionForward } from "./attention.js";
import { embeddingBackward, embeddingForward } from "./embedding.js";
import { gemm } from "./gemm.js";
import { setThreads } from "./native.js";
import { rmsnormBackward, rmsnormForward } from "./norm.js";
import { ropeApply, ropeInvFreq } from "./rope.js";
import { swigluBackward, swigluForward } from "./swiglu.js";
import { lmheadXent } from "./xent.js";

export interface KernelRow {
  kernel: string;
  shape: string;
  ms: number;
  /** "GFLOP/s" or "GB/s" */
  unit: string;
  rate: number;
}

function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 2;
  }
  return a;
}

/** Median-free simple timing: one warm-up call, then repeat for at least minMs. */
function time(fn: () => void, minMs = 300): number {
  fn();
  let reps = 0;
  const t0 = performance.now();
  do {
    fn();
    reps++;
  } while (performance.now() - t0 < minMs);
  return (performance.now() - t0) / reps;
}

export function benchKernels(o: { threads: number; log: (s: string) => void }): KernelRow[] {
  setThreads(o.threads);
  const rows: KernelRow[] = [];
  const add = (kernel: string, shape: string, ms: number, unit: "GFLOP/s" | "GB/s", work: number) => {
    const row = { kernel, shape, ms, unit, rate: work / (ms / 1000) / 1e9 };
    rows.push(row);
    o.log(`  ${kernel.padEnd(24)} ${shape.padEnd(34)} ${ms.toFixed(2).padStart(9)} ms ${row.rate.toFixed(1).padStart(8)} ${unit}`);
  };
  o.log(`bench kernels: ${o.threads} threads`);

  {
    const n = 1024, A = fill(n * n, 1), B = fill(n * n, 2), C = new Float32Array(n * n);
    for (const portable of [false, true])
      add(portable ? "gemm (portable)" : "gemm", `${n}x${n}x${n}`, time(() => gemm({ M: n, N: n, K: n, A, B, C, portable })), "GFLOP/s", 2 * n ** 3);
  }
  {
    const B = 1, T = 2048, Hq = 8, Hkv = 4, D = 64; // shape of the small preset's layers
    const q = fill(B * T * Hq * D, 3), k = fill(B * T * Hkv * D, 4), v = fill(B * T * Hkv * D, 5);
    const shape = { B, T, Hq, Hkv, D };
    const fwdFlops = 2 * 2 * B * Hq * D * (T * (T + 1)) / 2; // causal: QK^T and PV over the lower triangle
    const f = attentionForward({ q, k, v, ...shape });
    add("attention fwd", `B${B} T${T} Hq${Hq} Hkv${Hkv} D${D} causal`, time(() => attentionForward({ q, k, v, ...shape, out: f.out, lse: f.lse })), "GFLOP/s", fwdFlops);
    // Packed rows: 16 documents of 128 tokens skip the tiles across documents (ideal: 1/16 of the work).
    const seg = Int32Array.from({ length: B * T }, (_, i) => Math.floor((i % T) / 128));
    add("attention fwd, 16 docs (dense-equiv.)", `B${B} T${T} Hq${Hq} Hkv${Hkv} D${D} packed`, time(() => attentionForward({ q, k, v, seg, ...shape, out: f.out, lse: f.lse })), "GFLOP/s", fwdFlops);
    const dout = fill(q.length, 6);
    add("attention bwd", `B${B} T${T} Hq${Hq} Hkv${Hkv} D${D} causal`, time(() => attentionBackward({ q, k, v, out: f.out, dout, lse: f.lse, ...shape })), "GFLOP/s", 2.5 * fwdFlops);
  }
  {
    const N = 8192, C = 512, x = fill(N * C, 7), d = fill(N * C, 8), w = fill(C, 9);
    const r = rmsnormForward({ x, delta: d, w, N, C, eps: 1e-5 });
    add("rmsnorm+residual fwd", `N${N} C${C}`, time(() => rmsnormForward({ x, delta: d, w, N, C, eps: 1e-5, h: r.h, y: r.y, rstd: r.rstd })), "GB/s", 4 * 4 * N * C);
    const dh = new Float32Array(N * C), dw = new Float32Array(C);
    add("rmsnorm bwd", `N${N} C${C}`, time(() => rmsnormBackward({ dy: d, h: r.h, rstd: r.rstd, w, dh, dw, N, C })), "GB/s", 4 * 4 * N * C);
  }
  {
    const N = 8192, H = 8, D = 64, x = fill(N * H * D, 10);
    const pos = Int32Array.from({ length: N }, (_, i) => i % 2048);
    const invFreq = ropeInvFreq({ D, theta: 10000 });
    add("rope", `N${N} H${H} D${D}`, time(() => ropeApply({ x, pos, invFreq, N, H, D })), "GB/s", 2 * 4 * N * H * D);
  }
  {
    const n = 8192 * 1408, g = fill(n, 11), u = fill(n, 12), out = new Float32Array(n);
    add("swiglu fwd", `${n} values`, time(() => swigluForward({ gate: g, up: u, out })), "GB/s", 3 * 4 * n);
    const dg = new Float32Array(n), du = new Float32Array(n);
    add("swiglu bwd", `${n} values`, time(() => swigluBackward({ dout: out, gate: g, up: u, dgate: dg, dup: du })), "GB/s", 5 * 4 * n);
  }
  {
    const N = 8192, V = 32000, C = 512, table = fill(V * C, 13);
    const ids = Int32Array.from({ length: N }, (_, i) => (i * 7919) % V);
    const out = new Float32Array(N * C);
    add("embedding fwd", `N${N} V${V} C${C}`, time(() => embeddingForward({ ids, table, out, N, V, C })), "GB/s", 2 * 4 * N * C);
    const dtable = new Float32Array(V * C);
    add("embedding bwd", `N${N} V${V} C${C}`, time(() => embeddingBackward({ ids, dout: out, dtable, N, V, C })), "GB/s", 3 * 4 * N * C);
  }
  {
    const N = 2048, C = 512, V = 32000, x = fill(N * C, 14), W = fill(V * C, 15).map((t) => t * 0.05);
    const labels = Int32Array.from({ length: N }, (_, i) => (i * 31) % V);
    const dx = new Float32Array(N * C), dW = new Float32Array(V * C);
    add("lm head + xent fwd+bwd", `N${N} C${C} V${V}`, time(() => lmheadXent({ x, W, labels, N, C, V, dx, dW })), "GFLOP/s", 6 * N * C * V);
  }
  {
    const n = 10_000_000, p = fill(n, 16), g = fill(n, 17), m = new Float32Array(n), v = new Float32Array(n);
    let step = 0;
    const hyper = { lr: 1e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 1 };
    add("adamw", `${n} params`, time(() => adamwUpdate({ p, g, m, v, hyper: { ...hyper, step: ++step } })), "GB/s", 28 * n);
  }
  return rows;
}

export function formatKernelTable(rows: KernelRow[]): string {
  const head = "| kernel | shape | ms | rate |\n| --- | --- | ---: | ---: |";
  return [head, ...rows.map((r) => `| ${r.kernel} | ${r.shape} | ${r.ms.toFixed(2)} | ${r.rate.toFixed(1)} ${r.unit} |`)].join("\n");
}
