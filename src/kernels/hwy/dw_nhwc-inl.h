// The channels-last depthwise kernel (contract in
// src/kernels/dw_nhwc_kernels.h): channels in the vector lanes, each output
// pixel summing only the taps that reach it.
#if defined(TCONV_SRC_KERNELS_HWY_DW_NHWC_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_DW_NHWC_INL_H_
#undef TCONV_SRC_KERNELS_HWY_DW_NHWC_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_DW_NHWC_INL_H_
#endif

#include <cstdint>
#include <type_traits>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/dw_nhwc_kernels.h"
#include "src/kernels/hwy/isa-inl.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Channels [c0, c0 + V*L) of one output pixel: V accumulators from the bias,
// then every tap (jd, jy, jx) reaching the pixel, one FMA per vector.
template <int V>
HWY_INLINE void Block(const DwNhwcRowArgs& p, const float* HWY_RESTRICT xn, const AxisTaps& td,
                      const AxisTaps& ty, const AxisTaps& tx, int64_t c0, float* HWY_RESTRICT yp) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t C = p.c;
  hn::Vec<decltype(d)> acc[V];
#pragma GCC unroll 16
  for (int v = 0; v < V; ++v) acc[v] = hn::LoadU(d, static_cast<const float*>(p.bias) + c0 + v * L);
  for (int64_t jd = 0; jd < td.count; ++jd) {
    const int64_t id = td.i0 - jd * p.istep[0], kd = td.k0 + jd * p.kstep[0];
    for (int64_t jy = 0; jy < ty.count; ++jy) {
      const int64_t iy = ty.i0 - jy * p.istep[1], ky = ty.k0 + jy * p.kstep[1];
      const float* xr = xn + (id * p.in[1] + iy) * p.in[2] * C + c0;
      const float* wr = static_cast<const float*>(p.w) + (kd * p.k[1] + ky) * p.k[2] * C + c0;
      for (int64_t jx = 0; jx < tx.count; ++jx) {
        const float* xs = xr + (tx.i0 - jx * p.istep[2]) * C;
        const float* ws = wr + (tx.k0 + jx * p.kstep[2]) * C;
#pragma GCC unroll 16
        for (int v = 0; v < V; ++v) acc[v] = hn::MulAdd(hn::LoadU(d, xs + v * L), hn::LoadU(d, ws + v * L), acc[v]);
      }
    }
  }
#pragma GCC unroll 16
  for (int v = 0; v < V; ++v) hn::StoreU(acc[v], d, yp + v * L);
}

// The last C mod L channels, in scalar code (no vector access past the
// channel range of the pixel).
HWY_INLINE void Tail(const DwNhwcRowArgs& p, const float* xn, const AxisTaps& td, const AxisTaps& ty,
                     const AxisTaps& tx, int64_t c0, float* yp) {
  const int64_t C = p.c;
  for (int64_t c = c0; c < C; ++c) {
    float acc = static_cast<const float*>(p.bias)[c];
    for (int64_t jd = 0; jd < td.count; ++jd) {
      const int64_t id = td.i0 - jd * p.istep[0], kd = td.k0 + jd * p.kstep[0];
      for (int64_t jy = 0; jy < ty.count; ++jy) {
        const int64_t iy = ty.i0 - jy * p.istep[1], ky = ty.k0 + jy * p.kstep[1];
        const float* xr = xn + (id * p.in[1] + iy) * p.in[2] * C + c;
        const float* wr = static_cast<const float*>(p.w) + (kd * p.k[1] + ky) * p.k[2] * C + c;
        for (int64_t jx = 0; jx < tx.count; ++jx) {
          acc += xr[(tx.i0 - jx * p.istep[2]) * C] * wr[(tx.k0 + jx * p.kstep[2]) * C];
        }
      }
    }
    yp[c] = acc;
  }
}

// Vectors per block: as many accumulators as the register file holds next to
// the two operands of each FMA (dw_k4s2 NHWC, 1 thread: AVX-512 with 4
// vectors 23.0 GFLOP/s, 8 vectors 26.8, 16 vectors 28-29; AVX2 with 4
// vectors 15.2, 8 vectors 20.7).
constexpr int kDwVectors = kRegs == 32 ? 16 : 8;

// f32_dw_nhwc_row_1x<V>: contract in src/kernels/dw_nhwc_kernels.h.
template <class D>
void DwNhwcRow(const DwNhwcRowArgs& p) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  constexpr int kV = kDwVectors;
  TCONV_DCHECK(p.c >= 1 && p.ow >= 1);
  const int64_t C = p.c;
  const AxisTaps& td = *p.td;
  const AxisTaps& ty = *p.ty;
  const float* xn = static_cast<const float*>(p.x);
  float* yrow = static_cast<float*>(p.y);
  for (int64_t ox = 0; ox < p.ow; ++ox) {
    const AxisTaps& tx = p.tx[ox];
    float* yp = yrow + ox * C;
    int64_t c0 = 0;
    for (; c0 + kV * L <= C; c0 += kV * L) Block<kV>(p, xn, td, ty, tx, c0, yp + c0);
    for (; c0 + 4 * L <= C; c0 += 4 * L) Block<4>(p, xn, td, ty, tx, c0, yp + c0);
    for (; c0 + L <= C; c0 += L) Block<1>(p, xn, td, ty, tx, c0, yp + c0);
    if (c0 < C) Tail(p, xn, td, ty, tx, c0, yp);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_DW_NHWC_INL_H_
