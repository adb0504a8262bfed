// One registration function per kernel family (bind_<family>.cpp) and one for
// the model; addon.cpp calls them all.
#pragma once
#include <napi.h>

namespace mt::napi {
void register_gemm(Napi::Env env, Napi::Object exports);
void register_attention(Napi::Env env, Napi::Object exports);
void register_norm(Napi::Env env, Napi::Object exports);
void register_rope(Napi::Env env, Napi::Object exports);
void register_swiglu(Napi::Env env, Napi::Object exports);
void register_embedding(Napi::Env env, Napi::Object exports);
void register_xent(Napi::Env env, Napi::Object exports);
void register_adamw(Napi::Env env, Napi::Object exports);
void register_model(Napi::Env env, Napi::Object exports);
void register_cuda(Napi::Env env, Napi::Object exports);  // bind_cuda.cpp; cudaInfo only without CUDA
bool cuda_built();
}  // namespace mt::napi
