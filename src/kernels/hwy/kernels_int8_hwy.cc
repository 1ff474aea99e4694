// The int8 kernels (phase_int8-inl.h, phase_int8_vnni-inl.h,
// int8_requant-inl.h, dw_nhwc_int8-inl.h).
// Compiled once per Highway target (foreach_target); AppendInt8Kernels()
// appends their list lines (src/kernels/list.inc) at the target the
// dispatch chose, so the TCONV_ISA cap applies. The vpdpbusd lines exist
// only at the AVX-512 targets and are appended only on a CPU with
// AVX512_VNNI; every target has the int16 dot kernel and the requantization.
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/kernels/hwy/kernels_int8_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/kernels/hwy/dw_nhwc_int8-inl.h"
#include "src/kernels/hwy/int8_requant-inl.h"
#include "src/kernels/hwy/phase_int8-inl.h"
#include "src/kernels/hwy/phase_int8_vnni-inl.h"
#include "src/kernels/hwy/kernel_info-inl.h"
#include "src/kernels/registry.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {

void AppendInt8KernelsImpl(std::vector<KernelInfo>* out) {
  using Tag = hn::ScalableTag<float>;
#define TCONV_KERNEL_IF_kPhaseInt8Dot(entry) entry
#define TCONV_KERNEL_IF_kInt8Requant(entry) entry
#define TCONV_KERNEL_IF_kDwNhwcRowInt8(entry) entry
#if TCONV_INT8_VNNI
  const bool vnni = CpuHasVnni();
#define TCONV_KERNEL_IF_kPhaseInt8Vnni(entry) \
  if (vnni) {                                 \
    entry                                     \
  }
#endif
#include "src/kernels/hwy/list_select.h"
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace tconv {
namespace kernels {

HWY_EXPORT(AppendInt8KernelsImpl);

void AppendInt8Kernels(std::vector<KernelInfo>* out) { HWY_DYNAMIC_DISPATCH(AppendInt8KernelsImpl)(out); }

}  // namespace kernels
}  // namespace tconv
#endif  // HWY_ONCE
