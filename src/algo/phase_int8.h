// Internal: `phase` in int8 (PlanOptions::dtype kInt8, tconv/quant.h).
//
// The same sub-pixel decomposition as phase's general path
// (src/algo/phase.cc, src/algo/phase_axes.h) in integers. Run first writes
// x - x_zero_point as int16 into the workspace; the weights are packed once
// per output channel and phase as int16. Two loop nests:
//   dot  (Cin/g >= 8; kernel() "i8_phase_dot__int32"): x channels last
//        (N, groups, *in, Cin/g), weights [tap][channel]; each output
//        sums, over the taps whose input exists, a dot product of Cin/g
//        int16 pairs (the compiler vectorizes it: pmaddwd on x86).
//   rows (else; "i8_phase_rows__int32"): x (N, Cin, *in), weights
//        [channel][tap]; each output row of a phase is a chunk of int32
//        accumulators that gathers every channel and tap (as the f32
//        general path does).
// Products are exact and Plan::Create bounds each sum by kMaxInt8Products,
// so int32 cannot overflow and any order gives the same sum. The sum then
// goes to y through the shared rule of tconv/quant.h: bias added in int64,
// Requantize (or Dequantize) with the channel's multiplier: the integer
// reference's result, bit for bit, at any thread count. Outputs no tap
// reaches get the requantized bias. Portable C++ (no Highway kernel, no
// VNNI yet): about 0.1x the f32 plan's speed on compute-bound layers.
#ifndef TCONV_SRC_ALGO_PHASE_INT8_H_
#define TCONV_SRC_ALGO_PHASE_INT8_H_

#include <memory>

#include "src/algo/algorithm.h"

namespace tconv {

// in.w: int8 (Cin, Cout/g, *k); in.bias: int32 (Cout) or absent;
// in.quant: validated. Never declines.
std::unique_ptr<PreparedAlgo> PreparePhaseInt8(const PrepareInput& in);

// Its costs: the useful multiply-adds, x - x_zero_point as int16 in the
// workspace, the weights as int16.
AlgoCost PhaseInt8Cost(const Geom3& g);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_INT8_H_
