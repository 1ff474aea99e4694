// The kernel list: every kernel tconv has, one line each in
// src/kernels/list.inc, compiled once per Highway target. Planners find
// their kernels here (dispatch), kernels_test.cc runs every entry, and `tconv
// bench --kernel all` times them: one list drives all three.
//
// Kernels are named as XNNPACK names its microkernels,
// <dtype>_<op>_<tile>__<isa>: f32_phase_pixels_8x3__avx512 computes f32,
// the phase algorithm's pixels-in-lanes op, an 8 x 3 register tile, at the
// avx512 target. The ISA suffix is the target's name in src/dispatch/cpu.h.
#ifndef TCONV_SRC_KERNELS_REGISTRY_H_
#define TCONV_SRC_KERNELS_REGISTRY_H_

#include <string>
#include <vector>

#include "src/base/dtype.h"

namespace tconv {
namespace kernels {

// What a kernel computes; each op has one argument struct and function type.
enum class KernelOp : uint8_t {
  kPhasePixels,       // PhaseTaskFn      (phase_kernels.h)
  kPhasePixelRows,    // PhaseTaskFn
  kPhaseAll,          // PhaseTaskFn      (strides column_phases along y and x)
  kPhaseDirect,       // PhaseTaskFn
  kPhaseDirectRows,   // PhaseTaskFn
  kPhaseDirectCout,   // PhaseTaskFn
  kPhaseDirectShifts, // PhaseTaskFn
  kPhaseChannels,     // PhaseChannelsFn
  kPadVolume,         // PadVolumeFn
  kDwNhwcRow,         // DwNhwcRowFn      (dw_nhwc_kernels.h)
  kPhaseBf16Dp,       // Bf16RowFn        (phase_bf16_kernels.h), vdpbf16ps
  kPhaseBf16Widen,    // Bf16RowFn        widened to f32, any target
  kPhaseInt8Dot,      // Int8DotFn        (phase_int8_kernels.h)
  kPhaseInt8Vnni,     // Int8RowFn        (phase_int8_kernels.h), vpdpbusd
  kInt8Requant,       // Int8RequantFn    (phase_int8_kernels.h)
  kDwNhwcRowInt8,     // DwNhwcInt8Fn     (dw_nhwc_kernels.h)
  kDwNchwExpand,      // DwNchwExpandFn   (dw_nchw_kernels.h)
  kBf16Round,         // Bf16RoundFn      (phase_bf16_kernels.h)
  kPhaseBf16Amx,      // Bf16RowFn        AMX tiles (amx_kernels.h), x86-64
  kPhaseInt8Amx,      // Int8RowFn        AMX tiles (amx_kernels.h), x86-64
  kGemmBf16Amx,       // Bf16GemmFn       AMX tiles (amx_kernels.h), x86-64: gemm_col2im's
  kPlanesToWords,     // PlanesToWordsFn  (planes_to_words.h), AVX-512 targets on x86-64
  kWordsToPlanes,     // WordsToPlanesFn  (planes_to_words.h), its inverse
  kDwWindowsInt8,     // DwWindowsInt8Fn  (dw_windows.h), AVX-512 VNNI on x86-64
  kDwWindowsBf16,     // DwWindowsBf16Fn  (dw_windows.h), AVX512_BF16 on x86-64
};
// The op part of a kernel name: "phase_pixels", "phase_direct_rows_s2", ...
// (column_phases and cout_block fill in the s<SX> and c<CB> where the op
// has them).
std::string KernelOpName(KernelOp op, int cout_block, int column_phases);

// Any function pointer; KernelInfo::As casts it back to the op's type.
using AnyKernelFn = void (*)();

struct KernelInfo {
  std::string name;        // f32_phase_pixels_8x3__avx512
  KernelOp op;
  DType dtype;             // element type of x, w and y
  int cout_block = 0;      // output channels per call (0: not blocked; bf16 and vnni ops: vectors of them)
  int column_phases = 0;   // the stride along x it takes (0: any)
  int lanes = 1;           // vector lanes at its target
  int list_line = 0;       // its line in list.inc: the preference order
  AnyKernelFn fn = nullptr;

  template <class Fn>
  Fn As() const {
    return reinterpret_cast<Fn>(fn);
  }
};

// The kernels of the target the dispatch chose (TCONV_ISA applied, see
// src/dispatch/cpu.h), in list order.
const std::vector<KernelInfo>& ActiveKernels();
// The first kernel of ActiveKernels() with op and dtype, and cout_block /
// column_phases when those are > 0; nullptr when there is none.
const KernelInfo* FindKernel(KernelOp op, DType dtype, int cout_block = 0, int column_phases = 0);
// The kernel of ActiveKernels() named `name`, with or without its __<isa>
// suffix; nullptr when there is none.
const KernelInfo* FindKernelByName(const std::string& name);

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_REGISTRY_H_
