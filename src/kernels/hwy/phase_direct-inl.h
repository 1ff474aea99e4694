// The direct kernels of the phase algorithm (contract in
// src/kernels/phase_kernels.h): all sx column phases of an output row at
// once, stored interleaved straight into y, no tile. f32_phase_direct_s<SX>
// and f32_phase_direct_rows_s<SX> for one output channel per group (the
// rows variant reuses input rows over tap rows, and holds the weights in
// registers for depthwise k = s or 2s), f32_phase_direct_c<CB>_s<SX> for Cout
// blocks whose column phases share their taps (k = s along x).
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_DIRECT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_DIRECT_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_DIRECT_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_DIRECT_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/hwy/phase_common-inl.h"
#include "src/kernels/phase_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows per call of the Cout-block direct kernel: CB*SX*R accumulators plus
// R inputs within the registers.
constexpr int DirectCoutRows(int sx, int cb) { return std::max(1, std::min(4, (kRegs - 6) / (cb * sx))); }

// Starts MicroD's accumulators (all its variants) at the bias.
template <int SX, int V, int R, class VF>
HWY_INLINE void FillDirect(VF (&acc)[R][SX][V], VF b) {
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int tx = 0; tx < SX; ++tx)
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[r][tx][v] = b;
}

// Stores MicroD's accumulators: the SX column phases of each row interleaved
// straight into y; only outputs with index < valid (relative to yrow). SX =
// 8 (the shifts kernel) through StoreInterleaved8 where vectors hold at
// least two floats; other SX > 4 through a stack tile and scalar stores.
// kTwoTable: SX = 2 pairs through StoreZip2 (MicroDC only: dw_k4s2's
// MicroDW, which holds its weights in registers, measured 0.98-0.99x with it).
template <int SX, int V, int R, bool kTwoTable = false, class VF>
HWY_INLINE void StoreDirect(const VF (&acc)[R][SX][V], float* HWY_RESTRICT yrow, int64_t yrs, int64_t valid) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      float* yv = yrow + r * yrs + v * L * SX;
      const int64_t rem = valid - v * L * SX;
      if (rem <= 0) break;
      if (rem >= L * SX && SX == 8 && HWY_TARGET != HWY_SCALAR) {
        VF a8[8];
#pragma GCC unroll 8
        for (int tx = 0; tx < 8; ++tx) a8[tx] = acc[r][tx < SX ? tx : 0][v];
        StoreInterleaved8(a8, yv);
      } else if (rem >= L * SX && SX <= 4) {
        if (SX == 1) hn::StoreU(acc[r][0][v], d, yv);
        if (SX == 2) {
          if constexpr (kTwoTable)
            StoreZip2(acc[r][0][v], acc[r][SX > 1 ? 1 : 0][v], d, yv);
          else
            hn::StoreInterleaved2(acc[r][0][v], acc[r][SX > 1 ? 1 : 0][v], d, yv);
        }
        if (SX == 3)
          hn::StoreInterleaved3(acc[r][0][v], acc[r][SX > 1 ? 1 : 0][v], acc[r][SX > 2 ? 2 : 0][v], d, yv);
        if (SX == 4)
          hn::StoreInterleaved4(acc[r][0][v], acc[r][SX > 1 ? 1 : 0][v], acc[r][SX > 2 ? 2 : 0][v],
                                acc[r][SX > 3 ? 3 : 0][v], d, yv);
      } else {
        HWY_ALIGN float tmp[SX][64];
#pragma GCC unroll 4
        for (int tx = 0; tx < SX; ++tx) hn::Store(acc[r][tx][v], d, tmp[tx]);
        for (int64_t i = 0; i * SX < rem; ++i)
          for (int tx = 0; tx < SX; ++tx)
            if (i * SX + tx < rem) yv[i * SX + tx] = tmp[tx][i];
      }
    }
  }
}

// Direct single-channel kernel (mode kDirect: Cout per group 1, e.g.
// depthwise or FSRCNN's last layer): all SX column phases of V*L
// consecutive u of one output row at once, from the bias, over ci then the
// phase's taps (the same order as Micro), stored interleaved straight into
// y (no tile round trip). Only outputs with index < valid (relative to
// yrow) are written.
template <int SX, int V, int R>
HWY_INLINE void MicroD(const float* HWY_RESTRICT x, int64_t xrs, int64_t plane, int64_t cin,
                       const int64_t* const* offs, const int64_t* ntaps, const float* const* w, float bias,
                       float* HWY_RESTRICT yrow, int64_t yrs, int64_t valid) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  using VF = hn::Vec<decltype(d)>;
  // R rows (input row stride xrs, output row stride yrs): R*SX*V independent
  // accumulators. dw_k4s2 with one row (4 chains of 4 taps) waited on the
  // FMA latency: 0.35 -> 0.31-0.33 ms with R = 4. (Non-temporal stores of
  // y were tried for its 4 MiB output: 0.31 -> 0.32 ms, not kept.)
  VF acc[R][SX][V];
  const VF b = hn::Set(d, bias);
  FillDirect(acc, b);
  for (int64_t ci = 0; ci < cin; ++ci) {
    const float* xc = x + ci * plane;
#pragma GCC unroll 4
    for (int tx = 0; tx < SX; ++tx) {
      const int64_t nt = ntaps[tx];
      const float* wt = w[tx] + ci * nt;
      const int64_t* ot = offs[tx];
      for (int64_t t = 0; t < nt; ++t) {
        const VF wv = hn::Set(d, wt[t]);
        const float* xs = xc + ot[t];
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v)
            acc[r][tx][v] = hn::MulAdd(hn::LoadU(d, xs + r * xrs + v * L), wv, acc[r][tx][v]);
      }
    }
  }
  StoreDirect<SX, V, R>(acc, yrow, yrs, valid);
}

// MicroD with row reuse, for phases whose taps form a TY x txt[tx] grid
// with offs(jy, jx) = offs(0, 0) - jy*wp - jx (undilated, no depth taps):
// input row i (relative, -(TY-1) .. R-1) is loaded once per (tx, jx) and
// feeds output rows i + jy for every jy, as MicroR does for the tile path:
// (R+TY-1)*V loads per R*TY*V FMAs. With one load per FMA, MicroD's
// unaligned loads were the bound (0.52 ns per FMA against 0.28 at two FMAs
// per load, measured on this Zen 4). Weights w[tx][ci][jy][jx].
template <int SX, int V, int R, int TY>
HWY_INLINE void MicroDR(const float* HWY_RESTRICT x, int64_t wp, int64_t plane, int64_t cin,
                        const int64_t* const* offs, const int64_t* ntaps, const float* const* w, float bias,
                        float* HWY_RESTRICT yrow, int64_t yrs, int64_t valid) {
  const hn::ScalableTag<float> d;
  using VF = hn::Vec<decltype(d)>;
  VF acc[R][SX][V];
  const VF b = hn::Set(d, bias);
  FillDirect(acc, b);
  for (int64_t ci = 0; ci < cin; ++ci) {
#pragma GCC unroll 4
    for (int tx = 0; tx < SX; ++tx) {
      const int64_t nt = ntaps[tx], txt = nt / TY;
      if (nt == 0) continue;
      const float* wc = w[tx] + ci * nt;
      const float* xc = x + ci * plane + offs[tx][0];
      for (int64_t jx = 0; jx < txt; ++jx) {
        VF wv[TY];
#pragma GCC unroll 4
        for (int jy = 0; jy < TY; ++jy) wv[jy] = hn::Set(d, wc[jy * txt + jx]);
        RowReuseTaps<R, V, TY>(xc - jx, wp, wv, [&](int r, int v) -> VF& { return acc[r][tx][v]; });
      }
    }
  }
  StoreDirect<SX, V, R>(acc, yrow, yrs, valid);
}

// One output row (R rows when R > 1) of u in [ua, ub): V*L u per call,
// then L. TY > 0: MicroDR with TY tap rows, else MicroD.
template <int SX, int R, int TY>
HWY_INLINE void DirectRows(const float* xr, int64_t ua, int64_t ub, const PhaseTaskArgs& a,
                           const int64_t* const* offs, const int64_t* ntaps, const float* const* w, float bias,
                           float* yrow, int64_t yrs) {
  // V = 2: dw_k4s2's 32-pixel rows are exactly 2 x 16.
  constexpr int V = 2;
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t wp = a.wp, ow = a.out[2];
  auto call = [&](auto vtag, int64_t u) {
    constexpr int kV = decltype(vtag)::value;
    const int64_t valid = std::min(ow - u * SX, (ub - u) * SX);
    if constexpr (TY > 0)
      MicroDR<SX, kV, R, TY>(xr + u, wp, a.xplane, a.cin, offs, ntaps, w, bias, yrow + u * SX, yrs, valid);
    else
      MicroD<SX, kV, R>(xr + u, wp, a.xplane, a.cin, offs, ntaps, w, bias, yrow + u * SX, yrs, valid);
  };
  int64_t u = ua;
  for (; u + V * L <= ub; u += V * L) call(std::integral_constant<int, V>(), u);
  for (; u < ub; u += L) call(std::integral_constant<int, 1>(), u);
}

// MicroDR for one input channel with a compile-time TY x TXT tap grid in
// every column phase and the weights already in registers (hoisted out of
// the row loop by TaskDirect): depthwise layers with k = s or 2s, such as
// dw_k4s2.
template <int SX, int V, int R, int TY, int TXT, class VF>
HWY_INLINE void MicroDW(const float* HWY_RESTRICT x, int64_t wp, const int64_t (&off0)[SX],
                        const VF (&wv)[SX][TXT][TY], VF b, float* HWY_RESTRICT yrow, int64_t yrs, int64_t valid) {
  VF acc[R][SX][V];
  FillDirect(acc, b);
#pragma GCC unroll 4
  for (int tx = 0; tx < SX; ++tx) {
#pragma GCC unroll 4
    for (int jx = 0; jx < TXT; ++jx)
      RowReuseTaps<R, V, TY>(x + off0[tx] - jx, wp, wv[tx][jx], [&](int r, int v) -> VF& { return acc[r][tx][v]; });
  }
  StoreDirect<SX, V, R>(acc, yrow, yrs, valid);
}

// The computable output rows of phase row (td, ty) inside block [f0, f1),
// kR at a time where they are whole rows of the block in one depth slice:
// emit(R tag, xr (input row base), ua, ub (u range), yrow).
template <int kR, class Emit>
HWY_INLINE void WalkDirectRows(const PhaseTaskArgs& a, int64_t f0, int64_t f1, int64_t td, int64_t ty,
                               float* ychan, const float* x, const Emit& emit) {
  const int64_t sd = a.s[0], sy = a.s[1];
  const int64_t hp = a.hp, wp = a.wp;
  // Flat row r = ud*hp + uyy, walked without divisions.
  int64_t r = f0 / wp;
  int64_t ud = r / hp, uyy = r % hp;
  // Rows uyy < nrow of slice ud are computable: not padding rows, and
  // their outputs exist.
  auto rows_ok = [&]() {
    if (ud * sd + td >= a.out[0] || ty >= a.out[1]) return int64_t{0};
    return std::min<int64_t>(a.u[1], (a.out[1] - ty + sy - 1) / sy);
  };
  int64_t nrow = rows_ok();
  while (r * wp < f1) {
    if (uyy >= nrow) {  // padding rows up to the next depth slice
      r += hp - uyy;
      uyy = 0;
      ++ud;
      nrow = rows_ok();
      continue;
    }
    const int64_t od = ud * sd + td, oy = uyy * sy + ty;
    const int64_t ua = std::max<int64_t>(f0 - r * wp, 0);
    const int64_t ub = std::min<int64_t>(f1 - r * wp, a.u[2]);
    float* yrow = ychan + (od * a.out[1] + oy) * a.out[2];
    if (ua == 0 && ub == a.u[2] && (r + kR) * wp <= f1 && uyy + kR <= nrow) {
      emit(std::integral_constant<int, kR>(), x + r * wp, ua, ub, yrow);
      r += kR;
      uyy += kR;
    } else {
      emit(std::integral_constant<int, 1>(), x + r * wp, ua, ub, yrow);
      ++r;
      ++uyy;
    }
  }
}

// Depthwise-shaped phase rows (Cin per group 1, every column phase a TY x
// TXT grid): weights broadcast once per task, MicroDW per V*L u.
template <int SX, int TY, int TXT>
HWY_INLINE void DirectRowsDW(const PhaseTaskArgs& a, int64_t f0, int64_t f1, int64_t td, int64_t ty,
                             float* ychan, const float* x, const int64_t* const* offs, const float* const* w,
                             float bias) {
  constexpr int kR = 4, kV = 2;
  const hn::ScalableTag<float> d;
  using VF = hn::Vec<decltype(d)>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  VF wv[SX][TXT][TY];
  int64_t off0[SX];
  for (int tx = 0; tx < SX; ++tx) {
    off0[tx] = offs[tx][0];
    for (int jy = 0; jy < TY; ++jy)
      for (int jx = 0; jx < TXT; ++jx) wv[tx][jx][jy] = hn::Set(d, w[tx][jy * TXT + jx]);
  }
  const VF b = hn::Set(d, bias);
  const int64_t wp = a.wp, ow = a.out[2], yrs = a.s[1] * a.out[2];
  WalkDirectRows<kR>(a, f0, f1, td, ty, ychan, x, [&](auto rtag, const float* xr, int64_t ua, int64_t ub, float* yrow) {
    constexpr int R = decltype(rtag)::value;
    int64_t u = ua;
    for (; u + kV * L <= ub; u += kV * L)
      MicroDW<SX, kV, R, TY, TXT>(xr + u, wp, off0, wv, b, yrow + u * SX, yrs, std::min(ow - u * SX, (ub - u) * SX));
    for (; u < ub; u += L)
      MicroDW<SX, 1, R, TY, TXT>(xr + u, wp, off0, wv, b, yrow + u * SX, yrs, std::min(ow - u * SX, (ub - u) * SX));
  });
}

// Prefetches for writing the lines that StoreDirect<SX, 1, R> will store
// for CB channels cstride apart (R rows of SX vectors; a prefetch past the
// end of y is harmless). Compile-time loops: runtime ones (only the
// valid channels and columns) measured 0.97x inside MicroDC's ci loop.
template <int SX, int CB, int R>
HWY_INLINE void PrefetchDirectRows(float* ychan, int64_t cstride, int64_t yrs) {
  const hn::ScalableTag<float> d;
  constexpr int kLineFloats = 16;
  const int64_t n = SX * static_cast<int64_t>(hn::Lanes(d));
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c)
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
      for (int64_t i = 0; i < n; i += kLineFloats) __builtin_prefetch(ychan + c * cstride + r * yrs + i, 1, 3);
}

// Direct kernel for Cout blocks of CB when every column phase reads the
// same taps (k = s along x, e.g. the U-Net up-convs): R output rows of one
// vector of u each. Per ci and tap, R input vectors feed all SX phases of
// CB channels (CB*SX*R FMAs), so the phases are stored interleaved straight
// into y, without the pixel mode's tile and interleave pass. Same
// reduction order as Micro: bias, then ci, then taps.
template <int SX, int CB, int R>
HWY_INLINE void MicroDC(const float* HWY_RESTRICT x, int64_t xrs, int64_t plane, int64_t cin,
                        const int64_t* HWY_RESTRICT offs, int64_t nt, const float* const* w,
                        const float* HWY_RESTRICT bias, int cb_here, float* HWY_RESTRICT ychan, int64_t cstride,
                        int64_t yrs, int64_t valid) {
  const hn::ScalableTag<float> d;
  using VF = hn::Vec<decltype(d)>;
  VF acc[CB][R][SX][1];
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
    const VF b = hn::Set(d, bias[c]);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int tx = 0; tx < SX; ++tx) acc[c][r][tx][0] = b;
  }
  // The CB*R output rows are write misses (unet3d_up's 8 MiB y does not stay
  // in L2): fetching their lines kPrefetchCi channels before the end lets
  // the stores hit the cache. unet3d_up 1t, A/B medians: +3% to +8%, more
  // when the shared machine is busy (sending the stores to an L1-resident
  // scratch instead of y was +6% to +17%, no stores at all +9% to +20%).
  // At the start of the call it was +7%, for the next call's rows +2%.
  constexpr int64_t kPrefetchCi = 32;
  const int64_t ci_prefetch = std::max<int64_t>(0, cin - kPrefetchCi);
  if (nt == 1) {
    // One tap per phase (k = s on every axis: the U-Net up-convs). The
    // loop walks x by a plane and each phase's weights by CB per ci, with
    // no tap loop: in the general loop below GCC 12 keeps the per-row x
    // pointers on the stack and reloads them every tap. unet3d_up 1t,
    // thread CPU time, 4 alternated runs, medians: 123-124 GFLOP/s with the
    // general loop, 157-162 with this one (the pre-kernel-layer code 146-152).
    const float* xc = x + offs[0];
    const float* wt[SX];
#pragma GCC unroll 4
    for (int tx = 0; tx < SX; ++tx) wt[tx] = w[tx];
    for (int64_t ci = 0; ci < cin; ++ci, xc += plane) {
      if (ci == ci_prefetch) PrefetchDirectRows<SX, CB, R>(ychan, cstride, yrs);
      VF xv[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) xv[r] = hn::LoadU(d, xc + r * xrs);
#pragma GCC unroll 4
      for (int tx = 0; tx < SX; ++tx) {
#pragma GCC unroll 8
        for (int c = 0; c < CB; ++c) {
          const VF wv = hn::Set(d, wt[tx][c]);
#pragma GCC unroll 4
          for (int r = 0; r < R; ++r) acc[c][r][tx][0] = hn::MulAdd(xv[r], wv, acc[c][r][tx][0]);
        }
        wt[tx] += CB;
      }
    }
  }
  for (int64_t ci = 0; nt != 1 && ci < cin; ++ci) {
    if (ci == ci_prefetch) PrefetchDirectRows<SX, CB, R>(ychan, cstride, yrs);
    const float* xc = x + ci * plane;
    for (int64_t t = 0; t < nt; ++t) {
      VF xv[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        xv[r] = hn::LoadU(d, xc + offs[t] + r * xrs);
      }
#pragma GCC unroll 4
      for (int tx = 0; tx < SX; ++tx) {
        const float* wt = w[tx] + (ci * nt + t) * CB;
#pragma GCC unroll 8
        for (int c = 0; c < CB; ++c) {
          const VF wv = hn::Set(d, wt[c]);
#pragma GCC unroll 4
          for (int r = 0; r < R; ++r) acc[c][r][tx][0] = hn::MulAdd(xv[r], wv, acc[c][r][tx][0]);
        }
      }
    }
  }
  // (A compile-time c: a runtime index would keep acc in memory.)
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c)
    if (c < cb_here) StoreDirect<SX, 1, R, true>(acc[c], ychan + c * cstride, yrs, valid);
}


// The weight panels, tap lists and tap counts of the SX column phases of
// phase row (td, ty), for Cout block CB of the task.
template <int SX, int CB>
HWY_INLINE void ColumnPhases(const PhaseTaskArgs& a, int64_t td, int64_t ty, const int64_t* (&offs)[SX],
                             int64_t (&ntaps)[SX], const float* (&w)[SX]) {
  const float* wpack = static_cast<const float*>(a.w);
  for (int tx = 0; tx < SX; ++tx) {
    const int64_t ph = (td * a.s[1] + ty) * SX + tx;
    offs[tx] = a.offs + a.tap_begin[ph];
    ntaps[tx] = a.tap_begin[ph + 1] - a.tap_begin[ph];
    w[tx] = wpack + a.w_begin[ph] + a.w_block * a.cin * ntaps[tx] * CB;
  }
}

// f32_phase_direct_s<SX>_4x2 (kRows false: MicroD only) and
// f32_phase_direct_rows_s<SX>_4x2 (kRows true: MicroDW / MicroDR where the
// phase row's taps allow): one output channel, contract in
// src/kernels/phase_kernels.h.
template <class D, int SX, bool kRows>
void PhaseDirect(const PhaseTaskArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  constexpr int kR = 4;
  TCONV_DCHECK(a.s[2] == SX && a.cb == 1 && a.f1 > a.f0 && !a.y_channels_last);
  const int64_t f0 = a.f0, f1 = a.f1;
  const float* xg = static_cast<const float*>(a.x);
  const float bias = static_cast<const float*>(a.bias)[0];
  float* ychan = static_cast<float*>(a.y) + a.co0 * a.out[0] * a.out[1] * a.out[2];
  const int64_t sd = a.s[0], sy = a.s[1];
  for (int64_t td = 0; td < sd; ++td) {
    for (int64_t ty = 0; ty < sy; ++ty) {
      const int64_t* offs[SX];
      int64_t ntaps[SX];
      const float* w[SX];
      ColumnPhases<SX, 1>(a, td, ty, offs, ntaps, w);
      // Row reuse (MicroDR) with the phase row's TY tap rows, else MicroD (0).
      // (TY 3 and 4, k > 2s, also run MicroD: fewer instantiations of this
      // file's largest function, which is slow to compile under ASan.)
      int64_t ty_taps = kRows ? a.tap_rows[(td * sy + ty) * SX] : 0;
      bool square = ty_taps > 0 && a.cin == 1;
      for (int tx = 0; tx < SX; ++tx) {
        if (ty_taps > 0 && ntaps[tx] % ty_taps != 0) ty_taps = 0;
        square = square && ntaps[tx] == ty_taps * ty_taps;
      }
      // Cin 1 and a TY x TY grid in every column phase (k = s or 2s):
      // dw_k4s2 1t: 29 -> 38 GFLOP/s against MicroDR (A/B, same padding).
      if (square && ty_taps == 1) {
        DirectRowsDW<SX, 1, 1>(a, f0, f1, td, ty, ychan, xg, offs, w, bias);
        continue;
      }
      if (square && ty_taps == 2) {
        DirectRowsDW<SX, 2, 2>(a, f0, f1, td, ty, ychan, xg, offs, w, bias);
        continue;
      }
      const int64_t yrs = sy * a.out[2];
      WalkDirectRows<kR>(a, f0, f1, td, ty, ychan, xg, [&](auto rtag, const float* xr, int64_t ua, int64_t ub, float* yrow) {
        constexpr int R = decltype(rtag)::value;
        switch (ty_taps) {
          case 1: return DirectRows<SX, R, 1>(xr, ua, ub, a, offs, ntaps, w, bias, yrow, yrs);
          case 2: return DirectRows<SX, R, 2>(xr, ua, ub, a, offs, ntaps, w, bias, yrow, yrs);
          default: return DirectRows<SX, R, 0>(xr, ua, ub, a, offs, ntaps, w, bias, yrow, yrs);
        }
      });
    }
  }
}

// f32_phase_direct_c<CB>_s<SX>_<R>x1: Cout blocks of CB when every column
// phase reads the same taps, contract in src/kernels/phase_kernels.h.
template <class D, int SX, int CB>
void PhaseDirectCout(const PhaseTaskArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  constexpr int kR = DirectCoutRows(SX, CB);
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  TCONV_DCHECK(a.s[2] == SX && a.cb >= 1 && a.cb <= CB && a.f1 > a.f0 && !a.y_channels_last && L <= kMaxLanes);
  const int64_t f0 = a.f0, f1 = a.f1;
  const float* xg = static_cast<const float*>(a.x);
  const float* bias = static_cast<const float*>(a.bias);
  const int64_t out_sp = a.out[0] * a.out[1] * a.out[2];
  float* ychan = static_cast<float*>(a.y) + a.co0 * out_sp;
  const int64_t sy = a.s[1], wp = a.wp, ow = a.out[2], yrs = sy * a.out[2];
  for (int64_t td = 0; td < a.s[0]; ++td) {
    for (int64_t ty = 0; ty < sy; ++ty) {
      const int64_t* offs_tx[SX];
      int64_t nt_tx[SX];
      const float* w[SX];
      ColumnPhases<SX, CB>(a, td, ty, offs_tx, nt_tx, w);
      // Every column phase has phase tx = 0's taps (the contract).
      const int64_t* offs = offs_tx[0];
      const int64_t nt = nt_tx[0];
      WalkDirectRows<kR>(a, f0, f1, td, ty, ychan, xg,
                         [&](auto rtag, const float* xr, int64_t ua, int64_t ub, float* yrow) {
                           constexpr int R = decltype(rtag)::value;
                           for (int64_t u = ua; u < ub; u += L)
                             MicroDC<SX, CB, R>(xr + u, wp, a.xplane, a.cin, offs, nt, w, bias, a.cb,
                                                yrow + u * SX, out_sp, yrs, std::min(ow - u * SX, (ub - u) * SX));
                         });
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_DIRECT_INL_H_
