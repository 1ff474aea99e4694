// Internal: `phase` in bf16 (PlanOptions::dtype kBFloat16). The same
// sub-pixel decomposition as the f32 paths (src/algo/phase.cc), with one
// planner and one kernel family (src/kernels/phase_bf16_kernels.h):
//
//   Run pads x once into channels-last pairs of bf16 (workspace): per image
//   and group a zero-padded volume whose pixel holds ceil(Cin/g / 2) uint32,
//   channel 2c in the low half and 2c + 1 in the high half, as vdpbf16ps
//   takes them. Prepare rounds nothing (the plan rounded the weight) and
//   packs it per group, phase and block of output channels as
//   [tap][channel pair][cob] pairs. Each task is a few output rows of one
//   phase (~64 pixels: short rows share tiles); the kernel runs them for
//   every block of output channels, from the bias, over taps and channel
//   pairs in a fixed order: any thread count gives the same bits. Outputs no tap reaches get the bias.
//
// Takes every geometry whose padded input stays within a small multiple of
// the input (huge dilations or pads are declined: `ref` computes bf16 too).
//
// On a CPU with AMX-BF16 (and Linux's permission) the kernel is the AMX
// tiles' (src/kernels/amx/phase_bf16_amx.cc), for which the padded input
// holds a multiple of 16 pairs per pixel (zero pairs past Cin/g).
//
// Where Cout/g is small the dot kernels waste their lanes, and where each
// output sums few products their per-output cost dominates: there phase
// widens to f32 instead
// (PreparePhaseBf16Widened below; the rule is Bf16DotPays).
#ifndef TCONV_SRC_ALGO_PHASE_BF16_H_
#define TCONV_SRC_ALGO_PHASE_BF16_H_

#include <memory>
#include <string>

#include "src/algo/algorithm.h"
#include "src/kernels/phase_bf16_kernels.h"

namespace tconv {

// in.w: bf16 (Cin, Cout/g, *k); in.bias: f32 (Cout) or absent. nullptr and
// *why when the geometry or a forced kernel (in.tuning.kernel) cannot run.
// channels_last: Run reads x and writes y in Layout::kNHWC.
std::unique_ptr<PreparedAlgo> PreparePhaseBf16(const PrepareInput& in, std::string* why, bool channels_last = false);
// Depthwise layers channels last on windows (depthwise_windows_bf16.cc):
// the kernel bf16_dw_dpbf16_windows where the CPU has AVX512_BF16 and the
// layer is 2-D or 1-D with k <= 2 s and dilation 1 per axis
// (DwWindowsRefusal); else nullptr and *why.
std::unique_ptr<PreparedAlgo> PrepareDepthwiseBf16Windows(const PrepareInput& in, std::string* why);

// The list's bf16_round at the plan's ISA (every target lists it): how the
// bf16 paths that compute in f32 round y.
kernels::Bf16RoundFn Bf16RoundKernel();

// The other way to compute a bf16 plan (PhaseTuning::Bf16Compute::kWiden):
// Run widens x to f32 in the workspace, runs the f32 `phase` prepared by
// `prepare_f32` on the widened weights (its SIMD path, which fills the
// lanes with pixels where Cout/g is small), and rounds y to bf16 when y is
// bf16. Its costs: the f32 path's (`cost_f32` when it reports none), plus
// x and y in f32 in the workspace.
std::unique_ptr<PreparedAlgo> PreparePhaseBf16Widened(const PrepareInput& in, PrepareF32 prepare_f32,
                                                      AlgoCost (*cost_f32)(const Geom3&), std::string* why);

// Bf16Compute::kAuto's rule: true where the dot kernels beat widening:
// Cout/g >= kBf16DotMinCout (their lanes hold output channels) and each
// output sums at least kBf16DotMinProducts products (Cin/g x its taps).
constexpr int64_t kBf16DotMinCout = 16;
constexpr int64_t kBf16DotMinProducts = 64;
bool Bf16DotPays(const Geom3& g);
// On a CPU whose kernel list has the AMX kernel (bf16_phase_amx): where it
// beats widening. Bf16DotPays is this rule there.
bool Bf16AmxPays(const Geom3& g);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_BF16_H_
