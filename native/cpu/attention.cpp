// Fused causal attention on the CPU, FlashAttention-2 style (see attention.h).
//
// Tiles of BQ queries meet tiles of BK keys in per-thread scratch with an
// online softmax, so memory is O(BQ*BK + (BQ+BK)*D) per thread whatever T is
// (plus O(B*T) ints of document bounds and, in backward, B*Hq*T floats of Di).
//
// Masking. Documents are contiguous runs of equal ids within a row (checked),
// so query i sees exactly the keys [start(i), i]: a contiguous range whose two
// ends never decrease with i. A (query tile, key tile) pair thus reduces to one
// key range per query (Ranges). Masked entries are never used: they are written
// as exact zeros, so keys of another document cannot change an output by even
// one ulp. Key tiles wholly outside every range (past the diagonal, or before
// the document of the tile's first query) are never visited, and within a
// visited tile the micro-kernels skip row blocks that see nothing.
//
// Products. All are C[MR x NV*W] (+)= sum_k A(r, k) B[k, c]: one register-
// blocked micro-kernel (mk) with MR*NV vector accumulators, B rows contiguous
// (the vector loads) and A read by scalar broadcasts at any strides. So no
// tile is transposed per (query tile, key tile) pair: the forward and backward
// pass 1 keep a query tile fixed and compute S^T = K Q^T with Q^T packed once
// per query tile and K read in place; P V, dS K read V and K rows in place.
// Backward pass 2 and the fused backward keep a key tile fixed, pack K^T and
// V^T once, and read Q and dO rows in place. (Rows are read in place when D is a multiple of the
// vector width W; other D pack zero-padded copies per tile.) Every score
// q.k is accumulated over d in the same order in all three places, so the
// backward recomputes exactly the forward's scores.
//
// Backward (FA2: Di = rowsum(dO * O), P recomputed from q, k and the saved
// lse, dV += P^T dO, dP = dO V^T, dS = P (dP - Di), dQ += scale dS K,
// dK += scale dS^T Q) is race-free and deterministic without atomics, by one
// of two schemes that give bit-identical results:
//  - fused: one item per (b, kv head) walks its key tiles; it owns dk/dv of
//    its kv head and dq of the query heads of its group, so it accumulates dq
//    in place. 5 tile products per (query tile, key tile) pair.
//  - two-pass: pass 1 over (b, query head, query tile) owns rows of dq; pass 2
//    over (b, kv head, key tile) owns rows of dk/dv. 7 products (S and dP are
//    computed twice) but many more, smaller work items.
// Fused is used when its B*Hkv items keep every thread busy (and D is a
// multiple of W); otherwise two-pass. Both sum every value in the same order
// (keys ascending; the query heads of a group, then query tiles, ascending),
// so results do not depend on the thread count. K/V are never copied per
// query head. Work items are dealt round-robin (schedule(static, 1)) in order
// of decreasing causal length, which balances the triangle across threads.
#include "cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/check.h"
#include "core/fast_exp.h"
#include "core/parallel.h"

namespace mt::cpu {

namespace {

constexpr int BQ = 64;  // queries per tile
constexpr int BK = 64;  // keys per tile
// Vector width and micro-kernel shapes follow the target's registers (the
// build uses -march=native by default): AVX-512 has 32 registers of 16 floats,
// AVX/AVX2 16 of 8, SSE/NEON 16+ of 4. Shapes keep 12-16 accumulators plus the
// B vectors in registers. (GCC folds the B loads of e.g. a 4 x 4 AVX-512 block
// into every FMA instead, halving its throughput; 8 x 2 stays in registers.)
#if defined(__AVX512F__)
constexpr int W = 16;
constexpr int S_MR = 8, S_NV = 2;  // score products (S = Q K^T, dP = dO V^T)
constexpr int A_MR2 = 8, A_MR1 = 16;  // accumulation products, rows with 2 or 1 vectors per row
#elif defined(__AVX__)
constexpr int W = 8;
constexpr int S_MR = 6, S_NV = 2;
constexpr int A_MR2 = 6, A_MR1 = 12;
#else
constexpr int W = 4;
constexpr int S_MR = 6, S_NV = 2;
constexpr int A_MR2 = 6, A_MR1 = 12;
#endif
constexpr int S_NC = S_NV * W;
static_assert(BQ % S_NC == 0 && BK % S_NC == 0 && BQ % W == 0 && BK % W == 0, "tile shapes");

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// SIMD vectors through the GCC/Clang vector extension, W lanes: one register
// of the target's widest kind, so the register blocking below holds.
typedef float vf __attribute__((vector_size(W * sizeof(float))));
typedef int32_t vi __attribute__((vector_size(W * sizeof(int32_t))));

inline vf splat(float x) { return x - vf{}; }  // x - 0 == x exactly: a plain broadcast
inline vi splati(int32_t x) { return x - vi{}; }
inline vf loadu(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline vi loadi(const int32_t* p) {
  vi v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void storeu(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
inline vi lane_index() {
  vi v{};
  for (int l = 0; l < W; ++l) v[l] = l;
  return v;
}

// exp is mt::fast_exp (core/fast_exp.h) on vf: it clamps its input first, so
// lanes that are masked out afterwards may hold stale scores (even NaN).

// C[MR x NV*W] = (ACC ? C : 0) + sum_{k0 <= k < k1} A[r*ars + k*aks] * B[k*ldb + c].
// Each k step: NV vector loads of B, MR broadcasts of A, MR*NV vector FMAs
// into accumulators that stay in registers.
template <int MR, int NV, bool ACC>
inline void mk(int k0, int k1, const float* __restrict A, ptrdiff_t ars, ptrdiff_t aks, const float* __restrict B,
               ptrdiff_t ldb, float* __restrict C, ptrdiff_t ldc) {
  vf acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NV; ++c) acc[r][c] = ACC ? loadu(C + r * ldc + c * W) : vf{};
  for (int k = k0; k < k1; ++k) {
    const float* b = B + k * ldb;
    const float* a = A + k * aks;
    vf bv[NV];
    for (int c = 0; c < NV; ++c) bv[c] = loadu(b + c * W);
    for (int r = 0; r < MR; ++r) {
      const float ar = a[r * ars];
      for (int c = 0; c < NV; ++c) acc[r][c] += bv[c] * ar;
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NV; ++c) storeu(C + r * ldc + c * W, acc[r][c]);
}

// Rows [lo, hi) in blocks of MR, then of 4, then single rows: no row outside
// is touched (A rows may be read in place, C rows may be outputs).
template <int MR, typename F>
inline void row_blocks(int lo, int hi, F&& f) {
  int r0 = lo;
  for (; r0 + MR <= hi; r0 += MR) f(std::integral_constant<int, MR>{}, r0);
  if constexpr (MR > 4)
    for (; r0 + 4 <= hi; r0 += 4) f(std::integral_constant<int, 4>{}, r0);
  for (; r0 < hi; ++r0) f(std::integral_constant<int, 1>{}, r0);
}

// Accumulation products write [rows x Dp]: 2 vectors per row where Dp allows.
template <typename F>
inline void with_acc_shape(int Dp, F&& f) {
  if (Dp % (2 * W) == 0)
    f(std::integral_constant<int, A_MR2>{}, std::integral_constant<int, 2>{});
  else
    f(std::integral_constant<int, A_MR1>{}, std::integral_constant<int, 1>{});
}

// Which keys of a key tile each query of a query tile sees: [a[r], e[r])
// relative to the key tile's first key; a = e = 0 for none. Over the rows
// with a non-empty range, [rlo, rhi), both ends are non-decreasing in r and
// consecutive ranges overlap or touch, so unions are ranges too.
struct Ranges {
  alignas(64) int32_t a[BQ];
  alignas(64) int32_t e[BQ];
  int rlo, rhi;

  // Queries i0 .. i0+nq-1 against keys j0 .. j0+nk-1; start[i] = first key of i's document.
  void set(const int* start, int i0, int nq, int j0, int nk) {
    rlo = BQ, rhi = 0;
    for (int r = 0; r < BQ; ++r) {
      int lo = 0, hi = 0;
      if (r < nq) {
        const int i = i0 + r;
        lo = std::max(start[i], j0) - j0;
        hi = std::min(i + 1, j0 + nk) - j0;
        if (lo >= hi) lo = hi = 0;
      }
      a[r] = lo, e[r] = hi;
      if (lo < hi) rlo = std::min(rlo, r), rhi = r + 1;
    }
  }
  // Keys seen by any of the rows r0 .. r0+mr-1: [lo, hi), empty if lo >= hi.
  void keys_of_rows(int r0, int mr, int& lo, int& hi) const {
    const int r1 = std::max(r0, rlo), r2 = std::min(r0 + mr, rhi);
    if (r1 >= r2) {
      lo = hi = 0;
      return;
    }
    lo = a[r1], hi = e[r2 - 1];
  }
  // Rows that see any of the keys [c0, c0+mc): [lo, hi), empty if lo >= hi.
  void rows_of_keys(int c0, int mc, int& lo, int& hi) const {
    lo = rlo;
    while (lo < rhi && e[lo] <= c0) ++lo;
    hi = rhi;
    while (hi > lo && a[hi - 1] >= c0 + mc) --hi;
  }
};

// Query-major tile rows: p[j] = exp(s[j]*scale - sub) on [a, e), exact 0
// elsewhere in the row of BK (p may be s).
inline void row_exp(const float* s, float* p, int a, int e, float scale, float sub) {
  for (int j0 = 0; j0 < BK; j0 += W) {
    const vi j = lane_index() + j0;
    const vi in = (j >= a) & (j < e);
    storeu(p + j0, in ? fast_exp(loadu(s + j0) * scale - sub) : vf{});
  }
}

// ds[j] = p[j] * (dp[j] - di) on [a, e), exact 0 elsewhere (ds may be dp).
inline void row_ds(const float* p, const float* dp, float* ds, int a, int e, float di) {
  for (int j0 = 0; j0 < BK; j0 += W) {
    const vi j = lane_index() + j0;
    const vi in = (j >= a) & (j < e);
    storeu(ds + j0, in ? loadu(p + j0) * (loadu(dp + j0) - di) : vf{});
  }
}

// dst[d*ldd + r] = src[r*ld + d] for r < n, d < D; columns n .. ldd-1 zero.
inline void pack_transposed(const float* src, ptrdiff_t ld, int n, int D, float* dst, int ldd) {
  for (int r = 0; r < n; ++r)
    for (int d = 0; d < D; ++d) dst[ptrdiff_t(d) * ldd + r] = src[r * ld + d];
  for (int d = 0; d < D; ++d)
    for (int r = n; r < ldd; ++r) dst[ptrdiff_t(d) * ldd + r] = 0.f;
}

// dst[r*Dp + d] = src[r*ld + d] for r < n, d < D; columns D .. Dp-1 zero.
inline void pack_rows(const float* src, ptrdiff_t ld, int n, int D, int Dp, float* dst) {
  for (int r = 0; r < n; ++r) {
    std::memcpy(dst + ptrdiff_t(r) * Dp, src + r * ld, sizeof(float) * D);
    std::memset(dst + ptrdiff_t(r) * Dp + D, 0, sizeof(float) * (Dp - D));
  }
}

// Document bounds per token: start[b*T+i] = first index of i's document,
// end[b*T+i] = one past its last. Checks that documents are contiguous runs.
void doc_bounds(const int32_t* seg, int B, int T, std::vector<int>& start, std::vector<int>& end) {
  const size_t N = size_t(B) * T;
  start.resize(N), end.resize(N);
  std::vector<int32_t> ids;
  for (int b = 0; b < B; ++b) {
    int* st = start.data() + size_t(b) * T;
    int* en = end.data() + size_t(b) * T;
    if (!seg) {
      std::fill(st, st + T, 0);
      std::fill(en, en + T, T);
      continue;
    }
    const int32_t* sg = seg + size_t(b) * T;
    ids.clear();
    int s = 0;
    for (int i = 0; i < T; ++i) {
      if (i > 0 && sg[i] != sg[i - 1]) {
        for (int t = s; t < i; ++t) en[t] = i;
        ids.push_back(sg[i - 1]);
        s = i;
      }
      st[i] = s;
    }
    for (int t = s; t < T; ++t) en[t] = T;
    ids.push_back(sg[T - 1]);
    std::sort(ids.begin(), ids.end());
    const auto dup = std::adjacent_find(ids.begin(), ids.end());
    MT_CHECK(dup == ids.end(), "attention: seg row ", b, " has document id ", *dup,
             " in two separate runs; each document must be one contiguous run of positions");
  }
}

// 64-byte aligned, zero-filled per-thread scratch, allocated before the
// parallel region (nothing may throw inside one). take() carves it up.
struct Scratch {
  std::unique_ptr<float[]> mem;
  float* base = nullptr;
  size_t per_thread = 0;
  Scratch(size_t floats, int threads) {
    per_thread = (floats + 15) / 16 * 16;
    mem.reset(new float[per_thread * size_t(threads) + 16]());
    const auto p = reinterpret_cast<uintptr_t>(mem.get());
    base = mem.get() + ((64 - p % 64) % 64) / sizeof(float);
  }
  float* get(int tid) const { return base + per_thread * size_t(tid); }
};
// Up to 16 floats of padding per take keep every buffer 64-byte aligned.
inline size_t take_size(size_t n) { return (n + 15) / 16 * 16; }
inline float* take(float*& p, size_t n) {
  float* r = p;
  p += take_size(n);
  return r;
}

int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void check_shape(const AttnShape& s, float scale) {
  MT_CHECK(s.B >= 1 && s.T >= 1, "attention: B and T must be >= 1, got B=", s.B, " T=", s.T);
  MT_CHECK(s.Hq >= 1 && s.Hkv >= 1 && s.Hq % s.Hkv == 0, "attention: Hkv (", s.Hkv, ") must divide Hq (", s.Hq,
           "), both >= 1");
  MT_CHECK(s.D >= 1 && s.D <= 256, "attention: D must be in [1, 256], got ", s.D);
  MT_CHECK(std::isfinite(scale), "attention: scale must be finite");
}

}  // namespace

void attention_forward(const float* q, const float* k, const float* v, const int32_t* seg, float* out, float* lse,
                       const AttnShape& s, float scale) {
  check_shape(s, scale);
  const int B = s.B, T = s.T, Hq = s.Hq, Hkv = s.Hkv, D = s.D, G = Hq / Hkv;
  const int Dp = (D + W - 1) / W * W;
  const bool in_place = D == Dp;  // V rows can be the B operand of P V as they lie
  const ptrdiff_t qld = ptrdiff_t(Hq) * D, kld = ptrdiff_t(Hkv) * D;
  std::vector<int> start, end;
  doc_bounds(seg, B, T, start, end);

  const int nqt = (T + BQ - 1) / BQ;
  const long items = long(B) * Hq * nqt;
  const size_t fl = take_size(size_t(Dp) * BQ) + take_size(size_t(BK) * BQ) + take_size(size_t(BQ) * Dp) +
                    take_size(size_t(BK) * Dp) + 2 * take_size(BQ);
  const Scratch scratch(fl, max_threads());

#pragma omp parallel
  {
    float* p = scratch.get(thread_id());
    float* Qt = take(p, size_t(Dp) * BQ);  // Q^T of the query tile [D x BQ]
    float* ST = take(p, size_t(BK) * BQ);  // S^T, then P^T [BK x BQ]
    float* O = take(p, size_t(BQ) * Dp);   // unnormalised output [BQ x Dp]
    float* Vp = take(p, size_t(BK) * Dp);  // padded V tile when D % W != 0
    float* m = take(p, BQ);                // running max of the scaled scores
    float* l = take(p, BQ);                // running sum of exp(score - m)
    Ranges rg;

    // Longest query tiles first; round-robin dealing balances the triangle.
#pragma omp for schedule(static, 1)
    for (long idx = 0; idx < items; ++idx) {
      const int qt = nqt - 1 - int(idx / (long(B) * Hq));
      const int bh = int(idx % (long(B) * Hq));
      const int b = bh / Hq, h = bh % Hq;
      const int i0 = qt * BQ, nq = std::min(BQ, T - i0);
      const int* st = start.data() + size_t(b) * T;
      const float* kb = k + (size_t(b) * T * Hkv + h / G) * D;
      const float* vb = v + (size_t(b) * T * Hkv + h / G) * D;

      pack_transposed(q + (size_t(b) * T * Hq + h) * D + i0 * qld, qld, nq, D, Qt, BQ);
      std::memset(O, 0, sizeof(float) * size_t(BQ) * Dp);
      for (int r = 0; r < BQ; ++r) m[r] = kNegInf, l[r] = 0.f;

      for (int j0 = st[i0]; j0 < i0 + nq; j0 += BK) {
        const int nk = std::min(BK, i0 + nq - j0);
        rg.set(st, i0, nq, j0, nk);
        const float* Kb = kb + j0 * kld;
        const float* Vb = vb + j0 * kld;
        ptrdiff_t ldv = kld;
        if (!in_place) pack_rows(Vb, kld, nk, D, Dp, Vp), Vb = Vp, ldv = Dp;

        // S^T = K Q^T over the key rows some query sees.
        row_blocks<S_MR>(0, nk, [&](auto mr, int c0) {
          constexpr int R = decltype(mr)::value;
          int lo, hi;
          rg.rows_of_keys(c0, R, lo, hi);
          for (int q0 = lo / S_NC * S_NC; q0 < hi; q0 += S_NC)
            mk<R, S_NV, false>(0, D, Kb + c0 * kld, kld, 1, Qt + q0, BQ, ST + c0 * BQ + q0, BQ);
        });

        // Online softmax down the columns of S^T, W queries at a time, over
        // the keys any query of the tile sees (the P V blocks below may span
        // two column groups, so every one of those rows of P^T is written).
        int lo, hi;
        rg.keys_of_rows(rg.rlo, rg.rhi - rg.rlo, lo, hi);
        for (int q0 = rg.rlo / W * W; q0 < rg.rhi; q0 += W) {
          const vi av = loadi(rg.a + q0), ev = loadi(rg.e + q0);
          // Column max; four independent running maxima hide the compare latency.
          const vf ninf = splat(kNegInf);
          auto masked = [&](int j) {
            const vi in = (splati(j) >= av) & (splati(j) < ev);
            return in ? loadu(ST + j * BQ + q0) * scale : ninf;
          };
          auto vmax = [](vf x, vf y) { return x > y ? x : y; };
          vf m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
          int j = lo;
          for (; j + 4 <= hi; j += 4) {
            m0 = vmax(m0, masked(j));
            m1 = vmax(m1, masked(j + 1));
            m2 = vmax(m2, masked(j + 2));
            m3 = vmax(m3, masked(j + 3));
          }
          for (; j < hi; ++j) m0 = vmax(m0, masked(j));
          const vf mx = vmax(vmax(m0, m1), vmax(m2, m3));
          const vf mold = loadu(m + q0);
          const vf mnew = mx > mold ? mx : mold;
          // Rescale what was summed so far: alpha = 1 where the max did not move,
          // 0 where nothing was summed yet.
          const vf alpha = mnew == mold ? splat(1.f) : mold == splat(kNegInf) ? vf{} : fast_exp(mold - mnew);
          vf sum = loadu(l + q0) * alpha;
          for (int j = lo; j < hi; ++j) {
            const vi in = (splati(j) >= av) & (splati(j) < ev);
            const vf pj = in ? fast_exp(loadu(ST + j * BQ + q0) * scale - mnew) : vf{};
            storeu(ST + j * BQ + q0, pj);
            sum += pj;
          }
          storeu(m + q0, mnew);
          storeu(l + q0, sum);
          for (int r = 0; r < W; ++r) {
            if (alpha[r] == 1.f) continue;
            float* o = O + ptrdiff_t(q0 + r) * Dp;
            for (int c = 0; c < Dp; c += W) storeu(o + c, loadu(o + c) * alpha[r]);
          }
        }

        // O += P V, each block of query rows over the keys it sees.
        with_acc_shape(Dp, [&](auto mr, auto nv) {
          constexpr int NV = decltype(nv)::value;
          row_blocks<decltype(mr)::value>(rg.rlo, rg.rhi, [&](auto mr2, int r0) {
            constexpr int R = decltype(mr2)::value;
            int lo, hi;
            rg.keys_of_rows(r0, R, lo, hi);
            for (int d0 = 0; d0 < Dp; d0 += NV * W)
              mk<R, NV, true>(lo, hi, ST + r0, 1, BQ, Vb + d0, ldv, O + ptrdiff_t(r0) * Dp + d0, Dp);
          });
        });
      }

      for (int r = 0; r < nq; ++r) {
        const float inv = 1.f / l[r];
        const float* o = O + ptrdiff_t(r) * Dp;
        float* dst = out + (size_t(b) * T + i0 + r) * qld + size_t(h) * D;
        for (int c = 0; c < D; ++c) dst[c] = o[c] * inv;
        lse[(size_t(b) * Hq + h) * T + i0 + r] = m[r] + std::log(l[r]);
      }
    }
  }
}

void attention_backward(const float* q, const float* k, const float* v, const int32_t* seg, const float* out,
                        const float* dout, const float* lse, float* dq, float* dk, float* dv, const AttnShape& s,
                        float scale) {
  check_shape(s, scale);
  const int B = s.B, T = s.T, Hq = s.Hq, Hkv = s.Hkv, D = s.D, G = Hq / Hkv;
  const int Dp = (D + W - 1) / W * W;
  const bool in_place = D == Dp;  // K, Q, dO rows can be B operands as they lie
  const ptrdiff_t qld = ptrdiff_t(Hq) * D, kld = ptrdiff_t(Hkv) * D;
  std::vector<int> start, end;
  doc_bounds(seg, B, T, start, end);

  // Di = rowsum(dO * O), laid out like lse [B, Hq, T].
  std::vector<float> Dsum(size_t(B) * Hq * T);
  const long rows = long(B) * T;
#pragma omp parallel for schedule(static)
  for (long bt = 0; bt < rows; ++bt) {
    const long b = bt / T, t = bt % T;
    for (int h = 0; h < Hq; ++h) {
      const float* o = out + (size_t(bt) * Hq + h) * D;
      const float* g = dout + (size_t(bt) * Hq + h) * D;
      float sum = 0.f;
      for (int c = 0; c < D; ++c) sum += o[c] * g[c];
      Dsum[(size_t(b) * Hq + h) * T + t] = sum;
    }
  }

  const int nqt = (T + BQ - 1) / BQ, nkt = (T + BK - 1) / BK;
  const size_t tileD = take_size(size_t(Dp) * std::max(BQ, BK)), tileS = take_size(size_t(BQ) * BK);
  const Scratch scratch(6 * tileD + 2 * tileS + 2 * take_size(BQ), max_threads());

  // One key tile (b, kv head hk, keys j0 ..): dk and dv summed over the query
  // heads of the group and every query tile that sees the key tile. With
  // with_dq it also adds dS K into the (unscaled) dq rows of those queries.
  auto key_tile = [&](float* p, Ranges& rg, int b, int hk, int kt, bool with_dq) {
    float* Kt = take(p, size_t(Dp) * BK);   // K^T [D x BK]
    float* Vt = take(p, size_t(Dp) * BK);   // V^T [D x BK]
    float* dK = take(p, size_t(BK) * Dp);   // [BK x Dp], unscaled
    float* dV = take(p, size_t(BK) * Dp);   // [BK x Dp]
    float* Qp = take(p, size_t(BQ) * Dp);   // padded Q tile when D % W != 0
    float* dOp = take(p, size_t(BQ) * Dp);  // padded dO tile when D % W != 0
    float* S = take(p, size_t(BQ) * BK);    // S, then P [BQ x BK]
    float* dP = take(p, size_t(BQ) * BK);   // dP, then dS
    const int j0 = kt * BK, nk = std::min(BK, T - j0);
    const int* st = start.data() + size_t(b) * T;
    const int qend = end[size_t(b) * T + j0 + nk - 1];  // later queries are in later documents
    const size_t koff = (size_t(b) * T * Hkv + hk) * D;

    pack_transposed(k + koff + j0 * kld, kld, nk, D, Kt, BK);
    pack_transposed(v + koff + j0 * kld, kld, nk, D, Vt, BK);
    std::memset(dK, 0, sizeof(float) * size_t(BK) * Dp);
    std::memset(dV, 0, sizeof(float) * size_t(BK) * Dp);

    for (int h = hk * G; h < (hk + 1) * G; ++h) {
      const size_t qoff = (size_t(b) * T * Hq + h) * D;
      const float* lh = lse + (size_t(b) * Hq + h) * T;
      const float* dh = Dsum.data() + (size_t(b) * Hq + h) * T;
      for (int i0 = j0; i0 < qend; i0 += BQ) {
        const int nq = std::min(BQ, qend - i0);
        rg.set(st, i0, nq, j0, nk);
        const float* Qb = q + qoff + i0 * qld;
        const float* dOb = dout + qoff + i0 * qld;
        const float *Qr = Qb, *dOr = dOb;
        ptrdiff_t ldr = qld;
        if (!in_place) {
          pack_rows(Qb, qld, nq, D, Dp, Qp);
          pack_rows(dOb, qld, nq, D, Dp, dOp);
          Qr = Qp, dOr = dOp, ldr = Dp;
        }

        // S = Q K^T and dP = dO V^T over the query rows that see the tile.
        row_blocks<S_MR>(0, nq, [&](auto mr, int r0) {
          constexpr int R = decltype(mr)::value;
          int lo, hi;
          rg.keys_of_rows(r0, R, lo, hi);
          if (lo >= hi) return;
          for (int c0 = lo / S_NC * S_NC; c0 < hi; c0 += S_NC) {
            mk<R, S_NV, false>(0, D, Qb + r0 * qld, qld, 1, Kt + c0, BK, S + r0 * BK + c0, BK);
            mk<R, S_NV, false>(0, D, dOb + r0 * qld, qld, 1, Vt + c0, BK, dP + r0 * BK + c0, BK);
          }
        });
        for (int r = rg.rlo; r < rg.rhi; ++r) {
          row_exp(S + r * BK, S + r * BK, rg.a[r], rg.e[r], scale, lh[i0 + r]);
          row_ds(S + r * BK, dP + r * BK, dP + r * BK, rg.a[r], rg.e[r], dh[i0 + r]);
        }

        // dV += P^T dO and dK += dS^T Q, each block of keys over the rows that see it.
        with_acc_shape(Dp, [&](auto mr, auto nv) {
          constexpr int NV = decltype(nv)::value;
          row_blocks<decltype(mr)::value>(0, nk, [&](auto mr2, int c0) {
            constexpr int R = decltype(mr2)::value;
            int lo, hi;
            rg.rows_of_keys(c0, R, lo, hi);
            if (lo >= hi) return;
            for (int d0 = 0; d0 < Dp; d0 += NV * W) {
              mk<R, NV, true>(lo, hi, S + c0, 1, BK, dOr + d0, ldr, dV + ptrdiff_t(c0) * Dp + d0, Dp);
              mk<R, NV, true>(lo, hi, dP + c0, 1, BK, Qr + d0, ldr, dK + ptrdiff_t(c0) * Dp + d0, Dp);
            }
          });
        });

        // dq += dS K straight into dq's rows (D == Dp here), only rows that see
        // the tile: each row's sum runs over keys in increasing order, as in pass 1.
        if (with_dq)
          with_acc_shape(Dp, [&](auto mr, auto nv) {
            constexpr int NV = decltype(nv)::value;
            row_blocks<decltype(mr)::value>(rg.rlo, rg.rhi, [&](auto mr2, int r0) {
              constexpr int R = decltype(mr2)::value;
              int lo, hi;
              rg.keys_of_rows(r0, R, lo, hi);
              for (int d0 = 0; d0 < D; d0 += NV * W)
                mk<R, NV, true>(lo, hi, dP + r0 * BK, BK, 1, k + koff + j0 * kld + d0, kld,
                                dq + qoff + (i0 + r0) * qld + d0, qld);
            });
          });
      }
    }

    for (int c = 0; c < nk; ++c) {
      const float* gk = dK + ptrdiff_t(c) * Dp;
      const float* gv = dV + ptrdiff_t(c) * Dp;
      float* dkd = dk + koff + (j0 + c) * kld;
      float* dvd = dv + koff + (j0 + c) * kld;
      for (int d = 0; d < D; ++d) dkd[d] = gk[d] * scale, dvd[d] = gv[d];
    }
  };

  // Two schemes with bit-identical results (every sum runs in the same order):
  //  fused:    one pass over (b, kv head) items, each walking its key tiles and
  //            accumulating dq in place: 5 tile products per (query, key) tile pair.
  //  two-pass: pass 1 over (b, query head, query tile) for dq, pass 2 over
  //            (b, kv head, key tile) for dk/dv: 7 products, but B*Hq*T/BQ and
  //            B*Hkv*T/BK work items instead of B*Hkv.
  // Fused wins unless its few items cannot keep the threads equally busy: pick
  // it when its predicted makespan (items dealt round-robin, cost = visible
  // (query, key) pairs) beats two-pass's evenly spread 7/5 larger work.
  const int nth = max_threads();
  bool fused = in_place;
  if (fused && nth > 1) {
    std::vector<double> cost(B, 0.0), load(nth, 0.0);
    double total = 0;
    for (int b = 0; b < B; ++b) {
      for (int i = 0; i < T; ++i) cost[b] += double(i - start[size_t(b) * T + i] + 1);
      cost[b] *= G;
    }
    for (long idx = 0; idx < long(B) * Hkv; ++idx) load[idx % nth] += cost[idx / Hkv], total += cost[idx / Hkv];
    const double makespan = *std::max_element(load.begin(), load.end());
    fused = makespan * 5 < total / nth * 7 * 0.95;
  }

  if (fused) {
    const long items = long(B) * Hkv;
#pragma omp parallel
    {
      float* p = scratch.get(thread_id());
      Ranges rg;
#pragma omp for schedule(static, 1)
      for (long idx = 0; idx < items; ++idx) {
        const int b = int(idx / Hkv), hk = int(idx % Hkv);
        for (int t = 0; t < T; ++t)
          std::memset(dq + ((size_t(b) * T + t) * Hq + size_t(hk) * G) * D, 0, sizeof(float) * size_t(G) * D);
        for (int kt = 0; kt < nkt; ++kt) key_tile(p, rg, b, hk, kt, true);
        for (int t = 0; t < T; ++t) {
          float* row = dq + ((size_t(b) * T + t) * Hq + size_t(hk) * G) * D;
          for (int c = 0; c < G * D; ++c) row[c] *= scale;
        }
      }
    }
    return;
  }

  // Pass 1: dq. One (b, query head, query tile) per item, longest first.
  const long items1 = long(B) * Hq * nqt;
#pragma omp parallel
  {
    float* p = scratch.get(thread_id());
    float* Qt = take(p, size_t(Dp) * BQ);   // Q^T [D x BQ]
    float* dOt = take(p, size_t(Dp) * BQ);  // dO^T [D x BQ]
    float* dQ = take(p, size_t(BQ) * Dp);   // [BQ x Dp], unscaled
    float* Kp = take(p, size_t(BK) * Dp);   // padded K tile when D % W != 0
    float* ST = take(p, size_t(BK) * BQ);   // S^T, then P^T
    float* dPT = take(p, size_t(BK) * BQ);  // dP^T, then dS^T
    float* lr = take(p, BQ);
    float* dr = take(p, BQ);
    Ranges rg;

#pragma omp for schedule(static, 1)
    for (long idx = 0; idx < items1; ++idx) {
      const int qt = nqt - 1 - int(idx / (long(B) * Hq));
      const int bh = int(idx % (long(B) * Hq));
      const int b = bh / Hq, h = bh % Hq;
      const int i0 = qt * BQ, nq = std::min(BQ, T - i0);
      const int* st = start.data() + size_t(b) * T;
      const float* kb = k + (size_t(b) * T * Hkv + h / G) * D;
      const float* vb = v + (size_t(b) * T * Hkv + h / G) * D;
      const size_t qoff = (size_t(b) * T * Hq + h) * D;

      pack_transposed(q + qoff + i0 * qld, qld, nq, D, Qt, BQ);
      pack_transposed(dout + qoff + i0 * qld, qld, nq, D, dOt, BQ);
      std::memset(dQ, 0, sizeof(float) * size_t(BQ) * Dp);
      for (int r = 0; r < BQ; ++r) {
        lr[r] = r < nq ? lse[(size_t(b) * Hq + h) * T + i0 + r] : 0.f;
        dr[r] = r < nq ? Dsum[(size_t(b) * Hq + h) * T + i0 + r] : 0.f;
      }

      for (int j0 = st[i0]; j0 < i0 + nq; j0 += BK) {
        const int nk = std::min(BK, i0 + nq - j0);
        rg.set(st, i0, nq, j0, nk);
        const float* Kb = kb + j0 * kld;
        const float* Vb = vb + j0 * kld;
        const float* Kr = Kb;
        ptrdiff_t ldk = kld;
        if (!in_place) pack_rows(Kb, kld, nk, D, Dp, Kp), Kr = Kp, ldk = Dp;

        // S^T = K Q^T and dP^T = V dO^T over the key rows some query sees.
        row_blocks<S_MR>(0, nk, [&](auto mr, int c0) {
          constexpr int R = decltype(mr)::value;
          int lo, hi;
          rg.rows_of_keys(c0, R, lo, hi);
          if (lo >= hi) return;
          for (int q0 = lo / S_NC * S_NC; q0 < hi; q0 += S_NC) {
            mk<R, S_NV, false>(0, D, Kb + c0 * kld, kld, 1, Qt + q0, BQ, ST + c0 * BQ + q0, BQ);
            mk<R, S_NV, false>(0, D, Vb + c0 * kld, kld, 1, dOt + q0, BQ, dPT + c0 * BQ + q0, BQ);
          }
        });

        // dS = P * (dP - Di) with P = exp(S*scale - lse), down the columns.
        // (Over the keys any query of the tile sees, as in the forward.)
        int lo, hi;
        rg.keys_of_rows(rg.rlo, rg.rhi - rg.rlo, lo, hi);
        for (int q0 = rg.rlo / W * W; q0 < rg.rhi; q0 += W) {
          const vi av = loadi(rg.a + q0), ev = loadi(rg.e + q0);
          const vf lv = loadu(lr + q0), dv_ = loadu(dr + q0);
          for (int j = lo; j < hi; ++j) {
            const vi in = (splati(j) >= av) & (splati(j) < ev);
            const vf pj = fast_exp(loadu(ST + j * BQ + q0) * scale - lv);
            storeu(dPT + j * BQ + q0, in ? pj * (loadu(dPT + j * BQ + q0) - dv_) : vf{});
          }
        }

        // dQ += dS K.
        with_acc_shape(Dp, [&](auto mr, auto nv) {
          constexpr int NV = decltype(nv)::value;
          row_blocks<decltype(mr)::value>(rg.rlo, rg.rhi, [&](auto mr2, int r0) {
            constexpr int R = decltype(mr2)::value;
            int lo, hi;
            rg.keys_of_rows(r0, R, lo, hi);
            for (int d0 = 0; d0 < Dp; d0 += NV * W)
              mk<R, NV, true>(lo, hi, dPT + r0, 1, BQ, Kr + d0, ldk, dQ + ptrdiff_t(r0) * Dp + d0, Dp);
          });
        });
      }

      for (int r = 0; r < nq; ++r) {
        const float* g = dQ + ptrdiff_t(r) * Dp;
        float* dst = dq + qoff + (i0 + r) * qld;
        for (int c = 0; c < D; ++c) dst[c] = g[c] * scale;
      }
    }
  }

  // Pass 2: dk, dv. One (b, kv head, key tile) per item; key tiles near the
  // start have the most queries, so they go first.
  const long items2 = long(B) * Hkv * nkt;
#pragma omp parallel
  {
    float* p = scratch.get(thread_id());
    Ranges rg;
#pragma omp for schedule(static, 1)
    for (long idx = 0; idx < items2; ++idx) {
      const int kt = int(idx / (long(B) * Hkv));
      const int bh = int(idx % (long(B) * Hkv));
      key_tile(p, rg, bh / Hkv, bh % Hkv, kt, false);
    }
  }
}

}  // namespace mt::cpu
