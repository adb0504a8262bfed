// --device in every command that runs the native engine, through the CLI:
// cuda on an addon without the CUDA backend is one clear line and a non-zero
// exit before any work; auto runs on the CPU here and the log says so and why;
// the help says which engine each command's --device selects. Where the addon
// has the CUDA model (the CPU emulation: MIDTRAIN_NATIVE=build-emu/..., see
// the preamble of docs/cuda.md), train/eval loss/bench train run on it and
// report device memory, and it has every strategy control (so nothing is
// refused upfront; a --kl-ref run trains there).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Cuda } from "../src/engine/cuda.js";
import { loadCheckpoint, saveCheckpoint } from "../src/model/checkpoint.js";
import { hasCudaBackend } from "../src/engine/model.js";
import { missingControls, trainNeeds, type EngineNeed } from "../src/train/device-support.js";
import { tinyCheckpoint } from "./reference/tiny-checkpoint.js";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 300_000 });
const tmp = () => mkdtempSync(join(tmpdir(), "midtrain-device-"));
const cudaModel = hasCudaBackend();
const emulated = cudaModel && new Cuda().info().backend === "emulated";
if (!emulated) console.warn(`device-cli: the CUDA-model runs are skipped: ${cudaModel ? "a real GPU build (run scripts/gpu-check.sh)" : "this addon has no CUDA backend (build build-emu and set MIDTRAIN_NATIVE to run them)"}`);

let ckpt = "", docs = "";
beforeAll(() => {
  ckpt = tinyCheckpoint(11, {}, 0.02).dir;
  const words = "the river city market morning report team engineer measured seven bridges north light".split(" ");
  let s = 3;
  const rnd = (n: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s % n);
  docs = join(tmp(), "docs.jsonl");
  writeFileSync(docs, Array.from({ length: 24 }, () => JSON.stringify({ text: Array.from({ length: 20 + rnd(30) }, () => words[rnd(words.length)]).join(" ") })).join("\n") + "\n");
}, 60_000);

/** stderr's lines that are errors (progress and logs are other lines). */
const errors = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("midtrain:"));

function experimentConfig(dir: string, extra = ""): string {
  const file = join(dir, "exp.yaml");
  writeFileSync(
    file,
    `out: out\nseeds: [0]\nsft_sizes: [0]\nbase: { model: ${join(dir, "no-such-model")} }\ndata: { value_docs: ${docs}, sft: ${docs} }\narms: [midtrained]\n${extra}`,
  );
  return file;
}

describe.runIf(!cudaModel)("--device cuda on an addon without the CUDA backend", () => {
  it("is one clear error line and a non-zero exit in every native-engine command, before any work", () => {
    const dir = tmp();
    const pipeline = join(dir, "p.yaml");
    writeFileSync(pipeline, `out: ${join(dir, "runs")}\nmodel: ${ckpt}\nstages:\n  - { name: a, data: [${docs}], steps: 1 }\n`);
    const commands: [string, string[]][] = [
      ["train", ["train", "--model", ckpt, "--data", docs, "--out", join(dir, "t"), "--steps", "1"]],
      ["run", ["run", pipeline]],
      ["experiment (flag)", ["experiment", "preservation", "--config", experimentConfig(dir)]],
      ["demo", ["demo", "--out", join(dir, "demo")]],
      ["eval loss", ["eval", "loss", "--model", ckpt, "--data", docs, "--out", join(dir, "e")]],
      ["analyze direction", ["analyze", "direction", "--reference", ckpt]],
      ["bench train", ["bench", "train", "--preset", "tiny", "--no-torch"]],
    ];
    for (const [what, args] of commands) {
      const r = run(...args, "--device", "cuda");
      expect(r.status, `${what}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr.trim().split("\n"), what).toEqual([expect.stringMatching(/^midtrain: --device cuda: this build of the native addon has no CUDA backend .*use --device cpu$/)]);
    }
    // Nothing was started: no run directory, no demo data.
    expect(() => readFileSync(join(dir, "t", "metrics.jsonl"))).toThrow();
    expect(() => readFileSync(join(dir, "demo", "data", "generic.jsonl"))).toThrow();
  });

  it("experiment: the config's device key counts, and the flag overrides it", () => {
    const dir = tmp();
    const fromKey = run("experiment", "preservation", "--config", experimentConfig(dir, "device: cuda\n"));
    expect(fromKey.status).not.toBe(0);
    expect(errors(fromKey.stderr)).toEqual([expect.stringMatching(/^midtrain: --device cuda: this build of the native addon has no CUDA backend/)]);
    // --device cpu wins over the key: the device check passes and the run fails later, on the missing base model.
    const flag = run("experiment", "preservation", "--config", experimentConfig(dir, "device: cuda\n"), "--device", "cpu");
    expect(flag.status).not.toBe(0);
    expect(flag.stderr).toMatch(/^device: cpu \(--device cpu\)$/m);
    expect(errors(flag.stderr)).toEqual([expect.stringMatching(/no-such-model\/config.json: cannot read/)]);
    const bad = run("experiment", "preservation", "--config", experimentConfig(dir, "device: gpu\n"));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/exp\.yaml: key 'device': /);
  });

  it("bench kernels/data/load measure the CPU: --device cuda there is an error saying so", () => {
    const r = run("bench", "kernels", "--device", "cuda");
    expect(r.status).not.toBe(0);
    expect(errors(r.stderr)).toEqual([expect.stringMatching(/--device cuda: bench kernels measures the CPU .*scripts\/gpu-check\.sh/)]);
  });
});

describe("--device auto here", () => {
  it.runIf(!cudaModel)("eval loss runs on the CPU, logs which device and why, and records it", () => {
    const out = tmp();
    const r = run("eval", "loss", "--model", ckpt, "--data", docs, "--seq-len", "64", "--out", out, "--threads", "2", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^device: cpu \(--device auto: this build of the native addon has no CUDA backend\)$/m);
    expect(JSON.parse(r.stdout).device).toBe("cpu");
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).device).toBe("cpu");
  });

  it.runIf(emulated)("never picks the emulation, and says so", () => {
    const r = run("eval", "loss", "--model", ckpt, "--data", docs, "--seq-len", "64", "--out", tmp(), "--threads", "2", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^device: cpu \(--device auto: the addon's CUDA backend is the CPU emulation, which auto never picks\)$/m);
  });

  it("analyze direction says where it ran", () => {
    const r = run("analyze", "direction", "--reference", ckpt, "--split", "heldout", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^device: cpu \(--device auto: /m);
    expect(JSON.parse(r.stdout).models[0].meanRetained).toBeCloseTo(1, 9);
  });

  it("bench train reports the host's peak RSS and that recompute was off; --recompute on the CPU is one clear error", () => {
    const r = run("bench", "train", "--preset", "tiny", "--batch", "1", "--seq", "32", "--steps", "1", "--warmup", "0", "--no-torch", "--device", "cpu", "--json");
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect([o.device, o.recompute]).toEqual(["cpu", false]);
    expect(o.max_rss_bytes).toBeGreaterThan(20 * 2 ** 20);
    expect(o.max_rss_bytes).toBeLessThan(8 * 2 ** 30);
    expect(o.device_plan_bytes).toBeUndefined();
    const table = run("bench", "train", "--preset", "tiny", "--batch", "1", "--seq", "32", "--steps", "1", "--warmup", "0", "--no-torch", "--device", "cpu");
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^memory: host peak RSS \d+\.\d\d GiB$/m);
    const rc = run("bench", "train", "--preset", "tiny", "--no-torch", "--recompute", "--device", "cpu");
    expect(rc.status).not.toBe(0);
    expect(errors(rc.stderr)).toEqual([expect.stringMatching(/^midtrain: --recompute: activation recompute \(--recompute\) is not on the cpu backend yet \(it saves GPU memory with --device cuda\)$/)]);
  });
});

describe("--device help", () => {
  it("says which engine --device selects in each command", () => {
    const help = (...cmd: string[]) => {
      const r = run(...cmd, "--help");
      expect(r.status, r.stderr).toBe(0);
      const i = r.stdout.indexOf("--device");
      return r.stdout.slice(i, i + 400).replace(/\s+/g, " ");
    };
    for (const cmd of [["train"], ["run"], ["demo"], ["analyze", "direction"], ["experiment", "preservation"]])
      expect(help(...cmd), cmd.join(" ")).toMatch(/where the native training engine runs: cpu, cuda .* or auto/);
    for (const cmd of [["generate"], ["serve"], ["export", "onnx"]]) expect(help(...cmd), cmd.join(" ")).toMatch(/ONNX Runtime's execution provider \(this command runs the ONNX export, not the native engine\)/);
    expect(help("eval", "loss")).toMatch(/loss: where the native engine runs .*anima\/probe\/safety\/capability: ONNX Runtime's execution provider/);
    expect(help("bench", "train")).toMatch(/train: where the native engine runs .*infer: ONNX Runtime's execution provider; kernels, data, load: the CPU only/);
    for (const cmd of [["init"], ["inspect", "x"], ["merge", "a", "b"]]) expect(help(...cmd), cmd.join(" ")).toMatch(/not used by this command/);
  });
});

describe("engine controls per device", () => {
  it("reads the needs of train options in either spelling", () => {
    expect(trainNeeds({ anchor: "ewc", lora_rank: 4, "freeze-layers": "0", lrScale: { embed: 0.1 }, kl_ref: "x", recompute: true }).sort()).toEqual(
      ["anchor", "fisher", "freeze", "klRef", "lora", "lrScale", "recompute"].sort(),
    );
    expect(trainNeeds({ anchor: "l2sp", replay: "x", recompute: false })).toEqual(["anchor"]);
    expect(trainNeeds({ lr: 1e-3 })).toEqual([]);
  });

  it("the CPU backend has every strategy control and hidden states; only recompute is missing there", () => {
    const all: EngineNeed[] = ["anchor", "fisher", "lora", "freeze", "lrScale", "klRef", "recompute", "hiddenStates"];
    expect(missingControls("cpu", all)).toEqual([{ need: "recompute", message: "activation recompute (--recompute) is not on the cpu backend yet" }]);
  });
});

describe.runIf(emulated)("on the CUDA model (emulated)", () => {
  it("train --device cuda runs there and reports device memory in metrics, progress and the result", () => {
    const out = join(tmp(), "run");
    const r = run("train", "--model", ckpt, "--data", docs, "--out", out, "--steps", "2", "--batch-size", "1", "--seq-len", "32", "--lr", "1e-3", "--threads", "2", "--device", "cuda", "--json");
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.device).toBe("cuda");
    expect(r.stderr).toMatch(/^device: cuda \(midtrain CUDA emulator \(CPU\), 4 GiB; --device cuda\)$/m);
    const info = new Cuda().info().devices[0]!;
    const steps = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    for (const s of steps) {
      expect(Number.isFinite(s.loss)).toBe(true);
      // The plan holds at least the fp32 master weights and two Adam moments: 12 bytes a parameter.
      expect(s.device_plan_bytes).toBeGreaterThanOrEqual(12 * 1.0e6);
      expect(s.device_total_bytes).toBe(info.memoryBytes);
      expect(s.device_free_bytes).toBeLessThanOrEqual(s.device_total_bytes);
      expect(s.max_rss_bytes).toBeGreaterThan(0);
    }
    expect(res.memory.device_plan_bytes).toBe(steps.at(-1).device_plan_bytes);
    expect(r.stderr).toMatch(/step 1\/2 .* GPU (peak|plan) \d+\.\d\d GiB of 4\.00 GiB/);
    expect(r.stderr).toMatch(/done at step 2; final model in .*; GPU peak .* of 4\.00 GiB \(plan \d+\.\d\d GiB\), host peak RSS/);
  });

  it("eval loss --device cuda agrees with the CPU within bf16 error", () => {
    const args = ["eval", "loss", "--model", ckpt, "--data", docs, "--seq-len", "64", "--threads", "2", "--json"];
    const cpu = run(...args, "--out", tmp(), "--device", "cpu"), gpu = run(...args, "--out", tmp(), "--device", "cuda");
    expect(cpu.status, cpu.stderr).toBe(0);
    expect(gpu.status, gpu.stderr).toBe(0);
    const [a, b] = [JSON.parse(cpu.stdout), JSON.parse(gpu.stdout)];
    expect([a.device, b.device]).toEqual(["cpu", "cuda"]);
    expect(b.tokens).toBe(a.tokens);
    // bf16 weights and activations against the fp32 CPU model: a mean token loss near log(2048) ~ 7.6 within 1%.
    expect(Math.abs(b.loss - a.loss)).toBeLessThan(0.01 * a.loss);
  });

  it("the CUDA backend has every strategy control, so nothing is refused upfront; a --kl-ref run trains there", () => {
    // The refusal (chooseEngineDevice) is for a control the backend lacks; since the KL reference came to the GPU it
    // lacks none, and `--device auto` on a real GPU keeps every arm of the experiment there.
    const all: EngineNeed[] = ["anchor", "fisher", "lora", "freeze", "lrScale", "klRef", "recompute", "hiddenStates"];
    expect(missingControls("cuda", all)).toEqual([]);
    const out = join(tmp(), "kl");
    const r = run("train", "--model", ckpt, "--data", docs, "--out", out, "--steps", "2", "--batch-size", "1", "--seq-len", "32", "--lr", "1e-3", "--threads", "2", "--kl-ref", ckpt, "--device", "cuda", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).device).toBe("cuda");
    expect(r.stderr).toMatch(/kl: weight \S+ on KL\(reference \|\| model\) per target token, reference .* \(on cuda\)/);
    const steps = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kl?: number });
    // The reference is the start checkpoint, loaded on the GPU too: the first step's KL is exactly 0 (same weights,
    // same kernels); after one update the model has moved away from it.
    expect(steps.map((s) => s.kl)).toEqual([0, expect.any(Number)]);
    expect(steps[1]!.kl).toBeGreaterThan(0);
  });

  it("train --recompute, where the CUDA backend has it: the same weights from a smaller plan, shown in the metrics", (ctx) => {
    if (missingControls("cuda", ["recompute"]).length) ctx.skip(); // an addon from before the CUDA model had recompute
    const args = (out: string) => ["train", "--model", ckpt, "--data", docs, "--out", out, "--steps", "2", "--batch-size", "2", "--seq-len", "64", "--lr", "1e-3", "--threads", "2", "--device", "cuda", "--json"];
    const plain = join(tmp(), "plain"), rc = join(tmp(), "rc");
    const a = run(...args(plain)), b = run(...args(rc), "--recompute");
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/on cuda, recomputing activations in backward/);
    expect(readFileSync(join(rc, "model.safetensors")).equals(readFileSync(join(plain, "model.safetensors")))).toBe(true);
    const plan = (d: string) => (JSON.parse(readFileSync(join(d, "metrics.jsonl"), "utf8").trim().split("\n").at(-1)!) as { device_plan_bytes: number }).device_plan_bytes;
    expect(plan(rc)).toBeLessThan(plan(plain));
    expect(JSON.parse(b.stdout).memory.device_plan_bytes).toBe(plan(rc));
  });

  it("a non-finite step on the CUDA model stops with the start weights saved from the device, exit 3", () => {
    // Every row's norm input overflows: layer 0's input norm weight is 1e30 on every channel.
    const { model, config } = loadCheckpoint(ckpt);
    model.setParam("model.layers.0.input_layernorm.weight", new Float32Array(model.config.hidden_size).fill(1e30));
    const dir = tmp(), poisoned = join(dir, "poisoned");
    saveCheckpoint(poisoned, model, { config: config.raw, tokenizerDir: ckpt });
    const out = join(dir, "run");
    const r = run("train", "--model", poisoned, "--data", docs, "--out", out, "--steps", "3", "--batch-size", "1", "--seq-len", "32", "--device", "cuda", "--on-nonfinite", "skip", "--max-skipped", "2", "--threads", "2");
    expect(r.status, r.stderr).toBe(3);
    expect(errors(r.stderr)).toEqual([expect.stringMatching(/^midtrain: train: stopped at step 1: 2 steps in a row skipped \(--max-skipped 2\)/)]);
    const saved = loadCheckpoint(join(out, "checkpoint-000000")).model, start = loadCheckpoint(poisoned).model;
    for (const n of start.paramNames()) expect(saved.getParam(n), n).toEqual(start.getParam(n));
  });

  it("bench train --device cuda reports the device memory in its JSON and table", () => {
    const args = ["bench", "train", "--preset", "tiny", "--batch", "1", "--seq", "32", "--steps", "1", "--warmup", "0", "--no-torch", "--device", "cuda"];
    const r = run(...args, "--json");
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.device).toBe("cuda");
    expect(o.device_plan_bytes).toBeGreaterThanOrEqual(12 * 1.0e6);
    expect(o.device_total_bytes).toBe(new Cuda().info().devices[0]!.memoryBytes);
    const t = run(...args);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^memory: device plan \d+\.\d\d GiB, peak in use .* of 4\.00 GiB; host peak RSS \d+\.\d\d GiB$/m);
  });
});
