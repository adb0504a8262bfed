// The addon's entry point: build facts, thread control, and every binding.
#include <napi.h>

#include "core/parallel.h"
#include "cpu/gemm.h"
#include "napi/args.h"
#include "napi/register.h"

namespace {

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("blas", mt::cpu::gemm_uses_openblas() ? "openblas" : "portable");
#ifdef _OPENMP
  o.Set("openmp", true);
#else
  o.Set("openmp", false);
#endif
  o.Set("cuda", mt::napi::cuda_built());
  o.Set("threads", mt::num_threads());
  return o;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  mt::set_num_threads(mt::napi::to_int(mt::napi::arg(info, 0, "threads"), "threads", 1, 1024));
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  mt::napi::register_gemm(env, exports);
  mt::napi::register_attention(env, exports);
  mt::napi::register_norm(env, exports);
  mt::napi::register_rope(env, exports);
  mt::napi::register_swiglu(env, exports);
  mt::napi::register_embedding(env, exports);
  mt::napi::register_xent(env, exports);
  mt::napi::register_adamw(env, exports);
  mt::napi::register_model(env, exports);
  mt::napi::register_cuda(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(midtrain_native, Init)
