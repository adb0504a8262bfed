// The experiment's outputs: results.json (every point and every aggregate),
// report.md (tables with intervals and the claims checked), two SVG plots,
// and report.html, one self-contained page that shows them all.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../model/atomic-file.js";
import { aggregate, checkClaims, type Cell, type Claim, type PointResult } from "./aggregate.js";
import { dimensionBarsSvg, scoreVsSamplesSvg } from "./plots.js";

export interface ReportInput {
  title: string;
  arms: { name: string; describe: string }[];
  seeds: number[];
  sizes: number[];
  points: PointResult[];
  /** Things the reader must know: skipped suites, fallbacks, scale caveats. */
  notes: string[];
  /** The suite the claims and plots are about (default "probe"). */
  headline?: string;
  /** The value direction's mean retained projection (layers 1..L) per arm and size, for one seed. */
  direction?: { seed: number; items: number; rows: { arm: string; size: number; retained: number }[] };
}

export interface ReportFiles {
  results: string;
  markdown: string;
  html: string;
  plots: string[];
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const verdict = (c: Claim) => (c.holds === null ? "not tested" : c.holds ? "holds" : "does not hold");

function suiteTable(cells: Cell[], arms: string[], sizes: number[], suite: string): string[][] {
  const rows: string[][] = [["arm", ...sizes.map((s) => `SFT ${s}`)]];
  for (const arm of arms) {
    const row = [arm];
    let any = false;
    for (const s of sizes) {
      const c = cells.find((x) => x.arm === arm && x.size === s && x.suite === suite);
      if (c) any = true;
      row.push(c ? `${fmt(c.mean)} [${fmt(c.ci[0])}, ${fmt(c.ci[1])}]` : "");
    }
    if (any) rows.push(row);
  }
  return rows;
}

const mdTable = (rows: string[][]) => [`| ${rows[0]!.join(" | ")} |`, `| ${rows[0]!.map(() => "---").join(" | ")} |`, ...rows.slice(1).map((r) => `| ${r.join(" | ")} |`)].join("\n");
const htmlTable = (rows: string[][]) =>
  `<table><thead><tr>${rows[0]!.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .slice(1)
    .map((r) => `<tr>${r.map((v, i) => (i ? `<td>${esc(v)}</td>` : `<th>${esc(v)}</th>`)).join("")}</tr>`)
    .join("")}</tbody></table>`;

/** Per-dimension means of the headline suite at one size, for the bar plot. */
function dimensionsAt(cells: Cell[], arms: string[], suite: string, size: number): { arm: string; dims: Record<string, number> }[] {
  return arms
    .map((arm) => ({ arm, c: cells.find((x) => x.arm === arm && x.size === size && x.suite === suite) }))
    .filter((x) => x.c?.perDimension)
    .map((x) => ({ arm: x.arm, dims: x.c!.perDimension!, color: arms.indexOf(x.arm) })); // an arm keeps its colour in every plot
}

export function writeReport(outDir: string, r: ReportInput): ReportFiles {
  mkdirSync(join(outDir, "plots"), { recursive: true });
  const headline = r.headline ?? "probe";
  const armNames = r.arms.map((a) => a.name);
  const cells = aggregate(r.points, armNames);
  const claims = checkClaims(cells, headline);
  const suites = [...new Set(cells.map((c) => c.suite))];
  const ciKinds = [...new Set(cells.map((c) => c.ciKind))];

  const results = join(outDir, "results.json");
  writeFileAtomic(results, JSON.stringify({ title: r.title, headline, seeds: r.seeds, sft_sizes: r.sizes, arms: r.arms, claims, cells, points: r.points, notes: r.notes, ...(r.direction ? { direction: r.direction } : {}) }, null, 2) + "\n");

  const lineSvg = scoreVsSamplesSvg(cells.filter((c) => c.suite === headline), armNames, { title: `${headline} score vs follow-up SFT samples`, yLabel: `${headline} score (mean over seeds, 95% interval)` });
  const largest = r.sizes.at(-1) ?? 0;
  const barSizes = [...new Set([0, largest])];
  const barSvgs = barSizes.map((s) => ({ s, svg: dimensionBarsSvg(dimensionsAt(cells, armNames, headline, s), { title: `${headline} by dimension at SFT ${s}` }) }));
  const plots = [join(outDir, "plots", "score-vs-sft.svg"), ...barSvgs.map((b) => join(outDir, "plots", `dimensions-sft-${b.s}.svg`))];
  writeFileAtomic(plots[0]!, lineSvg + "\n");
  barSvgs.forEach((b, i) => writeFileAtomic(plots[i + 1]!, b.svg + "\n"));

  const md: string[] = [`# ${r.title}`, "", `Seeds: ${r.seeds.join(", ")}. Follow-up SFT sizes: ${r.sizes.join(", ")}. Intervals: 95%, ${ciKinds.join(" / ")}.`, "", "## Claims", ""];
  for (const c of claims) md.push(`- **${c.claim}**: ${verdict(c)}. ${c.detail}`);
  md.push("", "## Arms", "");
  for (const a of r.arms) md.push(`- \`${a.name}\`: ${a.describe}`);
  for (const suite of suites) md.push("", `## ${suite}`, "", mdTable(suiteTable(cells, armNames, r.sizes, suite)));
  let directionRows: string[][] | undefined;
  if (r.direction) {
    const d = r.direction;
    directionRows = [["arm", ...r.sizes.map((s) => `SFT ${s}`)]];
    for (const arm of armNames) {
      const row = [arm, ...r.sizes.map((s) => d.rows.find((x) => x.arm === arm && x.size === s)?.retained)].map((v) => (typeof v === "number" ? fmt(v) : v ?? ""));
      if (row.slice(1).some((v) => v !== "")) directionRows.push(row);
    }
    const what = `Mean over layers of the projection of each model's compassionate-minus-dismissive activation difference on the midtrained model's direction, relative to the midtrained model (1 = as separated; seed ${d.seed}, ${d.items} probe items).`;
    md.push("", "## Value direction (representation probe)", "", what, "", mdTable(directionRows));
  }
  md.push("", "## Plots", "", `![score vs SFT](plots/score-vs-sft.svg)`, ...barSvgs.map((b) => `![dimensions at SFT ${b.s}](plots/dimensions-sft-${b.s}.svg)`));
  if (r.notes.length) md.push("", "## Notes", "", ...r.notes.map((n) => `- ${n}`));
  const markdown = join(outDir, "report.md");
  writeFileAtomic(markdown, md.join("\n") + "\n");

  const html = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>`,
    `<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;font-variant-numeric:tabular-nums}thead th{background:#f4f4f4}tbody th{text-align:left}.holds{color:#1b7a3a}.fails{color:#b3261e}.untested{color:#666}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}</style></head><body>`,
    `<h1>${esc(r.title)}</h1>`,
    `<p>Seeds: ${r.seeds.join(", ")}. Follow-up SFT sizes: ${r.sizes.join(", ")}. Intervals: 95%, ${esc(ciKinds.join(" / "))}.</p>`,
    `<h2>Claims</h2><ul id="claims">${claims.map((c) => `<li class="${c.holds === null ? "untested" : c.holds ? "holds" : "fails"}"><b>${esc(c.claim)}</b>: ${verdict(c)}. ${esc(c.detail)}</li>`).join("")}</ul>`,
    `<h2>Plots</h2><figure id="plot-score">${lineSvg}</figure>`,
    ...barSvgs.map((b) => `<figure class="plot-dimensions">${b.svg}</figure>`),
    `<h2>Arms</h2><ul>${r.arms.map((a) => `<li><code>${esc(a.name)}</code>: ${esc(a.describe)}</li>`).join("")}</ul>`,
    ...suites.map((s) => `<h2>${esc(s)}</h2>${htmlTable(suiteTable(cells, armNames, r.sizes, s))}`),
    directionRows ? `<h2 id="direction">Value direction (representation probe)</h2><p>Retained projection on the midtrained model's compassionate-minus-dismissive direction, mean over layers (1 = as separated as the midtrained model; seed ${r.direction!.seed}, ${r.direction!.items} probe items).</p>${htmlTable(directionRows)}` : "",
    r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "",
    `</body></html>`,
  ].join("\n");
  const htmlPath = join(outDir, "report.html");
  writeFileAtomic(htmlPath, html + "\n");
  return { results, markdown, html: htmlPath, plots };
}
