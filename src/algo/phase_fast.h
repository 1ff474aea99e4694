// Internal seam between the general `phase` algorithm (src/algo/phase.cc)
// and its SIMD path (src/algo/phase_fast/: the planner and runner of the
// kernels in src/kernels/). PreparePhaseFast returns nullptr, with a reason
// in *why, for geometries the SIMD path does not take; the general phase
// code then runs them.
#ifndef TCONV_SRC_ALGO_PHASE_FAST_H_
#define TCONV_SRC_ALGO_PHASE_FAST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/algorithm.h"
#include "src/kernels/phase_kernels.h"

namespace tconv {

// Largest stride on the last axis the SIMD path takes.
constexpr int64_t kMaxLastAxisStride = kernels::kMaxColumnPhases;

// The most bytes all threads' private padded copies of the input may take
// together (src/algo/phase_fast/pad.cc, PrivateInputCopies).
constexpr int64_t kPhasePrivateCopiesMaxBytes = int64_t{8} << 20;

// What the `auto` cost model (src/cost_model.cc) needs to know about the
// SIMD path on g, without packing anything.
struct PhaseFastProfile {
  bool takes = false;            // PreparePhaseFast accepts g
  int64_t macs = 0;              // multiply-adds it executes (padding taps it skips not counted)
  double lane_efficiency = 1.0;  // useful fraction of the vector lanes
  // Column phases that share each input load: s[2] where the shifts kernel
  // runs the layer (ShiftsKernel in plan.h), else 1.
  int64_t shared_columns = 1;
  // Upper bound of the workspace PreparePhaseFast would report (padded
  // input of every mode, plus a staged y), saturating at INT64_MAX: what a
  // plan may need, known without packing (tconv explain on large layers).
  int64_t workspace_bound = 0;
};
PhaseFastProfile ProfilePhaseFast(const Geom3& g);

// channels_last: Run reads x as (N, *in, Cin), transposing it straight
// into the padded input it builds anyway (no separate NCHW copy). The pixel
// and channels modes also write y as (N, *out, Cout); the direct kernels
// write y (N, Cout, *out) (WritesChannelsLast() says which). Declined with
// per-task padding (its stack buffer is filled from NCHW volumes).
// Costs: PreparedAlgo::ActualCost.
std::unique_ptr<PreparedAlgo> PreparePhaseFast(const PrepareInput& in, std::string* why, bool channels_last = false);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_FAST_H_
