// lmheadXent(x, W, labels, {N, C, V, gradScale, chunk?}, dx|null, dW|null, tokenLoss|null)
//   -> {lossSum, count}. dx is written, dW is accumulated into (see cpu/xent.h).
#include "cpu/xent.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {
Napi::Value LmheadXent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value xv = arg(info, 0, "x"), wv = arg(info, 1, "W"), lv = arg(info, 2, "labels"), ov = arg(info, 3, "opts");
  if (!ov.IsObject()) throw Napi::TypeError::New(env, "'opts' must be an object");
  Napi::Object o = ov.As<Napi::Object>();
  int N = to_int(field(o, "N"), "N", 1);
  int C = to_int(field(o, "C"), "C", 1);
  int V = to_int(field(o, "V"), "V", 1);
  float gs = float(to_number(field(o, "gradScale"), "gradScale"));
  Napi::Value cv = o.Get("chunk");
  int chunk = absent(cv) ? 0 : to_int(cv, "chunk", 0, 1 << 20);
  const int64_t nx = int64_t(N) * C, nw = int64_t(V) * C;
  const float* x = f32(xv, "x", nx);
  const float* W = f32(wv, "W", nw);
  const int32_t* labels = i32(lv, "labels", N);
  float* dx = info.Length() > 4 ? opt_f32(info[4], "dx", nx) : nullptr;
  float* dW = info.Length() > 5 ? opt_f32(info[5], "dW", nw) : nullptr;
  float* tl = info.Length() > 6 ? opt_f32(info[6], "tokenLoss", N) : nullptr;
  cpu::XentResult r = cpu::lmhead_xent(x, W, labels, N, C, V, gs, dx, dW, tl, chunk);
  Napi::Object out = Napi::Object::New(env);
  out.Set("lossSum", Napi::Number::New(env, r.loss_sum));
  out.Set("count", Napi::Number::New(env, double(r.count)));
  return out;
}
}  // namespace

void register_xent(Napi::Env env, Napi::Object exports) {
  exports.Set("lmheadXent", Napi::Function::New(env, LmheadXent));
}

}  // namespace mt::napi
