// A value direction in the residual stream (the reviewers' representation
// probe): for each layer, the difference between the mean activation over
// compassionate answers and over dismissive answers to the same prompts, in
// a reference model (the midtrained one). Every other checkpoint of a sweep
// is then measured by how far its own compassionate-minus-dismissive
// difference still projects on that direction, relative to the reference.
import { loadProbeItems, probeContext } from "../evals/probe.js";
import { loadCheckpoint } from "../model/checkpoint.js";
import type { EngineDevice, Model } from "../engine/model.js";
import { Tokenizer } from "../tokenizer/tokenizer.js";

/** A prompt with two answers; only the answer tokens enter the means. */
export interface ContrastItem {
  context: string;
  compassionate: string;
  dismissive: string;
}

/** The probe's items as contrasts (default: the built-in set), with the probe's own prompt and answer spacing. */
export function probeContrastItems(split: "main" | "heldout" | "all", file?: string): ContrastItem[] {
  return loadProbeItems(file)
    .filter((it) => split === "all" || it.split === split)
    .map((it) => ({ context: probeContext(it.question), compassionate: ` ${it.compassionate}`, dismissive: ` ${it.dismissive}` }));
}

/** Per layer (entry 0 = embeddings): the mean answer activation of each item. */
interface ItemActivations {
  comp: Float64Array[][];
  dism: Float64Array[][];
}

function answerActivations(model: Model, tok: Tokenizer, context: string, answer: string, maxLen: number): Float64Array[] {
  const ctx = tok.encode(context);
  const whole = tok.encode(context + answer);
  if (whole.length > maxLen) throw new Error(`direction: an item is ${whole.length} tokens, longer than the model's context ${maxLen}`);
  const T = whole.length;
  const mask = new Int32Array(T);
  // Positions whose token belongs to the answer (the tokenisation may merge across the seam: start at the first differing token).
  let start = 0;
  while (start < ctx.length && start < T && ctx[start] === whole[start]) start++;
  for (let t = Math.min(start, T - 1); t < T; t++) mask[t] = 1;
  const hs = model.hiddenStates({ inputIds: Int32Array.from(whole) }, 1, T, { mask, pool: "mean" });
  return hs.map((h) => Float64Array.from(h));
}

function activations(dir: string, items: ContrastItem[], device: EngineDevice): ItemActivations {
  const { model, config } = loadCheckpoint(dir, undefined, device);
  const tok = Tokenizer.fromDir(dir);
  const maxLen = Number(config.raw.max_position_embeddings) || 2048;
  return {
    comp: items.map((it) => answerActivations(model, tok, it.context, it.compassionate, maxLen)),
    dism: items.map((it) => answerActivations(model, tok, it.context, it.dismissive, maxLen)),
  };
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Per layer: mean over items of (compassionate - dismissive). */
function meanDifference(a: ItemActivations): Float64Array[] {
  const layers = a.comp[0]!.length;
  return Array.from({ length: layers }, (_, l) => {
    const d = new Float64Array(a.comp[0]![l]!.length);
    for (let i = 0; i < a.comp.length; i++) {
      const c = a.comp[i]![l]!, x = a.dism[i]![l]!;
      for (let j = 0; j < d.length; j++) d[j] = d[j]! + (c[j]! - x[j]!) / a.comp.length;
    }
    return d;
  });
}

export interface LayerProjection {
  layer: number;
  /** Mean projection of this model's compassionate-minus-dismissive difference on the unit reference direction. */
  projection: number;
  /** projection / the reference's own projection (1 = as separated as the reference). */
  retained: number;
  /** Cosine between this model's own direction and the reference direction. */
  cosine: number;
}

export interface DirectionResult {
  reference: string;
  items: number;
  models: { model: string; label?: string; layers: LayerProjection[]; meanRetained: number }[];
}

/**
 * Measures `models` (each a checkpoint of the same architecture) on the
 * direction found in `reference`. Layer 0 (embeddings) is reported too.
 */
export function analyzeDirection(reference: string, models: { dir: string; label?: string }[], items: ContrastItem[], log: (s: string) => void = () => {}, device: EngineDevice = "cpu"): DirectionResult {
  if (items.length < 2) throw new Error(`direction: needs at least 2 items, got ${items.length}`);
  log(`direction: reference ${reference} on ${items.length} items`);
  const refDiff = meanDifference(activations(reference, items, device));
  const refNorm = refDiff.map((d) => Math.sqrt(dot(d, d)));
  const unit = refDiff.map((d, l) => d.map((x) => x / (refNorm[l]! || 1)));
  const out: DirectionResult = { reference, items: items.length, models: [] };
  for (const m of models) {
    log(`direction: ${m.label ?? m.dir}`);
    const diff = meanDifference(activations(m.dir, items, device));
    if (diff.length !== unit.length || diff[0]!.length !== unit[0]!.length) throw new Error(`direction: ${m.dir} has another shape than the reference ${reference}`);
    const layers = diff.map((d, l) => {
      const projection = dot(d, unit[l]!);
      const norm = Math.sqrt(dot(d, d));
      return { layer: l, projection, retained: refNorm[l]! > 0 ? projection / refNorm[l]! : NaN, cosine: norm > 0 ? projection / norm : NaN };
    });
    const inner = layers.slice(1);
    out.models.push({ model: m.dir, label: m.label, layers, meanRetained: inner.reduce((s, x) => s + x.retained, 0) / inner.length });
  }
  return out;
}
