// The f32 route of the int8 requantization: Requantize's integer
// (tconv/quant.h: RNE(double(s) * m), m the double multiplier) found in
// float where float can prove it, which is nearly everywhere; the caller
// runs its double steps on the vectors where it cannot.
//
// Why it is exact: s is an integer (|s| < 2^31), mf = float(m) a normal
// float (m in [2^-120, 2^60]: relative error <= 2^-24). p = float(s) * mf
// takes at most three roundings of 2^-24 each, so p is within 3.02 * 2^-24
// |p| of the exact s * m, and of its double (2^-53 more). The two ends
// p (1 - 2^-20) and p (1 + 2^-20), each one fma (one more rounding of
// 2^-24), enclose that double. Rounding to nearest even is monotone: where
// both ends round to the same integer, the double rounds to it too. Only
// lanes within about |p| 2^-20 of a half-integer disagree (at |p| <= 256:
// under 1 % of 16-lane vectors); exact ties always do, and go to double.
// p is first clamped to +-2^30 (unless the caller knows it is inside):
// beyond, y saturates either way, and the ends stay inside int32.
// Highway's per-target include guard.
#if defined(TCONV_SRC_KERNELS_HWY_INT8_ROUND_F32_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_INT8_ROUND_F32_INL_H_
#undef TCONV_SRC_KERNELS_HWY_INT8_ROUND_F32_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_INT8_ROUND_F32_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Round to nearest even of lanes below 2^31 in magnitude: on x86 one
// cvtps2dq (the MXCSR's default rounding), without the fixup NearestInt
// adds for lanes out of int32's range (six more instructions per vector).
template <class V>
HWY_INLINE auto RoundInRange(V v) {
  return hn::NearestInt(v);
}
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
HWY_INLINE hn::Vec512<int32_t> RoundInRange(hn::Vec512<float> v) {
  return hn::Vec512<int32_t>{_mm512_cvtps_epi32(v.raw)};
}
#endif
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2
HWY_INLINE hn::Vec256<int32_t> RoundInRange(hn::Vec256<float> v) {
  return hn::Vec256<int32_t>{_mm256_cvtps_epi32(v.raw)};
}
#endif

// RNE(s * m) of each lane into *r; true when proven for every lane (else
// *r is unspecified). s: float(the integer), mf: float(m). clamp false:
// the caller knows every |s * m| < 2^30.
template <class DF, class VF = hn::Vec<DF>, class VI = hn::Vec<hn::RebindToSigned<DF>>>
HWY_INLINE bool Int8RoundF32(DF df, VF s, VF mf, bool clamp, VI* r) {
  const hn::RebindToSigned<DF> di;
  const VF lim = hn::Set(df, 0x1p30f), margin = hn::Set(df, 0x1p-20f);
  VF p = hn::Mul(s, mf);
  if (clamp) p = hn::Min(hn::Max(p, hn::Neg(lim)), lim);
  const VI up = RoundInRange(hn::MulAdd(p, margin, p));
  const VI down = RoundInRange(hn::NegMulAdd(p, margin, p));
  *r = up;
  return hn::AllTrue(di, hn::Eq(up, down));
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_INT8_ROUND_F32_INL_H_
