// The command line end to end: real processes, real exit codes, JSON on stdout.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });

describe("midtrain CLI", () => {
  it("bench train --json prints one object with tokens/s and a sane loss", () => {
    const r = run("bench", "train", "--preset", "tiny", "--batch", "2", "--seq", "64", "--steps", "2", "--warmup", "1", "--no-torch", "--json");
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!);
    expect(o.tokens_per_s).toBeGreaterThan(0);
    expect(o.params).toBeGreaterThan(0);
    expect(o.steps).toBe(2);
    // A fresh model's loss is near log(vocab) = log(2048) ~ 7.6, and training lowers it.
    expect(Math.abs(o.loss_first - Math.log(2048))).toBeLessThan(0.5);
    expect(o.loss_last).toBeLessThan(o.loss_first);
    expect(Object.keys(o.phase_ms)).toContain("attention_bwd");
    expect(r.stderr).toMatch(/bench train: preset tiny/);
  });

  it("takes option values from --config YAML, with flags overriding", () => {
    const dir = mkdtempSync(join(tmpdir(), "midtrain-cli-"));
    const cfg = join(dir, "bench.yaml");
    writeFileSync(cfg, "preset: tiny\nbatch: 1\nseq: 32\nsteps: 5\nwarmup: 0\ntorch: false\n");
    const r = run("bench", "train", "--config", cfg, "--steps", "1", "--json");
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect([o.preset, o.batch, o.seq, o.steps]).toEqual(["tiny", 1, 32, 1]);
  });

  it("fails clearly on bad input", () => {
    const bad = run("bench", "train", "--preset", "nope", "--no-torch");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown preset 'nope'; available: .*small.*tiny/);
    const badBatch = run("bench", "train", "--batch", "0");
    expect(badBatch.status).not.toBe(0);
    expect(badBatch.stderr).toMatch(/--batch must be a positive integer/);
    const cuda = run("bench", "train", "--device", "cuda", "--preset", "tiny");
    expect(cuda.status).not.toBe(0);
    expect(cuda.stderr).toMatch(/no CUDA backend/);
    const dir = mkdtempSync(join(tmpdir(), "midtrain-cli-"));
    writeFileSync(join(dir, "bad.yaml"), "preset: [unclosed\n");
    const badCfg = run("bench", "train", "--config", join(dir, "bad.yaml"));
    expect(badCfg.status).not.toBe(0);
    expect(badCfg.stderr).toMatch(/bad\.yaml/);
    const unknown = run("frobnicate");
    expect(unknown.status).not.toBe(0);
  });
});
