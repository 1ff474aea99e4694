// Included (no include guard: once per use) inside a per-target function
// of a kernel translation unit (src/kernels/hwy/kernels_*_hwy.cc) that has
// `std::vector<KernelInfo>* out` and `using Tag = ...` in scope and has
// defined TCONV_KERNEL_IF_<op>(entry) for the ops it compiles. Expands every
// line of src/kernels/list.inc: lines of those ops append their KernelInfo
// to *out, the others vanish (their functions live in another translation
// unit, so the families compile in parallel).
#ifndef TCONV_KERNEL_IF_kPhasePixels
#define TCONV_KERNEL_IF_kPhasePixels(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhasePixelRows
#define TCONV_KERNEL_IF_kPhasePixelRows(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseAll
#define TCONV_KERNEL_IF_kPhaseAll(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseDirect
#define TCONV_KERNEL_IF_kPhaseDirect(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseDirectRows
#define TCONV_KERNEL_IF_kPhaseDirectRows(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseDirectCout
#define TCONV_KERNEL_IF_kPhaseDirectCout(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseDirectShifts
#define TCONV_KERNEL_IF_kPhaseDirectShifts(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseChannels
#define TCONV_KERNEL_IF_kPhaseChannels(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPadVolume
#define TCONV_KERNEL_IF_kPadVolume(entry)
#endif
#ifndef TCONV_KERNEL_IF_kDwNhwcRow
#define TCONV_KERNEL_IF_kDwNhwcRow(entry)
#endif
#ifndef TCONV_KERNEL_IF_kDwNchwExpand
#define TCONV_KERNEL_IF_kDwNchwExpand(entry)
#endif

#ifndef TCONV_KERNEL_IF_kPhaseBf16Dp
#define TCONV_KERNEL_IF_kPhaseBf16Dp(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseBf16Widen
#define TCONV_KERNEL_IF_kPhaseBf16Widen(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseInt8Dot
#define TCONV_KERNEL_IF_kPhaseInt8Dot(entry)
#endif
#ifndef TCONV_KERNEL_IF_kPhaseInt8Vnni
#define TCONV_KERNEL_IF_kPhaseInt8Vnni(entry)
#endif
#ifndef TCONV_KERNEL_IF_kInt8Requant
#define TCONV_KERNEL_IF_kInt8Requant(entry)
#endif
#ifndef TCONV_KERNEL_IF_kDwNhwcRowInt8
#define TCONV_KERNEL_IF_kDwNhwcRowInt8(entry)
#endif
#ifndef TCONV_KERNEL_IF_kBf16Round
#define TCONV_KERNEL_IF_kBf16Round(entry)
#endif

#define TCONV_KERNEL(op, dtype, cout_block, column_phases, tile_rows, tile_cols, function)        \
  TCONV_KERNEL_IF_##op(out->push_back(MakeKernelInfo(KernelOp::op, DType::dtype, cout_block,      \
                                                     column_phases, tile_rows, tile_cols,         \
                                                     reinterpret_cast<AnyKernelFn>(&function), __LINE__));)
#include "src/kernels/list.inc"
#undef TCONV_KERNEL

#undef TCONV_KERNEL_IF_kPhasePixels
#undef TCONV_KERNEL_IF_kPhasePixelRows
#undef TCONV_KERNEL_IF_kPhaseAll
#undef TCONV_KERNEL_IF_kPhaseDirect
#undef TCONV_KERNEL_IF_kPhaseDirectRows
#undef TCONV_KERNEL_IF_kPhaseDirectCout
#undef TCONV_KERNEL_IF_kPhaseDirectShifts
#undef TCONV_KERNEL_IF_kPhaseChannels
#undef TCONV_KERNEL_IF_kPadVolume
#undef TCONV_KERNEL_IF_kDwNhwcRow
#undef TCONV_KERNEL_IF_kDwNchwExpand
#undef TCONV_KERNEL_IF_kPhaseBf16Dp
#undef TCONV_KERNEL_IF_kPhaseBf16Widen
#undef TCONV_KERNEL_IF_kPhaseInt8Dot
#undef TCONV_KERNEL_IF_kPhaseInt8Vnni
#undef TCONV_KERNEL_IF_kInt8Requant
#undef TCONV_KERNEL_IF_kDwNhwcRowInt8
#undef TCONV_KERNEL_IF_kBf16Round
