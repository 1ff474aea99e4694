// The runner of phase's SIMD path (plan.h): Run's pad passes, then the
// tasks, each decoded into its kernel's argument struct
// (src/kernels/phase_kernels.h) and handed to the kernel the plan chose.
#include <algorithm>
#include <atomic>

#include "src/algo/phase_fast/pad.h"
#include "src/algo/phase_fast/plan.h"
#include "src/base/check.h"
#include "src/base/parallel.h"
#include "src/layout_convert.h"

namespace tconv {
namespace phase_fast {
namespace {

using kernels::KernelOp;

class PhaseFastAlgo : public PreparedAlgo {
 public:
  PhaseFastAlgo(PhasePlan plan, const AlgoCost& cost, const RunLayout& layout)
      : p_(std::move(plan)), cost_(cost), layout_(layout) {
    TCONV_DCHECK(p_.kernel != nullptr && (!p_.local_pad || p_.pad_kernel != nullptr));
    const Geom3& g = p_.g;
    kernels::PhaseTaskArgs& a = task_args_;
    a.xplane = p_.xplane;
    a.cin = g.cin_g;
    a.offs = p_.offs.data();
    a.tap_begin = p_.tap_begin.data();
    a.tap_slices = p_.tap_td.data();
    a.tap_rows = p_.tap_ty.data();
    a.w = p_.wpack.data();
    a.w_begin = p_.w_begin.data();
    a.shift_rows = p_.shift_rows.data();
    a.shift_aux = p_.shift_aux.data();
    if (p_.x_direct && p_.kernel->op == KernelOp::kPhaseDirectShifts) {
      a.x_row = g.in_sp;
      a.x_lo = p_.lo[2];
    }
    for (int ax = 0; ax < 3; ++ax) {
      a.s[ax] = g.s[ax];
      a.u[ax] = p_.u[ax];
      a.out[ax] = g.out[ax];
    }
    a.hp = p_.len[1];
    a.wp = p_.len[2];
    a.cout = g.cout;
    a.y_channels_last = p_.y_channels_last;
  }

  bool ActualCost(AlgoCost* c) const override {
    *c = cost_;
    return true;
  }
  // (A staged NCHW run's kernels write channels last too, into the workspace.)
  bool WritesChannelsLast() const override { return layout_.x_channels_last && p_.y_channels_last; }
  std::string Kernel() const override { return p_.kernel->name; }

  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override;

 private:
  const float* PadPass(const float* x, float* xpad, const Team& team) const;
  void RunTask(int64_t task, const float* x, const float* xpad, float* y) const;
  void RunBlockTask(int64_t task, const float* x, const float* xpad, float* y) const;
  void RunChannelsTask(int64_t task, const float* xpad, float* y) const;

  PhasePlan p_;
  AlgoCost cost_;
  RunLayout layout_;
  kernels::PhaseTaskArgs task_args_;  // the fields every task shares
};

void PhaseFastAlgo::Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const {
  const float* x = xb.As<float>();
  float* y = yb.As<float>();
  float* xpad = static_cast<float*>(ws);
  float* y_kernel = layout_.stage_y ? xpad + layout_.ystage_floats : y;
  const int64_t tasks = p_.ntasks;
  const int64_t chunk = std::max<int64_t>(1, tasks / (16 * static_cast<int64_t>(threads)));
  std::atomic<int64_t> next_task{0};
  ParallelRegion(threads, [&](const Team& team) {
    const float* xt = PadPass(x, xpad, team);
    // Tasks: a fixed partition of the outputs, each computed in a fixed
    // order, so any thread may run any task (results do not depend on the
    // thread count or the schedule).
    // Pixel and direct modes: static, so a thread runs the same tasks every
    // run and finds their y lines in its own caches, and their padded input
    // too where the pad pass splits the same way (a batch: (n, ci)-major;
    // one image split along the rows: row split pad). The host places this
    // VM's two vCPUs either close (a cache line's ping-pong round trip 55
    // ns, bench/tconv_core_pingpong) or on different CCDs (330 ns); there a
    // dynamic schedule moved lines between the CCDs every run. 2 threads,
    // dynamic -> static, A/B in the same minutes: far placement dw_k4s2 47
    // -> 77, fsrcnn_x3 82 -> 102, unet_up4 133 -> 151, dcgan_g5 54 -> 145,
    // wavegan_up 206 -> 215 GFLOP/s; close placement dcgan_g5 136 -> 146,
    // fsrcnn_x3 165 -> 176, others level. Channels mode with image groups
    // (bint) too: a thread's tasks are then whole image groups, whose padded
    // input it wrote itself. Channels mode with private padded copies
    // (x_copies) too: a thread then keeps its Cout blocks' weights and
    // staged y lines (2t, passive, Zen 5 far placement, with the in-region
    // unstaging below, static vs dynamic: wavegan_up0 300 vs 260-284
    // GFLOP/s, melgan_up1 367 vs 353-354, hifigan_v2_up1 222-224 vs
    // 220-222).
    // (A barrier after the tasks only where the unstaging below reads them.)
    const bool nowait = !layout_.stage_y;
    if (p_.mode != PhaseMode::kChannels || p_.bint || p_.x_copies > 1) {
      team.ForStatic(tasks, [&](int64_t task) { RunTask(task, x, xt, y_kernel); }, nowait);
    } else {
      // Channels mode without image groups: dynamic, chunks of ~1/16 of the
      // tasks per thread (every task reads every image; with the DCGAN
      // layers' images interleaved that way, static lost in the far
      // placement: dcgan_g4 151-153 vs 164-170 GFLOP/s).
      team.ForDynamic(next_task, tasks, chunk, [&](int64_t task) { RunTask(task, x, xt, y_kernel); }, nowait);
    }
    if (layout_.stage_y) {
      // The staged y into NCHW y, one (image, Cout block) an item, image
      // major: in the static split a thread transposes mostly what its own
      // tasks wrote (image groups with bint, Cout blocks without), and in
      // this parallel region (a second one woke the sleeping threads
      // again). Against a second region split by pixels, 2t passive,
      // alternated (Zen 5): hifigan_v2_up1 212-217 -> 222-224 GFLOP/s,
      // wavegan_up0 284 -> 300, melgan_up1 358 -> 367; gan3d_g4,
      // pix2pix_dec5, dcgan_g1-g3, mnist_gan_up1 and every 1-thread run
      // within the noise.
      const Geom3& g = p_.g;
      const int64_t blocks = g.groups * p_.nb;
      team.ForStatic(g.n * blocks, [&](int64_t item) {
        const int64_t img = item / blocks, gi = item % blocks / p_.nb, b = item % p_.nb;
        const int64_t co0 = gi * g.cout_g + b * p_.cb, cb = std::min<int64_t>(p_.cb, g.cout_g - b * p_.cb);
        const int64_t at = img * g.cout * g.out_sp;
        ChannelsLastRowsToFirst(y_kernel + at + co0, g.out_sp, cb, g.cout, y + at + co0 * g.out_sp, g.out_sp);
      }, /*nowait=*/true);
    }
  });
}

// Called by every thread of Run's parallel region: the pad passes, then a
// barrier (every thread sees the same sizes, so skipping the empty loops and
// their barriers is uniform; local_pad and x_direct have no pass). Returns
// the padded input this thread's tasks read: its private copy (x_copies),
// else the shared one.
const float* PhaseFastAlgo::PadPass(const float* x, float* xpad, const Team& team) const {
  const int threads = team.threads();
  const Geom3& g = p_.g;
  const int64_t vols = p_.local_pad || p_.bint || p_.x_direct ? 0 : g.n * g.cin;
  if (vols > 0 && threads > 1 && threads <= p_.x_copies) {
    // Each thread pads all of x into its own copy: no barrier, nothing
    // shared. (A Run with fewer threads, or more than there are copies,
    // takes the shared passes below, into copy 0.)
    float* own = xpad + team.thread() * vols * p_.plane;
    for (int64_t q = 0; q < vols; ++q) PadVolume(p_, x + q * g.in_sp, own + q * p_.plane);
    return own;
  }
  const int64_t chans = p_.bint ? p_.img_groups * g.cin : 0;
  const int64_t in_rows = g.n * g.in[0] * g.in[1];
  // Pixel and direct modes with fewer (image, group) volumes than threads
  // whose static task split runs along the rows (one Cout block, or Cout
  // blocks inner): the pad pass splits the rows the same way, so a thread
  // reads mostly the padded rows it wrote (not half of every row, as in a
  // split by channels). 2t, A/B in the same minutes: fsrcnn_x3 in the far
  // placement 88 -> 142 GFLOP/s, close 179 -> 175 (medians of 3).
  const bool row_pad = p_.row_split_pad && vols > 0 && !layout_.x_channels_last && p_.mode != PhaseMode::kChannels &&
                       g.n * g.groups < threads && (p_.nb == 1 || p_.cout_inner);
  if (row_pad) {
    // Each thread pads its share of the rows of every volume: roughly the
    // rows its static share of the tasks reads. Fewer rows than threads (a
    // 1-D input is one row): a share of the row's elements, in whole cache
    // lines, the zero tail past the rows to the last thread. (The share
    // was once of the whole plane, about twice the row with its tail: one
    // thread padded all of the row, and the other read its half from the
    // first one's cache, every task of it at 1.85x the time. 2t, passive,
    // alternated (Zen 5, far placement): demucs_dec 136-137 -> 209-212
    // GFLOP/s, melgan_up3 257-261 -> 292.)
    const int nt = team.threads(), t = team.thread();
    const int64_t rows = p_.len[0] * p_.len[1], wp = p_.len[2];
    auto edge = [&](int64_t i) {
      if (i == nt) return p_.plane;
      return rows >= nt ? rows * i / nt * wp : rows * wp * i / nt / 16 * 16;
    };
    for (int64_t q = 0; q < vols; ++q) PadVolumeSpan(p_, x + q * g.in_sp, xpad + q * p_.plane, edge(t), edge(t + 1));
    team.Barrier();
  } else if (vols > 0 && !layout_.x_channels_last) {
    team.ForStatic(vols, [&](int64_t q) { PadVolume(p_, x + q * g.in_sp, xpad + q * p_.plane); });
  }
  if (vols > 0 && layout_.x_channels_last) {
    // Zero what is not input, then transpose each channels-last input row
    // (in_w pixels x Cin) into its row of every channel's volume: the two
    // loops write disjoint floats.
    team.ForStatic(vols, [&](int64_t q) { ZeroVolumePadding(p_, xpad + q * p_.plane); }, /*nowait=*/true);
    team.ForStatic(in_rows, [&](int64_t row) { PadRowChannelsLast(p_, x, xpad, row); });
  }
  if (chans > 0) {
    team.ForStatic(chans, [&](int64_t q) {
      PadChannelInterleaved(p_, x, layout_.x_channels_last, xpad, q / g.cin, q % g.cin);
    });
  }
  return xpad;
}

void PhaseFastAlgo::RunTask(int64_t task, const float* x, const float* xpad, float* y) const {
  if (p_.mode == PhaseMode::kChannels) {
    RunChannelsTask(task, xpad, y);
  } else {
    RunBlockTask(task, x, xpad, y);
  }
}

// Pixel and direct modes: task -> (n, group, Cout block, flat block).
void PhaseFastAlgo::RunBlockTask(int64_t task, const float* x, const float* xpad, float* y) const {
  const Geom3& g = p_.g;
  const int64_t nblk = static_cast<int64_t>(p_.f0.size());
  const int64_t blk = p_.cout_inner ? (task / p_.nb) % nblk : task % nblk;
  const int64_t b = p_.cout_inner ? task % p_.nb : (task / nblk) % p_.nb;
  const int64_t gi = (task / (nblk * p_.nb)) % g.groups;
  const int64_t n = task / (nblk * p_.nb * g.groups);
  alignas(64) float local[kernels::kPhaseLocalPadFloats];
  const float* xg = local;
  if (p_.x_direct) {
    xg = x + (n * g.cin + gi * g.cin_g) * p_.xplane;
  } else if (!p_.local_pad) {
    xg = xpad + (n * g.cin + gi * g.cin_g) * p_.plane;
  } else {
    kernels::PadVolumeArgs pa;
    for (int ax = 0; ax < 3; ++ax) {
      pa.in[ax] = g.in[ax];
      pa.pad[ax] = -p_.lo[ax];
    }
    pa.hp = p_.len[1];
    pa.wp = p_.len[2];
    pa.plane = p_.plane;
    const auto pad = p_.pad_kernel->As<kernels::PadVolumeFn>();
    for (int64_t ci = 0; ci < g.cin_g; ++ci) {
      pa.src = x + (n * g.cin + gi * g.cin_g + ci) * g.in_sp;
      pa.dst = local + ci * p_.plane;
      pad(pa);
    }
  }
  kernels::PhaseTaskArgs a = task_args_;
  a.x = xg;
  a.w_block = gi * p_.nb + b;
  a.bias = p_.bias.data() + a.w_block * p_.cb;
  a.f0 = p_.f0[blk];
  a.f1 = p_.f1[blk];
  a.y = y + n * g.cout * g.out_sp;
  a.co0 = gi * g.cout_g + b * p_.cb;
  a.cb = static_cast<int>(std::min<int64_t>(p_.cb, g.cout_g - b * p_.cb));
  p_.kernel->As<kernels::PhaseTaskFn>()(a);
}

// Channels mode: task -> (image group, group, Cout block, chunk of groups).
void PhaseFastAlgo::RunChannelsTask(int64_t task, const float* xpad, float* y) const {
  const Geom3& g = p_.g;
  const int64_t nch = static_cast<int64_t>(p_.ch_ph.size());
  const int64_t ch = task % nch;
  const int64_t b = (task / nch) % p_.nb;
  const int64_t gi = (task / (nch * p_.nb)) % g.groups;
  const int64_t j = task / (nch * p_.nb * g.groups);
  const int64_t ph = p_.ch_ph[ch];
  const int64_t ntaps = p_.tap_begin[ph + 1] - p_.tap_begin[ph];
  const int64_t wb = gi * p_.nb + b;
  const int64_t co0 = gi * g.cout_g + b * p_.cb;
  constexpr int64_t kGroup = kernels::kPhaseGroupPixels;
  kernels::PhaseChannelsArgs a;
  a.x = xpad + (j * g.cin + gi * g.cin_g) * p_.cstride;
  a.cstride = p_.cstride;
  a.cin = g.cin_g;
  a.offs = p_.offs.data() + p_.tap_begin[ph];
  a.woff = p_.tap_w.data() + p_.tap_begin[ph];
  a.ntaps = ntaps;
  a.w = p_.wpack.data() + p_.w_begin[ph] + wb * g.cin_g * ntaps * p_.cb;
  a.wstride = ntaps * p_.cb;
  a.bias = p_.bias.data() + wb * p_.cb;
  a.grp_x = p_.grp_x.data();
  a.grp_y = p_.grp_y.data();
  a.grp_n = p_.grp_n.data();
  a.grp_mask = p_.grp_mask.data();
  a.g0 = p_.ch_g0[ch];
  a.g1 = p_.ch_g1[ch];
  // Batch-interleaved: image group j stores its images that exist.
  a.images = p_.bint ? static_cast<int32_t>(std::min<int64_t>(kGroup, g.n - j * kGroup)) : 0;
  a.y = y + j * kGroup * g.cout * g.out_sp + co0 * p_.ychan;
  a.ychan = p_.ychan;
  a.ystep = p_.ystep;
  a.cb = static_cast<int>(std::min<int64_t>(p_.cb, g.cout_g - b * p_.cb));
  p_.kernel->As<kernels::PhaseChannelsFn>()(a);
}

}  // namespace

std::unique_ptr<PreparedAlgo> MakePhaseFastAlgo(PhasePlan plan, const AlgoCost& cost, const RunLayout& layout) {
  return std::make_unique<PhaseFastAlgo>(std::move(plan), cost, layout);
}

}  // namespace phase_fast
}  // namespace tconv
