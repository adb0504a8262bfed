// An HF config.json object (as src/model/config.ts's engineConfig passes it)
// -> LlamaConfig, every field checked by name. Shared by the model binding
// (bind_model.cpp) and the CUDA memory planner (bind_cuda.cpp).
#pragma once
#include <napi.h>

#include "model/model_types.h"

namespace mt::napi {

LlamaConfig parse_config(const Napi::Object& o);

}  // namespace mt::napi
