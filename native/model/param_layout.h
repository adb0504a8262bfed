#pragma once
// The Hugging Face tensor layout of a Llama-family decoder: every parameter's
// name, shape and order, declared once. The CPU and CUDA models both lay out
// their flat parameter buffers from it, so tensor offsets line up between them
// and checkpoints map by name.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/llama.h"

namespace mt {

// Each tensor starts on a 16-float boundary (64 bytes of fp32, 32 of a bf16 copy).
constexpr size_t kParamAlign = 16;

// Appends one tensor to a flat parameter buffer's table; returns its offset in floats.
inline size_t append_param(std::vector<ParamInfo>& infos, std::map<std::string, size_t>& index, size_t& total, const std::string& name,
                           std::vector<int64_t> shape) {
  ParamInfo info;
  info.name = name;
  info.shape = std::move(shape);
  info.numel = 1;
  for (int64_t d : info.shape) info.numel *= size_t(d);
  info.offset = total;
  total += (info.numel + kParamAlign - 1) / kParamAlign * kParamAlign;
  index[name] = infos.size();
  infos.push_back(std::move(info));
  return infos.back().offset;
}

// Layer: a struct with size_t slots wq, wk, wv, wo, bq, bk, bv, qn, kn, wg, wu, wd, ln1, ln2.
// add(name, shape, size_t* slot) registers one tensor and stores its offset in *slot.
template <class Config, class Layer, class Add>
void declare_llama_params(const Config& cfg, size_t* embed, std::vector<Layer>& layers, size_t* final_norm, size_t* lm_head, Add&& add) {
  const int64_t C = cfg.hidden, F = cfg.intermediate, D = cfg.head_dim;
  const int64_t Q = int64_t(cfg.heads) * D, KV = int64_t(cfg.kv_heads) * D;
  add("model.embed_tokens.weight", std::vector<int64_t>{cfg.vocab, C}, embed);
  layers.resize(cfg.layers);
  for (int l = 0; l < cfg.layers; ++l) {
    Layer& L = layers[l];
    const std::string p = "model.layers." + std::to_string(l) + ".";
    add(p + "input_layernorm.weight", std::vector<int64_t>{C}, &L.ln1);
    add(p + "self_attn.q_proj.weight", std::vector<int64_t>{Q, C}, &L.wq);
    add(p + "self_attn.k_proj.weight", std::vector<int64_t>{KV, C}, &L.wk);
    add(p + "self_attn.v_proj.weight", std::vector<int64_t>{KV, C}, &L.wv);
    if (cfg.qkv_bias) {
      add(p + "self_attn.q_proj.bias", std::vector<int64_t>{Q}, &L.bq);
      add(p + "self_attn.k_proj.bias", std::vector<int64_t>{KV}, &L.bk);
      add(p + "self_attn.v_proj.bias", std::vector<int64_t>{KV}, &L.bv);
    }
    if (cfg.qk_norm) {
      add(p + "self_attn.q_norm.weight", std::vector<int64_t>{D}, &L.qn);
      add(p + "self_attn.k_norm.weight", std::vector<int64_t>{D}, &L.kn);
    }
    add(p + "self_attn.o_proj.weight", std::vector<int64_t>{C, Q}, &L.wo);
    add(p + "post_attention_layernorm.weight", std::vector<int64_t>{C}, &L.ln2);
    add(p + "mlp.gate_proj.weight", std::vector<int64_t>{F, C}, &L.wg);
    add(p + "mlp.up_proj.weight", std::vector<int64_t>{F, C}, &L.wu);
    add(p + "mlp.down_proj.weight", std::vector<int64_t>{C, F}, &L.wd);
  }
  add("model.norm.weight", std::vector<int64_t>{C}, final_norm);
  if (!cfg.tie_embeddings) add("lm_head.weight", std::vector<int64_t>{cfg.vocab, C}, lm_head);
}

}  // namespace mt
