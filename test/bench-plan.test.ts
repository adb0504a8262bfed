// `midtrain bench plan`: a preset's CUDA device memory from the engine's planner, through the CLI. Where the
// addon has no CUDA backend (the default CPU build) it is one clear error line; where it has one (a GPU
// build, or the emulation in `npm run check:cuda`) the table's numbers are the planner's, with the relations
// that make them mean something: recompute shrinks activations only, LoRA shrinks the weight state only, the
// total adds the context reserve, and "fits" follows --gpu-memory.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasCudaBackend, planCudaMemory } from "../src/engine/model.js";
import { loadPreset } from "../src/model/presets.js";
import { CONTEXT_RESERVE_BYTES, type PlanReport } from "../src/train/bench-plan.js";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, "bench", "plan", ...args], { encoding: "utf8", timeout: 120_000 });

describe("bench plan", () => {
  it.runIf(!hasCudaBackend())("says it needs the CUDA backend, on one line, exit 2", () => {
    const r = run("--preset", "llama-1b", "--batch", "1", "--seq", "8192");
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^midtrain: planning CUDA memory needs an addon with the CUDA backend/)]);
  });

  it("rejects bad options naming them", () => {
    expect(run("--preset", "llama-1b", "--lora-rank", "0").stderr).toMatch(/--lora-rank must be a positive integer/);
    expect(run("--preset", "llama-1b", "--gpu-memory", "-1").stderr).toMatch(/--gpu-memory must be a positive number/);
    expect(run("--preset", "nope").status).not.toBe(0);
  });

  it.runIf(hasCudaBackend())("gives the planner's numbers for full fine-tuning and LoRA, with and without recompute", () => {
    const r = run("--preset", "llama-1b", "--batch", "1", "--seq", "8192", "--lora-rank", "16", "--lora-targets", "q,v", "--gpu-memory", "20", "--json");
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as PlanReport;
    expect(p.rows.map((x) => [x.training, x.recompute])).toEqual([
      ["full fine-tune", false], ["full fine-tune", true], ["LoRA r16 (q,v)", false], ["LoRA r16 (q,v)", true],
    ]);
    const cfg = loadPreset("llama-1b");
    const direct = planCudaMemory(cfg, 1, 8192, true, { lora: { rank: 16, targets: ["q", "v"] } });
    expect(p.rows[3]!.weights_bytes).toBe(direct.weightsBytes);
    expect(p.rows[3]!.activations_bytes).toBe(direct.activationsBytes);
    for (const x of p.rows) {
      expect(x.total_bytes).toBe(x.weights_bytes + x.activations_bytes + CONTEXT_RESERVE_BYTES);
      expect(x.fits).toBe(x.total_bytes <= 20 * 2 ** 30);
    }
    const [full, fullRe, lora, loraRe] = p.rows as [PlanReport["rows"][0], PlanReport["rows"][0], PlanReport["rows"][0], PlanReport["rows"][0]];
    expect(fullRe.weights_bytes).toBe(full.weights_bytes);
    expect(fullRe.activations_bytes).toBeLessThan(full.activations_bytes / 3);
    expect(lora.weights_bytes).toBeLessThan(full.weights_bytes / 2);
    expect(loraRe.activations_bytes).toBeLessThan(lora.activations_bytes);
    // The goal in numbers: the 1B full fine-tune at 8k fits a 24 GiB card only with recompute.
    expect(fullRe.total_bytes).toBeLessThanOrEqual(24 * 2 ** 30);
    expect(full.total_bytes).toBeGreaterThan(24 * 2 ** 30);
  });
});
