// Highway kernels of the phase fast path (contract in
// src/kernels/phase_fast_kernels.h). Compiled once per target by
// foreach_target (N_AVX3, N_AVX2, N_SSE4, N_SSSE3, N_EMU128); the dispatch
// picks the best target hwy::SupportedTargets() allows, so the TCONV_ISA cap
// (src/dispatch/cpu.cc) applies here.
//
// Register budget: accumulators CB x V plus V input vectors must fit in the
// register file (32 on AVX-512, 16 below): V = clamp((R - 2) / (CB + 1), 1,
// 6), e.g. 8x3 and 4x6 on AVX-512, 8x1 and 4x2 on AVX2.
#include <algorithm>
#include <cstring>
#include <type_traits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/kernels/hwy/phase_fast_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/kernels/phase_fast_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
constexpr int kRegs = 32;
#else
constexpr int kRegs = 16;
#endif

constexpr int VectorsFor(int cb) {
  return std::min(6, std::max(1, (kRegs - 2) / (cb + 1)));
}

// acc[c][v] = bias[c] + sum_ci sum_tap x[ci*plane + off[tap] + v*L] * w[ci][tap][c]
// stored to out + c*ldo + v*L.
template <int CB, int V>
HWY_INLINE void Micro(const float* HWY_RESTRICT x, int64_t plane, int64_t cin, const int64_t* HWY_RESTRICT offs,
                      int64_t ntaps, const float* HWY_RESTRICT w, const float* HWY_RESTRICT bias,
                      float* HWY_RESTRICT out, int64_t ldo) {
  const hn::ScalableTag<float> d;
  const size_t L = hn::Lanes(d);
  using VF = hn::Vec<decltype(d)>;
  VF acc[CB][V];
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
    const VF b = hn::Set(d, bias[c]);
#pragma GCC unroll 6
    for (int v = 0; v < V; ++v) acc[c][v] = b;
  }
  for (int64_t ci = 0; ci < cin; ++ci) {
    const float* xc = x + ci * plane;
    for (int64_t t = 0; t < ntaps; ++t) {
      const float* xs = xc + offs[t];
      VF xv[V];
#pragma GCC unroll 6
      for (int v = 0; v < V; ++v) xv[v] = hn::LoadU(d, xs + v * L);
#pragma GCC unroll 8
      for (int c = 0; c < CB; ++c) {
        const VF wv = hn::Set(d, w[c]);
#pragma GCC unroll 6
        for (int v = 0; v < V; ++v) acc[c][v] = hn::MulAdd(xv[v], wv, acc[c][v]);
      }
      w += CB;
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
#pragma GCC unroll 6
    for (int v = 0; v < V; ++v) hn::StoreU(acc[c][v], d, out + c * ldo + v * L);
  }
}

// y row segment: yrow[u*sx + tx] = t[tx][u] for u in [ua, ub), ox < ow.
HWY_INLINE void Interleave(const float* const* t, int64_t sx, int64_t ua, int64_t ub, int64_t ow, float* yrow) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  int64_t u = ua;
  if (sx == 1) {
    const int64_t e = std::min(ub, ow);
    if (e > u) std::memcpy(yrow + u, t[0] + u, static_cast<size_t>(e - u) * sizeof(float));
    return;
  }
  if (sx == 2) {
    for (; u + L <= ub && (u + L) * 2 <= ow; u += L)
      hn::StoreInterleaved2(hn::LoadU(d, t[0] + u), hn::LoadU(d, t[1] + u), d, yrow + u * 2);
  } else if (sx == 3) {
    for (; u + L <= ub && (u + L) * 3 <= ow; u += L)
      hn::StoreInterleaved3(hn::LoadU(d, t[0] + u), hn::LoadU(d, t[1] + u), hn::LoadU(d, t[2] + u), d, yrow + u * 3);
  } else if (sx == 4) {
    for (; u + L <= ub && (u + L) * 4 <= ow; u += L)
      hn::StoreInterleaved4(hn::LoadU(d, t[0] + u), hn::LoadU(d, t[1] + u), hn::LoadU(d, t[2] + u),
                            hn::LoadU(d, t[3] + u), d, yrow + u * 4);
  }
  for (; u < ub; ++u) {
    for (int64_t tx = 0; tx < sx; ++tx) {
      const int64_t ox = u * sx + tx;
      if (ox < ow) yrow[ox] = t[tx][u];
    }
  }
}

// Channels-last output row: y[(u*sx + tx)*cout + c] = t[(tx*CB + c)*ft + u]
// for u in [ua, ub), tx < sx, c < cb, output index u*sx + tx < ow (t: the
// tile at the row's first column, ft: the tile row length).
template <int CB>
HWY_INLINE void InterleaveChannelsLast(const float* t, int64_t ft, int64_t sx, int cb, int64_t ua, int64_t ub,
                                       int64_t ow, int64_t cout, float* yrow) {
  for (int64_t u = ua; u < ub; ++u) {
    for (int64_t tx = 0; tx < sx; ++tx) {
      const int64_t ox = u * sx + tx;
      if (ox >= ow) break;
      const float* src = t + tx * CB * ft + u;
      float* dst = yrow + ox * cout;
      if (cb == CB) {
#pragma GCC unroll 8
        for (int c = 0; c < CB; ++c) dst[c] = src[c * ft];
      } else {
        for (int c = 0; c < cb; ++c) dst[c] = src[c * ft];
      }
    }
  }
}

// The row-reuse step shared by MicroR, MicroDR and MicroDW: input rows
// i = -(TY-1) .. R-1 (V vectors each, at xj + i*wp) are loaded once and
// feed acc(r, v) += x_i * wv[jy] for every output row r = i + jy in [0, R).
template <int R, int V, int TY, class VF, class Acc>
HWY_INLINE void RowReuseTaps(const float* HWY_RESTRICT xj, int64_t wp, const VF (&wv)[TY], const Acc& acc) {
  const hn::DFromV<VF> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const float* xi = xj - (TY - 1) * wp;
#pragma GCC unroll 12
  for (int i = -(TY - 1); i < R; ++i) {
    VF xv[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      xv[v] = hn::LoadU(d, xi + v * L);
      // Keep the row in a register: GCC otherwise folds the load into
      // every FMA that uses it (a memory operand each), undoing the reuse.
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
      asm("" : "+v"(xv[v].raw));
#endif
    }
    // Step one pointer row by row: with xj + i*wp GCC kept R+TY-1 row
    // offsets in registers and spilled them (and accumulators) to the stack.
    // fsrcnn_x3 1t +8%, dw_k4s2 +4% (A/B medians).
    xi += wp;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
    asm("" : "+r"(xi));
#endif
#pragma GCC unroll 4
    for (int jy = 0; jy < TY; ++jy) {
      const int r = i + jy;
      if (r < 0 || r >= R) continue;
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc(r, v) = hn::MulAdd(xv[v], wv[jy], acc(r, v));
    }
  }
}

// Row-reuse micro-kernel for one output channel (Cout per group 1, e.g.
// FSRCNN's last layer): R output rows x V vectors of one phase whose taps
// form a TY x tx_taps grid (offs(jy, jx) = offs(0, 0) - jy*wp - jx). Input
// row i (relative, -(TY-1) .. R-1) is loaded once per jx and feeds output
// rows r = i + jy for every jy: (R+TY-1)*V loads per R*TY*V FMAs instead of
// one load per FMA (fsrcnn_x3: Micro<1,6> was load-bound). Weights
// w[ci][jy][jx]. x points at flat f + offs(0, 0); out at the tile's f.
template <int R, int V, int TY, class D = hn::ScalableTag<float>>
HWY_INLINE void MicroR(const float* HWY_RESTRICT x, int64_t wp, int64_t plane, int64_t cin, int64_t tx_taps,
                       const float* HWY_RESTRICT w, float bias, float* HWY_RESTRICT out) {
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  using VF = hn::Vec<decltype(d)>;
  VF acc[R][V];
  const VF b = hn::Set(d, bias);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] = b;
  for (int64_t ci = 0; ci < cin; ++ci) {
    const float* xc = x + ci * plane;
    const float* wc = w + ci * TY * tx_taps;
    for (int64_t jx = 0; jx < tx_taps; ++jx) {
      VF wv[TY];
#pragma GCC unroll 4
      for (int jy = 0; jy < TY; ++jy) wv[jy] = hn::Set(d, wc[jy * tx_taps + jx]);
      RowReuseTaps<R, V, TY>(xc - jx, wp, wv, [&](int r, int v) -> VF& { return acc[r][v]; });
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) hn::StoreU(acc[r][v], d, out + r * wp + v * L);
}

// One phase of a Cout-1 pixel-mode block with whole rows [f0, f1) through
// MicroR: groups of kR rows, then single rows; columns [0, cols) in V*L
// steps, then L, and a last half vector where that covers the rest
// (fsrcnn_x3's 120 columns: 3 x 32 + 16 + 8 instead of 128 computed).
template <int TY>
void PhaseRows(const float* x, int64_t wp, int64_t cols, int64_t plane, int64_t cin, int64_t tx_taps,
               const float* w, float bias, float* out, int64_t nrows) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  using DH = hn::CappedTag<float, HWY_MAX(1, HWY_LANES(float) / 2)>;
  const int64_t LH = static_cast<int64_t>(hn::Lanes(DH()));
  // fsrcnn_x3 1t vs oneDNN, same run: 8x2 1.37, 8x3 1.36, 4x4 1.23-1.33,
  // 6x3 1.02 (8-row blocks leave 6 + 2 single rows), 4x3 1.25.
  constexpr int kR = kRegs == 32 ? 8 : 2;
  constexpr int kV = 2;
  auto row_group = [&](auto rtag, int64_t r) {
    constexpr int R = decltype(rtag)::value;
    int64_t c = 0;
    for (; c + kV * L <= cols; c += kV * L)
      MicroR<R, kV, TY>(x + r * wp + c, wp, plane, cin, tx_taps, w, bias, out + r * wp + c);
    for (; c + LH < cols; c += L) MicroR<R, 1, TY>(x + r * wp + c, wp, plane, cin, tx_taps, w, bias, out + r * wp + c);
    if (c < cols) MicroR<R, 1, TY, DH>(x + r * wp + c, wp, plane, cin, tx_taps, w, bias, out + r * wp + c);
  };
  int64_t r = 0;
  for (; r + kR <= nrows; r += kR) row_group(std::integral_constant<int, kR>(), r);
  for (; r < nrows; ++r) row_group(std::integral_constant<int, 1>(), r);
}

template <int CB>
void Task(const PhaseFastParams& p, const float* xg, float* y, int64_t n, int64_t gi, int64_t b, int64_t block) {
  constexpr int V = VectorsFor(CB);
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  // + 64: MicroR's last column step may run up to L - 1 floats past a
  // phase's rows (into the next phase's tile, recomputed after it).
  HWY_ALIGN float tile[kPhaseTileFloats + 64];
  const int64_t f0 = p.f0[block], f1 = p.f1[block];
  const int64_t ft = (f1 - f0 + L - 1) / L * L;  // tile row length
  const float* x = xg + f0;
  const float* bias = p.bias.data() + (gi * p.nb + b) * CB;
  const int64_t co0 = gi * p.cout_g + b * CB;
  const int cb_here = static_cast<int>(std::min<int64_t>(CB, p.cout_g - b * CB));
  const int64_t sd = p.s[0], sy = p.s[1], sx = p.s[2];
  const int64_t hp = p.len[1], wp = p.len[2];
  for (int64_t td = 0; td < sd; ++td) {
    for (int64_t ty = 0; ty < sy; ++ty) {
      for (int64_t tx = 0; tx < sx; ++tx) {
        const int64_t ph = (td * sy + ty) * sx + tx;
        const int64_t* offs = p.offs.data() + p.tap_begin[ph];
        const int64_t ntaps = p.tap_begin[ph + 1] - p.tap_begin[ph];
        const float* w = p.wpack.data() + p.w_begin[ph] + (gi * p.nb + b) * p.cin_g * ntaps * CB;
        float* out = tile + tx * CB * ft;
        // Cout 1, whole rows, a 2-D tap grid of TY <= 4 rows: row reuse.
        const int64_t tyt = p.tap_ty[ph], txt = ntaps > 0 ? ntaps / tyt : 0;
        if (CB == 1 && p.row_reuse && f0 % wp == 0 && f1 % wp == 0 && ntaps > 0 && tyt <= 4) {
          const float* xo = x + offs[0];
          const int64_t nr = (f1 - f0) / wp;
          switch (tyt) {
            case 1: PhaseRows<1>(xo, wp, p.u[2], p.plane, p.cin_g, txt, w, bias[0], out, nr); break;
            case 2: PhaseRows<2>(xo, wp, p.u[2], p.plane, p.cin_g, txt, w, bias[0], out, nr); break;
            case 3: PhaseRows<3>(xo, wp, p.u[2], p.plane, p.cin_g, txt, w, bias[0], out, nr); break;
            default: PhaseRows<4>(xo, wp, p.u[2], p.plane, p.cin_g, txt, w, bias[0], out, nr); break;
          }
          continue;
        }
        int64_t f = 0;
        for (; f + V * L <= ft; f += V * L)
          Micro<CB, V>(x + f, p.xplane, p.cin_g, offs, ntaps, w, bias, out + f, ft);
        for (; f < ft; f += L) Micro<CB, 1>(x + f, p.xplane, p.cin_g, offs, ntaps, w, bias, out + f, ft);
      }
      // Interleave the sx column phases of each output row (od, oy) =
      // (u_d*sd + td, u_y*sy + ty); rows u_y >= Uy are padding rows.
      for (int64_t r = f0 / wp; r * wp < f1; ++r) {
        const int64_t uyy = r % hp, ud = r / hp;
        if (uyy >= p.u[1]) continue;
        const int64_t od = ud * sd + td, oy = uyy * sy + ty;
        if (od >= p.out[0] || oy >= p.out[1]) continue;
        const int64_t ua = std::max<int64_t>(f0 - r * wp, 0);
        const int64_t ub = std::min<int64_t>(f1 - r * wp, p.u[2]);
        if (ua >= ub || ua * sx >= p.out[2]) continue;
        // Pointers at column ua (tile + r*wp - f0 would point before the
        // tile when a block starts mid-row: undefined behaviour, found by
        // clang's UBSan through the differential fuzzer); the interleaves
        // are the same from any origin.
        const int64_t at = r * wp - f0 + ua, nu = ub - ua, ow = p.out[2] - ua * sx;
        if (p.y_channels_last) {
          // y (N, *out, Cout): output pixel ox's cb_here channels are
          // contiguous; tile row (tx, c) holds channel c of phase tx.
          float* yrow = y + ((n * p.out[0] + od) * p.out[1] + oy) * p.out[2] * p.cout + co0;
          InterleaveChannelsLast<CB>(tile + at, ft, sx, cb_here, 0, nu, ow, p.cout, yrow + ua * sx * p.cout);
          continue;
        }
        for (int c = 0; c < cb_here; ++c) {
          const float* rows[64];
          for (int64_t tx = 0; tx < sx; ++tx) rows[tx] = tile + (tx * CB + c) * ft + at;
          float* yrow = y + (n * p.cout + co0 + c) * p.out_sp + (od * p.out[1] + oy) * p.out[2];
          Interleave(rows, sx, 0, nu, ow, yrow + ua * sx);
        }
      }
    }
  }
}

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

// y[2i] = a[i], y[2i + 1] = b[i] for i < Lanes. On AVX-512, two two-table
// permutes: Highway 1.0's StoreInterleaved2 takes six shuffles per pair
// (unet3d_up 1t, A/B medians: +1.5%). MicroDC only: dw_k4s2's MicroDW,
// which holds its weights in registers, measured 0.98-0.99x with it.
template <class D, class VF>
HWY_INLINE void StoreZip2(VF a, VF b, D d, float* HWY_RESTRICT y) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  (void)d;
  const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  _mm512_storeu_ps(y, _mm512_permutex2var_ps(a.raw, lo, b.raw));
  _mm512_storeu_ps(y + 16, _mm512_permutex2var_ps(a.raw, hi, b.raw));
#else
  hn::StoreInterleaved2(a, b, d, y);
#endif
}

// Stores MicroD's accumulators: the SX column phases of each row interleaved
// straight into y; only outputs with index < valid (relative to yrow).
// kTwoTable: SX = 2 pairs through StoreZip2 (MicroDC).
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
      if (rem >= L * SX) {
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
HWY_INLINE void DirectRows(const float* xr, int64_t ua, int64_t ub, const PhaseFastParams& p,
                           const int64_t* const* offs, const int64_t* ntaps, const float* const* w, float bias,
                           float* yrow, int64_t yrs) {
  // V = 2: dw_k4s2's 32-pixel rows are exactly 2 x 16.
  constexpr int V = 2;
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t wp = p.len[2], ow = p.out[2];
  auto call = [&](auto vtag, int64_t u) {
    constexpr int kV = decltype(vtag)::value;
    const int64_t valid = std::min(ow - u * SX, (ub - u) * SX);
    if constexpr (TY > 0)
      MicroDR<SX, kV, R, TY>(xr + u, wp, p.plane, p.cin_g, offs, ntaps, w, bias, yrow + u * SX, yrs, valid);
    else
      MicroD<SX, kV, R>(xr + u, wp, p.plane, p.cin_g, offs, ntaps, w, bias, yrow + u * SX, yrs, valid);
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
HWY_INLINE void WalkDirectRows(const PhaseFastParams& p, int64_t f0, int64_t f1, int64_t td, int64_t ty,
                               float* ychan, const float* x, const Emit& emit) {
  const int64_t sd = p.s[0], sy = p.s[1];
  const int64_t hp = p.len[1], wp = p.len[2];
  // Flat row r = ud*hp + uyy, walked without divisions.
  int64_t r = f0 / wp;
  int64_t ud = r / hp, uyy = r % hp;
  // Rows uyy < nrow of slice ud are computable: not padding rows, and
  // their outputs exist.
  auto rows_ok = [&]() {
    if (ud * sd + td >= p.out[0] || ty >= p.out[1]) return int64_t{0};
    return std::min<int64_t>(p.u[1], (p.out[1] - ty + sy - 1) / sy);
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
    const int64_t ub = std::min<int64_t>(f1 - r * wp, p.u[2]);
    float* yrow = ychan + (od * p.out[1] + oy) * p.out[2];
    if (ua == 0 && ub == p.u[2] && (r + kR) * wp <= f1 && uyy + kR <= nrow) {
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
HWY_INLINE void DirectRowsDW(const PhaseFastParams& p, int64_t f0, int64_t f1, int64_t td, int64_t ty,
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
  const int64_t wp = p.len[2], ow = p.out[2], yrs = p.s[1] * p.out[2];
  WalkDirectRows<kR>(p, f0, f1, td, ty, ychan, x, [&](auto rtag, const float* xr, int64_t ua, int64_t ub, float* yrow) {
    constexpr int R = decltype(rtag)::value;
    int64_t u = ua;
    for (; u + kV * L <= ub; u += kV * L)
      MicroDW<SX, kV, R, TY, TXT>(xr + u, wp, off0, wv, b, yrow + u * SX, yrs, std::min(ow - u * SX, (ub - u) * SX));
    for (; u < ub; u += L)
      MicroDW<SX, 1, R, TY, TXT>(xr + u, wp, off0, wv, b, yrow + u * SX, yrs, std::min(ow - u * SX, (ub - u) * SX));
  });
}

template <int SX>
void TaskDirect(const PhaseFastParams& p, const float* xg, float* y, int64_t n, int64_t gi, int64_t block) {
  constexpr int kR = 4;
  const int64_t f0 = p.f0[block], f1 = p.f1[block];
  const float bias = p.bias[gi * p.nb];
  float* ychan = y + (n * p.cout + gi * p.cout_g) * p.out_sp;
  const int64_t sd = p.s[0], sy = p.s[1];
  for (int64_t td = 0; td < sd; ++td) {
    for (int64_t ty = 0; ty < sy; ++ty) {
      const int64_t* offs[SX];
      int64_t ntaps[SX];
      const float* w[SX];
      for (int tx = 0; tx < SX; ++tx) {
        const int64_t ph = (td * sy + ty) * SX + tx;
        offs[tx] = p.offs.data() + p.tap_begin[ph];
        ntaps[tx] = p.tap_begin[ph + 1] - p.tap_begin[ph];
        w[tx] = p.wpack.data() + p.w_begin[ph] + gi * p.nb * p.cin_g * ntaps[tx];
      }
      // Row reuse (MicroDR) with the phase row's TY tap rows, else MicroD (0).
      // (TY 3 and 4, k > 2s, also run MicroD: fewer instantiations of this
      // file's largest function, which is slow to compile under ASan.)
      int64_t ty_taps = p.row_reuse ? p.tap_ty[(td * sy + ty) * SX] : 0;
      bool square = ty_taps > 0 && p.cin_g == 1;
      for (int tx = 0; tx < SX; ++tx) {
        if (ty_taps > 0 && ntaps[tx] % ty_taps != 0) ty_taps = 0;
        square = square && ntaps[tx] == ty_taps * ty_taps;
      }
      // Cin 1 and a TY x TY grid in every column phase (k = s or 2s):
      // dw_k4s2 1t: 29 -> 38 GFLOP/s against MicroDR (A/B, same padding).
      if (square && ty_taps == 1) {
        DirectRowsDW<SX, 1, 1>(p, f0, f1, td, ty, ychan, xg, offs, w, bias);
        continue;
      }
      if (square && ty_taps == 2) {
        DirectRowsDW<SX, 2, 2>(p, f0, f1, td, ty, ychan, xg, offs, w, bias);
        continue;
      }
      const int64_t yrs = sy * p.out[2];
      WalkDirectRows<kR>(p, f0, f1, td, ty, ychan, xg, [&](auto rtag, const float* xr, int64_t ua, int64_t ub, float* yrow) {
        constexpr int R = decltype(rtag)::value;
        switch (ty_taps) {
          case 1: return DirectRows<SX, R, 1>(xr, ua, ub, p, offs, ntaps, w, bias, yrow, yrs);
          case 2: return DirectRows<SX, R, 2>(xr, ua, ub, p, offs, ntaps, w, bias, yrow, yrs);
          default: return DirectRows<SX, R, 0>(xr, ua, ub, p, offs, ntaps, w, bias, yrow, yrs);
        }
      });
    }
  }
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
  for (int64_t ci = 0; ci < cin; ++ci) {
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

template <int SX, int CB>
void TaskDirectC(const PhaseFastParams& p, const float* xg, float* y, int64_t n, int64_t gi, int64_t b,
                 int64_t block) {
  // Rows per call: CB*SX*R accumulators plus R inputs within the registers.
  constexpr int kR = std::max(1, std::min(4, (kRegs - 6) / (CB * SX)));
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t f0 = p.f0[block], f1 = p.f1[block];
  const float* bias = p.bias.data() + (gi * p.nb + b) * CB;
  const int64_t co0 = gi * p.cout_g + b * CB;
  const int cb_here = static_cast<int>(std::min<int64_t>(CB, p.cout_g - b * CB));
  float* ychan = y + (n * p.cout + co0) * p.out_sp;
  const int64_t sy = p.s[1], wp = p.len[2], ow = p.out[2], yrs = sy * p.out[2];
  for (int64_t td = 0; td < p.s[0]; ++td) {
    for (int64_t ty = 0; ty < sy; ++ty) {
      const int64_t ph0 = (td * sy + ty) * SX;
      const int64_t* offs = p.offs.data() + p.tap_begin[ph0];
      const int64_t nt = p.tap_begin[ph0 + 1] - p.tap_begin[ph0];
      const float* w[SX];
      for (int tx = 0; tx < SX; ++tx) w[tx] = p.wpack.data() + p.w_begin[ph0 + tx] + (gi * p.nb + b) * p.cin_g * nt * CB;
      WalkDirectRows<kR>(p, f0, f1, td, ty, ychan, xg,
                         [&](auto rtag, const float* xr, int64_t ua, int64_t ub, float* yrow) {
                           constexpr int R = decltype(rtag)::value;
                           for (int64_t u = ua; u < ub; u += L)
                             MicroDC<SX, CB, R>(xr + u, wp, p.xplane, p.cin_g, offs, nt, w, bias, cb_here,
                                                yrow + u * SX, p.out_sp, yrs, std::min(ow - u * SX, (ub - u) * SX));
                         });
    }
  }
}

// Channel-vectorised micro-kernel: M vectors of output channels x G pixel
// groups of 4 pixels. Group g's pixel q reads x at xg[g] + q + off[tap] +
// ci*plane (the 4 columns are compile-time offsets, the G base pointers
// live in registers), weights w[ci][tap][cstride] (M*L consecutive
// channels). acc[g*4 + q][m] starts from the bias. Stores pixel q of group g
// (q < cnt[g]) channel c (< cvalid) to yg[g] + c*ostride + q*sx.
template <int M, int G>
HWY_INLINE void MicroC(const float* const* xg, int64_t plane, int64_t cin, const int64_t* HWY_RESTRICT offs,
                       const int64_t* HWY_RESTRICT woff, int64_t ntaps, const float* HWY_RESTRICT w,
                       int64_t wstride, const float* HWY_RESTRICT bias,
                       float* const* yg, const int32_t* cnt, int64_t ostride, int64_t sx, int cvalid) {
  const hn::ScalableTag<float> d;
  const size_t L = hn::Lanes(d);
  using VF = hn::Vec<decltype(d)>;
  constexpr int P = G * kPhaseGroupPixels;
  VF acc[P][M];
#pragma GCC unroll 4
  for (int m = 0; m < M; ++m) {
    const VF b = hn::LoadU(d, bias + m * L);
#pragma GCC unroll 12
    for (int q = 0; q < P; ++q) acc[q][m] = b;
  }
  const float* x0 = xg[0];
  const float* x1 = G > 1 ? xg[1] : xg[0];
  const float* x2 = G > 2 ? xg[2] : xg[0];
  for (int64_t ci = 0; ci < cin; ++ci) {
    const int64_t cio = ci * plane;
    const float* wci = w + ci * wstride;
    for (int64_t t = 0; t < ntaps; ++t) {
      const int64_t o = cio + offs[t];
      const float* wt = wci + woff[t];
      VF wv[M];
#pragma GCC unroll 4
      for (int m = 0; m < M; ++m) wv[m] = hn::LoadU(d, wt + m * L);
#pragma GCC unroll 4
      for (int q = 0; q < kPhaseGroupPixels; ++q) {
        const VF xv = hn::Set(d, x0[o + q]);
#pragma GCC unroll 4
        for (int m = 0; m < M; ++m) acc[q][m] = hn::MulAdd(wv[m], xv, acc[q][m]);
      }
      if (G > 1) {
#pragma GCC unroll 4
        for (int q = 0; q < kPhaseGroupPixels; ++q) {
          const VF xv = hn::Set(d, x1[o + q]);
#pragma GCC unroll 4
          for (int m = 0; m < M; ++m)
            acc[(G > 1 ? 1 : 0) * kPhaseGroupPixels + q][m] =
                hn::MulAdd(wv[m], xv, acc[(G > 1 ? 1 : 0) * kPhaseGroupPixels + q][m]);
        }
      }
      if (G > 2) {
#pragma GCC unroll 4
        for (int q = 0; q < kPhaseGroupPixels; ++q) {
          const VF xv = hn::Set(d, x2[o + q]);
#pragma GCC unroll 4
          for (int m = 0; m < M; ++m)
            acc[(G > 2 ? 2 : 0) * kPhaseGroupPixels + q][m] =
                hn::MulAdd(wv[m], xv, acc[(G > 2 ? 2 : 0) * kPhaseGroupPixels + q][m]);
        }
      }
    }
  }
  if (ostride == 1 && cvalid == M * static_cast<int>(L)) {
    // Channels last (y (N, *out, Cout)): a pixel's channels are contiguous.
#pragma GCC unroll 3
    for (int g = 0; g < G; ++g) {
      for (int q = 0; q < cnt[g]; ++q) {
        float* yq = yg[g] + q * sx;
#pragma GCC unroll 4
        for (int m = 0; m < M; ++m) hn::StoreU(acc[g * kPhaseGroupPixels + q][m], d, yq + m * L);
      }
    }
    return;
  }
  HWY_ALIGN float tmp[M * 64];
#pragma GCC unroll 3
  for (int g = 0; g < G; ++g) {
    for (int q = 0; q < cnt[g]; ++q) {
#pragma GCC unroll 4
      for (int m = 0; m < M; ++m) hn::Store(acc[g * kPhaseGroupPixels + q][m], d, tmp + m * L);
      float* yq = yg[g] + q * sx;
      for (int c = 0; c < cvalid; ++c) yq[c * ostride] = tmp[c];
    }
  }
}

// Channel mode task: chunk ch of pixel groups, group gi, Cout block b.
void TaskChannels(const PhaseFastParams& p, const float* xpad, float* y, int64_t j, int64_t ch, int64_t gi,
                  int64_t b) {
  constexpr int CB = kPhaseChannelBlock;
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  // Registers: 2 channel vectors x 3 groups x 4 pixels = 24 accumulators +
  // 2 weight vectors + 1 broadcast on AVX-512; 8 accumulators below.
  constexpr int kM = 2;
  constexpr int kG = kRegs == 32 ? 3 : 1;
  const int64_t ph = p.ch_ph[ch];
  const int64_t* offs = p.offs.data() + p.tap_begin[ph];
  const int64_t ntaps = p.tap_begin[ph + 1] - p.tap_begin[ph];
  const float* wb = p.wpack.data() + p.w_begin[ph] + (gi * p.nb + b) * p.cin_g * ntaps * CB;
  const float* bias = p.bias.data() + (gi * p.nb + b) * CB;
  const int64_t co0 = gi * p.cout_g + b * CB;
  const int cb_here = static_cast<int>(std::min<int64_t>(CB, p.cout_g - b * CB));
  const float* xbase = xpad + (j * p.cin + gi * p.cin_g) * p.cstride;
  float* ybase = y + j * kPhaseGroupPixels * p.cout * p.out_sp + co0 * p.ychan;
  // bint: image group j stores its images that exist (every group lists 4).
  const int32_t images = static_cast<int32_t>(std::min<int64_t>(kPhaseGroupPixels, p.n - j * kPhaseGroupPixels));
  const int32_t kept[3] = {images, images, images};
  auto counts = [&](int64_t k) { return p.bint ? kept : p.grp_n.data() + k; };
  const int64_t pass = kM * L;  // channels per pass
  const int64_t wstride = ntaps * CB;
  const int64_t* woff_all = p.tap_w.data() + p.tap_begin[ph];
  const uint64_t all = ntaps >= 64 ? ~uint64_t{0} : (uint64_t{1} << ntaps) - 1;
  // Taps of a call: those whose input row/slice is inside the input for at
  // least one of its groups (groups are sorted by mask, so calls are mostly
  // homogeneous). Skipped taps would only add x_pad = 0 products.
  int64_t toffs[64], twoff[64];
  auto taps_for = [&](uint64_t mask, const int64_t** o, const int64_t** wo) -> int64_t {
    if ((mask & all) == all || ntaps > 64) {
      *o = offs;
      *wo = woff_all;
      return ntaps;
    }
    int64_t nt = 0;
    for (int64_t t = 0; t < ntaps; ++t)
      if (mask >> t & 1) {
        toffs[nt] = offs[t];
        twoff[nt++] = woff_all[t];
      }
    *o = toffs;
    *wo = twoff;
    return nt;
  };
  const uint64_t* gm = p.grp_mask.data();
  for (int64_t c0 = 0; c0 < cb_here; c0 += pass) {
    const int cv = static_cast<int>(std::min<int64_t>(pass, cb_here - c0));
    int64_t k = p.ch_g0[ch];
    const int64_t k1 = p.ch_g1[ch];
    const int64_t* to;
    const int64_t* tw;
    for (; k + kG <= k1; k += kG) {
      const float* xg[kG];
      float* yg[kG];
      uint64_t mask = 0;
      for (int g = 0; g < kG; ++g) {
        xg[g] = xbase + p.grp_x[k + g];
        yg[g] = ybase + p.grp_y[k + g] + c0 * p.ychan;
        mask |= gm[k + g];
      }
      const int64_t nt = taps_for(mask, &to, &tw);
      MicroC<kM, kG>(xg, p.cstride, p.cin_g, to, tw, nt, wb + c0, wstride, bias + c0, yg, counts(k), p.ychan,
                     p.ystep, cv);
    }
    if (kG == 3 && k + 2 <= k1) {  // dcgan_g2: 32 groups per task = 10 x 3 + 2
      const float* xg[2] = {xbase + p.grp_x[k], xbase + p.grp_x[k + 1]};
      float* yg[2] = {ybase + p.grp_y[k] + c0 * p.ychan, ybase + p.grp_y[k + 1] + c0 * p.ychan};
      const int64_t nt = taps_for(gm[k] | gm[k + 1], &to, &tw);
      MicroC<kM, 2>(xg, p.cstride, p.cin_g, to, tw, nt, wb + c0, wstride, bias + c0, yg, counts(k), p.ychan,
                    p.ystep, cv);
      k += 2;
    }
    for (; k < k1; ++k) {
      const float* xg[1] = {xbase + p.grp_x[k]};
      float* yg[1] = {ybase + p.grp_y[k] + c0 * p.ychan};
      const int64_t nt = taps_for(gm[k], &to, &tw);
      MicroC<kM, 1>(xg, p.cstride, p.cin_g, to, tw, nt, wb + c0, wstride, bias + c0, yg, counts(k), p.ychan,
                    p.ystep, cv);
    }
  }
}

// PadVolume for a task's stack buffer (local_pad; dst aligned, p.plane a
// multiple of 16): zero the whole volume, then copy the input rows, all
// with inline vector stores. dw_k4s2's 32 memcpy calls of 128 bytes plus
// the border memsets per channel were ~20% of its run.
void PadVolumeLocal(const PhaseFastParams& p, const float* HWY_RESTRICT src, float* HWY_RESTRICT dst) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const auto zero = hn::Zero(d);
  for (int64_t i = 0; i < p.plane; i += L) hn::Store(zero, d, dst + i);
  ForEachInputRow(p, src, dst, [&](const float* HWY_RESTRICT s, float* HWY_RESTRICT t, int64_t in_w) {
    int64_t i = 0;
    for (; i + L <= in_w; i += L) {
      auto v = hn::LoadU(d, s + i);
      // Stops GCC from turning the loop back into a memcpy call.
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
      asm("" : "+v"(v.raw));
#endif
      hn::StoreU(v, d, t + i);
    }
    for (; i < in_w; ++i) t[i] = s[i];
  });
}

void PhaseFastTaskImpl(const PhaseFastParams& p, const float* xin, const float* xpad, float* y, int64_t task) {
  if (p.mode == PhaseMode::kChannels) {
    const int64_t nch = static_cast<int64_t>(p.ch_ph.size());
    const int64_t ch = task % nch;
    const int64_t b = (task / nch) % p.nb;
    const int64_t gi = (task / (nch * p.nb)) % p.groups;
    const int64_t j = task / (nch * p.nb * p.groups);
    return TaskChannels(p, xpad, y, j, ch, gi, b);
  }
  const int64_t nblk = static_cast<int64_t>(p.f0.size());
  const int64_t blk = p.cout_inner ? (task / p.nb) % nblk : task % nblk;
  const int64_t b = p.cout_inner ? task % p.nb : (task / nblk) % p.nb;
  const int64_t gi = (task / (nblk * p.nb)) % p.groups;
  const int64_t n = task / (nblk * p.nb * p.groups);
  HWY_ALIGN float local[kPhaseLocalPadFloats];
  const float* xg = local;
  if (p.x_direct) {
    xg = xin + (n * p.cin + gi * p.cin_g) * p.xplane;
  } else if (!p.local_pad) {
    xg = xpad + (n * p.cin + gi * p.cin_g) * p.plane;
  } else {
    const int64_t in_sp = p.in[0] * p.in[1] * p.in[2];
    for (int64_t ci = 0; ci < p.cin_g; ++ci)
      PadVolumeLocal(p, xin + (n * p.cin + gi * p.cin_g + ci) * in_sp, local + ci * p.plane);
  }
  if (p.mode == PhaseMode::kDirect && p.cb > 1) {
    constexpr int kCB = kPhaseDirectBlock;
    switch (p.s[2]) {
      case 1: return TaskDirectC<1, kCB>(p, xg, y, n, gi, b, blk);
      case 2: return TaskDirectC<2, kCB>(p, xg, y, n, gi, b, blk);
      case 3: return TaskDirectC<3, kCB>(p, xg, y, n, gi, b, blk);
      default: return TaskDirectC<4, kCB>(p, xg, y, n, gi, b, blk);
    }
  }
  if (p.mode == PhaseMode::kDirect) {
    switch (p.s[2]) {
      case 1: return TaskDirect<1>(p, xg, y, n, gi, blk);
      case 2: return TaskDirect<2>(p, xg, y, n, gi, blk);
      case 3: return TaskDirect<3>(p, xg, y, n, gi, blk);
      default: return TaskDirect<4>(p, xg, y, n, gi, blk);
    }
  }
  switch (p.cb) {
    case 1: return Task<1>(p, xg, y, n, gi, b, blk);
    case 2: return Task<2>(p, xg, y, n, gi, b, blk);
    case 3: return Task<3>(p, xg, y, n, gi, b, blk);
    case 4: return Task<4>(p, xg, y, n, gi, b, blk);
    case 5: return Task<5>(p, xg, y, n, gi, b, blk);
    case 6: return Task<6>(p, xg, y, n, gi, b, blk);
    case 7: return Task<7>(p, xg, y, n, gi, b, blk);
    default: return Task<8>(p, xg, y, n, gi, b, blk);
  }
}

int PhaseFastVectorsImpl(int cb) { return VectorsFor(cb); }
int PhaseFastLanesImpl() { return static_cast<int>(hn::Lanes(hn::ScalableTag<float>())); }

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace tconv {
namespace kernels {

HWY_EXPORT(PhaseFastTaskImpl);
HWY_EXPORT(PhaseFastVectorsImpl);
HWY_EXPORT(PhaseFastLanesImpl);

void PhaseFastTask(const PhaseFastParams& p, const float* x, const float* xpad, float* y, int64_t task) {
  HWY_DYNAMIC_DISPATCH(PhaseFastTaskImpl)(p, x, xpad, y, task);
}
int PhaseFastVectors(int cb) { return HWY_DYNAMIC_DISPATCH(PhaseFastVectorsImpl)(cb); }
int PhaseFastLanes() { return HWY_DYNAMIC_DISPATCH(PhaseFastLanesImpl)(); }

}  // namespace kernels
}  // namespace tconv
#endif  // HWY_ONCE
