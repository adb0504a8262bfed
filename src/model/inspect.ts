// `midtrain inspect`: what a checkpoint directory holds, read from its
// headers and JSON files only (no weights are loaded).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import { listWeights, readCheckpointConfig } from "./checkpoint.js";

export interface CheckpointSummary {
  dir: string;
  architecture: string;
  model_type: string;
  params: number;
  layers: number;
  hidden_size: number;
  heads: number;
  kv_heads: number;
  head_dim: number;
  vocab_size: number;
  tied_embeddings: boolean;
  /** tensors per on-disk dtype */
  dtypes: Record<string, number>;
  weight_bytes: number;
  files: string[];
  tokenizer: { vocab_size: number; bos: string | null; eos: string | null; chat_template: boolean; special_tokens: number } | null;
  training_state: boolean;
}

export function inspectCheckpoint(dir: string): CheckpointSummary {
  const { raw, engine } = readCheckpointConfig(dir);
  const weights = listWeights(dir);
  const dtypes: Record<string, number> = {};
  let params = 0, bytes = 0;
  for (const w of weights.values()) {
    dtypes[w.entry.dtype] = (dtypes[w.entry.dtype] ?? 0) + 1;
    params += w.entry.shape.reduce((a, b) => a * b, 1);
    bytes += w.entry.end - w.entry.begin;
  }
  let tokenizer: CheckpointSummary["tokenizer"] = null;
  if (existsSync(join(dir, "tokenizer.json"))) {
    const t = Tokenizer.fromDir(dir);
    const name = (id: number | null) => (id === null ? null : t.idToToken(id) ?? null);
    tokenizer = { vocab_size: t.vocabSize, bos: name(t.bosId), eos: name(t.eosId), chat_template: t.chatTemplate !== null, special_tokens: t.specialTokens.length };
  }
  const arch = Array.isArray(raw.architectures) && typeof raw.architectures[0] === "string" ? raw.architectures[0] : "LlamaForCausalLM";
  return {
    dir,
    architecture: arch,
    model_type: typeof raw.model_type === "string" ? raw.model_type : "llama",
    params,
    layers: engine.num_hidden_layers,
    hidden_size: engine.hidden_size,
    heads: engine.num_attention_heads,
    kv_heads: engine.num_key_value_heads,
    head_dim: engine.head_dim,
    vocab_size: engine.vocab_size,
    tied_embeddings: engine.tie_word_embeddings,
    dtypes,
    weight_bytes: bytes,
    files: readdirSync(dir).filter((f) => !f.startsWith(".")).sort(),
    tokenizer,
    training_state: existsSync(join(dir, "trainer_state.json")),
  };
}

export function formatSummary(s: CheckpointSummary): string {
  const lines = [
    `${s.dir}: ${s.architecture} (${s.model_type})`,
    `  parameters  ${(s.params / 1e6).toFixed(2)}M in ${Object.entries(s.dtypes).map(([d, n]) => `${n} ${d}`).join(", ")} tensors, ${(s.weight_bytes / 2 ** 20).toFixed(1)} MiB`,
    `  shape       ${s.layers} layers, hidden ${s.hidden_size}, ${s.heads} heads / ${s.kv_heads} KV heads of ${s.head_dim}, vocab ${s.vocab_size}${s.tied_embeddings ? ", tied embeddings" : ""}`,
    s.tokenizer
      ? `  tokenizer   ${s.tokenizer.vocab_size} ids, bos ${s.tokenizer.bos ?? "none"}, eos ${s.tokenizer.eos ?? "none"}, ${s.tokenizer.special_tokens} special tokens, chat template ${s.tokenizer.chat_template ? "yes" : "no"}`
      : "  tokenizer   none",
    `  files       ${s.files.join(", ")}`,
  ];
  return lines.join("\n");
}
