#!/usr/bin/env node
// Decode throughput of the ONNX export's graph variants (plain vs fused) on ONNX Runtime's CPU
// provider: a random checkpoint of a preset, a prompt prefilled at each batch size, then timed
// single-token decoding steps through the KV cache. Runs from dist/ (npx tsc -p . first).
//
//   node scripts/bench-onnx-ops.mjs [--preset small] [--batches 1,16] [--prompt 64] [--steps 32]
//                                   [--repeats 3] [--dtype fp32] [--ops fused,plain]
//
// Prints a Markdown table (tokens/s = batch x steps / decode seconds; the median and the best of
// --repeats runs, the variants interleaved) on stdout; progress goes to stderr.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { exportOnnx } = await import(join(root, "dist/infer/export-onnx.js"));
const { openSession, runLogits } = await import(join(root, "dist/infer/session.js"));

const { values: a } = parseArgs({
  options: {
    preset: { type: "string", default: "small" },
    batches: { type: "string", default: "1,16" },
    prompt: { type: "string", default: "64" },
    steps: { type: "string", default: "32" },
    repeats: { type: "string", default: "3" },
    dtype: { type: "string", default: "fp32" },
    ops: { type: "string", default: "fused,plain" },
  },
});
const int = (name) => {
  const v = Number(a[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive integer, got '${a[name]}'`);
  return v;
};
const batches = a.batches.split(",").map((s) => {
  const v = Number(s);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--batches: '${s}' is not a positive integer`);
  return v;
});
const [P, N, R] = [int("prompt"), int("steps"), int("repeats")];
const variants = a.ops.split(",");
const log = (s) => process.stderr.write(s + "\n");

const work = mkdtempSync(join(tmpdir(), "midtrain-bench-onnx-"));
try {
  const ckpt = join(work, "model");
  log(`bench-onnx-ops: init --preset ${a.preset}`);
  execFileSync(process.execPath, [join(root, "dist/cli/main.js"), "init", "--preset", a.preset, "--out", ckpt, "--seed", "1"], { stdio: ["ignore", "ignore", "inherit"] });
  const sessions = [];
  for (const ops of variants) {
    const out = join(work, `onnx-${ops}`);
    const r = exportOnnx(ckpt, out, { ops, dtype: a.dtype, log });
    sessions.push({ ops, info: r.info, s: await openSession(out, { device: "cpu" }) });
  }
  const rows = [];
  for (const B of batches) {
    // Same pseudo-random tokens for every variant.
    let x = 12345;
    const tok = () => (x = (x * 1103515245 + 12345) % 2 ** 31) % sessions[0].info.vocab_size;
    const prompt = Array.from({ length: B }, () => Array.from({ length: P }, tok));
    const next = Array.from({ length: N }, () => Array.from({ length: B }, () => [tok()]));
    const runs = new Map(); // ops -> seconds of each timed run
    // Variants interleaved within each repeat, after an untimed warm-up, so drift in the machine's load
    // does not favour whichever runs first.
    for (let rep = -1; rep < R; rep++)
      for (const { ops, s } of sessions) {
        let step = await runLogits(s, prompt);
        const t0 = process.hrtime.bigint();
        for (const ids of next) step = await runLogits(s, ids, step.presents);
        const sec = Number(process.hrtime.bigint() - t0) / 1e9;
        if (rep < 0) continue;
        runs.set(ops, [...(runs.get(ops) ?? []), sec]);
        log(`bench-onnx-ops: ${ops} batch ${B} run ${rep + 1}/${R}: ${((B * N) / sec).toFixed(1)} tokens/s (load ${loadavg()[0].toFixed(2)})`);
      }
    for (const { ops, info } of sessions) {
      const secs = runs.get(ops).sort((x, y) => x - y);
      const median = secs[Math.floor(secs.length / 2)];
      rows.push({ ops, attention: info.attention, B, tps: (B * N) / median, best: (B * N) / secs[0], msPerStep: (median / N) * 1000 });
    }
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(`preset ${a.preset}, ${a.dtype}, prompt ${P} tokens, ${N} decode steps, ${R} runs; ${cpus().length} x ${cpu}; onnxruntime-node CPU provider, default threads`);
  console.log("");
  console.log("| graph | attention | batch | decode tokens/s (median) | best | ms/step (median) |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.ops} | ${r.attention} | ${r.B} | ${r.tps.toFixed(1)} | ${r.best.toFixed(1)} | ${r.msPerStep.toFixed(2)} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
