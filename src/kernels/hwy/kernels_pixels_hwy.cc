// The phase algorithm's pixels-in-lanes kernels (phase_pixels-inl.h,
// phase_all-inl.h).
// Compiled once per Highway target (foreach_target: N_AVX3, N_AVX2, N_SSE4,
// N_SSSE3 and N_SCALAR on x86, N_NEON on arm64); AppendPixelKernels() appends the list
// lines of these kernels (src/kernels/list.inc) at the target the dispatch
// chose, so the TCONV_ISA cap applies (src/kernels/registry.cc merges the
// families in list order).
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/kernels/hwy/kernels_pixels_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/kernels/hwy/phase_pixels-inl.h"
#include "src/kernels/hwy/phase_all-inl.h"
#include "src/kernels/hwy/kernel_info-inl.h"
#include "src/kernels/registry.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {

void AppendPixelKernelsImpl(std::vector<KernelInfo>* out) {
  using Tag = hn::ScalableTag<float>;
#define TCONV_KERNEL_IF_kPhasePixels(entry) entry
#define TCONV_KERNEL_IF_kPhasePixelRows(entry) entry
#define TCONV_KERNEL_IF_kPhaseAll(entry) entry
#include "src/kernels/hwy/list_select.h"
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace tconv {
namespace kernels {

HWY_EXPORT(AppendPixelKernelsImpl);

void AppendPixelKernels(std::vector<KernelInfo>* out) { HWY_DYNAMIC_DISPATCH(AppendPixelKernelsImpl)(out); }

}  // namespace kernels
}  // namespace tconv
#endif  // HWY_ONCE
