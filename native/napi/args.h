// Argument extraction for the bindings: every check names the argument, so a
// wrong shape or type from JS becomes a readable exception.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace mt::napi {

inline Napi::Value arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || info[i].IsUndefined())
    throw Napi::TypeError::New(info.Env(), std::string("missing argument '") + name + "'");
  return info[i];
}

inline Napi::Value field(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined())
    throw Napi::TypeError::New(o.Env(), std::string("missing field '") + name + "'");
  return v;
}

inline double to_number(Napi::Value v, const char* name) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string("'") + name + "' must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw Napi::RangeError::New(v.Env(), std::string("'") + name + "' must be finite");
  return d;
}

inline int to_int(Napi::Value v, const char* name, int64_t lo = INT32_MIN, int64_t hi = INT32_MAX) {
  double d = to_number(v, name);
  if (d != std::floor(d) || d < double(lo) || d > double(hi))
    throw Napi::RangeError::New(v.Env(), std::string("'") + name + "' must be an integer in [" +
                                             std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                                             std::to_string(d));
  return int(d);
}

inline bool to_bool(Napi::Value v, const char* name) {
  if (!v.IsBoolean()) throw Napi::TypeError::New(v.Env(), std::string("'") + name + "' must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

// A Float32Array of exactly `len` elements (len < 0: any length).
inline float* f32(Napi::Value v, const char* name, int64_t len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(v.Env(), std::string("'") + name + "' must be a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  if (len >= 0 && int64_t(a.ElementLength()) != len)
    throw Napi::RangeError::New(v.Env(), std::string("'") + name + "' must have " + std::to_string(len) +
                                             " elements, got " + std::to_string(a.ElementLength()));
  return a.Data();
}

inline int32_t* i32(Napi::Value v, const char* name, int64_t len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(v.Env(), std::string("'") + name + "' must be an Int32Array");
  auto a = v.As<Napi::Int32Array>();
  if (len >= 0 && int64_t(a.ElementLength()) != len)
    throw Napi::RangeError::New(v.Env(), std::string("'") + name + "' must have " + std::to_string(len) +
                                             " elements, got " + std::to_string(a.ElementLength()));
  return a.Data();
}

// Optional variants: undefined or null -> nullptr.
inline bool absent(const Napi::Value& v) { return v.IsUndefined() || v.IsNull(); }

inline float* opt_f32(Napi::Value v, const char* name, int64_t len) {
  return absent(v) ? nullptr : f32(v, name, len);
}
inline int32_t* opt_i32(Napi::Value v, const char* name, int64_t len) {
  return absent(v) ? nullptr : i32(v, name, len);
}

}  // namespace mt::napi
