// The pixels-in-lanes kernels of the phase algorithm (contract in
// src/kernels/phase_kernels.h): f32_phase_pixels_<CB>x<V>, a CB x V
// register tile per tap loop, and f32_phase_pixel_rows_<R>x2, which reuses
// each input row over the tap rows it feeds.
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_PIXELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_PIXELS_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_PIXELS_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_PIXELS_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>
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

// Row-reuse micro-kernel for one output channel (Cout per group 1, e.g.
// FSRCNN's last layer): R output rows x V vectors of one phase whose taps
// form a TY x tx_taps grid (offs(jy, jx) = offs(0, 0) - jy*wp - jx). Input
// row i (relative, -(TY-1) .. R-1) is loaded once per jx and feeds output
// rows r = i + jy for every jy: (R+TY-1)*V loads per R*TY*V FMAs instead of
// one load per FMA (fsrcnn_x3: Micro<1,6> was load-bound). Taps along
// depth (td_taps slices of the grid, slice jd at x + jd*dstep) run one
// after the other. Weights w[ci][jd][jy][jx]. x points at flat f +
// offs(0, 0, 0); out at the tile's f.
template <int R, int V, int TY, bool kDepth, class D = hn::ScalableTag<float>>
HWY_INLINE void MicroR(const float* HWY_RESTRICT x, int64_t wp, int64_t plane, int64_t cin, int64_t td_taps,
                       int64_t dstep, int64_t tx_taps, const float* HWY_RESTRICT w, float bias,
                       float* HWY_RESTRICT out) {
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  using VF = hn::Vec<decltype(d)>;
  VF acc[R][V];
  const VF b = hn::Set(d, bias);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] = b;
  // One loop over the (ci, jd) slices; without depth taps, the 2-D loop
  // as it was: the depth loop cost the 2-D layers 12-15 % (fsrcnn_x3,
  // espcn_x3_deconv, segan_out, Zen 5, 1 thread).
  const int64_t slices = kDepth ? cin * td_taps : cin;
  for (int64_t q = 0, ci = 0, jd = 0; q < slices; ++q) {
    const float* xc = kDepth ? x + ci * plane + jd * dstep : x + q * plane;
    const float* wc = w + q * TY * tx_taps;
    if (kDepth && ++jd == td_taps) {
      jd = 0;
      ++ci;
    }
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

// Output rows per MicroR call. fsrcnn_x3 1t vs oneDNN, same run: 8x2 1.37,
// 8x3 1.36, 4x4 1.23-1.33, 6x3 1.02 (8-row blocks leave 6 + 2 single rows),
// 4x3 1.25.
constexpr int kPixelRows = kRegs == 32 ? 8 : 2;

// One phase of a Cout-1 pixel-mode block with whole rows [f0, f1) through
// MicroR: groups of kR rows, then single rows; columns [0, cols) in V*L
// steps, then L, and a last half vector where that covers the rest
// (fsrcnn_x3's 120 columns: 3 x 32 + 16 + 8 instead of 128 computed).
template <int TY, int kR, int kV, bool kDepth>
void PhaseRows(const float* x, int64_t wp, int64_t cols, int64_t plane, int64_t cin, int64_t td_taps, int64_t dstep,
               int64_t tx_taps, const float* w, float bias, float* out, int64_t nrows) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  using DH = hn::CappedTag<float, HWY_MAX(1, HWY_LANES(float) / 2)>;
  const int64_t LH = static_cast<int64_t>(hn::Lanes(DH()));
  auto row_group = [&](auto rtag, int64_t r) {
    constexpr int R = decltype(rtag)::value;
    int64_t c = 0;
    for (; c + kV * L <= cols; c += kV * L)
      MicroR<R, kV, TY, kDepth>(x + r * wp + c, wp, plane, cin, td_taps, dstep, tx_taps, w, bias, out + r * wp + c);
    for (; c + LH < cols; c += L)
      MicroR<R, 1, TY, kDepth>(x + r * wp + c, wp, plane, cin, td_taps, dstep, tx_taps, w, bias, out + r * wp + c);
    if (c < cols)
      MicroR<R, 1, TY, kDepth, DH>(x + r * wp + c, wp, plane, cin, td_taps, dstep, tx_taps, w, bias, out + r * wp + c);
  };
  int64_t r = 0;
  for (; r + kR <= nrows; r += kR) row_group(std::integral_constant<int, kR>(), r);
  for (; r < nrows; ++r) row_group(std::integral_constant<int, 1>(), r);
}

// The interleave of one (td, ty) phase row of a pixel task: each output row
// (od, oy) = (u_d*sd + td, u_y*sy + ty) of the block gets its sx column
// phases from the tile (rows u_y >= u[1] are padding rows: skipped).
template <int CB>
HWY_INLINE void InterleaveTile(const PhaseTaskArgs& a, const float* tile, int64_t ft, int64_t td, int64_t ty) {
  const int64_t sd = a.s[0], sy = a.s[1], sx = a.s[2];
  const int64_t hp = a.hp, wp = a.wp, f0 = a.f0, f1 = a.f1;
  const int64_t out_sp = a.out[0] * a.out[1] * a.out[2];
  float* y = static_cast<float*>(a.y);
  for (int64_t r = f0 / wp; r * wp < f1; ++r) {
    const int64_t uyy = r % hp, ud = r / hp;
    if (uyy >= a.u[1]) continue;
    const int64_t od = ud * sd + td, oy = uyy * sy + ty;
    if (od >= a.out[0] || oy >= a.out[1]) continue;
    const int64_t ua = std::max<int64_t>(f0 - r * wp, 0);
    const int64_t ub = std::min<int64_t>(f1 - r * wp, a.u[2]);
    if (ua >= ub || ua * sx >= a.out[2]) continue;
    // Pointers at column ua (tile + r*wp - f0 would point before the tile
    // when a block starts mid-row: undefined behaviour, found by clang's
    // UBSan through the differential fuzzer); the interleaves are the same
    // from any origin.
    const int64_t at = r * wp - f0 + ua, nu = ub - ua, ow = a.out[2] - ua * sx;
    if (a.y_channels_last) {
      // y (*out, Cout): output pixel ox's cb channels are contiguous; tile
      // row (tx, c) holds channel c of phase tx.
      float* yrow = y + (od * a.out[1] + oy) * a.out[2] * a.cout + a.co0;
      InterleaveChannelsLast<CB>(tile + at, ft, sx, a.cb, 0, nu, ow, a.cout, yrow + ua * sx * a.cout);
      continue;
    }
    for (int c = 0; c < a.cb; ++c) {
      const float* rows[kMaxColumnPhases];
      for (int64_t tx = 0; tx < sx; ++tx) rows[tx] = tile + (tx * CB + c) * ft + at;
      float* yrow = y + (a.co0 + c) * out_sp + (od * a.out[1] + oy) * a.out[2];
      Interleave(rows, sx, 0, nu, ow, yrow + ua * sx);
    }
  }
}

// f32_phase_pixels_<CB>x<V> (kRows false) and, CB = 1,
// f32_phase_pixel_rows_<RowsR>x<RowsV> (kRows true): contract in
// src/kernels/phase_kernels.h.
template <class D, int CB, bool kRows, int RowsR = kPixelRows, int RowsV = 2>
void PhasePixels(const PhaseTaskArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  static_assert(!kRows || CB == 1, "the rows kernel computes one output channel");
  constexpr int V = VectorsFor(CB);
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t f0 = a.f0, f1 = a.f1;
  const int64_t ft = (f1 - f0 + L - 1) / L * L;  // tile row length
  const int64_t sd = a.s[0], sy = a.s[1], sx = a.s[2];
  const int64_t wp = a.wp;
  TCONV_DCHECK(f1 > f0 && a.cin >= 1 && a.cb >= 1 && a.cb <= CB);
  TCONV_DCHECK(sx >= 1 && sx <= kMaxColumnPhases && sx * CB * ft <= kPhaseTileFloats && L <= kMaxLanes);
  // + 64: MicroR's last column step may run up to L - 1 floats
  // past a phase's rows (into the next phase's tile, recomputed after it).
  HWY_ALIGN float tile[kPhaseTileFloats + 64];
  const float* x = static_cast<const float*>(a.x) + f0;
  const float* bias = static_cast<const float*>(a.bias);
  const float* wpack = static_cast<const float*>(a.w);
  for (int64_t td = 0; td < sd; ++td) {
    for (int64_t ty = 0; ty < sy; ++ty) {
      for (int64_t tx = 0; tx < sx; ++tx) {
        const int64_t ph = (td * sy + ty) * sx + tx;
        const int64_t* offs = a.offs + a.tap_begin[ph];
        const int64_t ntaps = a.tap_begin[ph + 1] - a.tap_begin[ph];
        const float* w = wpack + a.w_begin[ph] + a.w_block * a.cin * ntaps * CB;
        float* out = tile + tx * CB * ft;
        // Whole rows and a tap grid of TY <= 4 rows (per depth tap): row
        // reuse. gan3d_out (3-D, 2 x 2 x 2 taps per phase) ran Micro<1, 6>
        // at one load per FMA: 1 thread 33-38 -> 49-59 GFLOP/s, 2 threads
        // 55-68 -> 79-81 (Zen 5, alternated runs).
        const int64_t tdt = a.tap_slices ? a.tap_slices[ph] : 1, tyt = a.tap_rows[ph];
        const int64_t txt = ntaps > 0 ? ntaps / (tdt * tyt) : 0;
        if (kRows && f0 % wp == 0 && f1 % wp == 0 && ntaps > 0 && tyt <= 4) {
          const float* xo = x + offs[0];
          const int64_t nr = (f1 - f0) / wp;
          // Slice jd's first tap is tap jd*tyt*txt: its offset minus the first's.
          const int64_t dstep = tdt > 1 ? offs[tyt * txt] - offs[0] : 0;
          const float b = bias[0];
          const int64_t cin = a.cin, xp = a.xplane, cols = a.u[2];
          auto rows = [&](auto depth) {
            constexpr bool kD = decltype(depth)::value;
            switch (tyt) {
              case 1: PhaseRows<1, RowsR, RowsV, kD>(xo, wp, cols, xp, cin, tdt, dstep, txt, w, b, out, nr); break;
              case 2: PhaseRows<2, RowsR, RowsV, kD>(xo, wp, cols, xp, cin, tdt, dstep, txt, w, b, out, nr); break;
              case 3: PhaseRows<3, RowsR, RowsV, kD>(xo, wp, cols, xp, cin, tdt, dstep, txt, w, b, out, nr); break;
              default: PhaseRows<4, RowsR, RowsV, kD>(xo, wp, cols, xp, cin, tdt, dstep, txt, w, b, out, nr); break;
            }
          };
          if (tdt > 1) {
            rows(std::true_type());
          } else {
            rows(std::false_type());
          }
          continue;
        }
        int64_t f = 0;
        for (; f + V * L <= ft; f += V * L) Micro<CB, V>(x + f, a.xplane, a.cin, offs, ntaps, w, bias, out + f, ft);
        for (; f < ft; f += L) Micro<CB, 1>(x + f, a.xplane, a.cin, offs, ntaps, w, bias, out + f, ft);
      }
      InterleaveTile<CB>(a, tile, ft, td, ty);
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_PIXELS_INL_H_
