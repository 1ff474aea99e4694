// Internal: the plan of phase's SIMD path, what PreparePhaseFast decides for
// one geometry and what its Run reads: the phase tables, the packed weights,
// the tasks and the kernels (src/kernels/phase_kernels.h has the
// decomposition and the kernels' contracts).
//
// The planner is split by concern: axes.cc (per-axis phase analysis, the
// lane choice), taps.cc (tap tables and weight packing), blocks.cc (the
// pixel and direct modes' flat blocks and their options), groups.cc (the
// channels mode's pixel groups), prepare.cc (mode and kernel choice, costs),
// pad.cc (the pad passes), run.cc (Run: pad passes, then the tasks).
#ifndef TCONV_SRC_ALGO_PHASE_FAST_PLAN_H_
#define TCONV_SRC_ALGO_PHASE_FAST_PLAN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/algorithm.h"
#include "src/geom3.h"
#include "tconv/tuning.h"
#include "src/kernels/phase_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace phase_fast {

// Which kernel family runs the tasks (each has its kernels in the list).
enum class PhaseMode { kPixels, kChannels, kDirect };

// One axis of the decomposition. Per phase t in [0, s): taps j in [0,
// taps[t]) read padded input index u + c[t] - j*istep with kernel index
// r[t] + j*kstep (tap_math.h: with dilation d, g = gcd(s, d), kstep = s/g,
// istep = d/g; dilation 1 gives kstep = s, istep = 1). Phases no tap
// reaches have taps[t] = 0 (bias only).
struct AxisPhases {
  std::vector<int64_t> c, r, taps;
  int64_t kstep = 1, istep = 1;
  int64_t u = 1;            // ceil(out / s)
  int64_t lo = 0, len = 1;  // padded index range [lo, lo + len)
};

struct PhasePlan {
  Geom3 g;  // the geometry, 3 axes
  PhaseMode mode = PhaseMode::kPixels;
  const kernels::KernelInfo* kernel = nullptr;      // runs the tasks
  const kernels::KernelInfo* pad_kernel = nullptr;  // local_pad: pads a task's input

  // Padded volumes: per axis the phase outputs u = ceil(out / s), the first
  // padded index lo (<= 0) and the padded length len (dp, hp, wp).
  int64_t u[3] = {1, 1, 1};
  int64_t lo[3] = {0, 0, 0};
  int64_t len[3] = {1, 1, 1};
  int64_t plane = 1;   // elements per padded volume (>= dp*hp*wp + wp + tail)
  int64_t nphase = 1;  // sd * sy * sx; phase p = (td*sy + ty)*sx + tx

  int cb = 1;      // Cout block of the kernel
  int64_t nb = 1;  // Cout blocks per group
  // Per phase p: taps [tap_begin[p], tap_begin[p+1]) in offs (volume offsets
  // relative to the output's flat index), tap_td[p] taps along depth and
  // tap_ty[p] along y, and the packed weights at wpack + w_begin[p], laid
  // out [groups][nb][cin_g][taps][cb]; tap_w[t] = t*cb, the weight offset of
  // each tap in a ci row.
  std::vector<int64_t> tap_begin, offs, w_begin, tap_td, tap_ty, tap_w;
  std::vector<float> wpack;
  std::vector<float> bias;  // [groups][nb*cb], zero padded
  // The shifts kernel (kPhaseDirectShifts): per phase row (td, ty), the
  // union of its column phases' shifts (phase_kernels.h); wpack then holds
  // the rows' panels instead of the phases'.
  std::vector<kernels::PhaseShiftRow> shift_rows;
  std::vector<int64_t> shift_aux;
  int64_t ntasks = 0;

  // Pixel and direct modes: flat blocks [f0, f1) of the padded volume, one
  // task each per (n, group, Cout block), in this order:
  //   cout_inner: task = ((n*groups + g)*nblk + block)*nb + b
  //   otherwise:  task = ((n*groups + g)*nb + b)*nblk + block
  std::vector<int64_t> f0, f1;
  bool cout_inner = false;
  // Each task pads its own input (one block per (n, group), volumes that
  // fit kPhaseLocalPadFloats): no workspace, no pad pass.
  bool local_pad = false;
  // The tasks read x itself (ReadsXDirectly in blocks.cc): no pad pass,
  // xplane = in_sp elements between channels.
  bool x_direct = false;
  int64_t xplane = 1;  // elements between the channels the tasks read
  // One image split along its rows over the threads: the pad pass splits
  // the rows the same way (PhaseTuning::row_split_pad).
  bool row_split_pad = true;
  // Padded copies of the input in the workspace, one per thread where each
  // thread's tasks read all of a small input (PrivateInputCopies): thread t
  // pads all of x into copy t and reads only that one. 1: one shared copy.
  int64_t x_copies = 1;

  // Channels mode: pixel groups, per phase contiguous (grp_x: input offset
  // of the group's first pixel, grp_y: output offset, grp_n: pixels 1..4,
  // grp_mask: taps reading inside the input); chunks [ch_g0, ch_g1) of phase
  // ch_ph, one task each per (image group, group, Cout block).
  std::vector<int64_t> grp_x, grp_y;
  std::vector<int32_t> grp_n;
  std::vector<uint64_t> grp_mask;
  std::vector<int64_t> ch_ph, ch_g0, ch_g1;
  // Batch-interleaved input (N >= 4: the DCGAN layers): [image group][ci]
  // [f][4 images]; a group is the 4 images of an image group at one pixel.
  bool bint = false;
  int64_t img_groups = 1;  // ceil(N / 4) with bint, else 1
  int64_t cstride = 1;     // elements between input channels
  int64_t ystep = 1;       // between a group's pixels in y
  int64_t ychan = 1;       // between output channels in y

  // y as the tasks write it: (N, *out, Cout) (channels-last plans, or the
  // channels mode staging an NCHW y), else (N, Cout, *out).
  bool y_channels_last = false;
};

// Per-axis analysis (axes.cc).
AxisPhases AnalyzeAxis(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t out);

// Pixels or channels in the vector lanes: the one that wastes fewer lanes
// (axes.cc).
struct LaneChoice {
  bool channels = false;
  double efficiency = 1.0;  // useful fraction of the lanes of the chosen mode
};
LaneChoice ChooseLanes(const int64_t* u, const int64_t* len, int64_t cout_g);

// Multiply-adds of the dense phase loops, padded taps included (axes.cc).
int64_t FastMacs(const Geom3& g, const AxisPhases* ax);

// The shifts kernel for the geometry where `auto` takes it, else nullptr:
// one row (1-D), one output channel and more than 4 input channels per
// group, undilated taps along x, a stride the list has (prepare.cc).
// Measured against the pixel rows kernel (Zen 5, 1 thread): tasnet_dec 25
// -> 144 GFLOP/s, wavegan_out 51 -> 155, segan_out 54 -> 82; on 2-D and
// 3-D layers, where the rows kernel reuses rows over the tap rows, it lost
// (fsrcnn_x3 135 -> 57, gan3d_out 53 -> 35, mnist_gan_out 60 -> 20).
const kernels::KernelInfo* ShiftsKernel(const Geom3& g, const AxisPhases* ax);

// Whether the undilated row-reuse kernels can run the geometry: taps one
// input apart along y and x, and (depth_taps false: the direct kernels)
// none along depth (axes.cc). The pixel rows kernel takes depth taps as
// whole slices of rows.
bool RowReusable(const AxisPhases* ax, bool depth_taps = false);

// The pixel and direct modes' flat blocks, per-task padding, reading x in
// place and the task order (blocks.cc); p.kernel, cb, nb and the taps set.
// Returns "" or the reason the SIMD path declines the geometry.
std::string PlanFlatBlocks(const PhaseTuning& tuning, bool channels_last, PhasePlan* p);
// Nothing padded around the input's rows: the padded volume's rows are the
// input's (lo = 0, hp = in_h, wp = in_w), so below in_sp it is x itself,
// element for element (blocks.cc).
bool RowsAreTheInput(const PhasePlan& p);
// How many padded copies of x the workspace holds for a plan run at
// `threads` (plan.h x_copies; pad.cc).
int64_t PrivateInputCopies(const PhasePlan& p, const PhaseTuning& tuning, int threads, bool channels_last);
// The channels mode's pixel groups, layout and chunks (groups.cc).
void PlanPixelGroups(const AxisPhases* ax, const PhaseTuning& tuning, PhasePlan* p);

// Tap tables and packed weights of every phase (taps.cc); p.mode, cb, nb set.
template <typename T>
void BuildTaps(const AxisPhases* ax, const T* w, PhasePlan* p);
// Bias per (group, Cout block), zero padded to cb (taps.cc).
template <typename T>
void PackBias(const T* bias, PhasePlan* p);

// How Run meets the plan's layout (run.cc).
struct RunLayout {
  bool x_channels_last = false;  // Run reads x (N, *in, Cin)
  // Channels mode, NCHW y: the kernels write y channels last at workspace
  // float ystage_floats, and Run transposes it into y.
  bool stage_y = false;
  int64_t ystage_floats = 0;
};
// The prepared algorithm that runs `plan` (run.cc).
std::unique_ptr<PreparedAlgo> MakePhaseFastAlgo(PhasePlan plan, const AlgoCost& cost, const RunLayout& layout);

}  // namespace phase_fast
}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_FAST_PLAN_H_
