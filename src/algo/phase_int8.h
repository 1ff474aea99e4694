// Internal: `phase` in int8 (PlanOptions::dtype kInt8, tconv/quant.h).
//
// The same sub-pixel decomposition as phase's general path
// (src/algo/phase.cc, src/algo/phase_axes.h) in integers: Run first writes
// x - x_zero_point as int16 into the workspace (N, Cin, *in); the weights
// are packed once per output channel and phase as int16 (Cout, [phase
// (Cin/g, taps)]). Each output row of a phase is a chunk of int32
// accumulators that starts at 0 and gathers every input channel and tap
// in a fixed order (int16 x int16 products, exact; Plan::Create bounds the
// sum by kMaxInt8Products so int32 cannot overflow), then goes to y through
// the shared rule of tconv/quant.h: bias added in int64, Requantize (or
// Dequantize) with the channel's multiplier. The result is therefore the
// integer reference's, bit for bit, at any thread count. Outputs no tap
// reaches get the requantized bias. Scalar C++ loops (the compiler
// vectorizes the int32 multiply-adds); no VNNI kernel yet.
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
