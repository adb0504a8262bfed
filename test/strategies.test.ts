// Preservation strategies through the trainer (train() and the CLI) on the tiny
// preset: each one resumes bit for bit, L2-SP holds the anchor, frozen tensors
// are saved untouched, LoRA is saved merged, the EWC Fisher file matches a
// direct computation, KL starts at 0, pipelines take the keys, and bad options
// are named. (Engine-level numerics: lora/ewc/kl/freeze.test.ts.)
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Model } from "../src/engine/model.js";
import { loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { readSafetensors } from "../src/model/safetensors.js";
import { Tokenizer } from "../src/tokenizer/tokenizer.js";
import { train } from "../src/train/loop.js";
import { parseTrainOptions, type TrainOptionsInput } from "../src/train/options.js";
import { runPipeline } from "../src/train/pipeline.js";
import { openFisherData } from "../src/train/strategies.js";
import { tinyCheckpoint } from "./reference/tiny-checkpoint.js";
import { freshSeed, relErr, Rng } from "./reference/random.js";

const seed = freshSeed();
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-strat-"));
const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const quiet = { log: () => {} };
let base = "", docs = "", sft = "";

beforeAll(() => {
  base = tinyCheckpoint(seed % 100000, {}, 0.05).dir;
  const r = new Rng(seed);
  const dir = tmp();
  const words = "hens pigs fish welfare pain care shelter farm river council report policy animals suffer space light".split(" ");
  const text = (n: number) => Array.from({ length: n }, () => words[r.int(words.length)]).join(" ");
  docs = join(dir, "docs.jsonl");
  writeFileSync(docs, Array.from({ length: 40 }, () => JSON.stringify({ text: text(20 + r.int(30)) })).join("\n") + "\n");
  sft = join(dir, "sft.jsonl");
  writeFileSync(sft, Array.from({ length: 60 }, (_, i) => JSON.stringify({ messages: [{ role: "user", content: `what is ${i} plus ${i + 1}?` }, { role: "assistant", content: `${2 * i + 1}` }] })).join("\n") + "\n");
});

const opts = (out: string, extra: Partial<TrainOptionsInput> = {}) =>
  parseTrainOptions({ model: base, data: [sft], out, stage: "sft", steps: 6, batchSize: 2, seqLen: 64, lr: 1e-3, schedule: "constant", threads: 2, seed: 5, ...extra });
const file = (dir: string, f: string) => readFileSync(join(dir, f));
const losses = (dir: string) => readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const tensors = (dir: string, f = "model.safetensors") => readSafetensors(join(dir, f)).tensors;
const same = (a: Float32Array | Int32Array, b: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe(`every strategy resumes bit for bit (seed ${seed})`, () => {
  const cases: [string, () => Partial<TrainOptionsInput>][] = [
    ["l2sp", () => ({ anchor: "l2sp", anchorWeight: 10 })],
    ["ewc", () => ({ anchor: "ewc", anchorWeight: 10, ewcData: docs, fisherSamples: 4 })],
    ["lora", () => ({ loraRank: 4, loraTargets: "q,k,v,o,gate,up,down" })],
    ["freeze + lr-scale", () => ({ freezeLayers: "embed,0", lrScale: { "1-2": 0.3 } })],
    ["replay", () => ({ replay: docs, replayRatio: 0.3 })],
    ["kl", () => ({ klRef: base, klWeight: 0.5 })],
  ];
  for (const [label, extra] of cases)
    it(label, async () => {
      const whole = join(tmp(), "whole"), cut = join(tmp(), "cut");
      await train(opts(whole, extra()), quiet);
      let k = 0;
      const part = await train(opts(cut, extra()), { ...quiet, shouldStop: () => ++k >= 3 });
      expect(part.interrupted).toBe(true);
      expect(part.steps).toBe(3);
      const lines: string[] = [];
      const res = await train(opts(cut, { ...extra(), resume: true }), { log: (l) => lines.push(l) });
      expect(res.resumed_from).toMatch(/checkpoint-000003$/);
      expect(file(cut, "model.safetensors").equals(file(whole, "model.safetensors"))).toBe(true);
      expect(file(cut, "optimizer.safetensors").equals(file(whole, "optimizer.safetensors"))).toBe(true);
      if (label === "lora") expect(file(cut, "lora.safetensors").equals(file(whole, "lora.safetensors"))).toBe(true);
      expect(losses(cut)).toEqual(losses(whole).map((l) => ({ ...l, tokens_per_s: expect.any(Number), max_rss_bytes: expect.any(Number) })));
      if (label === "ewc") expect(lines.join("\n")).toMatch(/reusing .*fisher\.safetensors/);
    }, 120_000);
});

describe(`strategies through train() (seed ${seed})`, () => {
  it("L2-SP: a huge weight holds every weight within 2 lr of the start; weight 0 is plain training bit for bit; the penalty is logged", async () => {
    const lr = 1e-3;
    const maxDrift = (dir: string) => {
      const a = tensors(base), b = tensors(dir);
      let m = 0;
      for (const [n, x] of a) {
        const y = b.get(n)!.data as Float32Array;
        (x.data as Float32Array).forEach((v, i) => (m = Math.max(m, Math.abs(v - y[i]!))));
      }
      return m;
    };
    const held = join(tmp(), "held"), plain = join(tmp(), "plain"), zero = join(tmp(), "zero");
    await train(opts(held, { anchor: "l2sp", anchorWeight: 1e6, steps: 12, lr }), quiet);
    await train(opts(plain, { steps: 12, lr }), quiet);
    await train(opts(zero, { anchor: "l2sp", anchorWeight: 0, steps: 12, lr }), quiet);
    expect(maxDrift(held)).toBeLessThan(2 * lr);
    expect(maxDrift(plain)).toBeGreaterThan(5 * lr);
    expect(file(zero, "model.safetensors").equals(file(plain, "model.safetensors"))).toBe(true);
    expect(file(zero, "optimizer.safetensors").equals(file(plain, "optimizer.safetensors"))).toBe(true);
    const m = losses(held);
    expect(m[0].anchor_penalty).toBe(0); // at the anchor before the first step
    expect(m[1].anchor_penalty).toBeGreaterThan(0);
    expect(losses(plain)[1].anchor_penalty).toBeUndefined();
    const state = JSON.parse(file(held, "trainer_state.json").toString());
    expect(state.strategy.start_checkpoint).toBe(base);
    expect(state.strategy.start_sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  it("frozen tensors are saved exactly as they started and carry no optimizer state", async () => {
    const out = join(tmp(), "frozen");
    await train(opts(out, { freezeLayers: "embed,0-1" }), quiet);
    const a = tensors(base), b = tensors(out);
    const opt = tensors(out, "optimizer.safetensors");
    for (const [n, x] of a) {
      const frozen = n === "model.embed_tokens.weight" || /^model\.layers\.[01]\./.test(n);
      expect(same(b.get(n)!.data, x.data), n).toBe(frozen);
      expect(opt.has(`exp_avg.${n}`), n).toBe(!frozen);
    }
  }, 60_000);

  it("LoRA: the final checkpoint is a plain HF one holding base + (alpha/r) B A; the factors sit beside it", async () => {
    const out = join(tmp(), "lora");
    await train(opts(out, { loraRank: 4, loraAlpha: 6, loraTargets: ["q", "down"] }), quiet);
    const a = tensors(base), b = tensors(out), f = tensors(out, "lora.safetensors");
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect([...f.keys()].every((n) => /(q_proj|down_proj)\.lora_[AB]\.weight$/.test(n))).toBe(true);
    expect(f.size).toBe(4 * 2 * 2);
    for (const [n, x] of a) {
      const A = f.get(n.replace(/\.weight$/, ".lora_A.weight")), B = f.get(n.replace(/\.weight$/, ".lora_B.weight"));
      if (!A || !B) {
        expect(same(b.get(n)!.data, x.data), n).toBe(true);
        continue;
      }
      const [out_, inn] = x.shape as [number, number], r = 4;
      const want = Float64Array.from(x.data as Float32Array);
      const Ad = A.data as Float32Array, Bd = B.data as Float32Array;
      for (let o = 0; o < out_; o++) for (let i = 0; i < inn; i++) for (let k = 0; k < r; k++) want[o * inn + i] = want[o * inn + i]! + (6 / r) * Bd[o * r + k]! * Ad[k * inn + i]!;
      expect(relErr(b.get(n)!.data as Float32Array, want), n).toBeLessThan(1e-6);
      expect(same(b.get(n)!.data, x.data), `${n} moved`).toBe(false);
    }
  }, 60_000);

  it("EWC: fisher.safetensors (HF names) is the mean of squared per-row gradients over the Fisher rows, recorded for resume", async () => {
    const out = join(tmp(), "ewc");
    await train(opts(out, { anchor: "ewc", ewcData: [docs], fisherSamples: 5, steps: 2 }), quiet);
    const fisher = readSafetensors(join(out, "fisher.safetensors"));
    expect(fisher.metadata.rows).toBe("5");
    expect(fisher.metadata.start_checkpoint).toBe(base);
    // Direct computation: the same rows, each through lossAndGrad at the start weights, squares averaged in float64.
    const { model } = loadCheckpoint(base);
    const loader = await openFisherData([docs], model.config.vocab_size, { seqLen: 64, seed: 5, tokenizer: Tokenizer.fromDir(base) });
    const sum = new Map(model.paramNames().map((n) => [n, new Float64Array(model.getParam(n).length)]));
    for (let used = 0; used < 5; ) {
      const row = loader.next();
      if (row.targets === 0) continue;
      model.lossAndGrad(row, 1, 64);
      for (const [n, s] of sum) model.getGrad(n).forEach((g, i) => (s[i] = s[i]! + g * g));
      used++;
    }
    expect([...fisher.tensors.keys()].sort()).toEqual(model.paramNames().sort());
    for (const [n, s] of sum) expect(relErr(fisher.tensors.get(n)!.data as Float32Array, s.map((x) => x / 5)), n).toBeLessThan(1e-5);
    const state = JSON.parse(file(out, "trainer_state.json").toString());
    expect(state.strategy.fisher).toBe(join(out, "fisher.safetensors"));
    // A precomputed Fisher is taken as given.
    const again = join(tmp(), "ewc2");
    const lines: string[] = [];
    await train(opts(again, { anchor: "ewc", fisher: join(out, "fisher.safetensors"), steps: 1 }), { log: (l) => lines.push(l) });
    expect(lines.join("\n")).toMatch(/Fisher from .*ewc\/fisher\.safetensors/);
  }, 60_000);

  it("a resume is refused when the stage's start checkpoint changed", async () => {
    const start = join(tmp(), "start");
    cpSync(base, start, { recursive: true });
    const out = join(tmp(), "moved");
    let k = 0;
    await train(opts(out, { model: start, anchor: "l2sp" }), { ...quiet, shouldStop: () => ++k >= 2 });
    const { model, config } = loadCheckpoint(start);
    model.setParam("model.norm.weight", model.getParam("model.norm.weight").map((x) => x * 1.01));
    saveCheckpoint(start, model, { config: config.raw, tokenizerDir: base });
    await expect(train(opts(out, { model: start, anchor: "l2sp", resume: true }), quiet)).rejects.toThrow(/start checkpoint .*start has changed since the run began/);
  }, 60_000);

  it("KL to the start model is 0 at the first step and grows as training moves away", async () => {
    const out = join(tmp(), "kl");
    await train(opts(out, { klRef: base, steps: 5, lr: 3e-3 }), quiet);
    const m = losses(out);
    expect(Math.abs(m[0].kl)).toBeLessThan(1e-7);
    expect(m[4].kl).toBeGreaterThan(1e-5);
  }, 60_000);
});

describe("strategy options", () => {
  const bad = (extra: Record<string, unknown>) => () => parseTrainOptions({ model: "m", data: ["d"], out: "o", ...extra });
  it("name the option, and what it needs", () => {
    expect(bad({ anchorWeight: 1 })).toThrow("option 'anchor-weight': only applies with --anchor l2sp|ewc");
    expect(bad({ replayRatio: 0.2 })).toThrow("option 'replay-ratio': only applies with --replay FILE");
    expect(bad({ anchor: "ewc" })).toThrow(/option 'anchor': ewc needs value data for its Fisher/);
    expect(bad({ anchor: "l2sp", loraRank: 4 })).toThrow(/option 'anchor': cannot be combined with --lora-rank/);
    expect(bad({ loraRank: 4, loraTargets: "q,x" })).toThrow(/option 'lora-targets': 'x' is not one of q, k, v, o, gate, up, down/);
    expect(bad({ lrScale: ["embed=fast"] })).toThrow(/option 'lr-scale': 'embed=fast' is not SPEC=SCALE/);
    expect(bad({ replay: "v.jsonl", replayRatio: 1 })).toThrow(/option 'replay-ratio'/);
    expect(bad({ anchor: "l1" })).toThrow(/option 'anchor'/);
    // accepted forms
    const o = parseTrainOptions({ model: "m", data: ["d"], out: "o", lrScale: ["embed=0.1", "0-3=0.5"], replay: "v.jsonl", klRef: "r" });
    expect(o.lrScale).toEqual({ embed: 0.1, "0-3": 0.5 });
    expect(o.replay).toEqual(["v.jsonl"]);
    expect(parseTrainOptions({ model: "m", data: ["d"], out: "o", loraRank: 2, loraTargets: "q, v" }).loraTargets).toEqual(["q", "v"]);
  });
});

describe(`pipelines take the strategy keys (seed ${seed})`, () => {
  it("runs a midtrain then a LoRA + KL + replay SFT stage; snapshots hold merged weights; '@stage' names an earlier output", async () => {
    const dir = tmp();
    const yaml = (sftExtra: string) => `out: study
model: ${base}
defaults: { batch_size: 2, seq_len: 64, lr: 1.0e-3, threads: 2, schedule: constant }
stages:
  - { name: midtrain, data: [${docs}], steps: 3 }
  - { name: sft, data: [${sft}], stage: sft, samples: 12, save_at_samples: [0, 6], ${sftExtra} }
`;
    const good = join(dir, "p.yaml");
    writeFileSync(good, yaml(`lora_rank: 2, lora_targets: "q,v", kl_ref: "@midtrain", kl_weight: 0.5, replay: ${docs}, replay_ratio: 0.2`));
    const res = await runPipeline(good, quiet);
    expect(res.map((r) => r.name)).toEqual(["midtrain", "sft"]);
    const mid = tensors(join(dir, "study", "midtrain")), snap = tensors(join(dir, "study", "sft", "samples-000006"));
    const q = "model.layers.1.self_attn.q_proj.weight", g = "model.layers.1.mlp.gate_proj.weight";
    expect(same(snap.get(q)!.data, mid.get(q)!.data)).toBe(false); // LoRA-adapted, merged into the snapshot
    expect(same(snap.get(g)!.data, mid.get(g)!.data)).toBe(true); // not a target: the frozen base
    expect(losses(join(dir, "study", "sft"))[0].replay_samples).toBeGreaterThanOrEqual(0);
    const typo = join(dir, "typo.yaml");
    writeFileSync(typo, yaml("lora_rnk: 2"));
    await expect(runPipeline(typo, quiet)).rejects.toThrow(/stages\[1\] \('sft'\): unknown key 'lora_rnk'/);
    const ref = join(dir, "ref.yaml");
    writeFileSync(ref, yaml('kl_ref: "@pretrain"'));
    await expect(runPipeline(ref, quiet)).rejects.toThrow(/key 'klRef': '@pretrain' names no earlier stage \(earlier: midtrain\)/);
  }, 120_000);
});

describe("midtrain train strategy flags", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, "train", "--model", base, "--data", sft, "--stage", "sft", "--steps", "2", "--batch-size", "2", "--seq-len", "64", "--threads", "2", ...args], { encoding: "utf8" });
  it("parse into the trainer, and bad values exit non-zero naming the option", () => {
    const a = join(tmp(), "a");
    const r1 = run("--out", a, "--freeze-layers", "embed,0", "--lr-scale", "1-2=0.5", "--lr-scale", "norm=0.1", "--anchor", "l2sp", "--anchor-weight", "0.5", "--json");
    expect(r1.status, r1.stderr).toBe(0);
    expect(r1.stderr).toMatch(/freeze: \d+ tensors frozen/);
    expect(r1.stderr).toMatch(/lr-scale: 1-2 x0.5 \(18 tensors\)/);
    expect(losses(a)[1].anchor_penalty).toBeGreaterThan(0);
    const b = join(tmp(), "b");
    const r2 = run("--out", b, "--lora-rank", "2", "--lora-targets", "q,v");
    expect(r2.status, r2.stderr).toBe(0);
    expect([...tensors(b, "lora.safetensors").keys()].every((n) => /(q|v)_proj\.lora_/.test(n))).toBe(true);
    const r3 = run("--out", join(tmp(), "c"), "--freeze-layers", "0-9");
    expect(r3.status).not.toBe(0);
    expect(r3.stderr).toMatch(/option 'freeze-layers': part '0-9' is out of range: the model has 4 layers \(0-3\)/);
    const r4 = run("--out", join(tmp(), "d"), "--kl-weight", "2");
    expect(r4.status).not.toBe(0);
    expect(r4.stderr).toMatch(/option 'kl-weight': only applies with --kl-ref DIR/);
    // A map in a --config file keeps its keys as written (yargs would add camelCase twins like "01").
    const cfgFile = join(tmp(), "c.yaml");
    writeFileSync(cfgFile, 'lr_scale: {lm_head: 0.5, "0-1": 0.2}\n');
    const r5 = run("--out", join(tmp(), "e"), "--config", cfgFile);
    expect(r5.status, r5.stderr).toBe(0);
    expect(r5.stderr).toMatch(/lr-scale: 0-1 x0.2 \(18 tensors\)/);
    expect(r5.stderr).not.toMatch(/lr-scale: (01|lmHead) /);
  }, 120_000);
});
