import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aggregate, cellOf, checkClaims, t975, type PointResult } from "../src/experiment/aggregate.js";
import { writeReport } from "../src/experiment/report.js";
import { Rng } from "../src/data/rng.js";
import { freshSeed } from "./reference/random.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);

/** A synthetic study: arm means by size, noise per seed, two dimensions. */
function synthetic(seed: number): PointResult[] {
  const rng = new Rng(seed);
  const truth: Record<string, (s: number) => number> = {
    base: () => 0.5,
    qa: (s) => 0.6 - s / 20000,
    control: () => 0.5,
    midtrained: (s) => 0.85 - (0.3 * s) / 2000,
    "midtrained+replay": (s) => 0.85 - (0.05 * s) / 2000,
  };
  const pts: PointResult[] = [];
  for (const [arm, f] of Object.entries(truth))
    for (const sd of [0, 1, 2])
      for (const size of arm === "base" ? [0] : [0, 1000, 2000]) {
        const score = f(size) + (rng.nextU32() / 2 ** 32 - 0.5) * 0.02;
        pts.push({ arm, seed: sd, size, checkpoint: `/ck/${arm}/${sd}/${size}`, suites: { probe: { score, ci: [score - 0.05, score + 0.05], n: 100, perDimension: { "Moral Consideration": { score, ci: [0, 1], n: 10 }, "Harm Minimization": { score: score - 0.1, ci: [0, 1], n: 10 } } } } });
      }
  return pts;
}

describe("experiment aggregation", () => {
  it("means over seeds with a t interval; one seed keeps its own interval", () => {
    const runs = [0.7, 0.8, 0.9].map((s) => ({ score: s, ci: [0, 1] as [number, number], n: 10 }));
    const c = cellOf("a", 0, "probe", runs);
    const sd = Math.sqrt(((0.1 ** 2) * 2) / 2); // sample std of 0.7, 0.8, 0.9
    expect(c.mean).toBeCloseTo(0.8, 12);
    expect(c.std).toBeCloseTo(sd, 12);
    expect(c.ci[1] - c.mean).toBeCloseTo((4.303 * sd) / Math.sqrt(3), 9);
    expect(c.ciKind).toBe("t over seeds");
    const one = cellOf("a", 0, "probe", [{ score: 0.6, ci: [0.5, 0.7], n: 10 }]);
    expect(one.ci).toEqual([0.5, 0.7]);
    expect(one.ciKind).toBe("bootstrap over items");
    expect(t975(1)).toBeCloseTo(12.706, 3);
    expect(Math.abs(t975(60) - 2.0003)).toBeLessThan(0.003);
  });

  it("checks the study's claims: holds on a study built to hold, fails when the gain is absent", () => {
    const pts = synthetic(freshSeed());
    const arms = ["base", "qa", "control", "midtrained", "midtrained+replay"];
    const claims = checkClaims(aggregate(pts, arms), "probe");
    expect(claims.map((c) => c.holds)).toEqual([true, true, true]);
    expect(claims[2]!.detail).toMatch(/midtrained\+replay \d+%/);
    // Midtraining that gained nothing: claim 1 fails, claim 3 has nothing to keep.
    const flat = pts.map((p) => (p.arm.startsWith("midtrained") ? { ...p, suites: { probe: { ...p.suites.probe!, score: 0.5 } } } : p));
    const c2 = checkClaims(aggregate(flat, arms), "probe");
    expect(c2[0]!.holds).toBe(false);
    expect(c2[2]!.holds).toBe(false);
    // Without strategies the third claim is not tested, and says so.
    const c3 = checkClaims(aggregate(pts.filter((p) => p.arm !== "midtrained+replay"), arms), "probe");
    expect(c3[2]!.holds).toBeNull();
  });
});

describe("experiment report", () => {
  it("writes results.json, report.md, SVG plots and an HTML page that renders in chromium", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-report-"));
    const arms = ["base", "qa", "control", "midtrained", "midtrained+replay"].map((name) => ({ name, describe: `the ${name} arm <b>` }));
    const files = writeReport(dir, { title: "Preservation test", arms, seeds: [0, 1, 2], sizes: [0, 1000, 2000], points: synthetic(freshSeed()), notes: ["ANIMA skipped: no graders"] });
    const results = JSON.parse(readFileSync(files.results, "utf8"));
    expect(results.cells.length).toBe(1 + 4 * 3);
    expect(results.claims).toHaveLength(3);
    const md = readFileSync(files.markdown, "utf8");
    expect(md).toMatch(/\| midtrained \| 0\.8\d\d \[/);
    expect(md).toContain("ANIMA skipped: no graders");
    for (const p of files.plots) expect(readFileSync(p, "utf8")).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const html = readFileSync(files.html, "utf8");
    expect(html).toContain("the base arm &lt;b&gt;"); // arm text is escaped
    if (!CHROMIUM) {
      console.warn("chromium not installed (apt-get install chromium): the browser half of this test is skipped");
      return;
    }
    const puppeteer = (await import("puppeteer-core")).default;
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${files.html}`, { waitUntil: "load" });
      const seen = await page.evaluate(() => {
        const box = (el: Element | null) => (el ? el.getBoundingClientRect() : null);
        const plot = document.querySelector("#plot-score svg");
        return {
          plot: box(plot) && { w: box(plot)!.width, h: box(plot)!.height },
          lines: [...document.querySelectorAll("#plot-score polyline.series")].map((e) => e.getAttribute("data-arm")),
          bands: document.querySelectorAll("#plot-score polygon.band").length,
          bars: document.querySelectorAll(".plot-dimensions rect.bar").length,
          barHeights: [...document.querySelectorAll(".plot-dimensions rect.bar")].map((e) => e.getBoundingClientRect().height),
          claims: document.querySelectorAll("#claims li.holds").length,
          tables: document.querySelectorAll("table").length,
        };
      });
      expect(seen.plot!.w).toBeGreaterThan(300);
      expect(seen.plot!.h).toBeGreaterThan(200);
      expect(seen.lines).toEqual(arms.map((a) => a.name));
      expect(seen.bands).toBe(5);
      expect(seen.bars).toBe(5 * 2 + 4 * 2); // size 0: five arms; size 2000: four (base is not swept)
      expect(Math.min(...seen.barHeights)).toBeGreaterThan(10);
      expect(seen.claims).toBe(3);
      expect(seen.tables).toBe(1);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe("experiment aggregation of a shared model", () => {
  it("counts a model shared by several seeds once, with its own item interval", () => {
    const suites = { probe: { score: 0.4, ci: [0.3, 0.5] as [number, number], n: 50 } };
    const pts: PointResult[] = [0, 1, 2].map((seed) => ({ arm: "base", seed, size: 0, checkpoint: "/ck/base", suites }));
    const [c] = aggregate(pts, ["base"]);
    expect(c!.seeds).toBe(1);
    expect(c!.ci).toEqual([0.3, 0.5]);
    expect(c!.ciKind).toBe("bootstrap over items");
  });
});

describe("experiment plots", () => {
  it("keeps each arm's colour when an arm is missing at a size", async () => {
    const { dimensionBarsSvg, colorOf } = await import("../src/experiment/plots.js");
    const svg = dimensionBarsSvg([{ arm: "qa", dims: { a: 0.5 }, color: 1 }], { title: "t" });
    expect(svg).toContain(`data-arm="qa" data-dim="a"`);
    expect(svg).toMatch(new RegExp(`data-arm="qa"[^>]*fill="${colorOf(1)}"`));
    expect(svg).not.toContain(`fill="${colorOf(0)}"`);
  });
});
