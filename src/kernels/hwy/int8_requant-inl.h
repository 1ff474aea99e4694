// i8_requant (contract: Int8RequantArgs in src/kernels/phase_int8_kernels.h):
// an output plane of integer sums (f32 or int32) to y, in double on vectors of
// Lanes(double): the steps of tconv/quant.h's Requantize (clamp near the
// range, round to nearest even, add the zero point, clamp to the type), all
// exact in double, so the bits are Requantize's.
// Highway's per-target include guard.
#if defined(TCONV_SRC_KERNELS_HWY_INT8_REQUANT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_INT8_REQUANT_INL_H_
#undef TCONV_SRC_KERNELS_HWY_INT8_REQUANT_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_INT8_REQUANT_INL_H_
#endif

#include <algorithm>
#include <cstdint>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/phase_int8_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// i8_requant: contract in phase_int8_kernels.h.
template <class D>
void Int8RequantRow(const Int8RequantArgs& a) {
  TCONV_DCHECK(a.n >= 0 && (a.acc != nullptr) != (a.acc_i32 != nullptr) && a.y);
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const hn::Rebind<int32_t, decltype(dd)> di;
  const int64_t N = static_cast<int64_t>(hn::Lanes(dd));
  const auto bias = hn::Set(dd, a.bias), mult = hn::Set(dd, a.mult);
  const bool f32 = a.y_type == Int8Out::kF32;
  const double zp = a.y_zero_point;
  const auto vlo = hn::Set(dd, a.y_min - zp - 2.0), vhi = hn::Set(dd, a.y_max - zp + 2.0);
  const auto zpv = hn::Set(dd, zp), ylo = hn::Set(dd, a.y_min), yhi = hn::Set(dd, a.y_max);
  // Blocks of int32 results, narrowed to bytes by a plain loop; the tail
  // (n % kBlock) goes through the same vectors from a zero-padded copy.
  constexpr int64_t kBlock = 256;  // a multiple of N
  alignas(64) int32_t q[kBlock];
  alignas(64) float tail[kBlock], q_f[kBlock];
  alignas(64) int32_t tail_i32[kBlock];
  for (int64_t i = 0; i < a.n; i += kBlock) {
    const int64_t len = std::min(kBlock, a.n - i);
    const float* acc = a.acc ? a.acc + i : nullptr;
    const int32_t* acc_i32 = a.acc_i32 ? a.acc_i32 + i : nullptr;
    if (len < kBlock && acc) {
      std::fill(std::copy(acc, acc + len, tail), tail + kBlock, 0.0f);
      acc = tail;
    } else if (len < kBlock) {
      std::fill(std::copy(acc_i32, acc_i32 + len, tail_i32), tail_i32 + kBlock, 0);
      acc_i32 = tail_i32;
    }
    for (int64_t j = 0; j < len; j += N) {
      const auto s = acc ? hn::PromoteTo(dd, hn::LoadU(df, acc + j)) : hn::PromoteTo(dd, hn::LoadU(di, acc_i32 + j));
      const auto v = hn::Mul(hn::Add(s, bias), mult);
      if (f32) {
        hn::Store(hn::DemoteTo(df, v), df, q_f + j);
        continue;
      }
      auto r = hn::Round(hn::Min(hn::Max(v, vlo), vhi));
      r = hn::Min(hn::Max(hn::Add(r, zpv), ylo), yhi);
      hn::Store(hn::DemoteTo(di, r), di, q + j);
    }
    if (f32) {
      std::copy(q_f, q_f + len, static_cast<float*>(a.y) + i);
    } else {
      uint8_t* y = static_cast<uint8_t*>(a.y) + i;
      for (int64_t j = 0; j < len; ++j) y[j] = static_cast<uint8_t>(q[j]);
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_INT8_REQUANT_INL_H_
