// metrics.jsonl (one JSON line per optimizer step; eval lines carry
// "type": "eval") and the progress line on stderr.
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
}

export interface EvalMetrics {
  type: "eval";
  step: number;
  eval_loss: number;
  eval_tokens: number;
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

  append(m: StepMetrics | EvalMetrics): void {
    appendFileSync(this.path, JSON.stringify(m) + "\n");
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
    const line = `[${bar}] step ${m.step}/${this.total}  loss ${m.loss.toFixed(4)}  lr ${m.lr.toExponential(2)}  ${m.tokens_per_s.toFixed(0)} tok/s  ETA ${fmt(eta)}`;
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

function fmt(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
