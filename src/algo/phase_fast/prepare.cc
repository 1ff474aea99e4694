// PreparePhaseFast (src/algo/phase_fast.h): the planner of phase's SIMD path.
// It analyses the axes, chooses the kernel family and the kernel from the
// list (or takes the one PhaseTuning::kernel names), packs the weights,
// plans the tasks (blocks.cc, groups.cc) and the output layout, and returns
// the runner (run.cc) with its costs.
#include <algorithm>
#include <string>

#include "src/algo/phase_fast.h"
#include "src/algo/phase_fast/plan.h"
#include "src/algo/tap_math.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/dispatch/cpu.h"
#include "src/layout_convert.h"
#include "tconv/plan.h"

namespace tconv {
namespace phase_fast {
namespace {

using kernels::FindKernel;
using kernels::KernelInfo;
using kernels::KernelOp;

// Largest Cout block of the pixel kernels (the list has 1..8).
constexpr int kMaxPixelBlock = 8;

// Planning bounds (issue #14: describing or refusing a layer takes
// milliseconds whatever its numbers). Prepare loops over the s0*s1*s2
// phases, so a huge stride product is declined before any loop (the
// general phase path visits only residues with taps); every layer we know
// has at most 64 phases. The padded input volume (and the task split over
// its rows) is declined when it dwarfs the input and output: only a
// dilation or pad far beyond the input makes it so (x (1,64,8,8), w 3x3,
// dilation 100000 asked for a 10 TB workspace), and the general path,
// which needs no workspace, runs such a layer.
constexpr int64_t kMaxPhases = 4096;

bool TooManyPhases(const Geom3& g) {
  int64_t n;
  return !CheckedProduct({g.s[0], g.s[1], g.s[2]}, &n) || n > kMaxPhases;
}
bool PaddedVolumeTooLarge(const Geom3& g, const int64_t* len) {
  int64_t n;
  const int64_t bound = SatAdd(SatMul(16, SatAdd(g.in_sp, g.out_sp)), int64_t{1} << 20);
  return !CheckedProduct({len[0], len[1], len[2]}, &n) || n > bound;
}

// False (nothing planned) when the padded volume is too large to plan.
bool InitVolumes(const Geom3& g, AxisPhases* ax, PhasePlan* p) {
  p->g = g;
  for (int a = 0; a < 3; ++a) {
    ax[a] = AnalyzeAxis(g.in[a], g.k[a], g.s[a], g.d[a], g.pb[a], g.out[a]);
    p->u[a] = ax[a].u;
    p->lo[a] = ax[a].lo;
    p->len[a] = ax[a].len;
  }
  if (PaddedVolumeTooLarge(g, p->len)) return false;
  p->plane = RoundUp(p->len[0] * p->len[1] * p->len[2] + p->len[2] + kernels::kPhasePlaneTail, 16);
  p->xplane = p->plane;
  p->nphase = g.s[0] * g.s[1] * g.s[2];
  return true;
}

// The taps the every-phase kernel takes (phase_kernels.h, kPhaseAll): one
// tap along depth at stride 1 (2-D layers, and 3-D ones of kernel 1 x 4 x
// 4), and along y and x stride 2 with two undilated taps per phase, phase 1
// reading one input further than phase 0.
bool AllPhaseTaps(const Geom3& g, const AxisPhases* ax) {
  if (g.s[0] != 1 || ax[0].taps.size() != 1 || ax[0].taps[0] != 1) return false;
  for (int a = 1; a < 3; ++a) {
    const AxisPhases& x = ax[a];
    if (g.s[a] != 2 || x.istep != 1 || x.taps.size() != 2 || x.taps[0] != 2 || x.taps[1] != 2 ||
        x.c[1] != x.c[0] + 1)
      return false;
  }
  return true;
}

// Every column phase reads the same taps (k = s along x with no left pad,
// e.g. the U-Net up-convs): one input vector can feed all sx phases.
bool ColumnPhasesShareTaps(const AxisPhases* ax) {
  bool shared = true;
  for (size_t tx = 1; tx < ax[2].taps.size(); ++tx)
    shared = shared && ax[2].taps[tx] == ax[2].taps[0] && ax[2].c[tx] == ax[2].c[0];
  return shared;
}

// The direct kernel for the geometry, if the list has one: one output
// channel per group (the shifts kernel where it applies), or Cout blocks
// when the column phases share taps.
const KernelInfo* DirectKernel(const PhasePlan& p, const AxisPhases* ax, bool row_reuse) {
  const int sx = static_cast<int>(p.g.s[2]);
  if (const KernelInfo* shifts = ShiftsKernel(p.g, ax)) return shifts;
  if (p.g.cout_g == 1) return FindKernel(row_reuse ? KernelOp::kPhaseDirectRows : KernelOp::kPhaseDirect, DType::kF32, 1, sx);
  return ColumnPhasesShareTaps(ax) ? FindKernel(KernelOp::kPhaseDirectCout, DType::kF32, 0, sx) : nullptr;
}

PhaseMode ChooseMode(const PhasePlan& p, const AxisPhases* ax, const PhaseTuning& tuning, bool channels_last) {
  const Geom3& g = p.g;
  const LaneChoice lanes = ChooseLanes(p.u, p.len, g.cout_g);
  PhaseMode mode = lanes.channels ? PhaseMode::kChannels : PhaseMode::kPixels;
  const KernelInfo* direct = DirectKernel(p, ax, false);
  // Cout per group 1: the direct kernel (dw_k4s2: 0.446 -> 0.355 ms at 1
  // thread against the tile + interleave of the pixel kernels; fsrcnn_x3,
  // Cin 56, lost with it: 52 -> 39 GFLOP/s, hence Cin per group <= 4).
  if (mode == PhaseMode::kPixels && g.cout_g == 1 && g.cin_g <= 4 && direct) mode = PhaseMode::kDirect;
  // One row, one output channel, Cin > 4: the shifts kernel (plan.h).
  if (mode == PhaseMode::kPixels && ShiftsKernel(g, ax)) mode = PhaseMode::kDirect;
  // Cout blocks whose column phases share their taps, taken for strided
  // rows of at most one vector in NCHW: unet3d_up (rows of 16) 1t +5-8%
  // (A/B medians 92.6 -> 99.7 and 89.6 -> 93.7 GFLOP/s; no tile and
  // interleave pass), level at 2t. Longer rows lost against the pixel
  // kernels' V-vector blocks (unet_up4 0.94x, unet_up1 0.63x), and
  // channels-last y would need the plan's y copy. Rows of at most half a
  // vector leave half its lanes idle: vnet_up1 (rows of 8 at 16 lanes) ran
  // 52 GFLOP/s direct against 89 with the pixel kernels (Zen 4, 1 thread).
  if (mode == PhaseMode::kPixels && direct && g.cout_g > 1 && g.s[2] >= 2 && !channels_last &&
      p.u[2] <= direct->lanes && 2 * p.u[2] > direct->lanes)
    mode = PhaseMode::kDirect;
  switch (tuning.mode) {
    case PhaseTuning::Mode::kPixels: return PhaseMode::kPixels;
    case PhaseTuning::Mode::kChannels: return PhaseMode::kChannels;
    case PhaseTuning::Mode::kDirect: return direct ? PhaseMode::kDirect : mode;
    case PhaseTuning::Mode::kAuto: break;
  }
  return mode;
}

// The kernel of `mode` from the list; sets p->mode, kernel, cb, nb.
std::string ChooseKernel(PhaseMode mode, const AxisPhases* ax, const PhaseTuning& tuning, PhasePlan* p) {
  const Geom3& g = p->g;
  // Row reuse (fsrcnn_x3 1t: 2.48 -> 1.6-1.8 ms, 0.89 -> 1.37x oneDNN;
  // direct, dw_k4s2 1t: 24 -> 26 GFLOP/s) slides over consecutive rows and
  // columns: undilated taps only.
  const bool rows = tuning.row_reuse && RowReusable(ax, mode == PhaseMode::kPixels);
  p->mode = mode;
  if (mode == PhaseMode::kChannels) {
    p->kernel = FindKernel(KernelOp::kPhaseChannels, DType::kF32);
  } else if (mode == PhaseMode::kDirect) {
    p->kernel = DirectKernel(*p, ax, rows);
  } else {
    // Cout blocks of at most 8, as even as possible (21 -> 3 x 7, 3 -> 1 x 3).
    const int64_t nb = CeilDiv(g.cout_g, kMaxPixelBlock);
    const int cb = static_cast<int>(CeilDiv(g.cout_g, nb));
    p->kernel = cb == 1 && rows ? FindKernel(KernelOp::kPhasePixelRows, DType::kF32, 1)
                                : FindKernel(KernelOp::kPhasePixels, DType::kF32, cb);
    // Two or three output channels of a k 4 s 2 x 2 layer with 32 or more
    // input channels: every phase at once, each input vector loaded for up
    // to 4 phases. Zen 5, alternated with the pixel kernel, medians
    // (GFLOP/s, 1 / 2 threads): pix2pix_out 78 -> 116 / 124 -> 188,
    // dcgan_g5_b64 46 -> 69 / 113 -> 153, dcgan_g5 65 -> 81 / 114 -> 139;
    // on layers it was not chosen on, seg2_head (256 -> 2) 38 -> 55-75 /
    // 45 -> 66-68, dcgan256_out 83-104 -> 124 / 132 -> 166. With 16 input
    // channels (cin16_out) it was level at 1 thread and lost at 2 (128 ->
    // 94-105): its channel loop is short. One output channel stays with the
    // rows kernel, which reuses rows already (an every-phase kernel for
    // gan3d_out's 8 phases ran 27 GFLOP/s against the rows kernel's 36).
    if (tuning.all_phases && (g.cout_g == 2 || g.cout_g == 3) && g.cin_g >= 32 && AllPhaseTaps(g, ax)) {
      if (const KernelInfo* all = FindKernel(KernelOp::kPhaseAll, DType::kF32, cb, 2)) p->kernel = all;
    }
  }
  if (!p->kernel) return "no kernel in the list for this mode";
  p->cb = p->kernel->cout_block;
  p->nb = CeilDiv(g.cout_g, p->cb);
  return "";
}

// PhaseTuning::kernel: the named kernel, if it can run the geometry.
std::string TakeNamedKernel(const std::string& name, const AxisPhases* ax, PhasePlan* p) {
  const Geom3& g = p->g;
  const KernelInfo* k = kernels::FindKernelByName(name);
  if (!k) return "no kernel named '" + name + "' at isa " + dispatch::ActiveIsaName();
  const bool sx_ok = k->column_phases == 0 || k->column_phases == g.s[2];
  switch (k->op) {
    case KernelOp::kPhasePixels:
    case KernelOp::kPhaseChannels:
      break;
    case KernelOp::kPhasePixelRows:
      if (!RowReusable(ax, true)) return k->name + " needs undilated taps along y and x";
      break;
    case KernelOp::kPhaseAll:
      if (!AllPhaseTaps(g, ax))
        return k->name + " needs a 2-D stride of 2 x 2 with two taps per phase along y and x, the second phase "
               "one input further (k 4, an odd pad)";
      break;
    case KernelOp::kPhaseDirectRows:
      if (!RowReusable(ax)) return k->name + " needs undilated taps along y and x and none along depth";
      // fall through
    case KernelOp::kPhaseDirect:
      if (g.cout_g != 1 || !sx_ok) return k->name + " needs one output channel per group and a stride of " +
                                          std::to_string(k->column_phases) + " along x";
      break;
    case KernelOp::kPhaseDirectShifts:
      if (g.cout_g != 1 || !sx_ok || ax[2].istep != 1)
        return k->name + " needs one output channel per group, a stride of " + std::to_string(k->column_phases) +
               " along x and undilated taps along x";
      break;
    case KernelOp::kPhaseDirectCout:
      if (g.cout_g == 1 || !sx_ok || !ColumnPhasesShareTaps(ax))
        return k->name + " needs Cout blocks, a stride of " + std::to_string(k->column_phases) +
               " along x and column phases with the same taps";
      break;
    default:
      return k->name + (k->dtype == DType::kF32 ? " is not a phase task kernel" : " computes " +
                        std::string(DTypeName(k->dtype)) + ", the plan f32 (PlanOptions::dtype)");
  }
  p->kernel = k;
  p->mode = k->op == KernelOp::kPhaseChannels                                      ? PhaseMode::kChannels
            : k->op == KernelOp::kPhasePixels || k->op == KernelOp::kPhasePixelRows ||
                      k->op == KernelOp::kPhaseAll
                  ? PhaseMode::kPixels
                  : PhaseMode::kDirect;
  p->cb = k->cout_block;
  p->nb = CeilDiv(g.cout_g, p->cb);
  return "";
}

// Where the tasks write y, and whether Run stages it.
RunLayout PlanOutputLayout(const PhaseTuning& tuning, bool channels_last, PhasePlan* p) {
  const Geom3& g = p->g;
  RunLayout layout;
  layout.x_channels_last = channels_last;
  // (A y whose channels or pixels are 1 is the same in both layouts: the
  // channels-first row interleave is the vectorised one.)
  const bool distinct = !LayoutsCoincide(g.cout, g.out_sp);
  p->y_channels_last = channels_last && p->mode == PhaseMode::kPixels && distinct;
  // Channels mode with NCHW y: store channels last into the workspace and
  // transpose into y after the tasks. A pixel's 32 channels then go out as 2
  // vectors instead of 32 scalars 4*out_sp bytes apart (dcgan_g3, A/B in
  // the same minutes: 1 thread 112-113 -> 117-119 GFLOP/s, 2 threads
  // 204-212 -> 212-233; dcgan_g2 0 to +3%). The workspace grows by y.
  layout.stage_y = tuning.stage_y && !channels_last && p->mode == PhaseMode::kChannels && distinct;
  if ((channels_last || layout.stage_y) && p->mode == PhaseMode::kChannels) {
    // Pixel groups store straight into y: move their channel-0 offsets
    // (n*Cout*out_sp + pixel) to (n*out_sp + pixel)*Cout, channels 1 apart.
    // Images stay Cout*out_sp apart (ystep, bint); a row's 4 pixels become
    // sx*Cout apart.
    p->y_channels_last = true;
    const int64_t img = g.cout * g.out_sp;
    for (int64_t& yo : p->grp_y) yo = yo / img * img + yo % img * g.cout;
    if (!p->bint) p->ystep *= g.cout;
    p->ychan = 1;
  }
  return layout;
}

AlgoCost Costs(const PhasePlan& p, const AxisPhases* ax, RunLayout* layout) {
  const Geom3& g = p.g;
  constexpr int64_t kF = sizeof(float);
  AlgoCost c;
  c.macs = FastMacs(g, ax);
  // (Saturating: a padded volume for many channels can pass 2^63 bytes; the
  // plan then refuses or falls back on the general path.)
  c.workspace_bytes = p.local_pad || p.x_direct ? 0
                      : p.bint                  ? SatProduct({p.img_groups, g.cin, p.cstride, kF})
                                                : SatProduct({p.x_copies, g.n, g.cin, p.plane, kF});
  if (layout->stage_y) {  // [padded input | 64-byte aligned channels-last y]
    layout->ystage_floats = SatAdd(c.workspace_bytes, 63) / 64 * (64 / kF);
    c.workspace_bytes = SatMul(SatAdd(layout->ystage_floats, g.n * g.cout * g.out_sp), kF);
  }
  c.packed_bytes = static_cast<int64_t>((p.wpack.size() + p.bias.size()) * sizeof(float) +
                                        (p.grp_x.size() + p.grp_y.size() + p.grp_mask.size()) * sizeof(int64_t) +
                                        p.grp_n.size() * sizeof(int32_t));
  return c;
}

}  // namespace

const KernelInfo* ShiftsKernel(const Geom3& g, const AxisPhases* ax) {
  const bool one_row = g.in[0] == 1 && g.in[1] == 1 && g.out[0] == 1 && g.out[1] == 1 && g.k[0] == 1 && g.k[1] == 1;
  if (!one_row || g.cout_g != 1 || g.cin_g <= 4 || ax[2].istep != 1) return nullptr;
  return FindKernel(KernelOp::kPhaseDirectShifts, DType::kF32, 1, static_cast<int>(g.s[2]));
}

}  // namespace phase_fast

PhaseFastProfile ProfilePhaseFast(const Geom3& g) {
  using namespace phase_fast;  // NOLINT
  PhaseFastProfile prof;
  prof.takes = g.s[2] <= kMaxLastAxisStride && !TooManyPhases(g);
  if (!prof.takes) return prof;
  AxisPhases ax[3];
  int64_t u[3], len[3];
  for (int a = 0; a < 3; ++a) {
    ax[a] = AnalyzeAxis(g.in[a], g.k[a], g.s[a], g.d[a], g.pb[a], g.out[a]);
    u[a] = ax[a].u;
    len[a] = ax[a].len;
  }
  prof.takes = !PaddedVolumeTooLarge(g, len);
  if (!prof.takes) return prof;
  const int64_t plane = SatAdd(len[0] * len[1] * len[2], len[2] + kernels::kPhasePlaneTail + 16);
  prof.workspace_bound = SatMul(SatAdd(SatProduct({g.n + 3, g.cin, plane}), SatProduct({g.n, g.cout, g.out_sp})),
                                sizeof(float));
  const LaneChoice lanes = ChooseLanes(u, len, g.cout_g);
  prof.lane_efficiency = lanes.efficiency;
  if (ShiftsKernel(g, ax)) prof.shared_columns = g.s[2];
  // Batch-interleaved channels mode skips the taps that read padding.
  prof.macs = lanes.channels && g.n >= kernels::kPhaseGroupPixels ? UsefulMacs(g) : FastMacs(g, ax);
  return prof;
}

std::unique_ptr<PreparedAlgo> PreparePhaseFast(const PrepareInput& in, std::string* why, bool channels_last) {
  using namespace phase_fast;  // NOLINT
  const Geom3& g = in.g;
  auto decline = [why](const std::string& reason) -> std::unique_ptr<PreparedAlgo> {
    dispatch::LogDispatch("phase_fast: declined: %s", reason.c_str());
    if (why) *why = reason;
    return nullptr;
  };
  if (g.s[2] > kMaxLastAxisStride) {
    return decline("stride " + std::to_string(g.s[2]) + " > " + std::to_string(kMaxLastAxisStride));
  }
  if (TooManyPhases(g)) return decline("more than " + std::to_string(kMaxPhases) + " phases (stride product)");
  PhasePlan p;
  AxisPhases ax[3];
  if (!InitVolumes(g, ax, &p)) return decline("padded input volume > 16 x (input + output) + 2^20 floats");
  const std::string no = in.tuning.kernel.empty()
                             ? ChooseKernel(ChooseMode(p, ax, in.tuning, channels_last), ax, in.tuning, &p)
                             : TakeNamedKernel(in.tuning.kernel, ax, &p);
  if (!no.empty()) return decline(no);
  BuildTaps(ax, in.w.As<float>(), &p);
  PackBias(in.bias.As<float>(), &p);
  if (p.mode == PhaseMode::kChannels) {
    PlanPixelGroups(ax, in.tuning, &p);
  } else {
    const std::string blocks = PlanFlatBlocks(in.tuning, channels_last, &p);
    if (!blocks.empty()) return decline(blocks);
    p.row_split_pad = in.tuning.row_split_pad;
    if (p.local_pad) p.pad_kernel = FindKernel(KernelOp::kPadVolume, DType::kF32);
    if (p.local_pad && !p.pad_kernel) return decline("no pad kernel in the list");
  }
  RunLayout layout = PlanOutputLayout(in.tuning, channels_last, &p);
  p.x_copies = PrivateInputCopies(p, in.tuning, in.threads, channels_last);
  const AlgoCost cost = Costs(p, ax, &layout);
  dispatch::LogDispatch("phase_fast: taken: %s, %lld tasks%s%s", p.kernel->name.c_str(),
                        static_cast<long long>(p.ntasks), p.cout_inner ? " (Cout blocks inner)" : "",
                        p.x_direct ? " (reads x, no pad pass)" : "");
  return MakePhaseFastAlgo(std::move(p), cost, layout);
}

// The phase task kernels of the list (declared in tconv/plan.h).
std::vector<std::string> PhaseKernelNames() {
  std::vector<std::string> names;
  for (const kernels::KernelInfo& k : kernels::ActiveKernels()) {
    switch (k.op) {
      case kernels::KernelOp::kPhasePixels:
      case kernels::KernelOp::kPhasePixelRows:
      case kernels::KernelOp::kPhaseAll:
      case kernels::KernelOp::kPhaseDirect:
      case kernels::KernelOp::kPhaseDirectRows:
      case kernels::KernelOp::kPhaseDirectCout:
      case kernels::KernelOp::kPhaseDirectShifts:
      case kernels::KernelOp::kPhaseChannels:
      case kernels::KernelOp::kPhaseBf16Dp:
      case kernels::KernelOp::kPhaseBf16Widen:
      case kernels::KernelOp::kPhaseBf16Amx:
      case kernels::KernelOp::kDwNchwExpand:
        names.push_back(k.name);
        break;
      default:
        break;
    }
  }
  return names;
}

}  // namespace tconv
