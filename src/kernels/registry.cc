// Kernel lookup over the active target's list (registry.h). The kernel
// families compile in their own translation units
// (src/kernels/hwy/kernels_*_hwy.cc), each appending its lines of list.inc
// at the chosen target; the table merges them back into list order once per
// target.
#include "src/kernels/registry.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "src/dispatch/cpu.h"
#include "src/kernels/amx_kernels.h"
#include "src/kernels/dw_windows.h"
#include "src/kernels/planes_to_words.h"

namespace tconv {
namespace kernels {

// Defined by the family translation units, each dispatching to the chosen
// target.
void AppendPixelKernels(std::vector<KernelInfo>* out);
void AppendDirectKernels(std::vector<KernelInfo>* out);
void AppendShiftKernels(std::vector<KernelInfo>* out);
void AppendOtherKernels(std::vector<KernelInfo>* out);
void AppendBf16Kernels(std::vector<KernelInfo>* out);
void AppendInt8Kernels(std::vector<KernelInfo>* out);

namespace {

// The AMX kernels, not Highway's (src/kernels/amx/): at the AVX-512
// targets (the cap below them drops them) on a CPU with AMX-BF16 / AMX-INT8
// whose OS granted the tile state. First in the list: where a planner asks
// for one, it is the preferred kernel.
void AppendAmxKernels(int64_t target, std::vector<KernelInfo>* out) {
#if TCONV_HAVE_AMX_KERNELS
  const std::string isa = dispatch::IsaName(dispatch::Isa{target});  // the table's
  if (isa.rfind("avx512", 0) != 0 || !(dispatch::CpuHasAmxBf16() || dispatch::CpuHasAmxInt8()) ||
      !AmxTilesPermitted())
    return;
  auto add = [&](const char* name, KernelOp op, DType dtype, AnyKernelFn fn) {
    KernelInfo k;
    k.name = std::string(name) + "_" + KernelOpName(op, 0, 0) + "_32x32__" + isa;  // 2 x 2 tiles of 16 x 16
    k.op = op;
    k.dtype = dtype;
    k.cout_block = static_cast<int>(kAmxCoutBlock / 16);  // vectors of 16 lanes, as the lanes lines count
    k.lanes = 16;
    k.list_line = 0;
    k.fn = fn;
    out->push_back(k);
  };
  if (dispatch::CpuHasAmxBf16()) {
    add("bf16", KernelOp::kPhaseBf16Amx, DType::kBF16, reinterpret_cast<AnyKernelFn>(PhaseBf16AmxKernel()));
    add("bf16", KernelOp::kGemmBf16Amx, DType::kBF16, reinterpret_cast<AnyKernelFn>(GemmBf16AmxKernel()));
  }
  if (dispatch::CpuHasAmxInt8())
    add("i8", KernelOp::kPhaseInt8Amx, DType::kI8, reinterpret_cast<AnyKernelFn>(PhaseInt8AmxKernel()));
#else
  (void)target, (void)out;
#endif
}

// The AVX-512 helpers in plain intrinsics (src/kernels/avx512/), at the
// AVX-512 targets (the depthwise windows kernels where the CPU has VNNI,
// BF16).
void AppendAvx512Helpers(int64_t target, std::vector<KernelInfo>* out) {
#if TCONV_HAVE_AVX512_HELPERS
  const std::string isa = dispatch::IsaName(dispatch::Isa{target});
  if (isa.rfind("avx512", 0) != 0) return;
  auto add = [&](const char* name, KernelOp op, DType dtype, AnyKernelFn fn) {
    KernelInfo k;
    k.name = std::string(name) + "_" + KernelOpName(op, 0, 0) + "__" + isa;
    k.op = op;
    k.dtype = dtype;
    k.lanes = 16;
    k.fn = fn;
    out->push_back(k);
  };
  add("bf16", KernelOp::kPlanesToWords, DType::kBF16, reinterpret_cast<AnyKernelFn>(Bf16PlanesToWordsAvx512()));
  add("i8", KernelOp::kPlanesToWords, DType::kI8, reinterpret_cast<AnyKernelFn>(Int8PlanesToWordsAvx512()));
  add("bf16", KernelOp::kWordsToPlanes, DType::kBF16, reinterpret_cast<AnyKernelFn>(Bf16WordsToPlanesAvx512()));
  add("i8", KernelOp::kWordsToPlanes, DType::kI8, reinterpret_cast<AnyKernelFn>(Int8WordsToPlanesAvx512()));
  if (__builtin_cpu_supports("avx512vnni"))
    add("i8", KernelOp::kDwWindowsInt8, DType::kI8, reinterpret_cast<AnyKernelFn>(DwWindowsInt8Avx512Vnni()));
  if (__builtin_cpu_supports("avx512bf16"))
    add("bf16", KernelOp::kDwWindowsBf16, DType::kBF16, reinterpret_cast<AnyKernelFn>(DwWindowsBf16Avx512Bf16()));
#else
  (void)target, (void)out;
#endif
}

}  // namespace

std::string KernelOpName(KernelOp op, int cout_block, int column_phases) {
  const std::string s = "_s" + std::to_string(column_phases);
  switch (op) {
    case KernelOp::kPhasePixels:
      return "phase_pixels";
    case KernelOp::kPhasePixelRows:
      return "phase_pixel_rows";
    case KernelOp::kPhaseAll:
      return "phase_all" + s + "x" + std::to_string(column_phases);
    case KernelOp::kPhaseDirect:
      return "phase_direct" + s;
    case KernelOp::kPhaseDirectRows:
      return "phase_direct_rows" + s;
    case KernelOp::kPhaseDirectCout:
      return "phase_direct_c" + std::to_string(cout_block) + s;
    case KernelOp::kPhaseDirectShifts:
      return "phase_shifts" + s;
    case KernelOp::kPhaseChannels:
      return "phase_channels_c" + std::to_string(cout_block);
    case KernelOp::kPadVolume:
      return "pad_volume";
    case KernelOp::kDwNhwcRow:
      return "dw_nhwc_row";
    case KernelOp::kPhaseBf16Dp:
      return "phase_dpbf16";
    case KernelOp::kPhaseBf16Widen:
      return "phase_widen";
    case KernelOp::kPhaseInt8Dot:
      return "phase_dot";
    case KernelOp::kPhaseInt8Vnni:
      return "phase_vnni";
    case KernelOp::kInt8Requant:
      return "requant";
    case KernelOp::kDwNhwcRowInt8:
      return "dw_nhwc_row";
    case KernelOp::kDwNchwExpand:
      return "dw_nchw_expand";
    case KernelOp::kBf16Round:
      return "round";
    case KernelOp::kPhaseBf16Amx:
    case KernelOp::kPhaseInt8Amx:
      return "phase_amx";
    case KernelOp::kGemmBf16Amx:
      return "gemm_amx";
    case KernelOp::kPlanesToWords:
      return "planes_to_words";
    case KernelOp::kWordsToPlanes:
      return "words_to_planes";
    case KernelOp::kDwWindowsInt8:
      return "dw_vnni_windows";
    case KernelOp::kDwWindowsBf16:
      return "dw_dpbf16_windows";
  }
  return "?";
}

const std::vector<KernelInfo>& ActiveKernels() {
  const int64_t target = dispatch::ActiveIsa().target;  // TCONV_ISA applied first
  static std::mutex mutex;
  static std::map<int64_t, std::vector<KernelInfo>> tables;  // nodes never move
  std::lock_guard<std::mutex> lock(mutex);
  auto it = tables.find(target);
  if (it != tables.end()) return it->second;
  std::vector<KernelInfo> v;
  AppendPixelKernels(&v);
  AppendDirectKernels(&v);
  AppendShiftKernels(&v);
  AppendOtherKernels(&v);
  AppendBf16Kernels(&v);
  AppendInt8Kernels(&v);
  AppendAmxKernels(target, &v);
  AppendAvx512Helpers(target, &v);
  std::stable_sort(v.begin(), v.end(), [](const KernelInfo& a, const KernelInfo& b) { return a.list_line < b.list_line; });
  return tables.emplace(target, std::move(v)).first->second;
}

const KernelInfo* FindKernel(KernelOp op, DType dtype, int cout_block, int column_phases) {
  for (const KernelInfo& k : ActiveKernels()) {
    if (k.op != op || k.dtype != dtype) continue;
    if (cout_block > 0 && k.cout_block != cout_block) continue;
    if (column_phases > 0 && k.column_phases != column_phases) continue;
    return &k;
  }
  return nullptr;
}

const KernelInfo* FindKernelByName(const std::string& name) {
  for (const KernelInfo& k : ActiveKernels()) {
    if (k.name == name) return &k;
    const size_t isa = k.name.rfind("__");
    if (isa != std::string::npos && k.name.compare(0, isa, name) == 0 && name.size() == isa) return &k;
  }
  return nullptr;
}

}  // namespace kernels
}  // namespace tconv
