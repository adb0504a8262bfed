// gemm(transA, transB, M, N, K, alpha, A, B, beta, C, portable?) on packed
// row-major matrices; `portable` forces the fallback even with OpenBLAS.
#include "cpu/gemm.h"
#include "napi/args.h"
#include "napi/register.h"

namespace mt::napi {

namespace {
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  bool ta = to_bool(arg(info, 0, "transA"), "transA");
  bool tb = to_bool(arg(info, 1, "transB"), "transB");
  int M = to_int(arg(info, 2, "M"), "M", 0);
  int N = to_int(arg(info, 3, "N"), "N", 0);
  int K = to_int(arg(info, 4, "K"), "K", 0);
  float alpha = float(to_number(arg(info, 5, "alpha"), "alpha"));
  const float* A = f32(arg(info, 6, "A"), "A", int64_t(M) * K);
  const float* B = f32(arg(info, 7, "B"), "B", int64_t(K) * N);
  float beta = float(to_number(arg(info, 8, "beta"), "beta"));
  float* C = f32(arg(info, 9, "C"), "C", int64_t(M) * N);
  bool portable = info.Length() > 10 && !absent(info[10]) && to_bool(info[10], "portable");
  int lda = ta ? M : K, ldb = tb ? K : N;
  if (portable)
    cpu::gemm_portable(ta, tb, M, N, K, alpha, A, lda > 0 ? lda : 1, B, ldb > 0 ? ldb : 1, beta, C, N > 0 ? N : 1);
  else
    cpu::gemm(ta, tb, M, N, K, alpha, A, lda > 0 ? lda : 1, B, ldb > 0 ? ldb : 1, beta, C, N > 0 ? N : 1);
  return info.Env().Undefined();
}
}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) { exports.Set("gemm", Napi::Function::New(env, Gemm)); }

}  // namespace mt::napi
