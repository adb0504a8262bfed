import { describe, expect, it } from "vitest";
import { parseExperimentConfig } from "../src/experiment/config.js";
import { planExperiment } from "../src/experiment/plan.js";
import { snapshotDir } from "../src/train/snapshots.js";

const base = {
  out: "runs/x",
  seeds: [0, 1],
  sft_sizes: [1000, 0, 500, 500],
  base: { model: "ckpt/base" },
  data: { value_docs: "d/value.jsonl", value_qa: "d/qa.jsonl", control_docs: "d/control.jsonl", sft: "d/sft.jsonl" },
};

describe("experiment config", () => {
  it("resolves built-in arms and strategies, overrides, and paths relative to the file", () => {
    const { config, arms } = parseExperimentConfig({ ...base, arms: ["midtrained", "midtrained+replay", "midtrained+merge", { name: "mine", from: "qa", sft: { lr: 1e-4 } }], strategies: { replay: { replay_ratio: 0.5 } } }, "x.yaml", "/root/e");
    expect(config.out).toBe("/root/e/runs/x");
    expect(config.data.sft).toBe("/root/e/d/sft.jsonl");
    expect(config.sft_sizes).toEqual([0, 500, 1000]);
    expect(arms.map((a) => [a.name, a.from])).toEqual([["midtrained", "midtrained"], ["midtrained+replay", "midtrained"], ["midtrained+merge", "midtrained"], ["mine", "qa"]]);
    expect(arms[1]!.sft).toEqual({ replay: "$value_docs", replay_ratio: 0.5 });
    expect(arms[2]!.mergeAlpha).toBe(0.5);
    expect(arms[2]!.sft).toEqual({});
  });

  it("names unknown arms, strategies, keys and missing data", () => {
    const bad = (doc: Record<string, unknown>) => () => parseExperimentConfig({ ...base, ...doc }, "exp.yaml", "/");
    expect(bad({ arms: ["midtrained+teleport"] })).toThrow(/exp\.yaml: arms\[0\]: unknown arm 'midtrained\+teleport'/);
    expect(bad({ arms: ["midtrained"], strategies: { magic: {} } })).toThrow(/unknown strategy 'magic'/);
    expect(bad({ arms: ["midtrained"], colour: 1 })).toThrow(/exp\.yaml: unknown key 'colour'/);
    expect(bad({ arms: ["midtrained"], evals: { probe: { split: "all", depth: 2 } } })).toThrow(/unknown key 'evals.probe.depth'/);
    expect(bad({ arms: ["qa"], data: { value_docs: "v", sft: "s" } })).toThrow(/arms\[0\] \('qa'\) needs data\.value_qa/);
    expect(bad({ arms: ["midtrained", "midtrained"] })).toThrow(/listed twice/);
  });
});

describe("experiment plan", () => {
  it("shares SFT runs between arms that differ only after SFT, and uses stage-1 models at size 0", () => {
    const { config, arms } = parseExperimentConfig({ ...base, arms: [{ name: "base", from: "base", sweep: false }, "control", "midtrained", "midtrained+merge", "midtrained+l2sp"] }, "x.yaml", "/e");
    const plan = planExperiment(config, arms);
    expect(plan.stage1.map((s) => `${s.kind}/${s.seed}`).sort()).toEqual(["control/0", "control/1", "midtrained/0", "midtrained/1"]);
    // control, midtrained (shared with merge), midtrained+l2sp: 3 runs per seed.
    expect(plan.sft.length).toBe(6);
    expect(plan.sft.every((r) => r.sizes.join() === "500,1000")).toBe(true);
    const at = (arm: string, seed: number, size: number) => plan.points.find((p) => p.arm === arm && p.seed === seed && p.size === size)!;
    expect(at("base", 0, 0).checkpoint).toBe("/e/ckpt/base");
    expect(plan.points.filter((p) => p.arm === "base").length).toBe(2);
    expect(at("midtrained", 1, 0).checkpoint).toBe("/e/runs/x/stage1/midtrained/seed-1");
    const midRun = plan.sft.find((r) => r.from === "midtrained" && r.seed === 1 && Object.keys(r.options).length === 0)!;
    expect(at("midtrained", 1, 500).checkpoint).toBe(snapshotDir(midRun.dir, 500));
    const merged = at("midtrained+merge", 1, 1000);
    expect(merged.merge).toEqual({ sft: snapshotDir(midRun.dir, 1000), stage1: "/e/runs/x/stage1/midtrained/seed-1", alpha: 0.5 });
    expect(at("midtrained+merge", 1, 0).merge).toBeUndefined();
    const l2sp = at("midtrained+l2sp", 0, 500).checkpoint;
    expect(l2sp).not.toBe(at("midtrained", 0, 500).checkpoint);
    expect(plan.points.length).toBe(2 * (1 + 4 * 3));
  });
});

describe("built-in strategies", () => {
  it("each adds options the trainer accepts", async () => {
    const { BUILTIN_STRATEGIES } = await import("../src/experiment/config.js");
    const { stageOptions } = await import("../src/experiment/stage-options.js");
    for (const [name, s] of Object.entries(BUILTIN_STRATEGIES)) {
      const opts: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.sft ?? {})) opts[k] = v === "$value_docs" ? "v.jsonl" : v === "$midtrained" ? "mid" : v;
      delete opts.lr_factor; // folded into lr by the runner
      expect(() => stageOptions({ model: "m", data: ["d.jsonl"], out: "o", stage: "sft", ...opts }, `strategy ${name}`), name).not.toThrow();
    }
    expect(() => stageOptions({ model: "m", data: ["d"], out: "o", replay_ratoi: 0.1 }, "x")).toThrow(/unknown train option 'replay_ratoi'/);
  });
});
