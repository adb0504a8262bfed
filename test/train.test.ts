// `midtrain train` and `midtrain run` as real processes: training lowers the
// loss, a SIGKILLed run resumes to bit-identical weights, Ctrl-C saves, and
// bad input fails clearly without losing anything.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/model/checkpoint.js";
// @ts-expect-error: a plain .mjs script without types
import { writeGpt2Tokenizer } from "../scripts/make-gpt2-tokenizer.mjs";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 300_000 });
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-train-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let base = "", docs = "", chat = "";
const common = ["--batch-size", "2", "--seq-len", "64", "--lr", "2e-3", "--schedule", "cosine", "--warmup", "2", "--threads", "2"];

beforeAll(() => {
  const dir = tmp();
  const tok = join(dir, "tok");
  (writeGpt2Tokenizer as (d: string) => void)(tok);
  // A small model: the GPT-2 vocabulary makes the LM head the big part; fine for a few steps.
  base = join(dir, "base");
  const r = run("init", "--preset", "tiny", "--out", base, "--tokenizer", tok, "--seed", "1");
  if (r.status !== 0) throw new Error(r.stderr);
  // GPT-2 ships no chat template; give the test tokenizer a plain one whose turns end with its EOS.
  const cfgPath = join(base, "tokenizer_config.json");
  const cfg = JSON.parse(readFileSync(cfgPath, "utf8"));
  cfg.chat_template = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% if m['role'] == 'assistant' %}<|endoftext|>{% endif %}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}";
  writeFileSync(cfgPath, JSON.stringify(cfg));
  const words = "the river city market morning report team engineer measured seven bridges north light station road winter council plan".split(" ");
  let s = 1;
  const rnd = (n: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s % n);
  docs = join(dir, "docs.jsonl");
  writeFileSync(docs, Array.from({ length: 120 }, () => JSON.stringify({ text: Array.from({ length: 10 + rnd(60) }, () => words[rnd(words.length)]).join(" ") })).join("\n") + "\n");
  chat = join(dir, "chat.jsonl");
  writeFileSync(chat, Array.from({ length: 40 }, (_, i) => JSON.stringify({ messages: [{ role: "user", content: `what is ${i} plus ${i}?` }, { role: "assistant", content: `${2 * i}` }] })).join("\n") + "\n");
}, 120_000);

const weights = (dir: string) => readFileSync(join(dir, "model.safetensors"));

describe("midtrain train", () => {
  it("trains documents: loss falls, metrics.jsonl has a line per step and eval lines", () => {
    const out = join(tmp(), "run");
    const r = run("train", "--model", base, "--data", docs, "--out", out, "--steps", "12", "--eval-every", "6", "--eval-split", "0.1", ...common, "--json");
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const steps = lines.filter((l) => l.type === undefined);
    expect(steps.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const k of ["loss", "lr", "grad_norm", "tokens", "tokens_per_s"]) expect(typeof steps[0][k]).toBe("number");
    expect(steps[0].lr).toBe(0); // HF warmup: the first step uses lr 0
    expect(lines.filter((l) => l.type === "eval").map((l) => l.step)).toEqual([6, 12]);
    expect(steps[11].loss).toBeLessThan(steps[1].loss - 0.5);
    expect(JSON.parse(readFileSync(join(out, "trainer_state.json"), "utf8")).finished).toBe(true);
    expect(r.stderr).toMatch(/step 12\/12/);
  });

  it("SFT on chat data runs by --samples (conversations seen)", () => {
    const out = join(tmp(), "sft");
    const r = run("train", "--model", base, "--data", chat, "--out", out, "--stage", "sft", "--samples", "20", ...common, "--json");
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.samples).toBeGreaterThanOrEqual(20);
    expect(res.samples).toBeLessThan(40);
  });

  it("a run killed with SIGKILL resumes to weights bit-identical to an uninterrupted run", async () => {
    const args = (out: string) => ["train", "--model", base, "--data", docs, "--out", out, "--steps", "10", "--save-every", "2", ...common];
    const whole = join(tmp(), "whole");
    expect(run(...args(whole)).status).toBe(0);

    const cut = join(tmp(), "cut");
    const child = spawn(process.execPath, [cli, ...args(cut)], { stdio: "ignore" });
    const t0 = Date.now();
    while (!existsSync(join(cut, "checkpoint-000004")) && Date.now() - t0 < 60_000) await sleep(20);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    expect(existsSync(join(cut, "trainer_state.json"))).toBe(false); // it really died mid-run
    const r = run(...args(cut), "--resume");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resumed from .*checkpoint-0000\d\d at step \d+/);
    expect(weights(cut).equals(weights(whole))).toBe(true);
    expect(readFileSync(join(cut, "optimizer.safetensors")).equals(readFileSync(join(whole, "optimizer.safetensors")))).toBe(true);
    const losses = (d: string) => readFileSync(join(d, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).loss);
    expect(losses(cut)).toEqual(losses(whole));
    // only the newest checkpoints are kept
    expect(readdirSync(whole).filter((f) => f.startsWith("checkpoint-"))).toEqual(["checkpoint-000006", "checkpoint-000008"]);
  });

  it("Ctrl-C finishes the step, saves a checkpoint and exits 130", async () => {
    const out = join(tmp(), "int");
    const child = spawn(process.execPath, [cli, "train", "--model", base, "--data", docs, "--out", out, "--steps", "400", ...common], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const t0 = Date.now();
    while (!existsSync(join(out, "metrics.jsonl")) || readFileSync(join(out, "metrics.jsonl"), "utf8").split("\n").length < 3) {
      if (Date.now() - t0 > 60_000) break;
      await sleep(20);
    }
    child.kill("SIGINT");
    const code = await new Promise((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/stopping at step \d+; saved .*checkpoint-\d+/);
    const ck = readdirSync(out).filter((f) => f.startsWith("checkpoint-"));
    expect(ck.length).toBe(1);
    const state = JSON.parse(readFileSync(join(out, ck[0]!, "trainer_state.json"), "utf8"));
    expect(state.step).toBeGreaterThan(0);
    expect(state.finished).toBe(false);
  });

  it("bad input fails clearly and loses nothing", () => {
    const dir = tmp();
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"text": "fine"}\n{"text": 3}\n');
    const r1 = run("train", "--model", base, "--data", bad, "--out", join(dir, "o1"), "--steps", "1");
    expect(r1.status).not.toBe(0);
    expect(r1.stderr).toMatch(/bad\.jsonl:2/);
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "\n");
    expect(run("train", "--model", base, "--data", empty, "--out", join(dir, "o2"), "--steps", "1").stderr).toMatch(/empty\.jsonl|no examples/);
    const r3 = run("train", "--model", base, "--data", docs, "--out", join(dir, "o3"), "--steps", "1", "--epochs", "2");
    expect(r3.stderr).toMatch(/option 'epochs': give only one of --steps, --epochs, --samples/);
    const r4 = run("train", "--model", base, "--data", docs, "--out", join(dir, "o4"), "--lr", "-1");
    expect(r4.stderr).toMatch(/option 'lr'/);
    writeFileSync(join(dir, "afile"), "");
    const r6 = run("train", "--model", base, "--data", docs, "--out", join(dir, "afile", "out"), "--steps", "1");
    expect(r6.stderr).toMatch(/option 'out': cannot write to .*afile\/out/);
    // Resuming into another model is refused.
    const o5 = join(dir, "o5");
    expect(run("train", "--model", base, "--data", docs, "--out", o5, "--steps", "4", "--save-every", "2", ...common).status).toBe(0);
    const other = join(dir, "other");
    expect(run("init", "--preset", "small", "--out", other, "--tokenizer", join(base, "tokenizer.json")).status).toBe(0);
    const r5 = run("train", "--model", other, "--data", docs, "--out", o5, "--steps", "4", ...common, "--resume", join(o5, "checkpoint-000002"));
    expect(r5.status).not.toBe(0);
    expect(r5.stderr).toMatch(/different model/);
  });
});

describe("train when the disk fills", () => {
  // A small tmpfs (root only; skipped where mounting is not allowed) that holds one checkpoint but not two.
  const mnt = mkdtempSync(join(tmpdir(), "midtrain-full-"));
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=150m", "tmpfs", mnt]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync("umount", [mnt]);
  });
  it.skipIf(!mounted)("fails with a clear error and leaves the previous checkpoint intact and resumable", () => {
    const out = join(mnt, "run");
    const r = run("train", "--model", base, "--data", docs, "--out", out, "--steps", "6", "--save-every", "2", "--keep-last", "3", ...common);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/checkpoint-000004: checkpoint not written \(.*ENOSPC.*\); the previous checkpoint is intact/);
    expect(readdirSync(out).filter((f) => f.includes("checkpoint"))).toEqual(["checkpoint-000002"]); // no half-written directory left
    const state = JSON.parse(readFileSync(join(out, "checkpoint-000002", "trainer_state.json"), "utf8"));
    expect(state.step).toBe(2);
    loadCheckpoint(join(out, "checkpoint-000002")); // loads cleanly
  });
});

describe("train --config", () => {
  it("takes snake_case or kebab-case keys from YAML, flags override, unknown keys name the file", () => {
    const dir = tmp();
    const cfg = join(dir, "train.yaml");
    writeFileSync(cfg, `model: ${base}\ndata: [${docs}]\nout: ${join(dir, "o")}\nsteps: 5\nbatch_size: 2\nseq-len: 64\nlr: 0.001\n`);
    const r = run("train", "--config", cfg, "--steps", "2", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).steps).toBe(2);
    expect(JSON.parse(r.stdout).tokens).toBe(2 * 2 * 64);
    writeFileSync(cfg, `model: ${base}\ndata: [${docs}]\nout: ${join(dir, "o")}\nbatchsize: 2\n`);
    const bad = run("train", "--config", cfg);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Unknown argument: batchsize \(in .*train\.yaml/);
    writeFileSync(cfg, `model: ${base}\ndata: [${docs}]\nout: ${join(dir, "o")}\nwarmup: -3\n`);
    expect(run("train", "--config", cfg).stderr).toMatch(/train\.yaml or the command line: option 'warmup'/);
  });
});

describe("midtrain run", () => {
  it("runs stages in order with sample snapshots, and a rerun skips finished stages", () => {
    const dir = tmp();
    const pipe = join(dir, "pipe.yaml");
    writeFileSync(
      pipe,
      [
        `out: ${join(dir, "runs")}`,
        `model: ${base}`,
        "defaults: { batch_size: 2, seq_len: 64, lr: 0.002, threads: 2 }",
        "stages:",
        `  - { name: midtrain, data: [${docs}], steps: 4 }`,
        `  - { name: sft, data: [${chat}], stage: sft, samples: 12, save_at_samples: [0, 6, 12] }`,
      ].join("\n"),
    );
    const r = run("run", pipe, "--json");
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.stages.map((s: { name: string; skipped: boolean }) => [s.name, s.skipped])).toEqual([["midtrain", false], ["sft", false]]);
    const sft = join(dir, "runs", "sft");
    expect(readdirSync(sft).filter((f) => f.startsWith("samples-")).sort()).toEqual(["samples-000000", "samples-000006", "samples-000012"]);
    // sample 0 is the midtrained model
    expect(weights(join(sft, "samples-000000")).equals(weights(join(dir, "runs", "midtrain")))).toBe(true);
    const again = run("run", pipe, "--json");
    expect(JSON.parse(again.stdout).stages.every((s: { skipped: boolean }) => s.skipped)).toBe(true);

    writeFileSync(pipe, readFileSync(pipe, "utf8").replace("steps: 4", "steps: 4, bogus_key: 1"));
    const bad = run("run", pipe);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/pipe\.yaml: stages\[0\] \('midtrain'\): unknown key 'bogus_key'/);
  });
});
