// `midtrain bench plan`: the CUDA model's device memory for a preset at batch x seq, with and without
// activation recompute (and with LoRA when asked), from the engine's own planner (CudaLlama::plan): no GPU
// and no allocation, so a run can be sized before a card is rented. Needs an addon with the CUDA backend.
import { LORA_TARGETS, planCudaMemory, type LoraTarget } from "../engine/model.js";
import { loadPreset, modelsDir } from "../model/presets.js";

/** What a GPU needs beside the plan: the CUDA context (~0.5 GiB) and cuBLASLt's 32 MiB workspace, rounded up. */
export const CONTEXT_RESERVE_BYTES = 0.6 * 2 ** 30;

export interface PlanOptions {
  preset: string;
  batch: number;
  seq: number;
  /** LoRA rows beside the full fine-tune when given. */
  loraRank?: number;
  loraTargets?: readonly LoraTarget[];
  /** Every row with an L2-SP or EWC anchor's buffers. */
  anchor?: "l2sp" | "ewc";
  /** Every row with a KL reference of the same shape (its weights and forward plan). */
  klRef?: boolean;
  /** The card's memory in GiB, for the fits column. */
  gpuGiB: number;
}

export interface PlanRow {
  training: string;
  recompute: boolean;
  weights_bytes: number;
  activations_bytes: number;
  /** weights + activations + CONTEXT_RESERVE_BYTES */
  total_bytes: number;
  fits: boolean;
}

export interface PlanReport {
  preset: string;
  batch: number;
  seq: number;
  gpu_gib: number;
  reserve_bytes: number;
  rows: PlanRow[];
}

export function benchPlan(o: PlanOptions): PlanReport {
  const config = loadPreset(o.preset);
  const source = `${modelsDir}/${o.preset}.json`;
  const anchor = (o.anchor ? ` + ${o.anchor === "ewc" ? "EWC" : "L2-SP"} anchor` : "") + (o.klRef ? " + KL reference" : "");
  const kinds: { training: string; lora?: { rank: number; targets: LoraTarget[] } }[] = [{ training: `full fine-tune${anchor}` }];
  if (o.loraRank !== undefined) {
    const targets = [...(o.loraTargets ?? LORA_TARGETS)];
    kinds.push({ training: `LoRA r${o.loraRank} (${targets.join(",")})${anchor}`, lora: { rank: o.loraRank, targets } });
  }
  const rows: PlanRow[] = [];
  for (const k of kinds)
    for (const recompute of [false, true]) {
      const p = planCudaMemory(config, o.batch, o.seq, recompute, { ...(k.lora ? { lora: k.lora } : {}), ...(o.anchor ? { anchor: o.anchor } : {}), ...(o.klRef ? { klRef: true } : {}) }, source);
      const total = p.weightsBytes + p.activationsBytes + CONTEXT_RESERVE_BYTES;
      rows.push({ training: k.training, recompute, weights_bytes: p.weightsBytes, activations_bytes: p.activationsBytes, total_bytes: total, fits: total <= o.gpuGiB * 2 ** 30 });
    }
  return { preset: o.preset, batch: o.batch, seq: o.seq, gpu_gib: o.gpuGiB, reserve_bytes: CONTEXT_RESERVE_BYTES, rows };
}

export function formatPlan(r: PlanReport): string {
  const g = (b: number) => (b / 2 ** 30).toFixed(2);
  const lines = [
    `preset ${r.preset}, ${r.batch} x ${r.seq} tokens per micro-batch: CUDA model device memory (planned, GiB; total adds ${g(r.reserve_bytes)} for the CUDA context and cuBLASLt)`,
    "| training | recompute | weights + state | activations | total | fits " + `${r.gpu_gib} GiB |`,
    "| --- | --- | ---: | ---: | ---: | --- |",
  ];
  for (const x of r.rows)
    lines.push(`| ${x.training} | ${x.recompute ? "yes" : "no"} | ${g(x.weights_bytes)} | ${g(x.activations_bytes)} | ${g(x.total_bytes)} | ${x.fits ? "yes" : "no"} |`);
  return lines.join("\n");
}
