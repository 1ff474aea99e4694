// The bf16 phase kernels (phase_bf16-inl.h). Compiled once per Highway
// target (foreach_target); AppendBf16Kernels() appends their list lines
// (src/kernels/list.inc) at the target the dispatch chose, so the TCONV_ISA
// cap applies. The vdpbf16ps lines are appended only at an AVX-512 target
// on a CPU with AVX512_BF16; every target has the widening ones.
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/kernels/hwy/kernels_bf16_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/kernels/hwy/phase_bf16-inl.h"
#include "src/kernels/hwy/kernel_info-inl.h"
#include "src/kernels/registry.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {

void AppendBf16KernelsImpl(std::vector<KernelInfo>* out) {
  using Tag = hn::ScalableTag<float>;
  const bool dp = CpuHasDpBf16();
#define TCONV_KERNEL_IF_kPhaseBf16Dp(entry) \
  if (dp) {                                 \
    entry                                   \
  }
#define TCONV_KERNEL_IF_kPhaseBf16Widen(entry) entry
#define TCONV_KERNEL_IF_kBf16Round(entry) entry
#include "src/kernels/hwy/list_select.h"
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace tconv {
namespace kernels {

HWY_EXPORT(AppendBf16KernelsImpl);

void AppendBf16Kernels(std::vector<KernelInfo>* out) { HWY_DYNAMIC_DISPATCH(AppendBf16KernelsImpl)(out); }

}  // namespace kernels
}  // namespace tconv
#endif  // HWY_ONCE
