// Which native-engine device a command runs on, and whether that device has
// the controls a run needs. The CUDA backend gains the preservation
// strategies one at a time (native/model/backend.h: a control it lacks throws
// "... is not on the <device> backend"); asking a tiny model on the device is
// the one way to know that does not go stale when it gains one. So a run that
// cannot work on the GPU fails before it starts (--device cuda), or runs on
// the CPU and says why (--device auto), instead of failing an hour in.
import { Cuda } from "../engine/cuda.js";
import { engineDevice, hasCudaBackend, Model, type EngineDevice } from "../engine/model.js";

export type DeviceRequest = EngineDevice | "auto";

/** Engine controls beyond plain training that a run may need. */
export type EngineNeed = "anchor" | "fisher" | "lora" | "freeze" | "lrScale" | "klRef" | "recompute" | "hiddenStates";

/** The flag that asks for each control, for messages. */
export const NEED_FLAG: Record<EngineNeed, string> = {
  anchor: "--anchor",
  fisher: "--anchor ewc",
  lora: "--lora-rank",
  freeze: "--freeze-layers",
  lrScale: "--lr-scale",
  klRef: "--kl-ref",
  recompute: "--recompute",
  hiddenStates: "analyze direction / analysis.direction",
};

/** The controls a train stage's options need (keys in camelCase or snake_case, as TrainOptions or a config's stage options). */
export function trainNeeds(raw: Record<string, unknown>): EngineNeed[] {
  const camel = (k: string) => k.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const o = Object.fromEntries(Object.entries(raw).map(([k, v]) => [camel(k), v]));
  const needs = new Set<EngineNeed>();
  if (o.anchor !== undefined) needs.add("anchor");
  if (o.anchor === "ewc") needs.add("fisher");
  if (o.loraRank !== undefined) needs.add("lora");
  if (o.freezeLayers !== undefined) needs.add("freeze");
  if (o.lrScale !== undefined) needs.add("lrScale");
  if (o.klRef !== undefined) needs.add("klRef");
  if (o.recompute === true) needs.add("recompute");
  return [...needs];
}

// Small enough to cost nothing, shaped for every backend (the CUDA attention takes head_dim 64 or 128).
const PROBE_CONFIG = {
  model_type: "llama", vocab_size: 64, hidden_size: 128, intermediate_size: 128, num_hidden_layers: 1,
  num_attention_heads: 2, num_key_value_heads: 1, head_dim: 64, max_position_embeddings: 16,
};

const NOT_HERE = /is not on the \S+ backend/;

function probe(device: EngineDevice, need: EngineNeed): void {
  const m = new Model(PROBE_CONFIG, "device probe", device);
  const T = 4;
  const batch = { inputIds: Int32Array.from({ length: T }, (_, i) => i + 1), labels: Int32Array.from({ length: T }, (_, i) => i + 2) };
  switch (need) {
    case "anchor":
      return m.setAnchor();
    case "fisher":
      m.accumulateFisher(batch, 1, T);
      return;
    case "lora":
      return m.enableLora({ rank: 2, alpha: 4, targets: ["q"], seed: 1 });
    case "freeze":
      return m.setTrainable("model.norm.weight", false);
    case "lrScale":
      return m.setLrScale("model.norm.weight", 0.5);
    case "klRef":
      return m.setKlReference(new Model(PROBE_CONFIG, "device probe", device), 1);
    case "recompute":
      return m.setRecompute(true);
    case "hiddenStates":
      m.hiddenStates(batch, 1, T);
      return;
  }
}

/** The engine's sentence for each of `needs` that `device` lacks (empty on the CPU, which has them all). */
export function missingControls(device: EngineDevice, needs: readonly EngineNeed[]): { need: EngineNeed; message: string }[] {
  const out: { need: EngineNeed; message: string }[] = [];
  for (const need of new Set(needs)) {
    try {
      probe(device, need);
    } catch (e) {
      const message = (e as Error).message;
      if (!NOT_HERE.test(message)) throw e; // a probe that fails otherwise is a bug here, not a missing control
      out.push({ need, message: message.replace(/; use --device cpu$/, "") });
    }
  }
  return out;
}

/** Why --device auto did not pick the GPU (the engine's own rule: a real CUDA device with an addon that has the CUDA model). */
function whyNotCuda(): string {
  if (!hasCudaBackend()) return "this build of the native addon has no CUDA backend";
  const info = new Cuda().info();
  if (info.backend === "emulated") return "the addon's CUDA backend is the CPU emulation, which auto never picks";
  return `no CUDA device (${info.reason ?? "none found"})`;
}

/**
 * --device cpu|cuda|auto -> where the native engine runs, logged with the reason. `needs` are the controls the
 * run uses: with cuda, one the CUDA backend lacks is an error now; with auto, it keeps the run on the CPU.
 */
export function chooseEngineDevice(requested: DeviceRequest, log: (s: string) => void, needs: readonly EngineNeed[] = []): EngineDevice {
  const picked = engineDevice(requested); // throws the clear error for cuda on a build without it
  if (picked === "cpu") {
    log(`device: cpu (${requested === "auto" ? `--device auto: ${whyNotCuda()}` : "--device cpu"})`);
    return "cpu";
  }
  const missing = missingControls("cuda", needs);
  if (missing.length && requested === "cuda")
    throw new Error(`--device cuda: ${missing.map((m) => m.message).join("; ")}; run this on --device cpu`);
  if (missing.length) {
    log(`device: cpu (--device auto: the CUDA backend lacks what this run uses: ${missing.map((m) => m.message.replace(/ is not on the .*$/, "")).join(", ")})`);
    return "cpu";
  }
  const d = new Cuda().info().devices[0];
  log(`device: cuda (${d ? `${d.name}, ${(d.memoryBytes / 2 ** 30).toFixed(0)} GiB` : "CUDA"}; --device ${requested})`);
  return "cuda";
}
