// rmsnormForward(x, delta|null, h, y, rstd, w, {N, C, eps})
// rmsnormBackward(dy, h, rstd, w, dh, dw, {N, C})   (ADDS into dh and dw)
#include "cpu/norm.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

Napi::Object options(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = arg(info, i, "options");
  if (!v.IsObject()) throw Napi::TypeError::New(info.Env(), "'options' must be an object");
  return v.As<Napi::Object>();
}

Napi::Value RmsnormForward(const Napi::CallbackInfo& info) {
  Napi::Object o = options(info, 6);
  const int N = to_int(field(o, "N"), "N", 0);
  const int C = to_int(field(o, "C"), "C", 1);
  const double eps = to_number(field(o, "eps"), "eps");
  if (!(eps > 0)) throw Napi::RangeError::New(info.Env(), "'eps' must be > 0, got " + std::to_string(eps));
  const int64_t NC = int64_t(N) * C;
  const float* x = f32(arg(info, 0, "x"), "x", NC);
  const float* delta = info.Length() > 1 ? opt_f32(info[1], "delta", NC) : nullptr;
  float* h = f32(arg(info, 2, "h"), "h", NC);
  float* y = f32(arg(info, 3, "y"), "y", NC);
  float* rstd = f32(arg(info, 4, "rstd"), "rstd", N);
  const float* w = f32(arg(info, 5, "w"), "w", C);
  cpu::rmsnorm_forward(x, delta, h, y, rstd, w, N, C, float(eps));
  return info.Env().Undefined();
}

Napi::Value RmsnormBackward(const Napi::CallbackInfo& info) {
  Napi::Object o = options(info, 6);
  const int N = to_int(field(o, "N"), "N", 0);
  const int C = to_int(field(o, "C"), "C", 1);
  const int64_t NC = int64_t(N) * C;
  const float* dy = f32(arg(info, 0, "dy"), "dy", NC);
  const float* h = f32(arg(info, 1, "h"), "h", NC);
  const float* rstd = f32(arg(info, 2, "rstd"), "rstd", N);
  const float* w = f32(arg(info, 3, "w"), "w", C);
  float* dh = f32(arg(info, 4, "dh"), "dh", NC);
  float* dw = f32(arg(info, 5, "dw"), "dw", C);
  cpu::rmsnorm_backward(dy, h, rstd, w, dh, dw, N, C);
  return info.Env().Undefined();
}

}  // namespace

void register_norm(Napi::Env env, Napi::Object exports) {
  exports.Set("rmsnormForward", Napi::Function::New(env, RmsnormForward));
  exports.Set("rmsnormBackward", Napi::Function::New(env, RmsnormBackward));
}

}  // namespace mt::napi
