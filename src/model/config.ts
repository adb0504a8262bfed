// Hugging Face config.json -> the engine's model config. Accepts the Llama
// family (Llama, Mistral, Qwen2, Qwen3 and same-shaped models) and refuses
// features the engine does not implement, naming the field.
import { z } from "zod";

const RopeScaling = z
  .object({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    factor: z.number().positive().optional(),
    low_freq_factor: z.number().positive().optional(),
    high_freq_factor: z.number().positive().optional(),
    original_max_position_embeddings: z.number().int().positive().optional(),
  })
  .passthrough();

export const HFConfigSchema = z
  .object({
    architectures: z.array(z.string()).optional(),
    model_type: z.string().optional(),
    vocab_size: z.number().int().positive(),
    hidden_size: z.number().int().positive(),
    intermediate_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    num_attention_heads: z.number().int().positive(),
    num_key_value_heads: z.number().int().positive().optional(),
    head_dim: z.number().int().positive().nullable().optional(),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().default(10000),
    rope_scaling: RopeScaling.nullable().optional(),
    tie_word_embeddings: z.boolean().default(false),
    attention_bias: z.boolean().optional(),
    qk_norm: z.boolean().optional(),
    mlp_bias: z.boolean().optional(),
    hidden_act: z.string().optional(),
    max_position_embeddings: z.number().int().positive().optional(),
    sliding_window: z.number().int().nullable().optional(),
    use_sliding_window: z.boolean().optional(),
    num_experts: z.number().int().optional(),
    num_local_experts: z.number().int().optional(),
    bos_token_id: z.union([z.number().int(), z.null()]).optional(),
    eos_token_id: z.union([z.number().int(), z.array(z.number().int()), z.null()]).optional(),
  })
  .passthrough();
export type HFConfig = z.infer<typeof HFConfigSchema>;

/** What the native engine needs (field names follow config.json). */
export interface EngineConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  rms_norm_eps: number;
  rope_theta: number;
  rope_scaling:
    | { rope_type: "llama3"; factor: number; low_freq_factor: number; high_freq_factor: number; original_max_position_embeddings: number }
    | { rope_type: "linear"; factor: number }
    | null;
  tie_word_embeddings: boolean;
  attention_bias: boolean;
  qk_norm: boolean;
}

export class ConfigError extends Error {}

/** Maps a parsed config.json to the engine config; `source` names the file in errors. */
export function engineConfig(raw: unknown, source = "config.json"): EngineConfig {
  const parsed = HFConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${source}: field '${issue.path.join(".")}': ${issue.message}`);
  }
  const c = parsed.data;
  const type = c.model_type ?? "llama";
  const refuse = (field: string, why: string): never => {
    throw new ConfigError(`${source}: field '${field}': ${why}`);
  };
  if (!["llama", "mistral", "qwen2", "qwen3"].includes(type))
    refuse("model_type", `'${type}' is not a supported architecture (llama, mistral, qwen2, qwen3)`);
  if (c.hidden_act !== undefined && c.hidden_act !== "silu") refuse("hidden_act", `'${c.hidden_act}' is not supported (silu only)`);
  if (c.mlp_bias) refuse("mlp_bias", "MLP biases are not supported");
  if ((c.num_experts ?? 0) > 0 || (c.num_local_experts ?? 0) > 0) refuse("num_experts", "mixture-of-experts models are not supported");
  const slidingOn = type === "mistral" ? c.sliding_window != null : c.use_sliding_window === true;
  if (slidingOn) refuse(type === "mistral" ? "sliding_window" : "use_sliding_window", "sliding-window attention is not supported");
  const heads = c.num_attention_heads;
  const kvHeads = c.num_key_value_heads ?? heads;
  if (heads % kvHeads !== 0) refuse("num_key_value_heads", `${kvHeads} does not divide num_attention_heads ${heads}`);
  const headDim = c.head_dim ?? c.hidden_size / heads;
  if (!Number.isInteger(headDim)) refuse("num_attention_heads", `${heads} does not divide hidden_size ${c.hidden_size}`);
  if (headDim % 2 !== 0 || headDim > 256) refuse("head_dim", `${headDim} must be even and at most 256`);

  let rope: EngineConfig["rope_scaling"] = null;
  if (c.rope_scaling) {
    const kind = c.rope_scaling.rope_type ?? c.rope_scaling.type ?? "default";
    const need = (k: "factor" | "low_freq_factor" | "high_freq_factor" | "original_max_position_embeddings"): number =>
      c.rope_scaling![k] ?? refuse(`rope_scaling.${k}`, "is required for this rope_type");
    if (kind === "llama3")
      rope = {
        rope_type: "llama3",
        factor: need("factor"),
        low_freq_factor: need("low_freq_factor"),
        high_freq_factor: need("high_freq_factor"),
        original_max_position_embeddings: need("original_max_position_embeddings"),
      };
    else if (kind === "linear") rope = { rope_type: "linear", factor: need("factor") };
    else if (kind !== "default") refuse("rope_scaling.rope_type", `'${kind}' is not supported (llama3, linear, default)`);
  }
  return {
    vocab_size: c.vocab_size,
    hidden_size: c.hidden_size,
    intermediate_size: c.intermediate_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    rms_norm_eps: c.rms_norm_eps,
    rope_theta: c.rope_theta,
    rope_scaling: rope,
    tie_word_embeddings: c.tie_word_embeddings,
    // Qwen2 always has q/k/v biases (its config has no field for it); Qwen3 always has q/k norms.
    attention_bias: c.attention_bias ?? type === "qwen2",
    qk_norm: type === "qwen3" || c.qk_norm === true,
  };
}
