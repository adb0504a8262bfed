// Peak memory of fused attention forward+backward versus sequence length,
// each T in a fresh process (peak RSS is per process). Linear in T means the
// T x T scores are never stored. Run after `npm ci`: node scripts/attention-memory.mjs
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const peakMiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024;

if (process.argv[2] === "--child") {
  const { attentionForward, attentionBackward } = await import("../dist/engine/attention.js");
  const T = Number(process.argv[3]), Hq = 8, Hkv = 4, D = 64;
  const before = peakMiB();
  const rnd = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
  const q = rnd(T * Hq * D), k = rnd(T * Hkv * D), v = rnd(T * Hkv * D), dout = rnd(T * Hq * D);
  const f = attentionForward({ q, k, v, B: 1, T, Hq, Hkv, D });
  attentionBackward({ q, k, v, out: f.out, lse: f.lse, dout, B: 1, T, Hq, Hkv, D });
  const tensorsMiB = ((3 * T * Hq * D + 5 * T * Hkv * D + T * Hq + 2 * T * Hq * D) * 4) / 2 ** 20;
  console.log(JSON.stringify({ T, peak_growth_mib: peakMiB() - before, tensors_mib: tensorsMiB, scores_if_stored_mib: (T * T * Hq * 4) / 2 ** 20 }));
} else {
  console.log("| T | peak RSS growth (MiB) | inputs+outputs (MiB) | a T x T x H score matrix would be (MiB) |\n| ---: | ---: | ---: | ---: |");
  for (const T of [1024, 2048, 4096, 8192, 16384]) {
    const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, "--child", String(T)], { encoding: "utf8" });
    const o = JSON.parse(r.stdout);
    console.log(`| ${T} | ${o.peak_growth_mib.toFixed(1)} | ${o.tensors_mib.toFixed(1)} | ${o.scores_if_stored_mib.toFixed(0)} |`);
  }
}
