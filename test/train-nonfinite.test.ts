// Non-finite steps end to end through the CLI: --on-nonfinite stop saves the
// last good weights and exits 3, a resume with skip continues to the same
// weights as a run that skipped from the start, --max-skipped stops a run that
// cannot recover, and the LR schedule only counts real updates. Also the
// peak-memory fields of metrics.jsonl and the CPU's answer to --recompute.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { stageOptions } from "../src/experiment/stage-options.js";
import { lrAt } from "../src/train/schedule.js";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 300_000 });
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-nonfinite-"));
const lines = (dir: string) => readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const steps = (dir: string) => lines(dir).filter((l) => l.type === undefined);

const X = 7; // the poisoned token
const T = 32;
let base = "", poison = "", mixed = "", allBad = "";
// Cosine with warmup, so a schedule that advanced on a skipped step would show in the lr column.
const common = ["--batch-size", "1", "--seq-len", `${T}`, "--lr", "1e-3", "--schedule", "cosine", "--warmup", "2", "--steps", "8", "--freeze-layers", "embed", "--threads", "2"];

// A checkpoint whose loss is NaN exactly on the batches that contain token X and finite on every other:
// column 0 of the embeddings is 0 for every token but X (1 there), and layer 0's input norm scales that
// column by 1e30, so X's normalised input overflows attention and the MLP to Inf/NaN, while for other
// tokens it is 0 * 1e30 = 0. Frozen embeddings keep column 0 at 0 (its gradient is huge through the 1e30).
beforeAll(() => {
  const dir = tmp();
  base = join(dir, "base");
  const r = run("init", "--preset", "tiny", "--out", base, "--seed", "1");
  if (r.status !== 0) throw new Error(r.stderr);
  const { model, config } = loadCheckpoint(base);
  const C = model.config.hidden_size, V = model.config.vocab_size;
  const e = model.getParam("model.embed_tokens.weight");
  for (let v = 0; v < V; v++) e[v * C] = v === X ? 1 : 0;
  model.setParam("model.embed_tokens.weight", e);
  const w = model.getParam("model.layers.0.input_layernorm.weight");
  w[0] = 1e30;
  model.setParam("model.layers.0.input_layernorm.weight", w);
  poison = join(dir, "poison");
  saveCheckpoint(poison, model, { config: config.raw, tokenizerDir: base });
  // Pre-tokenized rows of exactly --seq-len tokens: one row = one step at batch size 1; 2 of 8 contain X.
  let s = 5;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  const row = (bad: boolean) => JSON.stringify({ input_ids: Array.from({ length: T }, (_, i) => (bad && i === 5 ? X : 20 + (rnd() % 500))) });
  mixed = join(dir, "mixed.jsonl");
  writeFileSync(mixed, Array.from({ length: 8 }, (_, i) => row(i % 4 === 1)).join("\n") + "\n");
  allBad = join(dir, "bad.jsonl");
  writeFileSync(allBad, Array.from({ length: 4 }, () => row(true)).join("\n") + "\n");
}, 120_000);

describe("train --on-nonfinite", () => {
  let skipRun = "";

  it("skip: drops the bad batches, records each, counts them, and the LR schedule only advances on updates", () => {
    skipRun = join(tmp(), "skip");
    const r = run("train", "--model", poison, "--data", mixed, "--out", skipRun, ...common, "--on-nonfinite", "skip", "--json");
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    const all = lines(skipRun);
    const skipped = all.filter((l) => l.type === "skipped");
    // 8 updates need 8 good rows: epoch 1 has 6 good and 2 bad rows, so at least its 2 bad ones were met.
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    expect(res.skipped_steps).toBe(skipped.length);
    expect(res.steps).toBe(8);
    for (const l of skipped) {
      expect(l.loss).toBe("NaN"); // JSON has no NaN: written as a string
      expect(l.grad_norm).toBe("NaN");
      expect(l.in_a_row).toBeGreaterThanOrEqual(1);
    }
    const good = steps(skipRun);
    expect(good.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const l of good) expect(Number.isFinite(l.loss) && Number.isFinite(l.grad_norm)).toBe(true);
    // Step k's lr is the schedule at index k-1 however many batches were skipped before it.
    const schedule = { name: "cosine" as const, peakLr: 1e-3, warmupSteps: 2, totalSteps: 8, minLrRatio: 0 };
    expect(good.map((l) => l.lr)).toEqual(good.map((_, i) => lrAt(schedule, i)));
    // A skipped line carries the number of the update it was for: the step line that follows has it too.
    for (const l of skipped) expect(good.some((g) => g.step === l.step)).toBe(true);
    expect(good.at(-1)!.skipped_steps).toBe(skipped.length);
    expect(r.stderr).toMatch(/train: skipped step \d+: loss NaN, gradient norm NaN, not finite; weights unchanged \(1 in a row of at most 10/);
    expect(r.stderr).toMatch(/done at step 8 \(\d+ non-finite steps skipped\)/);
    expect(loadCheckpoint(skipRun).model.numParams()).toBeGreaterThan(0);
  });

  it("stop (the default): saves the last good weights, prints one line with step, loss and grad norm, exits 3; a resume with skip ends where the skipping run did", () => {
    const out = join(tmp(), "stop");
    const r = run("train", "--model", poison, "--data", mixed, "--out", out, ...common);
    expect(r.status, r.stderr).toBe(3);
    const errLines = r.stderr.split("\n").filter((l) => l.startsWith("midtrain:"));
    expect(errLines).toHaveLength(1);
    const m = /^midtrain: train: stopped at step (\d+): loss NaN, gradient norm NaN, not finite \(--on-nonfinite stop\); the last good weights \(step (\d+)\) are in (\S+): --resume/.exec(errLines[0]!);
    expect(m, errLines[0]).not.toBeNull();
    const [stopAt, good] = [Number(m![1]), Number(m![2])];
    expect(good).toBe(stopAt - 1);
    const ckpt = m![3]!;
    expect(ckpt).toBe(join(out, `checkpoint-${String(good).padStart(6, "0")}`));
    expect(existsSync(join(out, "model.safetensors"))).toBe(false); // no final model: the run did not finish
    // The checkpoint loads as a model, and holds the state after the last good step.
    const state = JSON.parse(readFileSync(join(ckpt, "trainer_state.json"), "utf8"));
    expect([state.step, state.finished]).toEqual([good, false]);
    expect(loadCheckpoint(ckpt).model.numParams()).toBeGreaterThan(0);
    const stopLine = lines(out).find((l) => l.type === "stopped")!;
    expect(stopLine).toMatchObject({ step: stopAt, loss: "NaN", grad_norm: "NaN" });
    expect(steps(out).map((l) => l.step)).toEqual(Array.from({ length: good }, (_, i) => i + 1));

    // Same run options, another policy: resuming is allowed, replays the bad batch and skips it.
    const resumed = run("train", "--model", poison, "--data", mixed, "--out", out, ...common, "--resume", "--on-nonfinite", "skip", "--json");
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resumed from .*checkpoint-${String(good).padStart(6, "0")} at step ${good}`));
    expect(readFileSync(join(out, "model.safetensors")).equals(readFileSync(join(skipRun, "model.safetensors")))).toBe(true);
    const strip = (d: string) => lines(d).map(({ tokens_per_s: _t, max_rss_bytes: _m, ...rest }) => rest);
    expect(strip(out)).toEqual(strip(skipRun)); // the stop line is gone with the resume's truncation
    expect(JSON.parse(resumed.stdout).skipped_steps).toBe(lines(skipRun).filter((l) => l.type === "skipped").length);
  });

  it("skip stops like stop after --max-skipped steps in a row, with the start weights saved", () => {
    const out = join(tmp(), "bad");
    const r = run("train", "--model", poison, "--data", allBad, "--out", out, ...common, "--on-nonfinite", "skip", "--max-skipped", "3");
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/midtrain: train: stopped at step 1: 3 steps in a row skipped \(--max-skipped 3\), the last with loss NaN, gradient norm NaN; the last good weights \(step 0\) are in \S+checkpoint-000000/);
    const all = lines(out);
    expect(all.map((l) => [l.type, l.step, l.in_a_row])).toEqual([["skipped", 1, 1], ["skipped", 1, 2], ["skipped", 1, 3], ["stopped", 1, 3]]);
    // Nothing was updated: the checkpoint holds the start weights exactly, with zero Adam moments.
    const ck = loadCheckpoint(join(out, "checkpoint-000000")).model, start = loadCheckpoint(poison).model;
    for (const n of start.paramNames()) expect(ck.getParam(n), n).toEqual(start.getParam(n));
    expect(readFileSync(join(out, "checkpoint-000000", "trainer_state.json"), "utf8")).toMatch(/"step": 0/);
  });

  it("refuses --max-skipped without skip, and a bad policy, naming the option", () => {
    const out = join(tmp(), "x");
    const a = run("train", "--model", poison, "--data", mixed, "--out", out, "--max-skipped", "3");
    expect(a.status).not.toBe(0);
    expect(a.stderr).toMatch(/option 'max-skipped': only applies with --on-nonfinite skip/);
    const b = run("train", "--model", poison, "--data", mixed, "--out", out, "--on-nonfinite", "ignore");
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/on-nonfinite.*Invalid values|Invalid values:[\s\S]*on-nonfinite/);
    const c = run("train", "--model", poison, "--data", mixed, "--out", out, "--on-nonfinite", "skip", "--max-skipped", "0");
    expect(c.status).not.toBe(0);
    expect(c.stderr).toMatch(/option 'max-skipped'/);
  });

  it("pipeline and experiment stages take on_nonfinite / max_skipped; a pipeline stops on a NaN with exit 3", () => {
    const o = stageOptions({ model: "m", data: ["d"], out: "o", on_nonfinite: "skip", max_skipped: 4 }, "experiment stage");
    expect([o.onNonfinite, o.maxSkipped]).toEqual(["skip", 4]);
    expect(() => stageOptions({ model: "m", data: ["d"], out: "o", max_skipped: 4 }, "experiment stage")).toThrow(/experiment stage: option 'max-skipped': only applies with --on-nonfinite skip/);

    const dir = tmp();
    const yaml = (policy: string) =>
      `out: ${join(dir, policy)}\nmodel: ${poison}\ndefaults: { batch_size: 1, seq_len: ${T}, lr: 1.0e-3, freeze_layers: embed, threads: 2${policy === "skip" ? ", on_nonfinite: skip" : ""} }\nstages:\n  - { name: a, data: [${mixed}], steps: 8 }\n  - { name: b, data: [${mixed}], steps: 2 }\n`;
    writeFileSync(join(dir, "stop.yaml"), yaml("stop"));
    writeFileSync(join(dir, "skip.yaml"), yaml("skip"));
    const stopped = run("run", join(dir, "stop.yaml"));
    expect(stopped.status, stopped.stderr).toBe(3);
    expect(stopped.stderr).toMatch(/midtrain: train: stopped at step \d+: loss NaN/);
    expect(existsSync(join(dir, "stop", "b"))).toBe(false); // the next stage never started
    const skipped = run("run", join(dir, "skip.yaml"), "--json");
    expect(skipped.status, skipped.stderr).toBe(0);
    const res = JSON.parse(skipped.stdout);
    expect(res.stages[0].skipped_steps).toBeGreaterThanOrEqual(2);
    expect(res.stages.map((s: { steps: number }) => s.steps)).toEqual([8, 2]);
  });
});

describe("train memory and --recompute", () => {
  it("metrics.jsonl and the progress line carry the host's peak RSS on the CPU; the result reports it and the device", () => {
    const out = join(tmp(), "mem");
    const r = run("train", "--model", base, "--data", mixed, "--out", out, "--batch-size", "1", "--seq-len", `${T}`, "--steps", "3", "--threads", "2", "--json");
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.device).toBe("cpu");
    // The model, the addon and Node itself: tens of MB at least, far below the machine's memory.
    expect(res.memory.max_rss_bytes).toBeGreaterThan(20 * 2 ** 20);
    expect(res.memory.max_rss_bytes).toBeLessThan(8 * 2 ** 30);
    expect(res.memory.device_plan_bytes).toBeUndefined();
    const s = steps(out);
    for (const l of s) {
      expect(l.max_rss_bytes as number).toBeGreaterThan(20 * 2 ** 20);
      expect(l.device_plan_bytes).toBeUndefined();
    }
    // A peak never falls.
    for (let i = 1; i < s.length; i++) expect(s[i]!.max_rss_bytes as number).toBeGreaterThanOrEqual(s[i - 1]!.max_rss_bytes as number);
    expect(r.stderr).toMatch(/step 1\/3 .* RSS peak \d+\.\d\d GiB/);
    expect(r.stderr).toMatch(/done at step 3; final model in .*; host peak RSS \d+\.\d\d GiB/);
    expect(r.stderr).toMatch(/^device: cpu \(--device auto: /m);
  });

  it("--recompute on the CPU is one clear error naming the option", () => {
    const r = run("train", "--model", base, "--data", mixed, "--out", join(tmp(), "rc"), "--batch-size", "1", "--seq-len", `${T}`, "--steps", "1", "--recompute", "--device", "cpu");
    expect(r.status).not.toBe(0);
    const errs = r.stderr.split("\n").filter((l) => l.startsWith("midtrain:"));
    expect(errs).toEqual([expect.stringMatching(/^midtrain: option 'recompute': activation recompute \(--recompute\) is not on the cpu backend yet \(it saves GPU memory on --device cuda.*drop --recompute here$/)]);
  });
});
