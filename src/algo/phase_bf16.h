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
#ifndef TCONV_SRC_ALGO_PHASE_BF16_H_
#define TCONV_SRC_ALGO_PHASE_BF16_H_

#include <memory>
#include <string>

#include "src/algo/algorithm.h"

namespace tconv {

// in.w: bf16 (Cin, Cout/g, *k); in.bias: f32 (Cout) or absent. nullptr and
// *why when the geometry or a forced kernel (in.tuning.kernel) cannot run.
std::unique_ptr<PreparedAlgo> PreparePhaseBf16(const PrepareInput& in, std::string* why);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_BF16_H_
