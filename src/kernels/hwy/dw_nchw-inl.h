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

// Vectors of one output row per block: two FMA chains per FMA pipe where
// the registers allow (each accumulator's taps form one dependent chain).
constexpr int kDwNchwVectors = kRegs == 32 ? 8 : 4;

inline int64_t DwFloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Input row iy, expanded by sx into dst (row_len floats): through the
// zero-bordered line xb, one load and one lane permute per vector.
template <class D, class I>
HWY_INLINE void ExpandRow(const DwNchwExpandArgs& a, int64_t iy, float* HWY_RESTRICT xb, const I& perm,
                          float* HWY_RESTRICT dst) {
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const float* HWY_RESTRICT src = a.x + iy * a.in_w;
  float* HWY_RESTRICT line = xb + a.xb_left;
  int64_t i = 0;
  for (; i + L <= a.in_w; i += L) {
    auto v = hn::LoadU(d, src + i);
    PinVector(v);  // a vector copy, not a memcpy call per row
    hn::StoreU(v, d, line + i);
  }
  for (; i < a.in_w; ++i) line[i] = src[i];
  const float* HWY_RESTRICT from = line + DwFloorDiv(a.t0, a.sx);
  if (a.sx == 1) {
    for (int64_t b = 0; b < a.row_len; b += L) hn::Store(hn::LoadU(d, from + b), d, dst + b);
    return;
  }
  for (int64_t b = 0; b < a.row_len; b += L)
    hn::Store(hn::TableLookupLanes(hn::LoadU(d, from + b / a.sx), perm), d, dst + b);
}

// V output vectors of a row from b0: the bias plus n row taps x mx column
// taps; the last column tap keeps only the lanes that have it (ok). (Not
// MaskedLoad: Highway 1.0's SSE4 form is an aligned load.)
template <int V, class D, class M>
HWY_INLINE void RowBlock(const DwNchwExpandArgs& a, int n, const float* const* er, const float* const* wr, M ok,
                         bool partial, int64_t b0, float* HWY_RESTRICT yv, int64_t valid) {
  const D d;
  using VF = hn::Vec<D>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  VF acc[V];
  const VF bias = hn::Set(d, a.bias);
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) acc[v] = bias;
  const int64_t mfull = partial ? a.mx - 1 : a.mx;
  for (int k = 0; k < n; ++k) {
    const float* e = er[k] + a.a_off + b0;
    for (int64_t m = 0; m < mfull; ++m) {
      const VF w = hn::LoadU(d, wr[k] + m * kDwNchwPackLanes);
      const float* em = e - m * a.sx;
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) acc[v] = hn::MulAdd(hn::LoadU(d, em + v * L), w, acc[v]);
    }
    if (partial) {
      const VF w = hn::LoadU(d, wr[k] + mfull * kDwNchwPackLanes);
      const float* em = e - mfull * a.sx;
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) acc[v] = hn::MulAdd(hn::IfThenElseZero(ok, hn::LoadU(d, em + v * L)), w, acc[v]);
    }
  }
  if (valid >= V * L) {
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) hn::StoreU(acc[v], d, yv + v * L);
    return;
  }
  // The row's last, partial vector (V = 1): no store past the row.
  HWY_ALIGN float tmp[kDwNchwPackLanes];
  hn::Store(acc[0], d, tmp);
  for (int64_t i = 0; i < valid; ++i) yv[i] = tmp[i];
}

// f32_dw_nchw_expand_1x<V>: contract in src/kernels/dw_nchw_kernels.h.
template <class D>
void DwNchwExpand(const DwNchwExpandArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  constexpr int kV = kDwNchwVectors;
  TCONV_DCHECK(L <= kDwNchwPackLanes && L % a.sx == 0 && a.row_len % L == 0 && a.xb_len % L == 0);
  float* xb = a.scratch;
  float* ring = a.scratch + (a.xb_len + 15) / 16 * 16;
  for (int64_t i = 0; i < a.xb_len; i += L) hn::Store(hn::Zero(d), d, xb + i);
  // Lane l of an expanded vector takes input (c + l) / sx of its load.
  const int64_t c = a.t0 - DwFloorDiv(a.t0, a.sx) * a.sx;
  HWY_ALIGN int32_t idx[kDwNchwPackLanes];
  for (int64_t l = 0; l < L; ++l) idx[l] = static_cast<int32_t>(a.sx > 1 ? (c + l) / a.sx : l);
  const auto perm = hn::SetTableIndices(d, idx);
  const auto ok = hn::Gt(hn::LoadU(d, a.last_ok), hn::Zero(d));
  const bool partial = a.kx % a.sx != 0;
  int64_t filled = -1;  // input rows <= filled are expanded (those still needed)
  const float* er[16];
  const float* wr[16];
  for (int64_t oy = a.oy0; oy < a.oy1; ++oy) {
    const int64_t t = oy + a.pby, qy = DwFloorDiv(t, a.sy), ty = t - qy * a.sy;
    filled = std::max(filled, qy - a.my);
    for (; filled < std::min(qy, a.in_h - 1); ++filled)
      if (filled + 1 >= 0) ExpandRow<D>(a, filled + 1, xb, perm, ring + (filled + 1) % a.my * a.row_len);
    int n = 0;
    for (int64_t j = 0; j < a.my; ++j) {
      const int64_t kyy = ty + j * a.sy, iy = qy - j;
      if (kyy >= a.ky || iy < 0 || iy >= a.in_h) continue;
      er[n] = ring + iy % a.my * a.row_len;
      wr[n] = a.w + kyy * a.mx * kDwNchwPackLanes;
      ++n;
    }
    float* yrow = a.y + oy * a.ow;
    int64_t b0 = 0;
    for (; b0 + kV * L <= a.ow; b0 += kV * L) RowBlock<kV, D>(a, n, er, wr, ok, partial, b0, yrow + b0, kV * L);
    for (; b0 + 4 * L <= a.ow; b0 += 4 * L) RowBlock<4, D>(a, n, er, wr, ok, partial, b0, yrow + b0, 4 * L);
    for (; b0 < a.ow; b0 += L) RowBlock<1, D>(a, n, er, wr, ok, partial, b0, yrow + b0, a.ow - b0);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_DW_NCHW_INL_H_
