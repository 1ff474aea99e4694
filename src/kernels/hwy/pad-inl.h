// The per-task padding kernel of the phase algorithm: a task pads its own
// input into a stack buffer (depthwise layers whose volumes fit in L1).
#if defined(TCONV_SRC_KERNELS_HWY_PAD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PAD_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PAD_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PAD_INL_H_
#endif

#include <cstdint>
#include <type_traits>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/hwy/isa-inl.h"
#include "src/kernels/phase_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// f32_pad_volume: contract in src/kernels/phase_kernels.h. Zero the whole
// volume, then copy the input rows, all with inline vector stores: dw_k4s2's
// 32 memcpy calls of 128 bytes plus the border memsets per channel were
// ~20% of its run.
template <class D>
void PadVolume(const PadVolumeArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  TCONV_DCHECK(a.plane % L == 0 && reinterpret_cast<uintptr_t>(a.dst) % (L * sizeof(float)) == 0);
  const float* HWY_RESTRICT src = static_cast<const float*>(a.src);
  float* HWY_RESTRICT dst = static_cast<float*>(a.dst);
  const auto zero = hn::Zero(d);
  for (int64_t i = 0; i < a.plane; i += L) hn::Store(zero, d, dst + i);
  const int64_t in_h = a.in[1], in_w = a.in[2];
  for (int64_t iz = 0; iz < a.in[0]; ++iz) {
    for (int64_t iy = 0; iy < in_h; ++iy) {
      const float* HWY_RESTRICT s = src + (iz * in_h + iy) * in_w;
      float* HWY_RESTRICT t = dst + ((iz + a.pad[0]) * a.hp + a.pad[1] + iy) * a.wp + a.pad[2];
      int64_t i = 0;
      for (; i + L <= in_w; i += L) {
        auto v = hn::LoadU(d, s + i);
        PinVector(v);  // stops GCC from turning the loop back into a memcpy call
        hn::StoreU(v, d, t + i);
      }
      for (; i < in_w; ++i) t[i] = s[i];
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PAD_INL_H_
