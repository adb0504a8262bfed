// An HF config.json object (as src/model/config.ts's engineConfig passes it)
// -> LlamaConfig, every field checked by name. Shared by the model binding
// (bind_model.cpp) and the CUDA memory planner (bind_cuda.cpp), as are LoRA's target names.
#pragma once
#include <napi.h>

#include <string>

#include "model/model_types.h"

namespace mt::napi {

LlamaConfig parse_config(const Napi::Object& o);

// ["q", "k", "v", "o", "gate", "up", "down"] names -> LoraConfig::targets bits; `name` is the argument's name in
// errors. Shared by enableLora and the CUDA memory planner's LoRA option.
unsigned parse_lora_targets(const Napi::Value& v, const std::string& name);

}  // namespace mt::napi
