// swigluForward(gate, up, out); swigluBackward(dout, gate, up, dgate, dup).
// Every array has gate's length.
#include "cpu/swiglu.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

int64_t length_of(Napi::Value v, const char* name) {
  f32(v, name, -1);  // type check
  return int64_t(v.As<Napi::Float32Array>().ElementLength());
}

Napi::Value SwigluForward(const Napi::CallbackInfo& info) {
  const int64_t n = length_of(arg(info, 0, "gate"), "gate");
  const float* gate = f32(info[0], "gate", n);
  const float* up = f32(arg(info, 1, "up"), "up", n);
  float* out = f32(arg(info, 2, "out"), "out", n);
  cpu::swiglu_forward(gate, up, out, size_t(n));
  return info.Env().Undefined();
}

Napi::Value SwigluBackward(const Napi::CallbackInfo& info) {
  const int64_t n = length_of(arg(info, 1, "gate"), "gate");
  const float* dout = f32(arg(info, 0, "dout"), "dout", n);
  const float* gate = f32(info[1], "gate", n);
  const float* up = f32(arg(info, 2, "up"), "up", n);
  float* dgate = f32(arg(info, 3, "dgate"), "dgate", n);
  float* dup = f32(arg(info, 4, "dup"), "dup", n);
  if (n > 0 && dgate == dup)
    throw Napi::RangeError::New(info.Env(), "'dgate' and 'dup' must be different arrays");
  cpu::swiglu_backward(dout, gate, up, dgate, dup, size_t(n));
  return info.Env().Undefined();
}

}  // namespace

void register_swiglu(Napi::Env env, Napi::Object exports) {
  exports.Set("swigluForward", Napi::Function::New(env, SwigluForward));
  exports.Set("swigluBackward", Napi::Function::New(env, SwigluBackward));
}

}  // namespace mt::napi
