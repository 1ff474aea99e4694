// Tuning of the `phase` algorithm's SIMD path: a typed replacement for
// environment knobs. It applies when the plan runs phase (PlanOptions::algo
// "phase", or auto's choice). Every field forces or disables one choice its planner
// makes by itself; the defaults are the planner's own choices. No setting
// changes a result (every path is exact and bitwise equal to the others);
// only speed and workspace change. Tests use these to run every path on
// small shapes, and measurements use them for A/B runs.
//
//   tconv::PlanOptions opts;
//   opts.phase.mode = tconv::PhaseTuning::Mode::kChannels;
//   opts.phase.kernel = "f32_phase_pixels_4x6";   // a name from PhaseKernelNames()
#ifndef TCONV_TUNING_H_
#define TCONV_TUNING_H_

#include <string>

namespace tconv {

struct PhaseTuning {
  // Which kernel family runs the tasks (docs/ALGORITHMS.md, "phase"):
  // pixels in the vector lanes, output channels in the lanes, or the direct
  // kernels (all column phases of a row at once). A family that cannot take
  // the geometry (direct needs a stride along x of at most 4 and one output
  // channel per group or column phases with the same taps) leaves the choice
  // to the planner.
  enum class Mode { kAuto, kPixels, kChannels, kDirect };
  Mode mode = Mode::kAuto;

  // Task order of the pixel and direct modes: flat blocks of the input
  // innermost (a weight panel stays in cache) or Cout blocks innermost (a
  // block of input stays in cache).
  enum class TaskOrder { kAuto, kBlocksInner, kCoutInner };
  TaskOrder task_order = TaskOrder::kAuto;

  // false disables, where the planner would take it:
  bool row_reuse = true;         // the row-reuse kernels (undilated taps)
  bool local_pad = true;         // a task pads its own input on the stack
  bool read_x_in_place = true;   // tasks read x itself, no padded copy
  bool batch_interleave = true;  // channels mode, N >= 4: images interleaved
  bool stage_y = true;           // channels mode, NCHW y: staged channels last
  bool row_split_pad = true;     // one image: the pad pass split by rows
  bool private_pad = true;       // threads reading all of a small input: a padded copy each
  bool dw_nchw = true;           // depthwise NCHW: the expanded-row kernel f32_dw_nchw_expand
  bool all_phases = true;        // Cout 2-3, k 4 s 2 x 2: every phase at once (f32_phase_all_s2x2)
  bool l2_blocks = true;         // pixel mode: blocks whose input stays in L2 (about 1 MiB)

  // bf16 plans only (PlanOptions::dtype kBFloat16): how phase computes.
  //   kDot:    the bf16 kernels: pairs of input channels per f32 lane
  //            (vdpbf16ps), output channels in the lanes.
  //   kWiden:  x and the bf16-rounded weights widened to f32 (exactly: every
  //            bf16 value is an f32 value) and phase's f32 path run on them;
  //            y rounded to bf16 when it is bf16.
  //   kAuto:   kDot where Cout/groups fills a vector's 16 lanes and each
  //            output sums >= 64 products (Cin/groups x its taps), else
  //            kWiden (docs/ALGORITHMS.md, "bf16"); but depthwise layers
  //            channels last with k <= 2 s and dilation 1 run on windows
  //            (bf16_dw_dpbf16_windows, AVX512_BF16) under kAuto only.
  // Unlike the switches above, the two give results that may differ in
  // the last bits (the f32 sums are added in another order); both are
  // within the f32 accumulation bound of the reference on bf16 inputs.
  // A named `kernel` decides by its element type (kAuto) or must agree.
  // gemm_col2im in bf16 reads it too: kWiden widens, kDot asks for its AMX
  // tiles (declined where they do not run), and a named `kernel` (phase's)
  // makes it decline, so `auto` goes on to phase.
  enum class Bf16Compute { kAuto, kDot, kWiden };
  Bf16Compute bf16_compute = Bf16Compute::kAuto;

  // int8 plans only (PlanOptions::dtype kInt8): how phase computes. Every
  // route gives the integer reference's bits.
  //   kLanes:  output channels in the lanes, four u8 x s8 products per lane
  //            and instruction (vpdpbusd): CPUs with AVX512_VNNI only.
  //   kWiden:  x - x_zero_point and the weights widened to f32 and phase's
  //            f32 path run on them: exact only while every sum stays below
  //            2^24, i.e. Cin/groups x the taps of an output <= 514 (a
  //            larger layer is refused).
  //   kInt16:  x - x_zero_point and the weights as int16, summed in int32
  //            (the dot kernel where Cin/groups >= 8, else plain loops).
  //   kAuto:   kLanes where Cout/groups >= 16 and the CPU has VNNI, else
  //            kWiden where exact, else kInt16 (docs/ALGORITHMS.md, "int8");
  //            depthwise layers with k <= 2 s, dilation 1 and int8 y on
  //            windows first (i8_dw_vnni_windows, AVX512_VNNI), and channels
  //            last the row kernel i8_dw_nhwc_row before the routes.
  // A named `kernel` decides the route by itself (kAuto) or must agree.
  enum class Int8Compute { kAuto, kLanes, kWiden, kInt16 };
  Int8Compute int8_compute = Int8Compute::kAuto;

  // A kernel from PhaseKernelNames() (with or without its __<isa> suffix):
  // the plan runs it or fails with the reason it cannot. Empty: the
  // planner's choice.
  std::string kernel;
};

}  // namespace tconv

#endif  // TCONV_TUNING_H_
