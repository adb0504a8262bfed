// parse_config.h: the config object's fields, each checked by name.
#include "napi/parse_config.h"

#include <string>

#include "napi/args.h"

namespace mt::napi {

LlamaConfig parse_config(const Napi::Object& o) {
  LlamaConfig c;
  c.vocab = to_int(field(o, "vocab_size"), "vocab_size", 1);
  c.hidden = to_int(field(o, "hidden_size"), "hidden_size", 1);
  c.intermediate = to_int(field(o, "intermediate_size"), "intermediate_size", 1);
  c.layers = to_int(field(o, "num_hidden_layers"), "num_hidden_layers", 1);
  c.heads = to_int(field(o, "num_attention_heads"), "num_attention_heads", 1);
  c.kv_heads = to_int(field(o, "num_key_value_heads"), "num_key_value_heads", 1);
  c.head_dim = to_int(field(o, "head_dim"), "head_dim", 1);
  c.rms_eps = float(to_number(field(o, "rms_norm_eps"), "rms_norm_eps"));
  c.rope_theta = float(to_number(field(o, "rope_theta"), "rope_theta"));
  c.tie_embeddings = to_bool(field(o, "tie_word_embeddings"), "tie_word_embeddings");
  c.qkv_bias = to_bool(field(o, "attention_bias"), "attention_bias");
  c.qk_norm = to_bool(field(o, "qk_norm"), "qk_norm");
  Napi::Value rs = o.Get("rope_scaling");
  if (!absent(rs)) {
    if (!rs.IsObject()) throw Napi::TypeError::New(o.Env(), "'rope_scaling' must be an object or null");
    Napi::Object s = rs.As<Napi::Object>();
    Napi::Value t = field(s, "rope_type");
    if (!t.IsString()) throw Napi::TypeError::New(o.Env(), "'rope_scaling.rope_type' must be a string");
    std::string type = t.As<Napi::String>().Utf8Value();
    if (type == "llama3") {
      c.rope_scaling.type = 1;
      c.rope_scaling.factor = float(to_number(field(s, "factor"), "rope_scaling.factor"));
      c.rope_scaling.low_freq_factor = float(to_number(field(s, "low_freq_factor"), "rope_scaling.low_freq_factor"));
      c.rope_scaling.high_freq_factor = float(to_number(field(s, "high_freq_factor"), "rope_scaling.high_freq_factor"));
      c.rope_scaling.original_max_position = to_int(field(s, "original_max_position_embeddings"),
                                                    "rope_scaling.original_max_position_embeddings", 1);
    } else if (type == "linear") {
      c.rope_scaling.type = 2;
      c.rope_scaling.factor = float(to_number(field(s, "factor"), "rope_scaling.factor"));
    } else if (type != "default") {
      throw Napi::TypeError::New(o.Env(), "rope_scaling.rope_type '" + type + "' is not supported (llama3, linear, default)");
    }
  }
  return c;
}

unsigned parse_lora_targets(const Napi::Value& v, const std::string& name) {
  static const char* const names[kTargets] = {"q", "k", "v", "o", "gate", "up", "down"};
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "'" + name + "' must be an array of q, k, v, o, gate, up, down");
  const Napi::Array a = v.As<Napi::Array>();
  unsigned bits = 0;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const std::string s = a.Get(i).ToString().Utf8Value();
    int t = 0;
    while (t < kTargets && s != names[t]) ++t;
    if (t == kTargets) throw Napi::RangeError::New(v.Env(), "'" + name + "': '" + s + "' is not one of q, k, v, o, gate, up, down");
    bits |= 1u << t;
  }
  if (bits == 0) throw Napi::RangeError::New(v.Env(), "'" + name + "' must name at least one projection");
  return bits;
}

}  // namespace mt::napi
