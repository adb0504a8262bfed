// Fused causal attention (attention.h), FlashAttention-2 style on sm_80+
// tensor cores (mma.sync m16n8k16, bf16 in, fp32 accumulate).
//
// Forward: one block (4 warps) per (query tile, batch x query head); each warp
// owns 16*MT query rows. Q fragments stay in registers; K and V tiles of 64
// keys stream through double-buffered shared memory with cp.async (the next
// K tile loads during S = Q K^T, the next V tile during P V). Scores are kept
// in the log2 domain (scale * log2 e folded in, exp2 on the SFU); the running
// max and sum are per row, the sum reduced over the quad only at the end.
// Key tiles before the first query's document or after the last query are
// never visited; a tile needs per-element masking only when it straddles the
// diagonal, a document start, or the end of the sequence.
//
// Backward: rowsum(dO * O) first, then one block per (key tile, batch x kv
// head) that walks every query head of the group and every query tile that
// sees the key tile, keeping dK and dV in registers (no atomics; the group's
// heads summed in place, nothing repeated per head). S^T = K Q^T and
// dP^T = V dO^T come out with keys as rows, which is the A layout for
// dV += P^T dO and dK += dS^T Q straight from registers; dS goes through
// shared memory once for dQ = dS K, added to an fp32 buffer with atomics and
// scaled to bf16 at the end.
//
// Shared-memory rows are padded by 16 bytes (D + 8 bf16), which makes every
// ldmatrix of 8 rows hit 8 distinct 16-byte bank groups.
#include "cuda/attention.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cuda/cuda_check.h"
#include "cuda/device.cuh"

namespace mt::cuda {

namespace {

using B16 = dev::bf16;

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

// ---- shared pieces ----

// Rows r0 .. r0+ROWS-1 of a [*, ld] bf16 matrix (D columns used) into shared
// memory rows of D + 8; rows at or past T are zero-filled.
template <int ROWS, int D>
MT_DEV void load_rows(B16* s, const B16* g, size_t ld, int r0, int T, int tid) {
  constexpr int CPR = D / 8;  // 16-byte chunks per row
  constexpr int TOTAL = ROWS * CPR;
  static_assert(TOTAL % 128 == 0, "tile loads are spread evenly over 128 threads");
  MT_UNROLL
  for (int it = 0; it < TOTAL / 128; ++it) {
    const int c = tid + it * 128;
    const int r = c / CPR, col = (c % CPR) * 8;
    const int gr = r0 + r;
    const bool ok = gr < T;
    dev::cp_async_16(s + r * (D + 8) + col, g + size_t(ok ? gr : 0) * ld + col, ok);
  }
}

MT_DEV void store_bf16x2(B16* p, float lo, float hi) { *reinterpret_cast<uint32_t*>(p) = dev::pack_bf16x2(lo, hi); }

// ---- forward ----

struct FwdArgs {
  const B16 *q, *k, *v;
  B16* out;
  float* lse;
  const int32_t* start;  // [B, T] or nullptr
  int B, T, Hq, Hkv;
  float scale_log2;  // scale * log2(e)
};

template <int D, int MT>
struct FwdCfg {
  static constexpr int kThreads = 128;
  static constexpr int BQ = 16 * MT * 4;  // query rows per block
  static constexpr int BK = 64;           // keys per tile
  static constexpr int LD = D + 8;
  static constexpr size_t kSmem = size_t(BQ + 4 * BK) * LD * sizeof(uint16_t);  // Q + 2 x (K, V)
};

template <int D, int MT>
__global__ void __launch_bounds__(128) attn_fwd_fast(const FwdArgs a) {
  using Cfg = FwdCfg<D, MT>;
  constexpr int BQ = Cfg::BQ, BK = Cfg::BK, LD = Cfg::LD;
  constexpr int NT = BK / 8, DT = D / 8, KS = D / 16;
  B16* sQ = dev::dyn_smem<B16>();
  B16* sK = sQ + BQ * LD;      // [2][BK][LD]
  B16* sV = sK + 2 * BK * LD;  // [2][BK][LD]
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, g = lane / 4, t4 = lane % 4;
  const int T = a.T;
  const int nqt = (T + BQ - 1) / BQ;
  const int qt = nqt - 1 - int(blockIdx.x);  // the longest (last) query tiles start first
  const int bh = blockIdx.y, b = bh / a.Hq, h = bh % a.Hq, hk = h / (a.Hq / a.Hkv);
  const int i0 = qt * BQ;
  const int ilast = dev::imin(i0 + BQ, T) - 1;
  const int32_t* st = a.start ? a.start + size_t(b) * T : nullptr;
  const int kt0 = (st ? st[i0] : 0) / BK, kt1 = ilast / BK;  // start[] is non-decreasing along a row
  const size_t qld = size_t(a.Hq) * D, kld = size_t(a.Hkv) * D;
  const B16* qb = a.q + (size_t(b) * T * a.Hq + h) * D;
  const B16* kb = a.k + (size_t(b) * T * a.Hkv + hk) * D;
  const B16* vb = a.v + (size_t(b) * T * a.Hkv + hk) * D;

  load_rows<BQ, D>(sQ, qb, qld, i0, T, tid);
  dev::cp_async_commit();
  load_rows<BK, D>(sK, kb, kld, kt0 * BK, T, tid);
  dev::cp_async_commit();
  load_rows<BK, D>(sV, vb, kld, kt0 * BK, T, tid);
  dev::cp_async_commit();

  // This thread's rows: r = warp*16*MT + mt*16 + g + 8*hf.
  int row_i[MT][2], row_s[MT][2];
  float m[MT][2], l[MT][2];
  float o[MT][DT][4];
  MT_UNROLL
  for (int mt = 0; mt < MT; ++mt) {
    MT_UNROLL
    for (int hf = 0; hf < 2; ++hf) {
      const int i = i0 + warp * 16 * MT + mt * 16 + g + 8 * hf;
      row_i[mt][hf] = i;
      row_s[mt][hf] = i < T ? (st ? st[i] : 0) : INT_MAX;  // padding rows see nothing
      m[mt][hf] = -INFINITY;
      l[mt][hf] = 0.f;
    }
    MT_UNROLL
    for (int dt = 0; dt < DT; ++dt)
      MT_UNROLL
    for (int e = 0; e < 4; ++e) o[mt][dt][e] = 0.f;
  }

  dev::cp_async_wait<2>();  // Q landed
  dev::sync_threads();
  uint32_t qf[MT][KS][4];
  MT_UNROLL
  for (int mt = 0; mt < MT; ++mt)
    MT_UNROLL
  for (int ks = 0; ks < KS; ++ks)
    dev::ldmatrix_x4(qf[mt][ks], sQ + (warp * 16 * MT + mt * 16 + lane % 16) * LD + ks * 16 + (lane / 16) * 8);

  for (int kt = kt0; kt <= kt1; ++kt) {
    const int buf = (kt - kt0) & 1;
    const B16* sKb = sK + buf * BK * LD;
    const B16* sVb = sV + buf * BK * LD;
    // K(kt) landed (V(kt) may still be in flight); every thread is done with
    // iteration kt-1, so the other buffers are free.
    dev::cp_async_wait<1>();
    dev::sync_threads();
    if (kt < kt1) load_rows<BK, D>(sK + (buf ^ 1) * BK * LD, kb, kld, (kt + 1) * BK, T, tid);
    dev::cp_async_commit();  // possibly empty: keeps the group count uniform

    // S = Q K^T (16*MT x 64 per warp).
    float s[MT][NT][4];
    MT_UNROLL
    for (int mt = 0; mt < MT; ++mt)
      MT_UNROLL
    for (int nt = 0; nt < NT; ++nt)
      MT_UNROLL
    for (int e = 0; e < 4; ++e) s[mt][nt][e] = 0.f;
    MT_UNROLL
    for (int ks = 0; ks < KS; ++ks) {
      MT_UNROLL
      for (int np = 0; np < NT / 2; ++np) {
        uint32_t kf[4];  // B fragments of key columns np*16 .. +7 (kf[0..1]) and +8 .. +15 (kf[2..3])
        dev::ldmatrix_x4(kf, sKb + (np * 16 + lane % 8 + (lane / 16) * 8) * LD + ks * 16 + ((lane / 8) % 2) * 8);
        MT_UNROLL
        for (int mt = 0; mt < MT; ++mt) {
          dev::mma_bf16_16816(s[mt][2 * np], qf[mt][ks], kf[0], kf[1]);
          dev::mma_bf16_16816(s[mt][2 * np + 1], qf[mt][ks], kf[2], kf[3]);
        }
      }
    }

    // Mask (only tiles that need it) and scale into the log2 domain.
    const int j0 = kt * BK;
    const bool full = j0 + BK - 1 <= i0 && i0 + BQ <= T && (!st || st[ilast] <= j0);
    MT_UNROLL
    for (int mt = 0; mt < MT; ++mt)
      MT_UNROLL
    for (int nt = 0; nt < NT; ++nt)
      MT_UNROLL
    for (int e = 0; e < 4; ++e) {
      float x = s[mt][nt][e] * a.scale_log2;
      if (!full) {
        const int j = j0 + nt * 8 + 2 * t4 + (e % 2);
        if (j < row_s[mt][e / 2] || j > row_i[mt][e / 2]) x = -INFINITY;
      }
      s[mt][nt][e] = x;
    }

    // Online softmax: new row max over the quad, rescale, P = 2^(S - max).
    MT_UNROLL
    for (int mt = 0; mt < MT; ++mt)
      MT_UNROLL
    for (int hf = 0; hf < 2; ++hf) {
      float mx = -INFINITY;
      MT_UNROLL
      for (int nt = 0; nt < NT; ++nt) mx = fmaxf(mx, fmaxf(s[mt][nt][2 * hf], s[mt][nt][2 * hf + 1]));
      mx = fmaxf(mx, dev::shfl_xor(mx, 1));
      mx = fmaxf(mx, dev::shfl_xor(mx, 2));
      const float mnew = fmaxf(m[mt][hf], mx);
      const float base = mnew == -INFINITY ? 0.f : mnew;  // a row that has seen nothing yet: all P = 0
      const float alpha = dev::exp2_approx(m[mt][hf] - base);
      m[mt][hf] = mnew;
      float rs = 0.f;
      MT_UNROLL
      for (int nt = 0; nt < NT; ++nt) {
        const float p0 = dev::exp2_approx(s[mt][nt][2 * hf] - base);
        const float p1 = dev::exp2_approx(s[mt][nt][2 * hf + 1] - base);
        s[mt][nt][2 * hf] = p0;
        s[mt][nt][2 * hf + 1] = p1;
        rs += p0 + p1;
      }
      l[mt][hf] = l[mt][hf] * alpha + rs;
      MT_UNROLL
      for (int dt = 0; dt < DT; ++dt) {
        o[mt][dt][2 * hf] *= alpha;
        o[mt][dt][2 * hf + 1] *= alpha;
      }
    }

    dev::cp_async_wait<1>();  // V(kt) landed
    dev::sync_threads();
    if (kt < kt1) load_rows<BK, D>(sV + (buf ^ 1) * BK * LD, vb, kld, (kt + 1) * BK, T, tid);
    dev::cp_async_commit();

    // O += P V: the S accumulators of two adjacent key blocks are one A fragment.
    MT_UNROLL
    for (int kk = 0; kk < BK / 16; ++kk) {
      uint32_t pa[MT][4];
      MT_UNROLL
      for (int mt = 0; mt < MT; ++mt) {
        pa[mt][0] = dev::pack_bf16x2(s[mt][2 * kk][0], s[mt][2 * kk][1]);
        pa[mt][1] = dev::pack_bf16x2(s[mt][2 * kk][2], s[mt][2 * kk][3]);
        pa[mt][2] = dev::pack_bf16x2(s[mt][2 * kk + 1][0], s[mt][2 * kk + 1][1]);
        pa[mt][3] = dev::pack_bf16x2(s[mt][2 * kk + 1][2], s[mt][2 * kk + 1][3]);
      }
      MT_UNROLL
      for (int dp = 0; dp < D / 16; ++dp) {
        uint32_t vf[4];  // B fragments of head-dim columns dp*16 .. +7 (vf[0..1]) and +8 .. +15 (vf[2..3])
        dev::ldmatrix_x4_trans(vf, sVb + (kk * 16 + lane % 8 + ((lane / 8) % 2) * 8) * LD + dp * 16 + (lane / 16) * 8);
        MT_UNROLL
        for (int mt = 0; mt < MT; ++mt) {
          dev::mma_bf16_16816(o[mt][2 * dp], pa[mt], vf[0], vf[1]);
          dev::mma_bf16_16816(o[mt][2 * dp + 1], pa[mt], vf[2], vf[3]);
        }
      }
    }
  }

  // out = O / l, lse = (max + log2 l) ln 2.
  MT_UNROLL
  for (int mt = 0; mt < MT; ++mt)
    MT_UNROLL
  for (int hf = 0; hf < 2; ++hf) {
    float lt = l[mt][hf];
    lt += dev::shfl_xor(lt, 1);
    lt += dev::shfl_xor(lt, 2);
    const int i = row_i[mt][hf];
    if (i < T) {
      const float inv = 1.f / lt;
      B16* orow = a.out + ((size_t(b) * T + i) * a.Hq + h) * D;
      MT_UNROLL
      for (int dt = 0; dt < DT; ++dt)
        store_bf16x2(orow + dt * 8 + 2 * t4, o[mt][dt][2 * hf] * inv, o[mt][dt][2 * hf + 1] * inv);
      if (t4 == 0) a.lse[(size_t(b) * a.Hq + h) * T + i] = (m[mt][hf] + log2f(lt)) * kLn2;
    }
  }
}

// ---- backward ----

struct BwdArgs {
  const B16 *q, *k, *v, *out, *dout;
  const float* lse;
  float* di;      // [B, Hq, T] rowsum(dO * O)
  float* dq_acc;  // [B, T, Hq, D] fp32
  B16 *dq, *dk, *dv;
  const int32_t *start, *end;
  int B, T, Hq, Hkv, D;
  float scale, scale_log2;
};

template <int D, int BQ>
struct BwdCfg {
  static constexpr int BK = 64;  // keys per block: 16 per warp
  static constexpr int LD = D + 8;
  static constexpr int LDS = BQ + 8;  // dS^T rows
  static constexpr size_t kSmem =
      size_t(2 * BK * LD + 4 * BQ * LD + BK * LDS) * sizeof(uint16_t) + size_t(2 * BQ) * 3 * sizeof(float);
};

// di = rowsum(dO * O): 8 lanes per (b, i, h) row, 16-byte loads (D % 8 == 0).
__global__ void attn_bwd_rowsum(const B16* out, const B16* dout, float* di, int B, int T, int Hq, int D) {
  const int64_t nrows = int64_t(B) * T * Hq;
  const int64_t r = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 8;
  const int sub = threadIdx.x % 8;
  float s = 0.f;
  if (r < nrows) {
    for (int c = sub; c < D / 8; c += 8) {
      float o[8], g[8];
      dev::unpack8(dev::load8(out + r * D + 8 * c), o);
      dev::unpack8(dev::load8(dout + r * D + 8 * c), g);
      MT_UNROLL
      for (int j = 0; j < 8; ++j) s += o[j] * g[j];
    }
  }
  s += dev::shfl_xor(s, 1);
  s += dev::shfl_xor(s, 2);
  s += dev::shfl_xor(s, 4);
  if (r < nrows && sub == 0) {
    const int h = int(r % Hq), i = int((r / Hq) % T), b = int(r / (int64_t(Hq) * T));
    di[(size_t(b) * Hq + h) * T + i] = s;
  }
}

template <int D, int BQ>
__global__ void __launch_bounds__(128) attn_bwd_fast(const BwdArgs a) {
  using Cfg = BwdCfg<D, BQ>;
  constexpr int BK = Cfg::BK, LD = Cfg::LD, LDS = Cfg::LDS;
  constexpr int NQ = BQ / 8, DT = D / 8, KS = D / 16;
  constexpr int QM = BQ / 16, WSPLIT = 4 / QM, DW = D / WSPLIT;  // dQ: warps over (16-row tile, head-dim slice)
  static_assert(QM * WSPLIT == 4 && DW % 16 == 0, "dQ warp partition");
  B16* sK = dev::dyn_smem<B16>();
  B16* sV = sK + BK * LD;
  B16* sQ = sV + BK * LD;       // [2][BQ][LD]
  B16* sdO = sQ + 2 * BQ * LD;  // [2][BQ][LD]
  B16* sdS = sdO + 2 * BQ * LD; // [BK][LDS]: dS^T
  float* sL = reinterpret_cast<float*>(sdS + BK * LDS);  // [2][BQ] lse * log2 e
  float* sDi = sL + 2 * BQ;                              // [2][BQ]
  int* sSt = reinterpret_cast<int*>(sDi + 2 * BQ);       // [2][BQ] document starts (INT_MAX: no query)

  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, g = lane / 4, t4 = lane % 4;
  const int T = a.T, Hq = a.Hq, Hkv = a.Hkv, G = Hq / Hkv;
  const int kt = blockIdx.x;
  const int bh = blockIdx.y, b = bh / Hkv, hk = bh % Hkv;
  const int j0 = kt * BK;
  const int jl = dev::imin(j0 + BK, T) - 1;
  const int iend = a.end ? a.end[size_t(b) * T + jl] : T;  // later queries are in later documents
  const int qt0 = j0 / BQ, nqt = (iend - 1) / BQ - qt0 + 1;
  const int items = G * nqt;
  const size_t qld = size_t(Hq) * D, kld = size_t(Hkv) * D;

  load_rows<BK, D>(sK, a.k + (size_t(b) * T * Hkv + hk) * D, kld, j0, T, tid);
  load_rows<BK, D>(sV, a.v + (size_t(b) * T * Hkv + hk) * D, kld, j0, T, tid);

  // Loads of work item `it` (query head, query tile) into buffer `buf`.
  auto issue = [&](int it, int buf) {
    const int h = hk * G + it / nqt, i0 = (qt0 + it % nqt) * BQ;
    load_rows<BQ, D>(sQ + buf * BQ * LD, a.q + (size_t(b) * T * Hq + h) * D, qld, i0, T, tid);
    load_rows<BQ, D>(sdO + buf * BQ * LD, a.dout + (size_t(b) * T * Hq + h) * D, qld, i0, T, tid);
    for (int r = tid; r < BQ; r += 128) {
      const int i = i0 + r;
      const bool ok = i < T;
      sL[buf * BQ + r] = ok ? a.lse[(size_t(b) * Hq + h) * T + i] * kLog2e : 0.f;
      sDi[buf * BQ + r] = ok ? a.di[(size_t(b) * Hq + h) * T + i] : 0.f;
      sSt[buf * BQ + r] = ok ? (a.start ? a.start[size_t(b) * T + i] : 0) : INT_MAX;
    }
  };
  issue(0, 0);
  dev::cp_async_commit();

  float dk[DT][4], dv[DT][4];
  MT_UNROLL
  for (int dt = 0; dt < DT; ++dt)
    MT_UNROLL
  for (int e = 0; e < 4; ++e) dk[dt][e] = dv[dt][e] = 0.f;

  for (int it = 0; it < items; ++it) {
    const int buf = it & 1;
    // Item it landed; every thread is done with item it-1 (its buffers and sdS).
    dev::cp_async_wait<0>();
    dev::sync_threads();
    if (it + 1 < items) issue(it + 1, buf ^ 1);
    dev::cp_async_commit();

    const int h = hk * G + it / nqt, i0 = (qt0 + it % nqt) * BQ;
    const B16* sQb = sQ + buf * BQ * LD;
    const B16* sdOb = sdO + buf * BQ * LD;
    const float* L = sL + buf * BQ;
    const float* Di = sDi + buf * BQ;
    const int* S0 = sSt + buf * BQ;

    // S^T = K Q^T and dP^T = V dO^T: this warp's 16 keys x BQ queries.
    float s[NQ][4], dp[NQ][4];
    MT_UNROLL
    for (int nt = 0; nt < NQ; ++nt)
      MT_UNROLL
    for (int e = 0; e < 4; ++e) s[nt][e] = dp[nt][e] = 0.f;
    MT_UNROLL
    for (int ks = 0; ks < KS; ++ks) {
      uint32_t ka[4], va[4];
      dev::ldmatrix_x4(ka, sK + (warp * 16 + lane % 16) * LD + ks * 16 + (lane / 16) * 8);
      dev::ldmatrix_x4(va, sV + (warp * 16 + lane % 16) * LD + ks * 16 + (lane / 16) * 8);
      MT_UNROLL
      for (int np = 0; np < NQ / 2; ++np) {
        uint32_t qf[4], of[4];
        const int off = (np * 16 + lane % 8 + (lane / 16) * 8) * LD + ks * 16 + ((lane / 8) % 2) * 8;
        dev::ldmatrix_x4(qf, sQb + off);
        dev::ldmatrix_x4(of, sdOb + off);
        dev::mma_bf16_16816(s[2 * np], ka, qf[0], qf[1]);
        dev::mma_bf16_16816(s[2 * np + 1], ka, qf[2], qf[3]);
        dev::mma_bf16_16816(dp[2 * np], va, of[0], of[1]);
        dev::mma_bf16_16816(dp[2 * np + 1], va, of[2], of[3]);
      }
    }

    // P^T = 2^(S^T scale log2e - lse log2e), masked; dS^T = P^T (dP^T - Di).
    const bool full = i0 >= j0 + BK - 1 && i0 + BQ <= T && j0 + BK <= T && S0[BQ - 1] <= j0;
    MT_UNROLL
    for (int nt = 0; nt < NQ; ++nt)
      MT_UNROLL
    for (int e = 0; e < 4; ++e) {
      const int ql = nt * 8 + 2 * t4 + (e % 2);
      float p = dev::exp2_approx(s[nt][e] * a.scale_log2 - L[ql]);
      if (!full) {
        const int j = j0 + warp * 16 + g + 8 * (e / 2), i = i0 + ql;
        if (!(j < T && j <= i && S0[ql] <= j)) p = 0.f;
      }
      s[nt][e] = p;
      dp[nt][e] = p * (dp[nt][e] - Di[ql]);
    }

    // dV += P^T dO, dK += dS^T Q (queries as the k dimension).
    MT_UNROLL
    for (int kq = 0; kq < BQ / 16; ++kq) {
      uint32_t pa[4], da[4];
      pa[0] = dev::pack_bf16x2(s[2 * kq][0], s[2 * kq][1]);
      pa[1] = dev::pack_bf16x2(s[2 * kq][2], s[2 * kq][3]);
      pa[2] = dev::pack_bf16x2(s[2 * kq + 1][0], s[2 * kq + 1][1]);
      pa[3] = dev::pack_bf16x2(s[2 * kq + 1][2], s[2 * kq + 1][3]);
      da[0] = dev::pack_bf16x2(dp[2 * kq][0], dp[2 * kq][1]);
      da[1] = dev::pack_bf16x2(dp[2 * kq][2], dp[2 * kq][3]);
      da[2] = dev::pack_bf16x2(dp[2 * kq + 1][0], dp[2 * kq + 1][1]);
      da[3] = dev::pack_bf16x2(dp[2 * kq + 1][2], dp[2 * kq + 1][3]);
      MT_UNROLL
      for (int dn = 0; dn < D / 16; ++dn) {
        uint32_t of[4], qf[4];
        const int off = (kq * 16 + lane % 8 + ((lane / 8) % 2) * 8) * LD + dn * 16 + (lane / 16) * 8;
        dev::ldmatrix_x4_trans(of, sdOb + off);
        dev::ldmatrix_x4_trans(qf, sQb + off);
        dev::mma_bf16_16816(dv[2 * dn], pa, of[0], of[1]);
        dev::mma_bf16_16816(dv[2 * dn + 1], pa, of[2], of[3]);
        dev::mma_bf16_16816(dk[2 * dn], da, qf[0], qf[1]);
        dev::mma_bf16_16816(dk[2 * dn + 1], da, qf[2], qf[3]);
      }
    }

    // dS^T to shared memory for dQ = dS K.
    MT_UNROLL
    for (int nt = 0; nt < NQ; ++nt)
      MT_UNROLL
    for (int hf = 0; hf < 2; ++hf)
      store_bf16x2(sdS + (warp * 16 + g + 8 * hf) * LDS + nt * 8 + 2 * t4, dp[nt][2 * hf], dp[nt][2 * hf + 1]);
    dev::sync_threads();

    const int mtile = warp % QM, dbase = (warp / QM) * DW;
    float dq[DW / 8][4];
    MT_UNROLL
    for (int dn = 0; dn < DW / 8; ++dn)
      MT_UNROLL
    for (int e = 0; e < 4; ++e) dq[dn][e] = 0.f;
    MT_UNROLL
    for (int kk = 0; kk < BK / 16; ++kk) {
      uint32_t dsa[4];  // A fragment of dS (queries x keys), read transposed from dS^T
      dev::ldmatrix_x4_trans(dsa, sdS + (kk * 16 + lane % 8 + (lane / 16) * 8) * LDS + mtile * 16 + ((lane / 8) % 2) * 8);
      MT_UNROLL
      for (int dn = 0; dn < DW / 16; ++dn) {
        uint32_t kf[4];
        dev::ldmatrix_x4_trans(kf, sK + (kk * 16 + lane % 8 + ((lane / 8) % 2) * 8) * LD + dbase + dn * 16 + (lane / 16) * 8);
        dev::mma_bf16_16816(dq[2 * dn], dsa, kf[0], kf[1]);
        dev::mma_bf16_16816(dq[2 * dn + 1], dsa, kf[2], kf[3]);
      }
    }
    MT_UNROLL
    for (int dn = 0; dn < DW / 8; ++dn)
      MT_UNROLL
    for (int e = 0; e < 4; ++e) {
      const int i = i0 + mtile * 16 + g + 8 * (e / 2);
      if (i < T)
        dev::atomic_add(a.dq_acc + ((size_t(b) * T + i) * Hq + h) * D + dbase + dn * 8 + 2 * t4 + (e % 2), dq[dn][e]);
    }
  }

  // dK (scaled) and dV of this block's keys.
  MT_UNROLL
  for (int hf = 0; hf < 2; ++hf) {
    const int j = j0 + warp * 16 + g + 8 * hf;
    if (j < T) {
      B16* dkr = a.dk + ((size_t(b) * T + j) * Hkv + hk) * D;
      B16* dvr = a.dv + ((size_t(b) * T + j) * Hkv + hk) * D;
      MT_UNROLL
      for (int dt = 0; dt < DT; ++dt) {
        store_bf16x2(dkr + dt * 8 + 2 * t4, dk[dt][2 * hf] * a.scale, dk[dt][2 * hf + 1] * a.scale);
        store_bf16x2(dvr + dt * 8 + 2 * t4, dv[dt][2 * hf], dv[dt][2 * hf + 1]);
      }
    }
  }
}

// dq = bf16(dq_acc * scale), 8 values a thread (n % 8 == 0, 16-byte aligned).
__global__ void attn_bwd_dq_out(const float* dq_acc, B16* dq, size_t n, float scale) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  for (size_t i = size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n / 8; i += stride) {
    const float4 a0 = reinterpret_cast<const float4*>(dq_acc)[2 * i];
    const float4 a1 = reinterpret_cast<const float4*>(dq_acc)[2 * i + 1];
    const float f[8] = {a0.x * scale, a0.y * scale, a0.z * scale, a0.w * scale,
                        a1.x * scale, a1.y * scale, a1.z * scale, a1.w * scale};
    dev::store8(dq + 8 * i, dev::pack8(f));
  }
}

// ---- simple versions: one warp per row, fp32 throughout ----

constexpr int kMaxPerLane = 8;  // D <= 256

struct Row {
  float x[kMaxPerLane];
};

MT_DEV Row load_row(const B16* p, int D, int lane) {
  Row r;
  MT_UNROLL
  for (int u = 0; u < kMaxPerLane; ++u) {
    const int d = lane + 32 * u;
    r.x[u] = d < D ? dev::to_f32(p[d]) : 0.f;
  }
  return r;
}

MT_DEV float dot(const Row& a, const Row& b) {
  float s = 0.f;
  MT_UNROLL
  for (int u = 0; u < kMaxPerLane; ++u) s += a.x[u] * b.x[u];
  return dev::warp_sum(s);
}

struct SimpleArgs {
  const B16 *q, *k, *v, *out, *dout;
  B16* o;  // forward output
  float* lse_out;
  const float* lse;
  float* di;
  B16 *dq, *dk, *dv;
  const int32_t *start, *end;
  int B, T, Hq, Hkv, D;
  float scale;
};

// Warp per (b, i, h): online softmax over keys start..i, one key at a time.
__global__ void attn_fwd_simple(const SimpleArgs a) {
  const int64_t row = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (row >= int64_t(a.B) * a.T * a.Hq) return;  // whole warps
  const int h = int(row % a.Hq), i = int((row / a.Hq) % a.T), b = int(row / (int64_t(a.Hq) * a.T));
  const int hk = h / (a.Hq / a.Hkv), D = a.D;
  const Row q = load_row(a.q + size_t(row) * D, D, lane);
  const int j_lo = a.start ? a.start[size_t(b) * a.T + i] : 0;
  float m = -INFINITY, l = 0.f, acc[kMaxPerLane] = {};
  for (int j = j_lo; j <= i; ++j) {
    const size_t kr = ((size_t(b) * a.T + j) * a.Hkv + hk) * D;
    const float sc = dot(q, load_row(a.k + kr, D, lane)) * a.scale;
    const float mnew = fmaxf(m, sc);
    const float alpha = expf(m - mnew), p = expf(sc - mnew);
    const Row vr = load_row(a.v + kr, D, lane);
    l = l * alpha + p;
    MT_UNROLL
    for (int u = 0; u < kMaxPerLane; ++u) acc[u] = acc[u] * alpha + p * vr.x[u];
    m = mnew;
  }
  MT_UNROLL
  for (int u = 0; u < kMaxPerLane; ++u) {
    const int d = lane + 32 * u;
    if (d < D) a.o[size_t(row) * D + d] = dev::to_bf16(acc[u] / l);
  }
  if (lane == 0) a.lse_out[(size_t(b) * a.Hq + h) * a.T + i] = m + logf(l);
}

// Warp per (b, i, h): di = rowsum(dO * O); dq = scale sum_j dS_ij k_j.
__global__ void attn_bwd_simple_dq(const SimpleArgs a) {
  const int64_t row = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (row >= int64_t(a.B) * a.T * a.Hq) return;
  const int h = int(row % a.Hq), i = int((row / a.Hq) % a.T), b = int(row / (int64_t(a.Hq) * a.T));
  const int hk = h / (a.Hq / a.Hkv), D = a.D;
  const Row q = load_row(a.q + size_t(row) * D, D, lane);
  const Row go = load_row(a.dout + size_t(row) * D, D, lane);
  const float di = dot(go, load_row(a.out + size_t(row) * D, D, lane));
  const size_t li = (size_t(b) * a.Hq + h) * a.T + i;
  if (lane == 0) a.di[li] = di;
  const float lse = a.lse[li];
  const int j_lo = a.start ? a.start[size_t(b) * a.T + i] : 0;
  float acc[kMaxPerLane] = {};
  for (int j = j_lo; j <= i; ++j) {
    const size_t kr = ((size_t(b) * a.T + j) * a.Hkv + hk) * D;
    const Row kv = load_row(a.k + kr, D, lane);
    const float p = expf(dot(q, kv) * a.scale - lse);
    const float ds = p * (dot(go, load_row(a.v + kr, D, lane)) - di);
    MT_UNROLL
    for (int u = 0; u < kMaxPerLane; ++u) acc[u] += ds * kv.x[u];
  }
  MT_UNROLL
  for (int u = 0; u < kMaxPerLane; ++u) {
    const int d = lane + 32 * u;
    if (d < D) a.dq[size_t(row) * D + d] = dev::to_bf16(acc[u] * a.scale);
  }
}

// Warp per (b, j, kv head): dv = sum P_ij dO_i, dk = scale sum dS_ij q_i over
// the group's query heads and the queries i in [j, end_j). Needs di.
__global__ void attn_bwd_simple_dkv(const SimpleArgs a) {
  const int64_t row = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (row >= int64_t(a.B) * a.T * a.Hkv) return;
  const int hk = int(row % a.Hkv), j = int((row / a.Hkv) % a.T), b = int(row / (int64_t(a.Hkv) * a.T));
  const int G = a.Hq / a.Hkv, D = a.D;
  const Row kv = load_row(a.k + size_t(row) * D, D, lane);
  const Row vv = load_row(a.v + size_t(row) * D, D, lane);
  const int i_hi = a.end ? a.end[size_t(b) * a.T + j] : a.T;
  float gk[kMaxPerLane] = {}, gv[kMaxPerLane] = {};
  for (int h = hk * G; h < (hk + 1) * G; ++h)
    for (int i = j; i < i_hi; ++i) {
      const size_t qr = ((size_t(b) * a.T + i) * a.Hq + h) * D;
      const size_t li = (size_t(b) * a.Hq + h) * a.T + i;
      const Row q = load_row(a.q + qr, D, lane);
      const Row go = load_row(a.dout + qr, D, lane);
      const float p = expf(dot(q, kv) * a.scale - a.lse[li]);
      const float ds = p * (dot(go, vv) - a.di[li]);
      MT_UNROLL
      for (int u = 0; u < kMaxPerLane; ++u) {
        gv[u] += p * go.x[u];
        gk[u] += ds * q.x[u];
      }
    }
  MT_UNROLL
  for (int u = 0; u < kMaxPerLane; ++u) {
    const int d = lane + 32 * u;
    if (d < D) {
      a.dk[size_t(row) * D + d] = dev::to_bf16(gk[u] * a.scale);
      a.dv[size_t(row) * D + d] = dev::to_bf16(gv[u]);
    }
  }
}

// ---- host side ----

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

void check_shape(const char* what, const AttnShape& s, float scale, const int32_t* start, const int32_t* end,
                 bool need_end) {
  MT_CHECK(s.B >= 1 && s.T >= 1, what, ": B and T must be >= 1, got B=", s.B, " T=", s.T);
  MT_CHECK(s.Hq >= 1 && s.Hkv >= 1 && s.Hq % s.Hkv == 0, what, ": Hkv (", s.Hkv, ") must divide Hq (", s.Hq,
           "), both >= 1");
  MT_CHECK(s.D >= 1 && s.D <= 256, what, ": D must be in [1, 256], got ", s.D);
  MT_CHECK(std::isfinite(scale), what, ": scale must be finite");
  MT_CHECK((start == nullptr) == (end == nullptr) || !need_end, what,
           ": doc_start and doc_end must both be given or both be null");
  MT_CHECK(int64_t(s.B) * s.Hq <= 65535, what, ": B*Hq = ", int64_t(s.B) * s.Hq, " exceeds the grid limit 65535");
}

void check_fast(const char* what, const AttnShape& s, std::initializer_list<const void*> ptrs) {
  MT_CHECK(s.D == 64 || s.D == 128, what, ": unsupported head dim D=", s.D,
           " for the fast kernel (64 and 128 are supported; the simple kernel takes any D <= 256)");
  for (const void* p : ptrs) MT_CHECK(aligned16(p), what, ": the fast kernel needs 16-byte aligned pointers");
}

template <class K>
void allow_smem(K* kernel, size_t bytes, const char* what) {
  MT_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)), what);
}

template <int D, int MT>
void launch_fwd(const FwdArgs& a, Stream s) {
  using Cfg = FwdCfg<D, MT>;
  auto* k = attn_fwd_fast<D, MT>;
  allow_smem(k, Cfg::kSmem, "attention_forward");
  const dim3 grid(unsigned((a.T + Cfg::BQ - 1) / Cfg::BQ), unsigned(a.B * a.Hq));
  MT_LAUNCH(k, grid, Cfg::kThreads, Cfg::kSmem, s, a);
  MT_CUDA_LAUNCHED("attention_forward");
}

template <int D, int BQ>
void launch_bwd(const BwdArgs& a, Stream s) {
  using Cfg = BwdCfg<D, BQ>;
  auto* k = attn_bwd_fast<D, BQ>;
  allow_smem(k, Cfg::kSmem, "attention_backward");
  const dim3 grid(unsigned((a.T + Cfg::BK - 1) / Cfg::BK), unsigned(a.B * a.Hkv));
  MT_LAUNCH(k, grid, 128, Cfg::kSmem, s, a);
  MT_CUDA_LAUNCHED("attention_backward");
}

unsigned warp_blocks(int64_t rows, const char* what) {
  const int64_t blocks = (rows + 3) / 4;  // 4 warps of 32 per block
  MT_CHECK(blocks <= 0x7fffffff, what, ": too many rows (", rows, ")");
  return unsigned(blocks);
}

}  // namespace

void attention_doc_bounds(const int32_t* seg, int B, int T, int32_t* start, int32_t* end) {
  MT_CHECK(B >= 1 && T >= 1, "attention_doc_bounds: B and T must be >= 1, got B=", B, " T=", T);
  MT_CHECK(start && end, "attention_doc_bounds: start and end are required");
  std::vector<int32_t> ids;
  for (int b = 0; b < B; ++b) {
    int32_t* st = start + size_t(b) * T;
    int32_t* en = end + size_t(b) * T;
    if (!seg) {
      std::fill(st, st + T, 0);
      std::fill(en, en + T, T);
      continue;
    }
    const int32_t* sg = seg + size_t(b) * T;
    ids.clear();
    int s0 = 0;
    for (int i = 0; i < T; ++i) {
      if (i > 0 && sg[i] != sg[i - 1]) {
        for (int t = s0; t < i; ++t) en[t] = i;
        ids.push_back(sg[i - 1]);
        s0 = i;
      }
      st[i] = s0;
    }
    for (int t = s0; t < T; ++t) en[t] = T;
    ids.push_back(sg[T - 1]);
    std::sort(ids.begin(), ids.end());
    const auto dup = std::adjacent_find(ids.begin(), ids.end());
    MT_CHECK(dup == ids.end(), "attention: seg row ", b, " has document id ", *dup,
             " in two separate runs; each document must be one contiguous run of positions");
  }
}

void attention_forward(const bf16* q, const bf16* k, const bf16* v, const int32_t* doc_start, const int32_t* doc_end,
                       bf16* out, float* lse, const AttnShape& shape, float scale, Impl impl, Stream s) {
  const char* what = impl == Impl::Fast ? "attention_forward" : "attention_forward (simple)";
  check_shape(what, shape, scale, doc_start, doc_end, false);
  MT_CHECK(q && k && v && out && lse, what, ": q, k, v, out and lse are required");
  if (impl == Impl::Simple) {
    SimpleArgs a{};
    a.q = reinterpret_cast<const B16*>(q), a.k = reinterpret_cast<const B16*>(k);
    a.v = reinterpret_cast<const B16*>(v), a.o = reinterpret_cast<B16*>(out), a.lse_out = lse;
    a.start = doc_start, a.end = doc_end;
    a.B = shape.B, a.T = shape.T, a.Hq = shape.Hq, a.Hkv = shape.Hkv, a.D = shape.D, a.scale = scale;
    auto* kern = attn_fwd_simple;
    MT_LAUNCH(kern, warp_blocks(int64_t(shape.B) * shape.T * shape.Hq, what), 128, 0, s, a);
    MT_CUDA_LAUNCHED("attention_forward (simple)");
    return;
  }
  check_fast(what, shape, {q, k, v, out});
  FwdArgs a{};
  a.q = reinterpret_cast<const B16*>(q), a.k = reinterpret_cast<const B16*>(k), a.v = reinterpret_cast<const B16*>(v);
  a.out = reinterpret_cast<B16*>(out), a.lse = lse, a.start = doc_start;
  a.B = shape.B, a.T = shape.T, a.Hq = shape.Hq, a.Hkv = shape.Hkv;
  a.scale_log2 = float(double(scale) * 1.4426950408889634);
  if (shape.D == 64) launch_fwd<64, 2>(a, s);
  else launch_fwd<128, 1>(a, s);
}

size_t attention_backward_workspace_bytes(const AttnShape& sh) {
  const size_t rows = size_t(std::max(sh.B, 0)) * size_t(std::max(sh.T, 0)) * size_t(std::max(sh.Hq, 0));
  const size_t acc = (rows * size_t(std::max(sh.D, 0)) * sizeof(float) + 255) / 256 * 256;
  return acc + rows * sizeof(float);
}

void attention_backward(const bf16* q, const bf16* k, const bf16* v, const int32_t* doc_start,
                        const int32_t* doc_end, const bf16* out, const bf16* dout, const float* lse, bf16* dq,
                        bf16* dk, bf16* dv, const AttnShape& shape, float scale, void* workspace,
                        size_t workspace_bytes, Impl impl, Stream s) {
  const char* what = impl == Impl::Fast ? "attention_backward" : "attention_backward (simple)";
  check_shape(what, shape, scale, doc_start, doc_end, true);
  MT_CHECK(q && k && v && out && dout && lse && dq && dk && dv, what,
           ": q, k, v, out, dout, lse, dq, dk and dv are required");
  const size_t need = attention_backward_workspace_bytes(shape);
  MT_CHECK(workspace && workspace_bytes >= need, what, ": workspace of ", need, " bytes needed, got ",
           workspace_bytes);
  MT_CHECK(int64_t(shape.B) * shape.Hkv <= 65535, what, ": B*Hkv exceeds the grid limit 65535");
  const size_t rows = size_t(shape.B) * shape.T * shape.Hq;
  auto* dq_acc = static_cast<float*>(workspace);
  auto* di = reinterpret_cast<float*>(static_cast<unsigned char*>(workspace) +
                                      (rows * shape.D * sizeof(float) + 255) / 256 * 256);
  if (impl == Impl::Simple) {
    SimpleArgs a{};
    a.q = reinterpret_cast<const B16*>(q), a.k = reinterpret_cast<const B16*>(k);
    a.v = reinterpret_cast<const B16*>(v), a.out = reinterpret_cast<const B16*>(out);
    a.dout = reinterpret_cast<const B16*>(dout), a.lse = lse, a.di = di;
    a.dq = reinterpret_cast<B16*>(dq), a.dk = reinterpret_cast<B16*>(dk), a.dv = reinterpret_cast<B16*>(dv);
    a.start = doc_start, a.end = doc_end;
    a.B = shape.B, a.T = shape.T, a.Hq = shape.Hq, a.Hkv = shape.Hkv, a.D = shape.D, a.scale = scale;
    auto* k1 = attn_bwd_simple_dq;
    MT_LAUNCH(k1, warp_blocks(int64_t(rows), what), 128, 0, s, a);
    MT_CUDA_LAUNCHED("attention_backward (simple, dq)");
    auto* k2 = attn_bwd_simple_dkv;
    MT_LAUNCH(k2, warp_blocks(int64_t(shape.B) * shape.T * shape.Hkv, what), 128, 0, s, a);
    MT_CUDA_LAUNCHED("attention_backward (simple, dk dv)");
    return;
  }
  check_fast(what, shape, {q, k, v, out, dout, dq, dk, dv});
  BwdArgs a{};
  a.q = reinterpret_cast<const B16*>(q), a.k = reinterpret_cast<const B16*>(k), a.v = reinterpret_cast<const B16*>(v);
  a.out = reinterpret_cast<const B16*>(out), a.dout = reinterpret_cast<const B16*>(dout);
  a.lse = lse, a.di = di, a.dq_acc = dq_acc;
  a.dq = reinterpret_cast<B16*>(dq), a.dk = reinterpret_cast<B16*>(dk), a.dv = reinterpret_cast<B16*>(dv);
  a.start = doc_start, a.end = doc_end;
  a.B = shape.B, a.T = shape.T, a.Hq = shape.Hq, a.Hkv = shape.Hkv, a.D = shape.D;
  a.scale = scale;
  a.scale_log2 = float(double(scale) * 1.4426950408889634);

  MT_CUDA_CHECK(cudaMemsetAsync(dq_acc, 0, rows * shape.D * sizeof(float), s), what);
  auto* kr = attn_bwd_rowsum;
  MT_LAUNCH(kr, unsigned((rows * 8 + 255) / 256), 256, 0, s, a.out, a.dout, di, shape.B, shape.T, shape.Hq, shape.D);
  MT_CUDA_LAUNCHED("attention_backward (rowsum)");
  if (shape.D == 64) launch_bwd<64, 64>(a, s);
  else launch_bwd<128, 32>(a, s);
  const size_t n = rows * shape.D;
  auto* kd = attn_bwd_dq_out;
  MT_LAUNCH(kd, unsigned(std::min<size_t>((n / 8 + 255) / 256, 8192)), 256, 0, s, dq_acc, a.dq, n, scale);
  MT_CUDA_LAUNCHED("attention_backward (dq)");
}

}  // namespace mt::cuda
