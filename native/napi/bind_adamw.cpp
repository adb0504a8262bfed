// adamwUpdate(p, g, m, v, {lr, beta1, beta2, eps, weightDecay, step, gradScale?, anchorLambda?},
//             anchor|null, anchorW|null): p, m, v updated in place.
// sumSquares(x) -> number (double accumulation); allFinite(x) -> boolean.
#include <cstdint>
#include <string>

#include "cpu/adamw.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

size_t length_of(Napi::Value v, const char* name) {
  f32(v, name, -1);  // type check
  return v.As<Napi::Float32Array>().ElementLength();
}

void need(Napi::Env env, bool ok, const std::string& msg) {
  if (!ok) throw Napi::RangeError::New(env, msg);
}

Napi::Value AdamwUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value pv = arg(info, 0, "p");
  const size_t n = length_of(pv, "p");
  float* p = f32(pv, "p", int64_t(n));
  const float* g = f32(arg(info, 1, "g"), "g", int64_t(n));
  float* m = f32(arg(info, 2, "m"), "m", int64_t(n));
  float* v = f32(arg(info, 3, "v"), "v", int64_t(n));
  Napi::Value hv = arg(info, 4, "hyper");
  if (!hv.IsObject()) throw Napi::TypeError::New(env, "'hyper' must be an object");
  Napi::Object o = hv.As<Napi::Object>();
  cpu::AdamWHyper h{};
  double lr = to_number(field(o, "lr"), "lr");
  double b1 = to_number(field(o, "beta1"), "beta1");
  double b2 = to_number(field(o, "beta2"), "beta2");
  double eps = to_number(field(o, "eps"), "eps");
  double wd = to_number(field(o, "weightDecay"), "weightDecay");
  int step = to_int(field(o, "step"), "step", 1);
  need(env, lr >= 0, "'lr' must be >= 0, got " + std::to_string(lr));
  need(env, b1 >= 0 && b1 < 1, "'beta1' must be in [0, 1), got " + std::to_string(b1));
  need(env, b2 >= 0 && b2 < 1, "'beta2' must be in [0, 1), got " + std::to_string(b2));
  need(env, eps > 0, "'eps' must be > 0, got " + std::to_string(eps));
  need(env, wd >= 0, "'weightDecay' must be >= 0, got " + std::to_string(wd));
  Napi::Value gsv = o.Get("gradScale"), alv = o.Get("anchorLambda");
  h.lr = float(lr);
  h.beta1 = float(b1);
  h.beta2 = float(b2);
  h.eps = float(eps);
  h.weight_decay = float(wd);
  h.step = step;
  h.grad_scale = absent(gsv) ? 1.f : float(to_number(gsv, "gradScale"));
  h.anchor_lambda = absent(alv) ? 0.f : float(to_number(alv, "anchorLambda"));
  // float(beta) may round up to 1 for betas within 2^-25 of 1.
  need(env, h.beta1 < 1.f && h.beta2 < 1.f, "'beta1' and 'beta2' must be < 1 in fp32");
  const float* anchor = info.Length() > 5 ? opt_f32(info[5], "anchor", int64_t(n)) : nullptr;
  const float* anchor_w = info.Length() > 6 ? opt_f32(info[6], "anchorW", int64_t(n)) : nullptr;
  if (anchor_w && !anchor) throw Napi::TypeError::New(env, "'anchorW' given without 'anchor'");
  // The update is element-wise in place: p, m, v must be distinct from each other and from the inputs.
  auto overlap = [n](const float* a, const float* b) {
    return a && b && reinterpret_cast<uintptr_t>(a) < reinterpret_cast<uintptr_t>(b + n) &&
           reinterpret_cast<uintptr_t>(b) < reinterpret_cast<uintptr_t>(a + n);
  };
  const float* bufs[] = {p, m, v, g, anchor, anchor_w};  // the first three are written
  for (int a = 0; a < 3 && n > 0; ++a)
    for (int b = 0; b < 6; ++b)
      if (b != a && overlap(bufs[a], bufs[b]))
        throw Napi::RangeError::New(env, "'p', 'm' and 'v' must not overlap each other or 'g', 'anchor', 'anchorW'");
  cpu::adamw_update(p, g, m, v, n, h, anchor, anchor_w);
  return env.Undefined();
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  Napi::Value xv = arg(info, 0, "x");
  const size_t n = length_of(xv, "x");
  return Napi::Number::New(info.Env(), cpu::sum_squares(f32(xv, "x", int64_t(n)), n));
}

Napi::Value AllFinite(const Napi::CallbackInfo& info) {
  Napi::Value xv = arg(info, 0, "x");
  const size_t n = length_of(xv, "x");
  return Napi::Boolean::New(info.Env(), cpu::all_finite(f32(xv, "x", int64_t(n)), n));
}

}  // namespace

void register_adamw(Napi::Env env, Napi::Object exports) {
  exports.Set("adamwUpdate", Napi::Function::New(env, AdamwUpdate));
  exports.Set("sumSquares", Napi::Function::New(env, SumSquares));
  exports.Set("allFinite", Napi::Function::New(env, AllFinite));
}

}  // namespace mt::napi
