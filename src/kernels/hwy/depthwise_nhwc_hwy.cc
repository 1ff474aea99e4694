// Highway kernel of the channels-last depthwise path (contract in
// src/kernels/depthwise_nhwc_kernels.h). Compiled per target by
// foreach_target and dispatched like the phase kernels, so TCONV_ISA caps it.
#include <cstdint>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/kernels/hwy/depthwise_nhwc_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/kernels/depthwise_nhwc_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Channels [c0, c0 + V*L) of one output pixel: V accumulators from the bias,
// then every tap (jd, jy, jx) reaching the pixel, one FMA per vector.
template <int V>
HWY_INLINE void Block(const DepthwiseNhwcParams& p, const float* HWY_RESTRICT xn, const AxisTaps& td,
                      const AxisTaps& ty, const AxisTaps& tx, int64_t c0, float* HWY_RESTRICT yp) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t C = p.c;
  hn::Vec<decltype(d)> acc[V];
#pragma GCC unroll 16
  for (int v = 0; v < V; ++v) acc[v] = hn::LoadU(d, p.bias.data() + c0 + v * L);
  for (int64_t jd = 0; jd < td.count; ++jd) {
    const int64_t id = td.i0 - jd * p.istep[0], kd = td.k0 + jd * p.kstep[0];
    for (int64_t jy = 0; jy < ty.count; ++jy) {
      const int64_t iy = ty.i0 - jy * p.istep[1], ky = ty.k0 + jy * p.kstep[1];
      const float* xr = xn + (id * p.in[1] + iy) * p.in[2] * C + c0;
      const float* wr = p.w.data() + (kd * p.k[1] + ky) * p.k[2] * C + c0;
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
HWY_INLINE void Tail(const DepthwiseNhwcParams& p, const float* xn, const AxisTaps& td, const AxisTaps& ty,
                     const AxisTaps& tx, int64_t c0, float* yp) {
  const int64_t C = p.c;
  for (int64_t c = c0; c < C; ++c) {
    float acc = p.bias[c];
    for (int64_t jd = 0; jd < td.count; ++jd) {
      const int64_t id = td.i0 - jd * p.istep[0], kd = td.k0 + jd * p.kstep[0];
      for (int64_t jy = 0; jy < ty.count; ++jy) {
        const int64_t iy = ty.i0 - jy * p.istep[1], ky = ty.k0 + jy * p.kstep[1];
        const float* xr = xn + (id * p.in[1] + iy) * p.in[2] * C + c;
        const float* wr = p.w.data() + (kd * p.k[1] + ky) * p.k[2] * C + c;
        for (int64_t jx = 0; jx < tx.count; ++jx) {
          acc += xr[(tx.i0 - jx * p.istep[2]) * C] * wr[(tx.k0 + jx * p.kstep[2]) * C];
        }
      }
    }
    yp[c] = acc;
  }
}

void DepthwiseNhwcRowImpl(const DepthwiseNhwcParams& p, const float* x, float* y, int64_t row) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  // Accumulators per block: as many as the register file holds next to the
  // two operands of each FMA (dw_k4s2 NHWC, 1 thread: AVX-512 with 4
  // vectors 23.0 GFLOP/s, 8 vectors 26.8, 16 vectors 28-29; AVX2 with 4
  // vectors 15.2, 8 vectors 20.7).
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  constexpr int kV = 16;
#else
  constexpr int kV = 8;
#endif
  const int64_t C = p.c;
  const int64_t oy = row % p.out[1], od = (row / p.out[1]) % p.out[0], n = row / (p.out[1] * p.out[0]);
  const AxisTaps& td = p.taps[0][od];
  const AxisTaps& ty = p.taps[1][oy];
  const float* xn = x + n * p.in[0] * p.in[1] * p.in[2] * C;
  float* yrow = y + row * p.out[2] * C;
  for (int64_t ox = 0; ox < p.out[2]; ++ox) {
    const AxisTaps& tx = p.taps[2][ox];
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

#if HWY_ONCE
namespace tconv {
namespace kernels {

HWY_EXPORT(DepthwiseNhwcRowImpl);

void DepthwiseNhwcRow(const DepthwiseNhwcParams& p, const float* x, float* y, int64_t row) {
  HWY_DYNAMIC_DISPATCH(DepthwiseNhwcRowImpl)(p, x, y, row);
}

}  // namespace kernels
}  // namespace tconv
#endif  // HWY_ONCE
