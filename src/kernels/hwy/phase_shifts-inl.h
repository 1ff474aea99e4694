// The shifts kernel of the phase algorithm (contract in
// src/kernels/phase_kernels.h): one output channel per group, any number
// of input channels, all SX column phases of an output row at once. The
// column phases' taps along x are shifts of the same input row, so each
// shift is loaded once per input channel and tap slice and feeds every
// phase that has it: H loads per sum_tx T_tx FMAs (tasnet_dec, k16 s8: 2
// loads per 16 FMAs), where the pixel kernels load once per FMA and tap.
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_SHIFTS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_SHIFTS_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_SHIFTS_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_SHIFTS_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/hwy/phase_direct-inl.h"
#include "src/kernels/phase_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Vectors of u per call: SX*V accumulators, V input vectors and a weight
// within the registers (8 phases: 3 on AVX-512, 1 on AVX2).
constexpr int ShiftVectors(int sx) { return std::max(1, std::min(4, (kRegs - 3) / (sx + 1))); }

// Vector groups ahead that MicroS prefetches each channel's row. Without
// it tasnet_dec (x 33 MB, from memory) ran at 35 GFLOP/s, stalled on the
// loads of its 32 rows; with it 144 (Zen 5, 1 thread). 1 and 4 groups
// ahead: 117-127 and 78-125 against 137-138 (bench/RESULTS.md).
constexpr int kShiftPrefetchGroups = 2;

// acc[tx][v] += x_i[v] * w[i*SX + tx] for the phases tx in `mask` (all of
// them with kAll), x_i = V vectors at xs - i.
template <int SX, int V, bool kAll, class VF>
HWY_INLINE void ShiftStep(const float* HWY_RESTRICT xs, int64_t i, const float* HWY_RESTRICT w, int64_t mask,
                          VF (&acc)[1][SX][V]) {
  const hn::DFromV<VF> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  VF xv[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) xv[v] = hn::LoadU(d, xs - i + v * L);
  const float* wi = w + i * SX;
#pragma GCC unroll 8
  for (int tx = 0; tx < SX; ++tx) {
    if (!kAll && ((mask >> tx) & 1) == 0) continue;
    const VF wv = hn::Set(d, wi[tx]);
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[0][tx][v] = hn::MulAdd(xv[v], wv, acc[0][tx][v]);
  }
}

// V*L consecutive u of one output row, all SX column phases, over input
// channels [c0, c0 + nci) of a pass: from the bias (first pass) or the
// tile's partial sums, over ci, then the tap slices, then the shifts from
// the highest down, so each phase sees its taps in the tables' order
// (slice, then jx) and the sums are the other kernels' bit for bit. Out to
// y (last pass, interleaved) or back to the tile. x points at shift 0 of
// slice 0 for the first u and channel c0, w at channel c0's panel.
template <int SX, int V>
HWY_INLINE void MicroS(const float* HWY_RESTRICT x, int64_t plane, int64_t nci, const PhaseShiftRow& row,
                       const int64_t* HWY_RESTRICT soff, const int64_t* HWY_RESTRICT mask,
                       const float* HWY_RESTRICT w, bool first, bool last, float bias, float* HWY_RESTRICT tile,
                       int64_t ft, float* HWY_RESTRICT yrow, int64_t valid) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  using VF = hn::Vec<decltype(d)>;
  VF acc[1][SX][V];
  if (first) {
    FillDirect(acc, hn::Set(d, bias));
  } else {
#pragma GCC unroll 8
    for (int tx = 0; tx < SX; ++tx)
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[0][tx][v] = hn::LoadU(d, tile + tx * ft + v * L);
  }
  const int64_t nh = row.shifts, nq = row.slices, lo = row.core_lo, hi = row.core_hi;
  for (int64_t ci = 0; ci < nci; ++ci) {
    for (int64_t q = 0; q < nq; ++q, w += nh * SX) {
      const float* xs = x + ci * plane + soff[q];
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) __builtin_prefetch(xs + (kShiftPrefetchGroups * V + v) * L, 0, 3);
      for (int64_t i = 0; i < lo; ++i) ShiftStep<SX, V, false>(xs, i, w, mask[i], acc);
      for (int64_t i = lo; i < hi; ++i) ShiftStep<SX, V, true>(xs, i, w, 0, acc);
      for (int64_t i = hi; i < nh; ++i) ShiftStep<SX, V, false>(xs, i, w, mask[i], acc);
    }
  }
  if (last) {
    StoreDirect<SX, V, 1>(acc, yrow, 0, valid);
    return;
  }
#pragma GCC unroll 8
  for (int tx = 0; tx < SX; ++tx)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) hn::StoreU(acc[0][tx][v], d, tile + tx * ft + v * L);
}

// A 1-D input read in place (x_row > 0): the nci channels' floats of
// volume offsets [o0, o0 + n) at x[o + x_lo], zero outside [0, x_row), as
// rows of n floats at win.
HWY_INLINE void CopyEdgeWindow(const float* x, int64_t plane, int64_t nci, int64_t x_row, int64_t x_lo, int64_t o0,
                               int64_t n, float* win) {
  for (int64_t ci = 0; ci < nci; ++ci) {
    const float* xc = x + ci * plane;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t j = o0 + k + x_lo;
      win[ci * n + k] = j >= 0 && j < x_row ? xc[j] : 0.0f;
    }
  }
}

// f32_phase_shifts_s<SX>_1x<V>: contract in src/kernels/phase_kernels.h.
template <class D, int SX>
void PhaseShifts(const PhaseTaskArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  constexpr int V = ShiftVectors(SX);
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  TCONV_DCHECK(a.s[2] == SX && a.cb == 1 && a.f1 > a.f0 && !a.y_channels_last && a.shift_rows && a.shift_aux);
  const int64_t f0 = a.f0, ft = (a.f1 - f0 + 2 * L - 1) / L * L;  // tile row: the block and a vector
  TCONV_DCHECK(SX * ft <= kPhaseTileFloats + SX * 2 * kMaxLanes && L <= kMaxLanes);
  HWY_ALIGN float tile[kPhaseTileFloats + SX * 2 * kMaxLanes];
  // Edge windows of an input read in place: kShiftChunk channels of V
  // vectors and the shifts below them.
  constexpr int64_t kWin = 4 * kMaxLanes + kShiftMaxInPlace;
  HWY_ALIGN float win[kShiftChunk * kWin];
  const float* xg = static_cast<const float*>(a.x);
  const float bias = static_cast<const float*>(a.bias)[0];
  float* ychan = static_cast<float*>(a.y) + a.co0 * a.out[0] * a.out[1] * a.out[2];
  const int64_t ow = a.out[2];
  for (int64_t td = 0; td < a.s[0]; ++td) {
    for (int64_t ty = 0; ty < a.s[1]; ++ty) {
      const PhaseShiftRow& row = a.shift_rows[td * a.s[1] + ty];
      const int64_t* soff = a.shift_aux + row.aux;
      const int64_t* mask = soff + row.slices;
      const int64_t wci = row.slices * row.shifts * SX;  // weights per channel
      const float* wg = static_cast<const float*>(a.w) + row.w + a.w_block * a.cin * wci;
      TCONV_DCHECK(a.x_row == 0 || (row.slices <= 1 && row.shifts <= kShiftMaxInPlace));
      for (int64_t c0 = 0; c0 < a.cin; c0 += kShiftChunk) {
        const int64_t nci = std::min(kShiftChunk, a.cin - c0);
        const bool first = c0 == 0, last = c0 + nci == a.cin;
        const float* xc = xg + c0 * a.xplane;
        const float* w = wg + c0 * wci;
        WalkDirectRows<1>(a, f0, a.f1, td, ty, ychan, xc, [&](auto, const float* xr, int64_t ua, int64_t ub,
                                                                float* yrow) {
          const int64_t fr = xr - xc;  // the row's flat offset
          auto call = [&](auto vtag, int64_t u) {
            constexpr int kV = decltype(vtag)::value;
            const int64_t valid = std::min(ow - u * SX, (ub - u) * SX);
            float* t = tile + fr + u - f0;
            const int64_t o0 = fr + u + row.top - (row.shifts - 1), n = kV * L + row.shifts - 1;
            const float* xu = win + row.shifts - 1;
            int64_t plane = n;
            if (a.x_row > 0 && (o0 + a.x_lo < 0 || o0 + n + a.x_lo > a.x_row)) {
              CopyEdgeWindow(xc, a.xplane, nci, a.x_row, a.x_lo, o0, n, win);
            } else {
              xu = xr + (row.top + u + a.x_lo);
              plane = a.xplane;
            }
            MicroS<SX, kV>(xu, plane, nci, row, soff, mask, w, first, last, bias, t, ft, yrow + u * SX, valid);
          };
          int64_t u = ua;
          for (; u + V * L <= ub; u += V * L) call(std::integral_constant<int, V>(), u);
          for (; u < ub; u += L) call(std::integral_constant<int, 1>(), u);
        });
      }
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_SHIFTS_INL_H_
