// The pixel and direct modes' tasks (plan.h): flat blocks of the padded
// volume, and the options that depend on them (per-task padding, reading x
// in place, the task order).
#include <algorithm>
#include <string>

#include "src/algo/phase_fast/plan.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"

namespace tconv {
namespace phase_fast {
namespace {

using kernels::KernelOp;

// Want at least ~16 tasks per run where the problem allows it, so two (or
// more) threads balance (fsrcnn_x3: 3 blocks of 44 rows left one thread
// idle a third of the time). The partition never changes any output's
// reduction order, so results stay bitwise identical.
constexpr int64_t kWantTasks = 16;
// What stays in a core's cache between tasks (its L2: 1 MiB on Zen 4 and
// Zen 5, 2 MiB on the Intel Xeon measured): the task order's traffic count
// and the pixel-mode blocks' input bound (SplitRows).
constexpr int64_t kCoreCacheBytes = int64_t{1} << 20;

// Task order of the pixel and direct modes. Consecutive tasks share what
// varies slowest: with flat blocks innermost (the default) a Cout block's
// weight panel stays in cache while the input volumes of an (image, group)
// stream past once per Cout block; with Cout blocks innermost one flat block
// of input stays in cache while the group's weights stream past once per
// block. Data that stays in a core's cache between passes (kCoreCacheBytes)
// is counted once; the order with less traffic from beyond it wins. (The
// bound was 4 MiB, for a Zen CCD's 32 MiB L3. On an Intel Xeon, whose mesh
// L3 is slow, unet_up1 (3.2 MB input, 64 Cout blocks of 128 KB weights) ran
// blocks inner at 88-93 GFLOP/s at 1 thread and 172-186 at 2, Cout blocks
// inner at 115-123 and 228-240; wavegan_up and fcn16_up16, whose order the
// smaller bound also flips, level; 3 alternated rounds.) Measured with
// PhaseTuning::task_order, same runs: unet_up4 (19.7 MB input, 8 Cout
// blocks) 1 thread 55 -> 77 GFLOP/s, 2 threads 81-92 -> 133-143; unet3d_up
// (2.1 MB input) moved -5% (2t) to +9% (1t), inside the noise (it has run
// the direct Cout-block kernel since, always Cout blocks inner). The order
// never changes a result.
bool CoutBlocksInner(const PhasePlan& p) {
  constexpr double kStaysInCacheBytes = static_cast<double>(kCoreCacheBytes);
  const int64_t total_taps = static_cast<int64_t>(p.offs.size());
  const double x_bytes = 4.0 * static_cast<double>(p.g.cin_g * p.plane);
  const double w_bytes = 4.0 * static_cast<double>(p.g.cin_g * total_taps * p.nb * p.cb);
  const double nblk = static_cast<double>(p.f0.size());
  const double blocks_inner = x_bytes > kStaysInCacheBytes ? static_cast<double>(p.nb) * x_bytes : x_bytes;
  const double cout_inner = (w_bytes > kStaysInCacheBytes ? nblk * w_bytes : w_bytes) + x_bytes;
  // One (image, group) volume whose input and weights both stay in cache:
  // the traffic is the same either way, and Cout blocks inner let threads
  // split the tasks by rows, so each reads the padded rows it wrote itself
  // (Run's row split pad) instead of all rows, half written by the other
  // core. seed_k3s2 2t, A/B in the same minutes: far placement 136 ->
  // 153-157 GFLOP/s, close 186 -> 194; 1t level (1.00x). fcn_up8: 1t and 2t
  // close level, 2t far 134-145 -> 145-148.
  const bool one_volume_in_cache =
      p.g.n * p.g.groups == 1 && x_bytes <= kStaysInCacheBytes && w_bytes <= kStaysInCacheBytes;
  return p.nb > 1 && nblk > 1 && (one_volume_in_cache || cout_inner < blocks_inner);
}

// Whether the tasks can read x in place of its padded copy. With nothing
// padded before the input (lo = 0) and rows as long and as many as the
// input's (hp = in_h, wp = in_w), the padded volume and x agree on every
// float below in_sp, and every padded float (depth slices past the input,
// the plane's tail) lies at or past in_sp: so the tasks may read x when
// every read ends at or below in_sp. The U-Net up-convs (k = s, no
// padding) qualify.
//  - Cout-block direct (MicroDC) reads, per channel, L floats at offs[t] +
//    r*wp + u for the flat rows r < (u_d - 1)*hp + u_y and u < u_x from a
//    multiple of 16 in steps of L; rows a multiple of 16 floats keep a
//    vector inside its row. unet3d_up 2t: the pad pass (a 2 MiB copy whose
//    lines the other core holds) was 7% of the run.
//  - Pixel mode through Micro reads, per channel, [f0 + o, f0 + o + ft)
//    for each block [f0, f1) and tap offset o, ft = f1 - f0 rounded up to
//    the vector; lanes past a block's rows are computed and discarded.
//    (MicroR, the rows kernel, reads past its rows: not taken.)
//    unet_up1 2t: with the padded copy, whose lines each thread wrote half
//    of, the far vCPU placement ran at 185-189 GFLOP/s, against 206-212
//    for two 1-thread plans of half the Cout each padding a private copy.
//  - The shifts kernel on a 1-D input reads x in place and copies the
//    vector groups at the row's two ends zero-padded (PhaseTaskArgs::x_row):
//    tasnet_dec's padded copy (33 MB) took more time than its kernel.
bool ReadsXDirectly(const PhasePlan& p) {
  constexpr int64_t kLanes = kernels::kMaxLanes;
  if (p.kernel->op == KernelOp::kPhaseDirectShifts) {
    bool fits = p.len[0] == 1 && p.len[1] == 1 && !p.local_pad;
    for (const kernels::PhaseShiftRow& row : p.shift_rows) fits = fits && row.shifts <= kernels::kShiftMaxInPlace;
    return fits;
  }
  const bool direct = p.kernel->op == KernelOp::kPhaseDirectCout;
  const bool pixels = p.kernel->op == KernelOp::kPhasePixels || p.kernel->op == KernelOp::kPhaseAll;
  if (!(direct || pixels) || p.local_pad || !RowsAreTheInput(p)) return false;
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t in_sp = p.g.in_sp;
  if (direct) {
    if (wp % kLanes != 0 || p.u[2] > wp) return false;
    const int64_t rows = (p.u[0] - 1) * hp + p.u[1];
    for (const int64_t o : p.offs)
      if (o < 0 || o + rows * wp > in_sp) return false;
    return true;
  }
  for (size_t b = 0; b < p.f0.size(); ++b) {
    const int64_t end = p.f0[b] + RoundUp(p.f1[b] - p.f0[b], kLanes);
    for (const int64_t o : p.offs)
      if (o < 0 || end + o > in_sp) return false;
  }
  return true;
}

// How many padded rows of all cin_g input channels fit in `bytes` (0 when
// not one does).
int64_t RowsWithin(const PhasePlan& p, int64_t bytes) {
  return bytes / std::max<int64_t>(1, SatProduct({p.g.cin_g, p.len[2], int64_t{4}}));
}

// Flat ranges over the rows (u_d, y) of the padded volume; rows y >= u_y of
// a depth slice are padding (computed, discarded), and the last slice ends
// at row u_y. Length <= fb, a multiple of 16 floats.
void SplitRows(int64_t fb, bool l2_blocks, PhasePlan* p) {
  const Geom3& g = p->g;
  const int64_t hp = p->len[1], wp = p->len[2];
  const int64_t rows = (p->u[0] - 1) * hp + p->u[1];
  if (wp > fb) {
    // Rows longer than the tile: pieces of one row, as even as their count
    // allows in whole vectors. Pieces of fb left a last piece of a few
    // floats, and a static split of the tasks gave one thread 2.5 pieces
    // and the other 1.5 (melgan_up3, a 1-D row of 4098: 4 x 1024 + 2; the
    // main thread ran 1.6x the kernel time of the other). 2 threads, Zen 5,
    // with Run's element-split pad, three alternating runs: melgan_up3 182,
    // 246, 190 -> 312, 249, 254 GFLOP/s; melgan_up2 (514 = 256+256+2) 184,
    // 225, 206 -> 310, 267, 284.
    const int64_t piece = RoundUp(CeilDiv(wp, CeilDiv(wp, fb)), 16);
    for (int64_t r = 0; r < rows; ++r) {
      if (r % hp >= p->u[1]) continue;
      for (int64_t c0 = 0; c0 < wp; c0 += piece) {
        p->f0.push_back(r * wp + c0);
        p->f1.push_back(r * wp + std::min(wp, c0 + piece));
      }
    }
    return;
  }
  const int64_t want_blocks = CeilDiv(kWantTasks, g.n * g.groups * p->nb);
  int64_t rb = std::max<int64_t>(1, std::min(fb / wp, CeilDiv(rows, want_blocks)));
  // Direct Cout blocks: every Cout block of a row block reads all its cin_g
  // channels, so keep a row block's input within L2 (256 KiB) and run the
  // Cout blocks inner.
  if (p->kernel->op == KernelOp::kPhaseDirectCout)
    rb = std::max<int64_t>(4, std::min(rb, RowsWithin(*p, int64_t{256} << 10)));
  // Pixel mode: a block's input (its rows of all cin_g channels, which
  // every phase and every 48-pixel step of the task reads again) within
  // about kCoreCacheBytes, so that it stays in the core's L2 (not
  // bounded: pieces of rows longer than the tile, above; one row of a very
  // wide input; the tap rows past the block's own). On an Intel Xeon
  // (2 MiB L2, a slow mesh L3) unet_up1 (1024 channels of 28 x 28: one
  // block of all 784 floats, 3.2 MB, per Cout block) ran the pixel kernel
  // at 61-67 GFLOP/s at 1 thread and 119-122 at 2; cut into five blocks of
  // 144-160 floats (0.6 MB), 86-88 and 160-177; 512 -> 512 channels at
  // 28 x 28 (one 1.6 MB block) 83-91 -> 115-117, at 40 x 40 80 -> 108-110
  // (alternated runs). A 512 KiB bound gained as much there but cost
  // cyclegan_up1 (574 KB blocks) 6 %; at 1 MiB the layers whose blocks
  // were below it are unchanged.
  if (p->mode == PhaseMode::kPixels && l2_blocks)
    rb = std::max<int64_t>(1, std::min(rb, RowsWithin(*p, kCoreCacheBytes)));
  // Pixel mode with Cout blocks on an unpadded input (lo = 0, hp = in_h,
  // wp = in_w): blocks of whole vectors rather than whole rows (the
  // interleave takes partial rows), so that where rows*wp is a multiple of
  // 16 no block's last vector runs past the input and the tasks can read x
  // itself (ReadsXDirectly; unet_up4: 5-row blocks of 980 floats left the
  // last one 12 floats past x). (At least one vector: a narrower block
  // would waste lanes anyway.)
  // Blocks as even as their count allows: cyclegan_up1's 33 padded rows in
  // blocks of 32 left the second block, all a second thread had, 1 row (2
  // threads ran at the speed of one: 105 vs 107 GFLOP/s).
  rb = CeilDiv(rows, CeilDiv(rows, rb));
  const int64_t flat = p->mode == PhaseMode::kPixels && p->cb > 1 && RowsAreTheInput(*p)
                           ? std::max<int64_t>(16, rb * wp / 16 * 16)
                           : 0;
  if (flat > 0) {
    // (Evened too, in whole vectors: unet_up2's 676 floats made blocks of
    // 672 and 4.)
    const int64_t even = RoundUp(CeilDiv(rows * wp, CeilDiv(rows * wp, flat)), 16);
    for (int64_t f = 0; f < rows * wp; f += even) {
      p->f0.push_back(f);
      p->f1.push_back(std::min(rows * wp, f + even));
    }
  } else {
    for (int64_t r = 0; r < rows; r += rb) {
      p->f0.push_back(r * wp);
      p->f1.push_back(std::min(rows, r + rb) * wp);
    }
  }
}

}  // namespace

bool RowsAreTheInput(const PhasePlan& p) {
  return p.lo[0] == 0 && p.lo[1] == 0 && p.lo[2] == 0 && p.len[1] == p.g.in[1] && p.len[2] == p.g.in[2];
}

std::string PlanFlatBlocks(const PhaseTuning& tuning, bool channels_last, PhasePlan* p) {
  const Geom3& g = p->g;
  // The tile holds a phase row's column phases, or every phase (kPhaseAll).
  const int64_t tile_phases = p->kernel->op == KernelOp::kPhaseAll ? p->nphase : g.s[2];
  const int64_t fb = kernels::kPhaseTileFloats / (tile_phases * p->cb) / 16 * 16;
  if (fb < 16) return "tile budget too small";
  SplitRows(fb, tuning.l2_blocks, p);
  p->ntasks = g.n * g.groups * p->nb * static_cast<int64_t>(p->f0.size());
  // dw_k4s2: 256 tasks of one 34x34 plane each; padding in the task keeps
  // the plane in L1 and drops the 1.2 MB workspace round trip.
  p->local_pad = tuning.local_pad && p->nb == 1 && p->f0.size() == 1 &&
                 g.cin_g * p->plane <= kernels::kPhaseLocalPadFloats;
  if (channels_last && p->local_pad) return "channels-last input: per-task padding";
  p->x_direct = tuning.read_x_in_place && !channels_last && ReadsXDirectly(*p);
  if (p->x_direct) p->xplane = g.in_sp;
  p->cout_inner = CoutBlocksInner(*p) || p->kernel->op == KernelOp::kPhaseDirectCout;
  if (tuning.task_order == PhaseTuning::TaskOrder::kCoutInner) p->cout_inner = true;
  if (tuning.task_order == PhaseTuning::TaskOrder::kBlocksInner) p->cout_inner = false;
  return "";
}

}  // namespace phase_fast
}  // namespace tconv
