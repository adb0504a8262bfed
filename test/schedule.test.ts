import { describe, expect, it } from "vitest";
import { lrAt } from "../src/train/schedule.js";

// Expected values worked out by hand from transformers' get_*_schedule_with_warmup lambdas.
describe("learning-rate schedules", () => {
  const base = { peakLr: 1e-3, warmupSteps: 4, totalSteps: 20 };
  it("warmup is linear from 0, as HF (step index before the update)", () => {
    for (const name of ["constant", "cosine", "linear"] as const)
      expect([0, 1, 2, 3, 4].map((s) => lrAt({ ...base, name }, s))).toEqual([0, 2.5e-4, 5e-4, 7.5e-4, 1e-3]);
  });
  it("constant stays at the peak", () => {
    expect(lrAt({ ...base, name: "constant" }, 19)).toBe(1e-3);
    expect(lrAt({ ...base, name: "constant", warmupSteps: 0 }, 0)).toBe(1e-3);
  });
  it("linear decays to 0 at the last step", () => {
    const s = { ...base, name: "linear" as const };
    expect(lrAt(s, 12)).toBeCloseTo(1e-3 * (8 / 16), 15);
    expect(lrAt(s, 20)).toBe(0);
    expect(lrAt(s, 25)).toBe(0);
  });
  it("cosine: half at the midpoint, 0 at the end, floor with minLrRatio", () => {
    const s = { ...base, name: "cosine" as const };
    expect(lrAt(s, 12)).toBeCloseTo(5e-4, 15);
    expect(lrAt(s, 8)).toBeCloseTo(1e-3 * 0.5 * (1 + Math.cos(Math.PI / 4)), 15);
    expect(lrAt(s, 20)).toBeCloseTo(0, 15);
    expect(lrAt({ ...s, minLrRatio: 0.1 }, 20)).toBeCloseTo(1e-4, 15);
    expect(lrAt({ ...s, minLrRatio: 0.1 }, 12)).toBeCloseTo(1e-4 + 0.9 * 5e-4, 15);
  });
});
