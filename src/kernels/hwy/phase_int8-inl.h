// The int8 phase kernel (contract: src/kernels/phase_int8_kernels.h):
// i8_phase_dot__<isa>: int16 pairs multiplied and added into int32 lanes
// (Highway's ReorderWidenMulAccumulate: pmaddwd / vpmaddwd on x86), a tile
// of up to 4 pixels x 4 output channels sharing its loads, lanes summed at
// the end.
// Highway's per-target include guard.
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_INT8_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_INT8_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_INT8_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_INT8_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/phase_int8_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// P pixels x C channels starting at channel co.
template <int P, int C>
HWY_INLINE void Int8DotTile(const Int8DotArgs& a, int64_t co) {
  const hn::ScalableTag<int32_t> d32;
#if HWY_TARGET == HWY_SCALAR
  const hn::Rebind<int16_t, decltype(d32)> d16;  // one int16 lane (scalar's RWMA takes Vec1 pairs)
#else
  const hn::Repartition<int16_t, decltype(d32)> d16;  // twice the lanes: pairs per int32 lane
#endif
  using V32 = hn::Vec<decltype(d32)>;
  const int64_t n16 = static_cast<int64_t>(hn::Lanes(d16));
  V32 acc0[P][C], acc1[P][C];
  for (int p = 0; p < P; ++p)
    for (int c = 0; c < C; ++c) acc0[p][c] = acc1[p][c] = hn::Zero(d32);
  for (int64_t t = 0; t < a.ntaps; ++t) {
    const int16_t* xs[P];
    for (int p = 0; p < P; ++p) xs[p] = a.x + a.x_off[p * a.ntaps + t];
    const int16_t* ws = a.w + co * a.w_co_stride + t * a.cin;
    for (int64_t i = 0; i < a.cin; i += n16) {
      hn::Vec<decltype(d16)> wv[C];
      for (int c = 0; c < C; ++c) wv[c] = hn::LoadU(d16, ws + c * a.w_co_stride + i);
      for (int p = 0; p < P; ++p) {
        const auto xv = hn::LoadU(d16, xs[p] + i);
        for (int c = 0; c < C; ++c) acc0[p][c] = hn::ReorderWidenMulAccumulate(d32, xv, wv[c], acc0[p][c], acc1[p][c]);
      }
    }
  }
  for (int p = 0; p < P; ++p)
    for (int c = 0; c < C; ++c) {
      a.acc[p * a.nco + co + c] = hn::GetLane(hn::SumOfLanes(d32, hn::Add(acc0[p][c], acc1[p][c])));
    }
}

template <int P>
HWY_INLINE void Int8DotPixels(const Int8DotArgs& a) {
  int64_t co = 0;
  for (; co + 4 <= a.nco; co += 4) Int8DotTile<P, 4>(a, co);
  for (; co < a.nco; ++co) Int8DotTile<P, 1>(a, co);
}

// i8_phase_dot: contract in phase_int8_kernels.h.
template <class D>
void PhaseInt8Dot(const Int8DotArgs& a) {
  TCONV_DCHECK(a.npix >= 1 && a.npix <= kInt8MaxPixels && a.nco >= 1 && a.ntaps >= 0);
  TCONV_DCHECK(a.cin % kInt8ChannelAlign == 0);
  switch (a.npix) {
    case 1: return Int8DotPixels<1>(a);
    case 2: return Int8DotPixels<2>(a);
    case 3: return Int8DotPixels<3>(a);
    default: return Int8DotPixels<4>(a);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_INT8_INL_H_
