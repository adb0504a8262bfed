// metrics.jsonl (one JSON line per optimizer step; eval lines carry
// "type": "eval", non-finite steps "type": "skipped" or "stopped") and the
// progress line on stderr.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../model/atomic-file.js";

export interface StepMetrics {
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens: number;
  tokens_per_s: number;
  samples: number;
  epoch: number;
  /** With --kl-ref: mean KL(reference || model) per target token (the loss above excludes it). */
  kl?: number;
  /** With --anchor: anchor_weight/2 * sum F (w - w0)^2 before the step (the loss above excludes it). */
  anchor_penalty?: number;
  /** With --replay: replay examples seen so far (not counted in samples). */
  replay_samples?: number;
  /** With --on-nonfinite skip: steps skipped so far in this run's history (absent while none). */
  skipped_steps?: number;
  /** The host process's peak resident set size so far (every device). */
  max_rss_bytes: number;
  /** CUDA: the device plan (weights + state + activations), the most in use seen at a step's end, and the device's free/total. */
  device_plan_bytes?: number;
  device_peak_bytes?: number;
  device_free_bytes?: number;
  device_total_bytes?: number;
}

export interface EvalMetrics {
  type: "eval";
  step: number;
  eval_loss: number;
  eval_tokens: number;
}

/** A step the engine refused: its loss or gradient norm was not finite, so weights, moments and step count were left as they were. */
export interface NonFiniteMetrics {
  /** skipped: --on-nonfinite skip dropped the batch; stopped: the run stopped here (--on-nonfinite stop, or --max-skipped reached). */
  type: "skipped" | "stopped";
  /** The optimizer step the batch was for (one more than the last good step). */
  step: number;
  /** JSON has no NaN/Infinity: a non-finite value is written as the string "NaN", "Infinity" or "-Infinity". */
  loss: number | string;
  grad_norm: number | string;
  /** Steps skipped in a row, this one included. */
  in_a_row: number;
}

/** A number as metrics.jsonl can hold it (JSON.stringify would turn NaN and Infinity into null). */
export function jsonNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

export class MetricsLog {
  constructor(readonly path: string) {}

  /** On resume: drop lines past the checkpoint's step, so the file reads as one uninterrupted run. */
  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    const keep = readFileSync(this.path, "utf8")
      .split("\n")
      .filter((l) => {
        if (!l.trim()) return false;
        try {
          return (JSON.parse(l) as { step?: number }).step! <= step;
        } catch {
          return false; // a torn last line from a kill
        }
      });
    writeFileAtomic(this.path, keep.map((l) => l + "\n").join(""));
  }

  reset(): void {
    writeFileAtomic(this.path, "");
  }

  append(m: StepMetrics | EvalMetrics | NonFiniteMetrics): void {
    appendFileSync(this.path, JSON.stringify(m) + "\n");
  }

  /** Lines of this type in the file (e.g. the skipped steps a resumed run already had). */
  count(type: string): number {
    if (!existsSync(this.path)) return 0;
    let n = 0;
    for (const l of readFileSync(this.path, "utf8").split("\n")) {
      if (!l.includes(`"type":"${type}"`)) continue;
      try {
        if ((JSON.parse(l) as { type?: string }).type === type) n++;
      } catch {
        // a torn last line from a kill
      }
    }
    return n;
  }
}

/** One progress line, redrawn in place on a terminal and printed every ~10 s otherwise. */
export class Progress {
  private lastPrint = 0;
  private readonly t0 = performance.now();
  constructor(
    private readonly total: number,
    private readonly startStep: number,
    private readonly tty = process.stderr.isTTY === true,
  ) {}

  update(m: StepMetrics): void {
    const now = performance.now();
    const done = m.step - this.startStep;
    const perStep = (now - this.t0) / Math.max(1, done);
    const eta = Math.max(0, this.total - m.step) * perStep;
    const width = 24;
    const filled = Math.round((width * m.step) / Math.max(1, this.total));
    const bar = "#".repeat(filled) + ".".repeat(Math.max(0, width - filled));
    const skipped = m.skipped_steps ? `  skipped ${m.skipped_steps}` : "";
    const line = `[${bar}] step ${m.step}/${this.total}  loss ${m.loss.toFixed(4)}  lr ${m.lr.toExponential(2)}  ${m.tokens_per_s.toFixed(0)} tok/s  ${memoryText(m)}${skipped}  ETA ${fmt(eta)}`;
    if (this.tty) process.stderr.write(`\r${line}\x1b[K`);
    else if (now - this.lastPrint > 10_000 || m.step === this.total || done === 1) {
      process.stderr.write(line + "\n");
      this.lastPrint = now;
    }
  }

  done(): void {
    if (this.tty) process.stderr.write("\n");
  }
}

export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** The progress line's memory: the GPU's peak (or the plan before a peak is measured) on CUDA, the host's peak RSS on the CPU. */
export function memoryText(m: Pick<StepMetrics, "max_rss_bytes" | "device_plan_bytes" | "device_peak_bytes" | "device_total_bytes">): string {
  if (m.device_plan_bytes !== undefined) {
    const used = m.device_peak_bytes ? `peak ${gib(m.device_peak_bytes)}` : `plan ${gib(m.device_plan_bytes)}`;
    return `GPU ${used} of ${gib(m.device_total_bytes ?? 0)}`;
  }
  return `RSS peak ${gib(m.max_rss_bytes)}`;
}

function fmt(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
