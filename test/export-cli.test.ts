// `midtrain export onnx` end to end: exports, reports the graph and the provider, skips an up-to-date
// export, re-exports on other --ops/--dtype, and refuses bad input with a non-zero exit.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });

describe("midtrain export onnx", () => {
  const dir = mkdtempSync(join(tmpdir(), "midtrain-export-"));
  const m = join(dir, "m"), out = join(dir, "onnx");

  it("exports the tiny preset as a fused fp32 graph, says which provider runs, and reuses the export", () => {
    expect(run("init", "--preset", "tiny", "--out", m).status).toBe(0);
    const r = run("export", "onnx", "--model", m, "--out", out, "--json");
    expect(r.status, r.stderr).toBe(0);
    // tiny: head_dim 32, so GroupQueryAttention runs on the CPU provider
    expect(JSON.parse(r.stdout)).toEqual({ out, model: join(out, "model.onnx"), exported: true, ops: "fused", dtype: "fp32", attention: "GroupQueryAttention", provider: "cpu" });
    expect(r.stderr).toMatch(/onnxruntime: CPU execution provider/);
    const mtime = statSync(join(out, "model.onnx")).mtimeMs;
    const again = run("export", "onnx", "--model", m, "--out", out, "--json");
    expect(JSON.parse(again.stdout).exported).toBe(false);
    expect(statSync(join(out, "model.onnx")).mtimeMs).toBe(mtime);
  });

  it("--ops plain and --dtype fp16 export other graphs (fp16 runs on the CPU provider)", () => {
    const plain = run("export", "onnx", "--model", m, "--out", out, "--ops", "plain", "--device", "cpu");
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^exported: .*model\.onnx \(plain ops, fp32, MatMul-Softmax attention; onnxruntime: CPU execution provider\)\n$/);
    const half = run("export", "onnx", "--model", m, "--out", out, "--dtype", "fp16", "--device", "cpu", "--json");
    expect(half.status, half.stderr).toBe(0);
    expect(JSON.parse(half.stdout)).toMatchObject({ exported: true, ops: "fused", dtype: "fp16", provider: "cpu" });
    expect(JSON.parse(readFileSync(join(out, "onnx-export.json"), "utf8"))).toMatchObject({ ops: "fused", dtype: "fp16" });
  });

  it("exports bf16 without opening it on the CPU provider, and says so", () => {
    const r = run("export", "onnx", "--model", m, "--out", join(dir, "bf16"), "--dtype", "bf16", "--device", "cpu", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ exported: true, dtype: "bf16", provider: null });
    expect(r.stderr).toMatch(/onnx: not opened: the CPU provider cannot run bf16 graphs; open it with --device cuda/);
    expect(statSync(join(dir, "bf16", "model.onnx")).size).toBeGreaterThan(0);
  });

  it("fails with a clear message on a missing checkpoint, a bad option, or --device cuda without CUDA", () => {
    const bad = run("export", "onnx", "--model", join(dir, "nope"), "--out", join(dir, "o2"));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(new RegExp(`${join(dir, "nope")}: not a checkpoint directory`));
    const badOps = run("export", "onnx", "--model", m, "--out", join(dir, "o3"), "--ops", "fast");
    expect(badOps.status).not.toBe(0);
    expect(badOps.stderr).toMatch(/Argument: ops, Given: "fast", Choices: "fused", "plain"/);
    const cuda = run("export", "onnx", "--model", m, "--out", join(dir, "o4"), "--device", "cuda");
    // Without onnxruntime's CUDA provider (this machine) the export is written, then opening it fails.
    if (cuda.status !== 0) expect(cuda.stderr).toMatch(/--device cuda: CUDA provider/);
    else expect(JSON.stringify(cuda.stdout)).toMatch(/fp16/);
  });
});
