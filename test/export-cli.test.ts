// `midtrain export onnx` end to end: exports, reports the provider, and skips an up-to-date export.
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });

describe("midtrain export onnx", () => {
  it("exports the tiny preset, says which provider runs, and reuses the export", () => {
    const dir = mkdtempSync(join(tmpdir(), "midtrain-export-"));
    expect(run("init", "--preset", "tiny", "--out", join(dir, "m")).status).toBe(0);
    const r = run("export", "onnx", "--model", join(dir, "m"), "--out", join(dir, "onnx"), "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ exported: true, provider: "cpu" });
    expect(r.stderr).toMatch(/onnxruntime: CPU execution provider/);
    const mtime = statSync(join(dir, "onnx", "model.onnx")).mtimeMs;
    const again = run("export", "onnx", "--model", join(dir, "m"), "--out", join(dir, "onnx"), "--json");
    expect(JSON.parse(again.stdout).exported).toBe(false);
    expect(statSync(join(dir, "onnx", "model.onnx")).mtimeMs).toBe(mtime);
    const bad = run("export", "onnx", "--model", join(dir, "nope"), "--out", join(dir, "o2"));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/nope/);
    const cuda = run("export", "onnx", "--model", join(dir, "m"), "--out", join(dir, "onnx"), "--device", "cuda");
    expect(cuda.status).not.toBe(0);
    expect(cuda.stderr).toMatch(/CUDA/);
  });
});
