// Internal: `phase` in int8 (PlanOptions::dtype kInt8, tconv/quant.h).
//
// The same sub-pixel decomposition as phase's other paths
// (src/algo/phase.cc, src/algo/phase_axes.h) in integers, by one of three
// routes (PhaseTuning::int8_compute; auto takes the first that applies):
//   lanes (Cout/g >= kInt8LanesMinCout on a CPU with AVX512_VNNI; file
//        phase_int8_lanes.cc): the bf16 path's plan (src/algo/phase_lanes.h)
//        with quads of bytes: Run pads x once into channels-last quads
//        shifted to unsigned (pads: the shifted zero point zs), weights
//        [tap][quad][output channels] as s8; the kernels
//        i8_phase_vnni_<P>x<V> (vpdpbusd: output channels in the lanes)
//        start each sum at -zs * (the phase's weight sum), so pads add
//        nothing and the int32 sum, wrapped or not on the way, ends exact;
//        they requantize in the registers (double, the rule of quant.h).
//        The one route that reads and writes channels last (NHWC) itself:
//        x's channel quads are copied, y's channels stored as vectors.
//        On a CPU with AMX-INT8 the route runs i8_phase_amx_32x32 where
//        Int8AmxPays, whatever Cout/g (TDPBUSD tiles, src/kernels/amx/; the quads padded to
//        a multiple of 16, each phase whole with every tap: the pads hold
//        zs, which the init cancels), with the same epilogue.
//   widened (Cin/g x the most taps of an output <= kInt8WidenMaxProducts;
//        file phase_int8_widened.cc): x - x_zero_point and the weights in
//        f32 through phase's f32 path, whose sums are then exact integers,
//        and the kernel i8_requant per output plane.
//   int16 (else): Run first writes x - x_zero_point as int16 into the
//        workspace; the weights are packed once per output channel and
//        phase as int16; two paths:
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
// reaches get the requantized bias. The dot kernel uses Highway's int16
// ReorderWidenMulAccumulate (vpmaddwd at AVX-512, pmaddwd at AVX2).
// PhaseTuning::kernel forces one kernel and with it its route (an f32
// kernel or i8_requant: widened; the dot kernel needs Cin/g >=
// kInt8DotMinChannels).
#ifndef TCONV_SRC_ALGO_PHASE_INT8_H_
#define TCONV_SRC_ALGO_PHASE_INT8_H_

#include <memory>
#include <string>

#include "src/algo/algorithm.h"

namespace tconv {
namespace kernels {
struct KernelInfo;
}  // namespace kernels

// in.w: int8 (Cin, Cout/g, *k); in.bias: int32 (Cout) or absent;
// in.quant: validated. Declines (nullptr and *why) only a forced kernel
// that cannot run the geometry. prepare_f32 / cost_f32: phase's f32 path,
// for the widened route.
std::unique_ptr<PreparedAlgo> PreparePhaseInt8(const PrepareInput& in, PrepareF32 prepare_f32, CostF32 cost_f32,
                                               std::string* why);

// The lanes path: its kernel for g (nullptr without VNNI, and below
// kInt8LanesMinCout unless any_cout), its costs (false where its padded input would be too
// large), and the plan (nullptr and *why then).
constexpr int64_t kInt8LanesMinCout = 16;
const kernels::KernelInfo* Int8LanesKernel(const Geom3& g, bool any_cout = false);
// Where the AMX kernel (i8_phase_amx, listed on CPUs with AMX-INT8) runs
// the lanes route, any Cout/g: Cin/g >= kInt8AmxMinCin.
constexpr int64_t kInt8AmxMinCin = 16;
bool Int8AmxPays(const Geom3& g);
bool Int8LanesCost(const Geom3& g, const kernels::KernelInfo* k, AlgoCost* cost);
// channels_last: x (N, *in, Cin) and y (N, *out, Cout) (Layout::kNHWC),
// read and written in place.
std::unique_ptr<PreparedAlgo> PreparePhaseInt8Lanes(const PrepareInput& in, const kernels::KernelInfo* k,
                                                    std::string* why, bool channels_last = false);
// An int8 plan in Layout::kNHWC: the lanes route, channels last, where the
// tuning (or auto) takes it; else nullptr (the plan then converts x and y
// around PreparePhaseInt8).
std::unique_ptr<PreparedAlgo> PreparePhaseInt8ChannelsLast(const PrepareInput& in);
// Depthwise layers (one input and one output channel per group) channels
// last: the kernel i8_dw_vnni_windows where it is listed and runs the
// layer (PrepareDepthwiseInt8Windows), else i8_dw_nhwc_row, each output
// summing only its taps (depthwise_nhwc_int8.cc); nullptr and *why for
// other layers, and where more than kInt8WidenMaxProducts taps reach an
// output (its sums are f32). A kernel named by in.tuning is the only one
// tried.
std::unique_ptr<PreparedAlgo> PrepareDepthwiseInt8ChannelsLast(const PrepareInput& in, std::string* why);
// The windows kernel (depthwise_windows_int8.cc): 2-D depthwise layers
// with k <= 2 s and dilation 1 per axis, u8 or s8 y, biases below about
// 2^31 - 2^18, x and y channels last or (where planes_to_words is listed)
// channels first; nullptr and *why elsewhere and without AVX512_VNNI.
std::unique_ptr<PreparedAlgo> PrepareDepthwiseInt8Windows(const PrepareInput& in, bool channels_last,
                                                         std::string* why);

// Cin/g from which the dot path runs, and the channels it stores per
// pixel (Cin/g, or rounded up to kernels::kInt8ChannelAlign).
constexpr int64_t kInt8DotMinChannels = 8;
int64_t InputChannelsStored(const Geom3& g);

// The widened route (phase_int8_widened.cc): exact while every partial sum
// stays an integer below 2^24 (f32's exact integers): Cin/g x the most taps
// an output has, times 255 x 128, at most 2^24 - 1.
constexpr int64_t kInt8WidenMaxProducts = ((int64_t{1} << 24) - 1) / (255 * 128);
int64_t Int8ProductsPerOutput(const Geom3& g);
bool Int8WidenIsExact(const Geom3& g);
std::unique_ptr<PreparedAlgo> PreparePhaseInt8Widened(const PrepareInput& in, PrepareF32 prepare_f32,
                                                      CostF32 cost_f32, std::string* why);

// The costs of the path PreparePhaseInt8 takes without tuning: the lanes
// path's, else the widened route's (*exact false: phase's f32 formula plus
// x and y in f32), else PhaseInt16Cost.
AlgoCost PhaseInt8Cost(const Geom3& g, CostF32 cost_f32, bool* exact = nullptr);
// The dot and rows paths' costs: the useful multiply-adds, x -
// x_zero_point as int16 in the workspace, the weights as int16.
AlgoCost PhaseInt16Cost(const Geom3& g);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_INT8_H_
