// ropeInvFreq({D, theta, scaling?: {type: 'default'|'linear'|'llama3', factor,
//   lowFreqFactor, highFreqFactor, originalMaxPosition}}) -> Float32Array(D/2)
// ropeApply(x, pos, invFreq, {N, H, D, inverse?})   (in place on x)
#include <string>

#include "cpu/rope.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

Napi::Object object_arg(Napi::Value v, const char* name) {
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), std::string("'") + name + "' must be an object");
  return v.As<Napi::Object>();
}

int even_dim(Napi::Value v) {
  const int D = to_int(v, "D", 2);
  if (D % 2 != 0)
    throw Napi::RangeError::New(v.Env(), "'D' (head dim) must be even for rotate-half RoPE, got " + std::to_string(D));
  return D;
}

double positive(Napi::Value v, const char* name) {
  const double d = to_number(v, name);
  if (!(d > 0)) throw Napi::RangeError::New(v.Env(), std::string("'") + name + "' must be > 0, got " + std::to_string(d));
  return d;
}

Napi::Value RopeInvFreq(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = object_arg(arg(info, 0, "options"), "options");
  const int D = even_dim(field(o, "D"));
  const double theta = positive(field(o, "theta"), "theta");
  cpu::RopeScaling sc;
  Napi::Value sv = o.Get("scaling");
  if (!absent(sv)) {
    Napi::Object s = object_arg(sv, "scaling");
    Napi::Value tv = field(s, "type");
    if (!tv.IsString()) throw Napi::TypeError::New(env, "'scaling.type' must be a string");
    const std::string type = tv.As<Napi::String>().Utf8Value();
    if (type == "default") {
      sc.type = 0;
    } else if (type == "linear") {
      sc.type = 2;
      sc.factor = float(positive(field(s, "factor"), "scaling.factor"));
    } else if (type == "llama3") {
      sc.type = 1;
      sc.factor = float(positive(field(s, "factor"), "scaling.factor"));
      sc.low_freq_factor = float(positive(field(s, "lowFreqFactor"), "scaling.lowFreqFactor"));
      sc.high_freq_factor = float(positive(field(s, "highFreqFactor"), "scaling.highFreqFactor"));
      sc.original_max_position = to_int(field(s, "originalMaxPosition"), "scaling.originalMaxPosition", 1);
      if (!(sc.high_freq_factor > sc.low_freq_factor))
        throw Napi::RangeError::New(env, "'scaling.highFreqFactor' must be greater than 'scaling.lowFreqFactor'");
    } else {
      throw Napi::RangeError::New(env, "'scaling.type' must be 'default', 'linear' or 'llama3', got '" + type + "'");
    }
  }
  Napi::Float32Array out = Napi::Float32Array::New(env, size_t(D / 2));
  cpu::rope_inv_freq(out.Data(), D, float(theta), sc);
  return out;
}

Napi::Value RopeApply(const Napi::CallbackInfo& info) {
  Napi::Object o = object_arg(arg(info, 3, "options"), "options");
  const int N = to_int(field(o, "N"), "N", 0);
  const int H = to_int(field(o, "H"), "H", 1);
  const int D = even_dim(field(o, "D"));
  Napi::Value iv = o.Get("inverse");
  const bool inverse = absent(iv) ? false : to_bool(iv, "inverse");
  float* x = f32(arg(info, 0, "x"), "x", int64_t(N) * H * D);
  const int32_t* pos = i32(arg(info, 1, "pos"), "pos", N);
  const float* inv_freq = f32(arg(info, 2, "invFreq"), "invFreq", D / 2);
  cpu::rope_apply(x, pos, inv_freq, N, H, D, inverse);
  return info.Env().Undefined();
}

}  // namespace

void register_rope(Napi::Env env, Napi::Object exports) {
  exports.Set("ropeInvFreq", Napi::Function::New(env, RopeInvFreq));
  exports.Set("ropeApply", Napi::Function::New(env, RopeApply));
}

}  // namespace mt::napi
