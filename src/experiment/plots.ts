// The report's two plots as standalone SVG strings: the score against
// follow-up SFT samples per arm with interval bands, and per-dimension bars.
// Written by hand: two small charts do not justify a charting library that
// needs a DOM (d3) or a headless renderer (vega) at run time.
import type { Cell } from "./aggregate.js";

const PALETTE = ["#1b6ca8", "#d1495b", "#2a9d8f", "#e9a03b", "#6c4f9c", "#5b8e23", "#8c564b", "#c2185b", "#455a64", "#00838f"];

export const colorOf = (i: number) => PALETTE[i % PALETTE.length]!;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n2 = (x: number) => (Math.round(x * 100) / 100).toString();

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

export interface LinePlotOptions {
  title: string;
  yLabel: string;
  width?: number;
  height?: number;
}

/** Mean score vs SFT samples, one line per arm, the 95% interval as a band. */
export function scoreVsSamplesSvg(cells: Cell[], arms: string[], o: LinePlotOptions): string {
  const W = o.width ?? 720, H = o.height ?? 420;
  const m = { l: 64, r: 190, t: 40, b: 52 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const sizes = [...new Set(cells.map((c) => c.size))].sort((a, b) => a - b);
  const xMax = Math.max(1, ...sizes);
  const finite = cells.flatMap((c) => [c.mean, c.ci[0], c.ci[1]]).filter(Number.isFinite);
  let yLo = Math.min(...finite), yHi = Math.max(...finite);
  if (!finite.length) (yLo = 0), (yHi = 1);
  const pad = Math.max(0.02, (yHi - yLo) * 0.08);
  yLo = Math.max(0, yLo - pad);
  yHi = Math.min(1, yHi + pad);
  if (yHi <= yLo) yHi = yLo + 0.1;
  const x = (v: number) => m.l + (v / xMax) * pw;
  const y = (v: number) => m.t + (1 - (v - yLo) / (yHi - yLo)) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}" font-family="sans-serif" font-size="12">`);
  parts.push(`<title>${esc(o.title)}</title><rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">${esc(o.title)}</text>`);
  for (const t of ticks(yLo, yHi)) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${n2(y(t))}" y2="${n2(y(t))}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${m.l - 8}" y="${n2(y(t) + 4)}" text-anchor="end">${t.toFixed(2)}</text>`);
  }
  for (const s of sizes) parts.push(`<text x="${n2(x(s))}" y="${m.t + ph + 18}" text-anchor="middle">${s}</text>`);
  parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#333"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle">follow-up SFT samples</text>`);
  parts.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  arms.forEach((arm, i) => {
    const series = cells.filter((c) => c.arm === arm).sort((a, b) => a.size - b.size);
    if (!series.length) return;
    const col = colorOf(i);
    const band = [...series.map((c) => `${n2(x(c.size))},${n2(y(c.ci[1]))}`), ...[...series].reverse().map((c) => `${n2(x(c.size))},${n2(y(c.ci[0]))}`)];
    if (series.every((c) => Number.isFinite(c.ci[0]) && Number.isFinite(c.ci[1])))
      parts.push(`<polygon class="band" data-arm="${esc(arm)}" points="${band.join(" ")}" fill="${col}" fill-opacity="0.15" stroke="none"/>`);
    parts.push(`<polyline class="series" data-arm="${esc(arm)}" points="${series.map((c) => `${n2(x(c.size))},${n2(y(c.mean))}`).join(" ")}" fill="none" stroke="${col}" stroke-width="2"/>`);
    for (const c of series)
      parts.push(`<circle cx="${n2(x(c.size))}" cy="${n2(y(c.mean))}" r="3.5" fill="${col}"><title>${esc(arm)} @ ${c.size}: ${c.mean.toFixed(3)} [${c.ci[0].toFixed(3)}, ${c.ci[1].toFixed(3)}]</title></circle>`);
    const ly = m.t + 10 + i * 20;
    parts.push(`<rect x="${m.l + pw + 16}" y="${ly - 9}" width="14" height="10" fill="${col}"/><text x="${m.l + pw + 36}" y="${ly}">${esc(arm)}</text>`);
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}

export interface BarPlotOptions {
  title: string;
  width?: number;
  height?: number;
}

/** Grouped bars: one group per dimension, one bar per arm (scores in [0, 1]). */
export function dimensionBarsSvg(perArm: { arm: string; dims: Record<string, number>; color?: number }[], o: BarPlotOptions): string {
  const dims = [...new Set(perArm.flatMap((a) => Object.keys(a.dims)))];
  const W = o.width ?? Math.max(720, 90 + dims.length * (perArm.length * 12 + 18) + 190), H = o.height ?? 440;
  const m = { l: 56, r: 190, t: 40, b: 130 };
  const pw = W - m.l - m.r, ph = H - m.t - m.b;
  const gw = pw / Math.max(1, dims.length);
  const bw = Math.max(2, (gw - 8) / Math.max(1, perArm.length));
  const y = (v: number) => m.t + (1 - Math.max(0, Math.min(1, v))) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}" font-family="sans-serif" font-size="11">`);
  parts.push(`<title>${esc(o.title)}</title><rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">${esc(o.title)}</text>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${n2(y(t))}" y2="${n2(y(t))}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${m.l - 6}" y="${n2(y(t) + 4)}" text-anchor="end">${t.toFixed(2)}</text>`);
  }
  dims.forEach((d, j) => {
    const gx = m.l + j * gw + 4;
    perArm.forEach((a, i) => {
      const v = a.dims[d];
      if (v === undefined || !Number.isFinite(v)) return;
      parts.push(`<rect class="bar" data-arm="${esc(a.arm)}" data-dim="${esc(d)}" x="${n2(gx + i * bw)}" y="${n2(y(v))}" width="${n2(bw - 1)}" height="${n2(m.t + ph - y(v))}" fill="${colorOf(a.color ?? i)}"><title>${esc(a.arm)}, ${esc(d)}: ${v.toFixed(3)}</title></rect>`);
    });
    const lx = gx + gw / 2 - 4;
    parts.push(`<text transform="translate(${n2(lx)} ${m.t + ph + 10}) rotate(45)" text-anchor="start">${esc(d)}</text>`);
  });
  parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`);
  perArm.forEach((a, i) => {
    const ly = m.t + 10 + i * 20;
    parts.push(`<rect x="${m.l + pw + 16}" y="${ly - 9}" width="14" height="10" fill="${colorOf(a.color ?? i)}"/><text x="${m.l + pw + 36}" y="${ly}">${esc(a.arm)}</text>`);
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}
