// The channels-first depthwise kernel (contract in
// src/kernels/dw_nchw_kernels.h): output pixels in the vector lanes, in y's
// order, from input rows expanded by the stride along x.
#if defined(TCONV_SRC_KERNELS_HWY_DW_NCHW_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_DW_NCHW_INL_H_
#undef TCONV_SRC_KERNELS_HWY_DW_NCHW_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_DW_NCHW_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/dw_nchw_kernels.h"
#include "src/kernels/hwy/isa-inl.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

inline int64_t DwFloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Copies input row iy into a zero-bordered line (its zeros stay: the line
// only ever holds rows of in_w floats at the same place).
HWY_INLINE void CopyRow(const DwNchwExpandArgs& a, int64_t iy, float* HWY_RESTRICT line) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const float* HWY_RESTRICT src = a.x + iy * a.in_w;
  int64_t i = 0;
  for (; i + L <= a.in_w; i += L) {
    auto v = hn::LoadU(d, src + i);
    PinVector(v);  // a vector copy, not a memcpy call per row
    hn::StoreU(v, d, line + i);
  }
  if (i == a.in_w) return;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2
  // A masked load does not fault on the lanes past x (there it is
  // vmaskmovps / a zero-masking load; Highway 1.0's SSE4 form is a full
  // aligned load), and the line's floats past the row stay zero. (dw_k3s2's
  // 8-float tails scalar: the expansion was ~30% of the kernel.)
  hn::StoreU(hn::MaskedLoad(hn::FirstN(d, static_cast<size_t>(a.in_w - i)), d, src + i), d, line + i);
#else
  for (; i < a.in_w; ++i) {
    line[i] = src[i];
    asm volatile("" ::: "memory");  // nor a memmove call for the tail
  }
#endif
}

// The expanded rows of a task: a ring of my + 1 rows (input row iy in slot
// iy mod (my + 1)), made from two zero-bordered lines. Row iy + 1 is copied into
// the other line when row iy is expanded, so the permutes never load what
// was just stored (the first version copied right before the permutes: in
// dw_k4s2's profile ~30% of the kernel's samples sat on their loads).
struct DwRows {
  float* line[2];
  int64_t line_row[2] = {-1, -1};
  float* ring;
};

template <class D, class I>
HWY_INLINE void ExpandRow(const DwNchwExpandArgs& a, int64_t iy, DwRows& st, const I& perm, float* HWY_RESTRICT dst) {
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t s = iy & 1;
  if (st.line_row[s] != iy) {
    CopyRow(a, iy, st.line[s] + a.xb_left);
    st.line_row[s] = iy;
  }
  if (iy + 1 < a.in_h && st.line_row[s ^ 1] != iy + 1) {
    CopyRow(a, iy + 1, st.line[s ^ 1] + a.xb_left);
    st.line_row[s ^ 1] = iy + 1;
  }
  const float* HWY_RESTRICT from = st.line[s] + a.xb_left + DwFloorDiv(a.t0, a.sx);
  if (a.sx == 1) {
    for (int64_t b = 0; b < a.row_len; b += L) hn::Store(hn::LoadU(d, from + b), d, dst + b);
    return;
  }
  const int64_t step = L / a.sx;  // (no division per vector: it cost ~13% of dw_k4s2's kernel)
  for (int64_t b = 0; b < a.row_len; b += L, from += step)
    hn::Store(hn::TableLookupLanes(hn::LoadU(d, from), perm), d, dst + b);
}

// The row taps of a group of output rows (the rows of one qy): tap k reads
// expanded row e[k] with row r's weights at w[k] + r * mx * pack lanes,
// for rows r < nr[k] (the rows whose ky is still inside the kernel).
struct DwTaps {
  int n = 0;
  const float* e[16];
  const float* w[16];
  int nr[16];
};

// acc[r][v] += E(v) * W(r) over NR rows (compile time) for one column tap.
template <int NR, int R, int V, class D, class VF>
HWY_INLINE void FmaRows(VF (&acc)[R][V], const float* HWY_RESTRICT e, const float* HWY_RESTRICT w, int64_t wstride,
                        bool masked, hn::Mask<D> ok) {
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  VF wv[NR];
#pragma GCC unroll 4
  for (int r = 0; r < NR; ++r) wv[r] = hn::LoadU(d, w + r * wstride);
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) {
    VF ev = hn::LoadU(d, e + v * L);
    if (masked) ev = hn::IfThenElseZero(ok, ev);
#pragma GCC unroll 4
    for (int r = 0; r < NR; ++r) acc[r][v] = hn::MulAdd(ev, wv[r], acc[r][v]);
  }
}

// R output rows (ystride apart) x V vectors from b0: the bias plus every
// row tap x column tap; the last column tap keeps only the lanes that have
// it (ok) where sx does not divide kx. (Not MaskedLoad: Highway 1.0's SSE4
// form is an aligned load.) Stores only outputs < valid of each row.
template <int R, int V, class D>
HWY_INLINE void RowsBlock(const DwNchwExpandArgs& a, const DwTaps& tp, int r0, hn::Mask<D> ok, bool partial, int64_t b0,
                          float* HWY_RESTRICT y, int64_t valid) {
  const D d;
  using VF = hn::Vec<D>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t wstride = a.mx * kDwNchwPackLanes;
  VF acc[R][V];
  const VF bias = hn::Set(d, a.bias);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) acc[r][v] = bias;
  for (int k = 0; k < tp.n; ++k) {
    const int nr = tp.nr[k] - r0;
    if (nr <= 0) continue;
    const float* e = tp.e[k] + a.a_off + b0;
    const float* w = tp.w[k] + r0 * wstride;
    for (int64_t m = 0; m < a.mx; ++m) {
      const bool masked = partial && m == a.mx - 1;
      const float* em = e - m * a.sx;
      const float* wm = w + m * kDwNchwPackLanes;
      if (nr >= R) {
        FmaRows<R, R, V, D>(acc, em, wm, wstride, masked, ok);
      } else if (R > 1 && nr == 1) {
        FmaRows<1, R, V, D>(acc, em, wm, wstride, masked, ok);
      } else if (R > 2 && nr == 2) {
        FmaRows<(R > 2 ? 2 : 1), R, V, D>(acc, em, wm, wstride, masked, ok);
      } else if (R > 3 && nr == 3) {
        FmaRows<(R > 3 ? 3 : 1), R, V, D>(acc, em, wm, wstride, masked, ok);
      }
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    float* yr = y + r * a.ow;
    if (valid >= V * L) {
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) hn::StoreU(acc[r][v], d, yr + v * L);
    } else {  // the row's last, partial vector (V = 1): no store past the row
      HWY_ALIGN float tmp[kDwNchwPackLanes];
      hn::Store(acc[r][0], d, tmp);
      for (int64_t i = 0; i < valid; ++i) yr[i] = tmp[i];
    }
  }
}

// Rows r0 .. r0 + R of a group, all of their vectors.
template <int R, int V, class D>
HWY_INLINE void GroupRows(const DwNchwExpandArgs& a, const DwTaps& tp, int r0, hn::Mask<D> ok, bool partial,
                          float* HWY_RESTRICT y) {
  const int64_t L = static_cast<int64_t>(hn::Lanes(D()));
  int64_t b0 = 0;
  for (; b0 + V * L <= a.ow; b0 += V * L) RowsBlock<R, V, D>(a, tp, r0, ok, partial, b0, y + b0, V * L);
  for (; b0 < a.ow; b0 += L) RowsBlock<R, 1, D>(a, tp, r0, ok, partial, b0, y + b0, a.ow - b0);
}

// Output rows per register tile (R rows x V vectors of accumulators, plus
// R weights and one input vector).
constexpr int kDwNchwRows = kRegs == 32 ? 4 : 2;
constexpr int kDwNchwVectors = 4;

// f32_dw_nchw_expand_<R>x<V>: contract in src/kernels/dw_nchw_kernels.h.
// Output rows come in groups of one qy = floor((oy + pby) / sy): the sy
// rows of a group read the same expanded input rows (one load feeds R
// rows), with their own weights.
template <class D>
void DwNchwExpand(const DwNchwExpandArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  constexpr int kR = kDwNchwRows, kV = kDwNchwVectors;
  TCONV_DCHECK(L <= kDwNchwPackLanes && L % a.sx == 0 && a.row_len % L == 0 && a.my <= 16);
  const int64_t line_len = (a.xb_len + 15) / 16 * 16;
  DwRows st;
  st.line[0] = a.scratch;
  st.line[1] = a.scratch + line_len;
  st.ring = a.scratch + 2 * line_len;
  for (int64_t i = 0; i < 2 * line_len; i += L) hn::Store(hn::Zero(d), d, a.scratch + i);
  // Lane l of an expanded vector takes input (c + l) / sx of its load.
  const int64_t c = a.t0 - DwFloorDiv(a.t0, a.sx) * a.sx;
  HWY_ALIGN int32_t idx[kDwNchwPackLanes];
  for (int64_t l = 0; l < L; ++l) idx[l] = static_cast<int32_t>(a.sx > 1 ? (c + l) / a.sx : l);
  const auto perm = hn::SetTableIndices(d, idx);
  const auto ok = hn::Gt(hn::LoadU(d, a.last_ok), hn::Zero(d));
  const bool partial = a.kx % a.sx != 0;
  const int64_t t = a.oy0 + a.pby;
  int64_t qy = DwFloorDiv(t, a.sy), ty = t - qy * a.sy;
  // Ring slot of input row iy: iy mod (my + 1); slot: that of qy.
  const int64_t ns = a.my + 1;
  int64_t slot = qy - DwFloorDiv(qy, ns) * ns;
  int64_t filled = qy - a.my;  // rows <= filled: expanded or not needed
  for (int64_t oy = a.oy0; oy < a.oy1;) {
    const int64_t nrows = std::min(a.sy - ty, a.oy1 - oy);
    // The group's rows and one more: expanded a group before its first use,
    // its stores have left the store buffer when the tap loads (shifted by
    // sx, across two stores) read it. (Measured level against expanding at
    // first use on dw_k4s2 and the depthwise suite.)
    for (; filled < std::min(qy + 1, a.in_h - 1); ++filled) {
      if (filled + 1 < 0) continue;
      int64_t sl = slot + (filled + 1 - qy);
      if (sl < 0) sl += ns;
      if (sl >= ns) sl -= ns;
      ExpandRow<D>(a, filled + 1, st, perm, st.ring + sl * a.row_len);
    }
    DwTaps tp;
    for (int64_t j = 0; j < a.my; ++j) {
      const int64_t kyy = ty + j * a.sy, iy = qy - j;
      if (kyy >= a.ky || iy < 0 || iy >= a.in_h) continue;
      const int64_t sl = slot - j < 0 ? slot - j + ns : slot - j;
      tp.e[tp.n] = st.ring + sl * a.row_len;
      tp.w[tp.n] = a.w + kyy * a.mx * kDwNchwPackLanes;
      tp.nr[tp.n] = static_cast<int>(std::min(nrows, a.ky - kyy));
      ++tp.n;
    }
    float* y = a.y + oy * a.ow;
    int r0 = 0;
    for (; r0 + kR <= nrows; r0 += kR) GroupRows<kR, kV, D>(a, tp, r0, ok, partial, y + r0 * a.ow);
    const int left = static_cast<int>(nrows) - r0;
    if (left == 1) GroupRows<1, 2 * kV, D>(a, tp, r0, ok, partial, y + r0 * a.ow);
    if (left == 2) GroupRows<(kR > 2 ? 2 : 1), kV, D>(a, tp, r0, ok, partial, y + r0 * a.ow);
    if (left == 3) GroupRows<(kR > 3 ? 3 : 1), kV, D>(a, tp, r0, ok, partial, y + r0 * a.ow);
    oy += nrows;
    ++qy;
    ty = 0;
    slot = slot + 1 == ns ? 0 : slot + 1;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_DW_NCHW_INL_H_
