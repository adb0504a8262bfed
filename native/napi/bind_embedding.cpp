// embeddingForward(ids, table, out, {N, V, C})
// embeddingBackward(ids, dout, dtable, {N, V, C})   (ADDS into dtable)
#include "cpu/embedding.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

struct Dims {
  int N, V, C;
};

Dims dims(const Napi::CallbackInfo& info) {
  Napi::Value v = arg(info, 3, "options");
  if (!v.IsObject()) throw Napi::TypeError::New(info.Env(), "'options' must be an object");
  Napi::Object o = v.As<Napi::Object>();
  return {to_int(field(o, "N"), "N", 0), to_int(field(o, "V"), "V", 1), to_int(field(o, "C"), "C", 1)};
}

Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  const Dims d = dims(info);
  const int32_t* ids = i32(arg(info, 0, "ids"), "ids", d.N);
  const float* table = f32(arg(info, 1, "table"), "table", int64_t(d.V) * d.C);
  float* out = f32(arg(info, 2, "out"), "out", int64_t(d.N) * d.C);
  cpu::embedding_forward(ids, table, out, d.N, d.V, d.C);
  return info.Env().Undefined();
}

Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  const Dims d = dims(info);
  const int32_t* ids = i32(arg(info, 0, "ids"), "ids", d.N);
  const float* dout = f32(arg(info, 1, "dout"), "dout", int64_t(d.N) * d.C);
  float* dtable = f32(arg(info, 2, "dtable"), "dtable", int64_t(d.V) * d.C);
  cpu::embedding_backward(ids, dout, dtable, d.N, d.V, d.C);
  return info.Env().Undefined();
}

}  // namespace

void register_embedding(Napi::Env env, Napi::Object exports) {
  exports.Set("embeddingForward", Napi::Function::New(env, EmbeddingForward));
  exports.Set("embeddingBackward", Napi::Function::New(env, EmbeddingBackward));
}

}  // namespace mt::napi
