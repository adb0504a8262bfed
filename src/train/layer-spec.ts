// Which tensors a layer spec names (--freeze-layers, --lr-scale). Grammar: comma-separated parts,
//   N        layer N (0-based): every tensor of model.layers.N (attention, MLP, both norms)
//   A-B      layers A to B inclusive
//   embed    model.embed_tokens.weight (with tied embeddings also the LM head: one tensor)
//   lm_head  lm_head.weight (with tied embeddings the same tensor as embed)
//   norm     model.norm.weight, the final norm
// e.g. "0-3", "embed", "0-3,embed,lm_head". An error names the bad part.

export interface SpecModel {
  paramNames(): string[];
  readonly config: { num_hidden_layers: number; tie_word_embeddings: boolean };
}

/** Tensor names (checkpoint names, in the model's order) that `spec` selects; `what` names the option in errors. */
export function tensorsOfSpec(spec: string, model: SpecModel, what: string): string[] {
  const L = model.config.num_hidden_layers;
  const names = model.paramNames();
  const chosen = new Set<string>();
  const bad = (part: string, why: string): never => {
    throw new Error(`option '${what}': part '${part}' ${why}`);
  };
  const layer = (part: string, s: string): number => {
    const n = Number(s);
    if (!/^\d+$/.test(s)) bad(part, "is not a layer index, a range A-B, 'embed', 'lm_head' or 'norm'");
    if (n >= L) bad(part, `is out of range: the model has ${L} layers (0-${L - 1})`);
    return n;
  };
  const parts = spec.split(",").map((p) => p.trim());
  for (const part of parts) {
    if (part === "") bad(part, "is empty (a stray comma?)");
    if (part === "embed" || (part === "lm_head" && model.config.tie_word_embeddings)) chosen.add("model.embed_tokens.weight");
    else if (part === "lm_head") chosen.add("lm_head.weight");
    else if (part === "norm") chosen.add("model.norm.weight");
    else {
      const m = /^(\d+)\s*-\s*(\d+)$/.exec(part);
      const [a, b] = m ? [layer(part, m[1]!), layer(part, m[2]!)] : [layer(part, part), layer(part, part)];
      if (a > b) bad(part, `is an empty range (${a} > ${b})`);
      for (let l = a; l <= b; l++) for (const n of names) if (n.startsWith(`model.layers.${l}.`)) chosen.add(n);
    }
  }
  return names.filter((n) => chosen.has(n));
}
