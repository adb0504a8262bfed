// Learning-rate schedules as transformers' get_scheduler computes them: a
// multiplier of the peak lr evaluated at the 0-based index of the optimizer
// step about to be taken (so with warmup the first step uses lr 0, as in HF).
export type ScheduleName = "constant" | "cosine" | "linear";

export interface Schedule {
  name: ScheduleName;
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor as a fraction of the peak for cosine/linear decay (0 = decay to 0, HF's default). */
  minLrRatio?: number;
}

export function lrAt(s: Schedule, step: number): number {
  const warm = s.warmupSteps;
  if (step < warm) return (s.peakLr * step) / Math.max(1, warm);
  if (s.name === "constant") return s.peakLr;
  const progress = Math.min(1, (step - warm) / Math.max(1, s.totalSteps - warm));
  const floor = s.minLrRatio ?? 0;
  const decay = s.name === "cosine" ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return s.peakLr * (floor + (1 - floor) * decay);
}
