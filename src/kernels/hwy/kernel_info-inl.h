// MakeKernelInfo for the kernel translation units (kernels_*_hwy.cc): a
// list line's KernelInfo at the target being compiled, its name built as
// <dtype>_<op>_<tile>__<isa>. Highway's per-target include guard.
#if defined(TCONV_SRC_KERNELS_HWY_KERNEL_INFO_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_KERNEL_INFO_INL_H_
#undef TCONV_SRC_KERNELS_HWY_KERNEL_INFO_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_KERNEL_INFO_INL_H_
#endif

#include <string>

#include "hwy/highway.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

inline KernelInfo MakeKernelInfo(KernelOp op, DType dtype, int cout_block, int column_phases, int tile_rows,
                                 int tile_cols, AnyKernelFn fn, int list_line) {
  KernelInfo k;
  k.op = op;
  k.dtype = dtype;
  k.cout_block = cout_block;
  k.column_phases = column_phases;
  k.lanes = static_cast<int>(hn::Lanes(hn::ScalableTag<float>()));
  k.list_line = list_line;
  k.fn = fn;
  k.name = std::string(DTypeName(dtype)) + "_" + KernelOpName(op, cout_block, column_phases);
  if (tile_rows > 0) k.name += "_" + std::to_string(tile_rows) + "x" + std::to_string(tile_cols);
  k.name += std::string("__") + dispatch::IsaName(dispatch::Isa{HWY_TARGET});
  return k;
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_KERNEL_INFO_INL_H_
