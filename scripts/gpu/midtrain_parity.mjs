// midtrain's side of scripts/gpu/hf_parity.py: loads an HF-layout checkpoint
// into the engine on --device (cuda: the CUDA model; cpu: the CPU model),
// computes the loss and every gradient on one batch, then trains --steps
// AdamW steps on the given batches and records each loss. Needs the built
// CLI (npx tsc -p .) and the addon (MIDTRAIN_NATIVE picks another build).
//   node scripts/gpu/midtrain_parity.mjs MODEL_DIR BATCHES.json DEVICE OUT.json
// BATCHES.json: {B, T, grad: {input_ids, labels}, steps: [{input_ids, labels}..], hyper: {...}}
// OUT.json: {device, backend, loss, count, grad_norm, grads: {name: [..]}, step_losses: [..]}
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { loadCheckpoint } = await import(join(root, "dist", "model", "checkpoint.js"));
const { engineDevice } = await import(join(root, "dist", "engine", "model.js"));
const { native } = await import(join(root, "dist", "engine", "native.js"));

const [dir, batchesPath, deviceArg, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error("usage: midtrain_parity.mjs MODEL_DIR BATCHES.json cpu|cuda|auto OUT.json");
  process.exit(2);
}
const device = engineDevice(deviceArg);
const spec = JSON.parse(readFileSync(batchesPath, "utf8"));
const { B, T } = spec;
const toBatch = (b) => ({ inputIds: Int32Array.from(b.input_ids.flat()), labels: Int32Array.from(b.labels.flat()) });
const { model } = loadCheckpoint(dir, undefined, device);
const backend = device === "cuda" ? native().cudaInfo().backend : "cpu";
console.error(`midtrain_parity: ${dir} on ${device} (${backend})`);

const r = model.lossAndGrad(toBatch(spec.grad), B, T);
const grads = {};
for (const name of model.paramNames()) grads[name] = Array.from(model.getGrad(name));
const stepLosses = [];
for (const [i, b] of spec.steps.entries()) {
  const s = await model.step([toBatch(b)], B, T, spec.hyper);
  stepLosses.push(s.loss);
  if ((i + 1) % 5 === 0) console.error(`midtrain_parity: step ${i + 1}/${spec.steps.length} loss ${s.loss.toFixed(4)}`);
}
const mem = model.memory();
writeFileSync(
  outPath,
  JSON.stringify({ device, backend, loss: r.loss, count: r.count, grad_norm: r.gradNorm, grads, step_losses: stepLosses, memory: mem }),
);
