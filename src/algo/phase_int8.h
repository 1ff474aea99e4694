// Internal: `phase` in int8 (PlanOptions::dtype kInt8, tconv/quant.h).
//
// The same sub-pixel decomposition as phase's general path
// (src/algo/phase.cc, src/algo/phase_axes.h) in integers. Run first writes
// x - x_zero_point as int16 into the workspace; the weights are packed once
// per output channel and phase as int16. Two paths:
//   dot  (Cin/g >= 8): x channels last (N, groups, *in, C) with C = Cin/g
//        rounded up to kernels::kInt8ChannelAlign (zeros), then one pixel
//        of zeros; weights [tap][C]. Tasks are output rows of a phase; the
//        kernel i8_phase_dot__<isa> (src/kernels/phase_int8_kernels.h, in
//        the kernel list, dispatched with the TCONV_ISA cap) sums up to 4
//        pixels x every output channel of the group, each tap reading its
//        input pixel or the zero pixel.
//   rows (else; "i8_phase_rows__int32", plain C++): x (N, Cin, *in), weights
//        [channel][tap]; each output row of a phase is a chunk of int32
//        accumulators that gathers every channel and tap (as the f32
//        general path does).
// Products are exact and Plan::Create bounds each sum by kMaxInt8Products,
// so int32 cannot overflow and any order gives the same sum. The sum then
// goes to y through the shared rule of tconv/quant.h: bias added in int64,
// Requantize (or Dequantize) with the channel's multiplier: the integer
// reference's result, bit for bit, at any thread count. Outputs no tap
// reaches get the requantized bias. No VNNI (vpdpbusd / vpdpwssd) kernel
// yet: the dot kernel uses Highway's int16 ReorderWidenMulAccumulate
// (vpmaddwd at AVX-512).
#ifndef TCONV_SRC_ALGO_PHASE_INT8_H_
#define TCONV_SRC_ALGO_PHASE_INT8_H_

#include <memory>

#include "src/algo/algorithm.h"

namespace tconv {

// in.w: int8 (Cin, Cout/g, *k); in.bias: int32 (Cout) or absent;
// in.quant: validated. Never declines.
std::unique_ptr<PreparedAlgo> PreparePhaseInt8(const PrepareInput& in);

// Cin/g from which the dot path runs, and the channels it stores per
// pixel (Cin/g, or rounded up to kernels::kInt8ChannelAlign).
constexpr int64_t kInt8DotMinChannels = 8;
int64_t InputChannelsStored(const Geom3& g);

// Its costs: the useful multiply-adds, x - x_zero_point as int16 in the
// workspace, the weights as int16.
AlgoCost PhaseInt8Cost(const Geom3& g);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_INT8_H_
