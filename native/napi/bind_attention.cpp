// attentionForward(q, k, v, seg|null, out, lse, {B, T, Hq, Hkv, D, scale})
// attentionBackward(q, k, v, seg|null, out, dout, lse, dq, dk, dv, {B, T, Hq, Hkv, D, scale})
//   (overwrites dq, dk, dv)
// Layouts as in cpu/attention.h: q/out/dout/dq [B,T,Hq,D], k/v/dk/dv [B,T,Hkv,D],
// seg [B,T] Int32Array or null, lse [B,Hq,T].
#include <cstdint>
#include <initializer_list>
#include <string>

#include "cpu/attention.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {

struct Dims {
  cpu::AttnShape s;
  float scale;
  int64_t nq, nkv, nseg, nlse;  // element counts of q-like, kv-like, seg and lse arrays
};

Dims dims(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value ov = arg(info, i, "options");
  if (!ov.IsObject()) throw Napi::TypeError::New(info.Env(), "'options' must be an object");
  Napi::Object o = ov.As<Napi::Object>();
  Dims d;
  d.s.B = to_int(field(o, "B"), "B", 1);
  d.s.T = to_int(field(o, "T"), "T", 1);
  d.s.Hq = to_int(field(o, "Hq"), "Hq", 1);
  d.s.Hkv = to_int(field(o, "Hkv"), "Hkv", 1);
  d.s.D = to_int(field(o, "D"), "D", 1, 256);
  d.scale = float(to_number(field(o, "scale"), "scale"));
  if (d.s.Hq % d.s.Hkv != 0)
    throw Napi::RangeError::New(info.Env(), "'Hkv' (" + std::to_string(d.s.Hkv) + ") must divide 'Hq' (" +
                                                std::to_string(d.s.Hq) + ")");
  // Products in double first: no int64 overflow can make a wrong length match.
  const double bt = double(d.s.B) * d.s.T, nq = bt * d.s.Hq * d.s.D;
  if (nq > double(INT64_C(1) << 50))
    throw Napi::RangeError::New(info.Env(), "attention dims B*T*Hq*D = " + std::to_string(nq) + " are too large");
  d.nseg = int64_t(bt);
  d.nq = d.nseg * d.s.Hq * d.s.D;
  d.nkv = d.nseg * d.s.Hkv * d.s.D;
  d.nlse = d.nseg * d.s.Hq;
  return d;
}

const int32_t* seg_arg(const Napi::CallbackInfo& info, size_t i, int64_t len) {
  return info.Length() > i ? opt_i32(info[i], "seg", len) : nullptr;
}

// An output that overlaps another array would be read after being written.
struct Span {
  const char* name;
  const float* p;
  int64_t n;
};
void check_disjoint(Napi::Env env, const Span& out, std::initializer_list<Span> others) {
  const auto lo = reinterpret_cast<uintptr_t>(out.p), hi = lo + uintptr_t(out.n) * sizeof(float);
  for (const Span& o : others) {
    const auto olo = reinterpret_cast<uintptr_t>(o.p), ohi = olo + uintptr_t(o.n) * sizeof(float);
    if (lo < ohi && olo < hi)
      throw Napi::RangeError::New(env, std::string("'") + out.name + "' must not share memory with '" + o.name + "'");
  }
}

Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  const Dims d = dims(info, 6);
  const float* q = f32(arg(info, 0, "q"), "q", d.nq);
  const float* k = f32(arg(info, 1, "k"), "k", d.nkv);
  const float* v = f32(arg(info, 2, "v"), "v", d.nkv);
  const int32_t* seg = seg_arg(info, 3, d.nseg);
  float* out = f32(arg(info, 4, "out"), "out", d.nq);
  float* lse = f32(arg(info, 5, "lse"), "lse", d.nlse);
  const Span sq{"q", q, d.nq}, sk{"k", k, d.nkv}, sv{"v", v, d.nkv}, so{"out", out, d.nq}, sl{"lse", lse, d.nlse};
  check_disjoint(info.Env(), so, {sq, sk, sv, sl});
  check_disjoint(info.Env(), sl, {sq, sk, sv});
  cpu::attention_forward(q, k, v, seg, out, lse, d.s, d.scale);
  return info.Env().Undefined();
}

Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  const Dims d = dims(info, 10);
  const float* q = f32(arg(info, 0, "q"), "q", d.nq);
  const float* k = f32(arg(info, 1, "k"), "k", d.nkv);
  const float* v = f32(arg(info, 2, "v"), "v", d.nkv);
  const int32_t* seg = seg_arg(info, 3, d.nseg);
  const float* out = f32(arg(info, 4, "out"), "out", d.nq);
  const float* dout = f32(arg(info, 5, "dout"), "dout", d.nq);
  const float* lse = f32(arg(info, 6, "lse"), "lse", d.nlse);
  float* dq = f32(arg(info, 7, "dq"), "dq", d.nq);
  float* dk = f32(arg(info, 8, "dk"), "dk", d.nkv);
  float* dv = f32(arg(info, 9, "dv"), "dv", d.nkv);
  const Span sq{"q", q, d.nq}, sk{"k", k, d.nkv}, sv{"v", v, d.nkv}, so{"out", out, d.nq}, sg{"dout", dout, d.nq},
      sl{"lse", lse, d.nlse}, sdq{"dq", dq, d.nq}, sdk{"dk", dk, d.nkv}, sdv{"dv", dv, d.nkv};
  check_disjoint(info.Env(), sdq, {sq, sk, sv, so, sg, sl, sdk, sdv});
  check_disjoint(info.Env(), sdk, {sq, sk, sv, so, sg, sl, sdv});
  check_disjoint(info.Env(), sdv, {sq, sk, sv, so, sg, sl});
  cpu::attention_backward(q, k, v, seg, out, dout, lse, dq, dk, dv, d.s, d.scale);
  return info.Env().Undefined();
}

}  // namespace

void register_attention(Napi::Env env, Napi::Object exports) {
  exports.Set("attentionForward", Napi::Function::New(env, AttentionForward));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
}

}  // namespace mt::napi
