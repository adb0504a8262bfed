// `midtrain bench infer`: ONNX Runtime prefill and decode throughput at the
// given batch sizes, with the baseline that has no KV cache beside it: every
// new token recomputes the whole sequence, as a decoder exported without
// past_key_values would have to.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model } from "../engine/model.js";
import { saveCheckpoint } from "../model/checkpoint.js";
import { loadPreset } from "../model/presets.js";
import { exportOnnx } from "./export-onnx.js";
import { openSession, runLogits, supportsInPlaceCache, toInPlaceCache, type Device, type PastKV } from "./session.js";

export interface InferBenchOptions {
  /** A checkpoint directory; when absent, a random model of `preset` is made and exported. */
  model?: string;
  preset: string;
  batches: number[];
  /** Prompt tokens per row. */
  promptTokens: number;
  /** Tokens generated per row, for both decode measurements. */
  genTokens: number;
  /** Timed repetitions; the best is kept (the machines are shared). */
  reps: number;
  recompute: boolean;
  /** Decode through the copying cache (present = past + new) even where the in-place one is offered: the baseline. */
  copyCache?: boolean;
  device: Device;
  threads?: number;
  seed: number;
  log: (s: string) => void;
}

export interface InferBenchRow {
  batch: number;
  prompt_tokens: number;
  gen_tokens: number;
  prefill_ms: number;
  prefill_tokens_per_s: number;
  /** The G - 1 single-token steps after the prompt pass, with the KV cache. */
  decode_ms: number;
  decode_tokens_per_s: number;
  /** Prompt pass + decode steps: G tokens generated with the cache. */
  generate_ms: number;
  generate_tokens_per_s: number;
  /** G passes over the whole sequence so far, no cache: the same G tokens. */
  recompute_ms?: number;
  recompute_tokens_per_s?: number;
  /** recompute_ms / generate_ms */
  speedup?: number;
}

export interface InferBenchResult {
  model: string;
  provider: string;
  /** "in place" (GroupQueryAttention graphs on the CPU) or "copying" (present = past + new each step). */
  cache: "in place" | "copying";
  threads: number | "default";
  params: number;
  rows: InferBenchRow[];
}

function ids(B: number, T: number, V: number, seed: number): number[][] {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  return Array.from({ length: B }, () => Array.from({ length: T }, () => next() % V));
}

/** The best of `reps` timings (ms); `f` returns the milliseconds of the part it times. */
const best = async (reps: number, f: () => Promise<number>): Promise<number> => {
  let b = Infinity;
  for (let r = 0; r < reps; r++) b = Math.min(b, await f());
  return b;
};

const timed = async (f: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

export async function benchInfer(o: InferBenchOptions): Promise<InferBenchResult> {
  for (const b of o.batches) if (!Number.isInteger(b) || b < 1) throw new Error(`--batch values must be positive integers, got ${b}`);
  for (const k of ["promptTokens", "genTokens", "reps"] as const)
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`${k} must be a positive integer, got ${o[k]}`);
  let dir = o.model;
  let tmp: string | undefined;
  let params = 0;
  if (!dir) {
    // Weights do not change speed; a random model of the preset's shape is enough.
    const config = loadPreset(o.preset);
    const m = new Model(config, `preset ${o.preset}`);
    m.initWeights(o.seed, 0.02);
    params = m.numParams();
    dir = tmp = mkdtempSync(join(tmpdir(), "midtrain-bench-infer-"));
    saveCheckpoint(dir, m, { config });
  }
  try {
    const onnxDir = join(dir, "onnx");
    exportOnnx(dir, onnxDir, { log: o.log });
    const s = await openSession(onnxDir, { device: o.device, log: o.log, threads: o.threads });
    const rows: InferBenchRow[] = [];
    const V = s.info.vocab_size;
    const inPlace = supportsInPlaceCache(s) && !o.copyCache;
    for (const B of o.batches) {
      const prompt = ids(B, o.promptTokens, V, o.seed + B);
      const gen = ids(B, o.genTokens, V, o.seed + 7 * B);
      await runLogits(s, prompt); // warm-up: ORT plans shapes on first use
      o.log(`bench infer: batch ${B}: prefill ${o.promptTokens} tokens, decode ${o.genTokens} with the KV cache${o.recompute ? " and without" : ""}`);
      const prefill = await best(o.reps, () => timed(() => runLogits(s, prompt)));
      // Generating G tokens: with the cache, the prompt pass then G - 1 single-token steps; the steps alone are "decode".
      let steps = Infinity;
      const generate = await best(o.reps, async () => {
        const t0 = performance.now();
        let past: PastKV = (await runLogits(s, prompt)).presents;
        // As generation does: GroupQueryAttention graphs on the CPU decode with the cache in place.
        if (inPlace) past = toInPlaceCache(s, past, o.promptTokens + o.genTokens);
        const t1 = performance.now();
        for (let t = 0; t + 1 < o.genTokens; t++) past = (await runLogits(s, gen.map((g) => [g[t]!]), past)).presents;
        const t2 = performance.now();
        steps = Math.min(steps, t2 - t1);
        return t2 - t0;
      });
      const row: InferBenchRow = {
        batch: B,
        prompt_tokens: o.promptTokens,
        gen_tokens: o.genTokens,
        prefill_ms: prefill,
        prefill_tokens_per_s: (B * o.promptTokens) / (prefill / 1000),
        decode_ms: steps,
        decode_tokens_per_s: (B * Math.max(1, o.genTokens - 1)) / (steps / 1000),
        generate_ms: generate,
        generate_tokens_per_s: (B * o.genTokens) / (generate / 1000),
      };
      if (o.recompute) {
        // Without a cache each of the G tokens costs a pass over the whole sequence so far (one repetition: it is slow).
        const rec = await timed(async () => {
          for (let t = 0; t < o.genTokens; t++) {
            await runLogits(s, prompt.map((p, b) => [...p, ...gen[b]!.slice(0, t)]));
            if (t % 64 === 63) o.log(`bench infer: batch ${B}: recompute ${t + 1}/${o.genTokens}`);
          }
        });
        row.recompute_ms = rec;
        row.recompute_tokens_per_s = (B * o.genTokens) / (rec / 1000);
        row.speedup = rec / generate;
      }
      rows.push(row);
    }
    await s.session.release();
    return { model: o.model ?? `preset ${o.preset}`, provider: s.providerLine, cache: inPlace ? "in place" : "copying", threads: o.threads ?? "default", params, rows };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
