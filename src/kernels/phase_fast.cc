// SIMD fast path of the `phase` algorithm: PreparePhaseFast (the seam in
// src/algo/phase_fast.h) takes 1-D, 2-D and 3-D transposed convolutions with
// any dilation and groups (depthwise included; any stride <= 64 on the last
// axis, kernel, pads, output padding), packs the weights per phase once, and
// returns a PreparedAlgo whose Run repacks the NCHW (or, for a channels-last
// plan, NHWC) input into zero-padded volumes (workspace; included in Run's
// time; skipped where the tasks can read x itself) and runs the
// Highway kernels of
// src/kernels/hwy/phase_fast_hwy.cc over OpenMP tasks, one writer per output
// element. Everything else (stride > 64 on the last axis) is declined with a
// reason, and the general phase code runs.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string>

#include <omp.h>

#include "src/algo/phase_fast.h"
#include "src/algo/tap_math.h"
#include "src/checked_int.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/phase_fast_kernels.h"
#include "src/layout_convert.h"

namespace tconv {
namespace {

using kernels::PhaseFastParams;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Largest stride on the last axis: Task's interleave keeps one row pointer
// per column phase on the stack (rows[64]).
constexpr int64_t kMaxLastAxisStride = 64;
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

struct AxisPhases {
  // Per phase t in [0, s): taps j in [0, taps[t]) read padded input index
  // u + c[t] - j*istep with kernel index r[t] + j*kstep (tap_math.h: with
  // dilation d, g = gcd(s, d), kstep = s/g, istep = d/g; dilation 1 gives
  // kstep = s, istep = 1). Phases no tap reaches have taps[t] = 0 (bias only).
  std::vector<int64_t> c, r, taps;
  int64_t kstep = 1, istep = 1;
  int64_t u = 1;                    // ceil(out / s)
  int64_t lo = 0, len = 1;          // padded index range [lo, lo + len)
};

AxisPhases AnalyzeAxis(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t out) {
  const TapAxis tap(in, k, s, d, pb);
  AxisPhases a;
  a.kstep = tap.kstep;
  a.istep = tap.istep;
  a.u = CeilDiv(out, s);
  int64_t lo = 0, hi = in - 1;
  for (int64_t t = 0; t < s; ++t) {
    const int64_t r = tap.FirstTapOfResidue(t + pb);
    const bool any = r >= 0 && r < k;
    const int64_t c = any ? (t + pb - r * d) / s : 0;  // exact division
    const int64_t taps = any ? CeilDiv(k - r, tap.kstep) : 0;
    a.c.push_back(c);
    a.r.push_back(any ? r : 0);
    a.taps.push_back(taps);
    if (taps > 0) {
      lo = std::min(lo, c - (taps - 1) * tap.istep);
      hi = std::max(hi, a.u - 1 + c);
    }
  }
  a.lo = lo;
  a.len = hi - lo + 1;
  return a;
}

// Pixels (W-vectors) or channels in the vector lanes: the one that wastes
// fewer lanes, with pixels preferred unless their rows waste > 15 % (> 5 %
// with >= 4 images).
struct LaneChoice {
  bool channels = false;
  double efficiency = 1.0;  // useful fraction of the lanes of the chosen mode
};

LaneChoice ChooseLanes(const int64_t* u, const int64_t* len, int64_t cout_g, int64_t n) {
  const double eff_pixels = static_cast<double>(u[1] * u[2]) / static_cast<double>(CeilDiv(u[1] * len[2], 16) * 16);
  const double eff_channels =
      static_cast<double>(cout_g) /
      static_cast<double>(CeilDiv(cout_g, kernels::kPhaseChannelBlock) * kernels::kPhaseChannelBlock) *
      static_cast<double>(u[2]) /
      static_cast<double>(CeilDiv(u[2], kernels::kPhaseGroupPixels) * kernels::kPhaseGroupPixels);
  // Measured (same run, ratio to oneDNN at 1 thread): channels win on
  // dcgan_g2 (eff_pixels 0.44: 0.92 vs 0.46) and dcgan_g3 (0.80: 0.95 vs
  // 0.80). dcgan_g4 (0.89) lost (0.93 vs 1.05) until the channels mode
  // stored whole channel vectors (y staged channels last): now 105-107 vs
  // 93-96 GFLOP/s at 1 thread, 1.08x at 2. With >= 4 images (the
  // batch-interleaved layout, which also skips the taps reading padding)
  // the channels mode is taken below 0.95; without, below 0.85 (wavegan_up,
  // N = 4 and 0.98, unet3d_up and unet_up4, N = 1, lose with it).
  LaneChoice c;
  const double threshold = n >= kernels::kPhaseGroupPixels ? 0.95 : 0.85;
  c.channels = eff_pixels < threshold && eff_channels > eff_pixels;
  c.efficiency = c.channels ? eff_channels : eff_pixels;
  return c;
}

class PhaseFast : public PreparedAlgo {
 public:
  PhaseFastParams p;
  AlgoCost cost;
  bool x_channels_last = false;  // Run reads x (N, *in, Cin)

  bool ActualCost(AlgoCost* c) const override {
    *c = cost;
    return true;
  }
  // (A staged NCHW run's kernels write channels last too, into the workspace.)
  bool WritesChannelsLast() const override { return x_channels_last && p.y_channels_last; }

  // Channels mode, NCHW y: the kernels write y channels last at workspace
  // float ystage_floats, and Run transposes it into y.
  bool stage_y = false;
  int64_t ystage_floats = 0;

  void Run(const float* x, float* y, void* ws, int threads) const override {
    float* xpad = static_cast<float*>(ws);
    float* y_kernel = stage_y ? xpad + ystage_floats : y;
    const int64_t vols = p.local_pad || p.bint || p.x_direct ? 0 : p.n * p.cin;
    const int64_t chans = p.bint ? p.img_groups * p.cin : 0;
    const int64_t in_sp = p.in[0] * p.in[1] * p.in[2];
    const int64_t in_rows = p.n * p.in[0] * p.in[1];
    const int64_t tasks = p.ntasks;
    const int64_t chunk = std::max<int64_t>(1, tasks / (16 * static_cast<int64_t>(threads)));
    // Pixel and direct modes with fewer (image, group) volumes than threads
    // whose static task split runs along the rows (one Cout block, or Cout
    // blocks inner): the pad pass splits the rows the same way, so a thread
    // reads mostly the padded rows it wrote (not half of every row, as in
    // a split by channels). 2t, A/B in the same minutes: fsrcnn_x3 in the
    // far placement 88 -> 142 GFLOP/s, close 179 -> 175 (medians of 3).
    // TCONV_PHASE_ROWPAD=0 disables (measurement).
    static const bool row_pad_env = [] {
      const char* e = std::getenv("TCONV_PHASE_ROWPAD");
      return !e || std::atoi(e) != 0;
    }();
    const bool row_pad = row_pad_env && vols > 0 && !x_channels_last && p.mode != kernels::PhaseMode::kChannels &&
                         p.n * p.groups < threads && (p.nb == 1 || p.cout_inner);
#pragma omp parallel num_threads(threads)
    {
      // (Every thread sees the same sizes, so skipping the empty loops and
      // their barriers is uniform; local_pad runs only the task loop.)
      if (row_pad) {
        // Each thread pads its share of the rows of every volume: roughly
        // the rows its static share of the tasks reads (see row_pad).
        const int nt = omp_get_num_threads(), t = omp_get_thread_num();
        const int64_t rows = p.len[0] * p.len[1];
        for (int64_t q = 0; q < vols; ++q)
          kernels::PadVolumeRows(p, x + q * in_sp, xpad + q * p.plane, rows * t / nt, rows * (t + 1) / nt);
#pragma omp barrier
      } else if (vols > 0 && !x_channels_last) {
#pragma omp for schedule(static)
        for (int64_t q = 0; q < vols; ++q) kernels::PadVolume(p, x + q * in_sp, xpad + q * p.plane);
      }
      if (vols > 0 && x_channels_last) {
        // Zero what is not input, then transpose each channels-last input
        // row (in_w pixels x Cin) into its row of every channel's volume:
        // the two loops write disjoint floats.
#pragma omp for schedule(static) nowait
        for (int64_t q = 0; q < vols; ++q) kernels::ZeroVolumePadding(p, xpad + q * p.plane);
#pragma omp for schedule(static)
        for (int64_t row = 0; row < in_rows; ++row) kernels::PadRowChannelsLast(p, x, xpad, row);
      }
      if (chans > 0) {
#pragma omp for schedule(static)
        for (int64_t q = 0; q < chans; ++q)
          kernels::PadChannelInterleaved(p, x, x_channels_last, xpad, q / p.cin, q % p.cin);
      }
      // Tasks: a fixed partition of the outputs, each computed in a fixed
      // order, so any thread may run any task (results do not depend on the
      // thread count or the schedule).
      // Pixel and direct modes: static, so a thread runs the same tasks
      // every run and finds their y lines in its own caches, and their
      // padded input too where the pad pass splits the same way (a batch:
      // (n, ci)-major; one image split along the rows: row_pad). The host
      // places this VM's two vCPUs either close (a cache line's ping-pong
      // round trip 55 ns, bench/tconv_core_pingpong) or on different CCDs
      // (330 ns); there a dynamic schedule moved lines between the CCDs
      // every run. 2 threads, dynamic -> static, A/B in the same minutes:
      // far placement dw_k4s2 47 -> 77, fsrcnn_x3 82 -> 102, unet_up4 133
      // -> 151, dcgan_g5 54 -> 145, wavegan_up 206 -> 215 GFLOP/s; close
      // placement dcgan_g5 136 -> 146, fsrcnn_x3 165 -> 176, others level.
      // Channels mode with image groups (bint) too: a thread's tasks are
      // then whole image groups, whose padded input it wrote itself.
      if (p.mode != kernels::PhaseMode::kChannels || p.bint) {
#pragma omp for schedule(static)
        for (int64_t task = 0; task < tasks; ++task) kernels::PhaseFastTask(p, x, xpad, y_kernel, task);
      } else {
        // Channels mode without image groups: dynamic, chunks of ~1/16 of
        // the tasks per thread (every task reads every image; with the
        // DCGAN layers' images interleaved that way, static lost in the far
        // placement: dcgan_g4 151-153 vs 164-170 GFLOP/s).
#pragma omp for schedule(dynamic, chunk)
        for (int64_t task = 0; task < tasks; ++task) kernels::PhaseFastTask(p, x, xpad, y_kernel, task);
      }
    }
    if (stage_y) ChannelsLastToFirst(y_kernel, y, p.n, p.cout, p.out_sp, threads);
  }
};

}  // namespace

namespace kernels {

void PadVolume(const PhaseFastParams& p, const float* src, float* dst) {
  PadVolumeRows(p, src, dst, 0, p.len[0] * p.len[1]);
}

void PadVolumeRows(const PhaseFastParams& p, const float* src, float* dst, int64_t r0, int64_t r1) {
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t pd = -p.lo[0], pt = -p.lo[1], pl = -p.lo[2];
  const int64_t in_h = p.in[1], in_w = p.in[2];
  for (int64_t r = r0; r < r1; ++r) {
    float* row = dst + r * wp;
    const int64_t iz = r / hp - pd, iy = r % hp - pt;
    if (iz < 0 || iz >= p.in[0] || iy < 0 || iy >= in_h) {
      std::memset(row, 0, static_cast<size_t>(wp) * sizeof(float));
      continue;
    }
    std::memset(row, 0, static_cast<size_t>(pl) * sizeof(float));
    if (src) std::memcpy(row + pl, src + (iz * in_h + iy) * in_w, static_cast<size_t>(in_w) * sizeof(float));
    std::memset(row + pl + in_w, 0, static_cast<size_t>(wp - pl - in_w) * sizeof(float));
  }
  const int64_t rows = p.len[0] * hp;
  if (r1 == rows) std::memset(dst + rows * wp, 0, static_cast<size_t>(p.plane - rows * wp) * sizeof(float));
}

void ZeroVolumePadding(const PhaseFastParams& p, float* dst) {
  PadVolumeRows(p, nullptr, dst, 0, p.len[0] * p.len[1]);
}

void PadRowChannelsLast(const PhaseFastParams& p, const float* x, float* xpad, int64_t row) {
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t pd = -p.lo[0], pt = -p.lo[1], pl = -p.lo[2];
  const int64_t in_d = p.in[0], in_h = p.in[1], in_w = p.in[2];
  const int64_t n = row / (in_d * in_h), iz = row / in_h % in_d, iy = row % in_h;
  const float* src = x + row * in_w * p.cin;  // (in_w, Cin)
  float* dst = xpad + n * p.cin * p.plane + ((iz + pd) * hp + iy + pt) * wp + pl;
  ChannelsLastRowsToFirst(src, in_w, p.cin, dst, p.plane);
}

void PadChannelInterleaved(const PhaseFastParams& p, const float* x, bool x_channels_last, float* xpad, int64_t j,
                           int64_t ci) {
  const int64_t hp = p.len[1], wp = p.len[2], nn = kPhaseGroupPixels;
  const int64_t n0 = j * kPhaseGroupPixels, n1 = std::min(p.n, n0 + kPhaseGroupPixels);
  const int64_t pd = -p.lo[0], pt = -p.lo[1], pl = -p.lo[2];
  const int64_t in_d = p.in[0], in_h = p.in[1], in_w = p.in[2];
  const int64_t in_sp = in_d * in_h * in_w;
  // Input element (n, ci, pixel q) at x + n*Cin*in_sp + ci*cs + q*ps. The
  // channels-last reads are Cin floats apart, but the DCGAN inputs this
  // layout serves are small (0.25-0.5 MB, L2-resident).
  const int64_t cs = x_channels_last ? 1 : in_sp, ps = x_channels_last ? p.cin : 1;
  float* dst = xpad + (j * p.cin + ci) * p.cstride;
  std::memset(dst, 0, static_cast<size_t>(p.cstride) * sizeof(float));
  for (int64_t n = n0; n < n1; ++n) {
    const float* src = x + n * p.cin * in_sp + ci * cs;
    for (int64_t iz = 0; iz < in_d; ++iz)
      for (int64_t iy = 0; iy < in_h; ++iy) {
        float* row = dst + (((iz + pd) * hp + iy + pt) * wp + pl) * nn + (n - n0);
        const float* in = src + (iz * in_h + iy) * in_w * ps;
        for (int64_t ix = 0; ix < in_w; ++ix) row[ix * nn] = in[ix * ps];
      }
  }
}

}  // namespace kernels

namespace {

// Multiply-adds of the fast path: the sum over phases (td, ty, tx) of taps x
// valid outputs, whose per-axis sums multiply.
int64_t FastMacs(const Geom3& g, const AxisPhases* ax) {
  int64_t m = SatProduct({g.n, g.groups, g.cin_g, g.cout_g});
  for (int a = 0; a < 3; ++a) {
    int64_t sum = 0;
    for (int64_t t = 0; t < g.s[a]; ++t)
      sum = SatAdd(sum, SatMul(ax[a].taps[t], g.out[a] > t ? CeilDiv(g.out[a] - t, g.s[a]) : 0));
    m = SatMul(m, sum);
  }
  return m;
}

// Nothing padded around the input's rows: the padded volume's rows are
// the input's (lo = 0, hp = in_h, wp = in_w), so below in_sp it is x
// itself, float for float (ReadsXDirectly, the pixel mode's flat blocks).
bool RowsAreTheInput(const kernels::PhaseFastParams& p) {
  return p.lo[0] == 0 && p.lo[1] == 0 && p.lo[2] == 0 && p.len[1] == p.in[1] && p.len[2] == p.in[2];
}

// Task order of the pixel and direct modes. Consecutive tasks share what
// varies slowest: with flat blocks innermost (the default) a Cout block's
// weight panel stays in cache while the input volumes of an (image, group)
// stream past once per Cout block; with Cout blocks innermost one flat block
// of input stays in cache while the group's weights stream past once per
// block. Data that stays in the L3 between passes (taken as 4 MiB: the
// 32 MiB L3 here is shared with other cores and with the output) is counted
// once; the order with less traffic from memory wins. Measured with
// TCONV_PHASE_ORDER, same runs: unet_up4 (19.7 MB input, 8 Cout blocks)
// 1 thread 55 -> 77 GFLOP/s, 2 threads 81-92 -> 133-143; unet3d_up (2.1 MB
// input) moved -5% (2t) to +9% (1t), inside the noise, so it keeps blocks
// inner. The order never changes a result.
bool CoutBlocksInner(const kernels::PhaseFastParams& p, int64_t total_taps) {
  constexpr double kStaysInL3Bytes = 4.0 * 1024.0 * 1024.0;
  const double x_bytes = 4.0 * static_cast<double>(p.cin_g * p.plane);
  const double w_bytes = 4.0 * static_cast<double>(p.cin_g * total_taps * p.nb * p.cb);
  const double nblk = static_cast<double>(p.f0.size());
  const double blocks_inner = x_bytes > kStaysInL3Bytes ? static_cast<double>(p.nb) * x_bytes : x_bytes;
  const double cout_inner = (w_bytes > kStaysInL3Bytes ? nblk * w_bytes : w_bytes) + x_bytes;
  // One (image, group) volume whose input and weights both stay in the L3:
  // the traffic is the same either way, and Cout blocks inner let threads
  // split the tasks by rows, so each reads the padded rows it wrote itself
  // (Run's row_pad) instead of all rows, half written by the other core.
  // seed_k3s2 2t, A/B in the same minutes: far placement 136 -> 153-157
  // GFLOP/s, close 186 -> 194; 1t level (1.00x). fcn_up8: 1t and 2t close
  // level, 2t far 134-145 -> 145-148.
  const bool one_volume_in_l3 = p.n * p.groups == 1 && x_bytes <= kStaysInL3Bytes && w_bytes <= kStaysInL3Bytes;
  return p.nb > 1 && nblk > 1 && (one_volume_in_l3 || cout_inner < blocks_inner);
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
//    (MicroR, Cout 1 with row reuse, reads past its rows: not taken.)
//    unet_up1 2t: with the padded copy, whose lines each thread wrote half
//    of, the far vCPU placement ran at 185-189 GFLOP/s, against 206-212
//    for two 1-thread plans of half the Cout each padding a private copy.
bool ReadsXDirectly(const kernels::PhaseFastParams& p) {
  constexpr int64_t kMaxLanes = 16;  // floats in the widest vector (AVX-512)
  const bool direct = p.mode == kernels::PhaseMode::kDirect && p.cb > 1;
  const bool pixels = p.mode == kernels::PhaseMode::kPixels && !(p.cb == 1 && p.row_reuse);
  if (!(direct || pixels) || p.local_pad || !RowsAreTheInput(p)) return false;
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t in_sp = p.in[0] * p.in[1] * p.in[2];
  if (direct) {
    if (wp % kMaxLanes != 0 || p.u[2] > wp) return false;
    const int64_t rows = (p.u[0] - 1) * hp + p.u[1];
    for (const int64_t o : p.offs)
      if (o < 0 || o + rows * wp > in_sp) return false;
    return true;
  }
  for (size_t b = 0; b < p.f0.size(); ++b) {
    const int64_t end = p.f0[b] + CeilDiv(p.f1[b] - p.f0[b], kMaxLanes) * kMaxLanes;
    for (const int64_t o : p.offs)
      if (o < 0 || end + o > in_sp) return false;
  }
  return true;
}

}  // namespace

PhaseFastProfile ProfilePhaseFast(const Geom3& g) {
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
  const LaneChoice lanes = ChooseLanes(u, len, g.cout_g, g.n);
  prof.lane_efficiency = lanes.efficiency;
  // Batch-interleaved channels mode skips the taps that read padding.
  prof.macs = lanes.channels && g.n >= kernels::kPhaseGroupPixels ? UsefulMacs(g) : FastMacs(g, ax);
  return prof;
}

std::unique_ptr<PreparedAlgo> PreparePhaseFast(const Geom3& g, const float* w, const float* bias, AlgoCost* cost,
                                               std::string* why, bool channels_last) {
  dispatch::InitDispatch();
  auto decline = [why](const std::string& reason) -> std::unique_ptr<PreparedAlgo> {
    dispatch::LogDispatch("phase_fast: declined: %s", reason.c_str());
    if (why) *why = reason;
    return nullptr;
  };
  if (g.s[2] > kMaxLastAxisStride) {
    return decline("stride " + std::to_string(g.s[2]) + " > " + std::to_string(kMaxLastAxisStride));
  }
  if (TooManyPhases(g)) return decline("more than " + std::to_string(kMaxPhases) + " phases (stride product)");

  auto impl = std::make_unique<PhaseFast>();
  PhaseFastParams& p = impl->p;
  p.n = g.n;
  p.groups = g.groups;
  p.cin = g.cin;
  p.cout = g.cout;
  p.cin_g = g.cin_g;
  p.cout_g = g.cout_g;
  AxisPhases ax[3];
  for (int a = 0; a < 3; ++a) {
    p.in[a] = g.in[a];
    p.out[a] = g.out[a];
    p.s[a] = g.s[a];
    ax[a] = AnalyzeAxis(g.in[a], g.k[a], g.s[a], g.d[a], g.pb[a], g.out[a]);
    p.u[a] = ax[a].u;
    p.lo[a] = ax[a].lo;
    p.len[a] = ax[a].len;
  }
  if (PaddedVolumeTooLarge(g, p.len)) return decline("padded input volume > 16 x (input + output) + 2^20 floats");
  const int64_t dp = p.len[0], hp = p.len[1], wp = p.len[2];
  p.plane = (dp * hp * wp + wp + kernels::kPhasePlaneTail + 15) / 16 * 16;
  p.xplane = p.plane;
  p.out_sp = p.out[0] * p.out[1] * p.out[2];
  p.nphase = p.s[0] * p.s[1] * p.s[2];

  // Valid outputs of phase t on axis a: #{u : u*s + t < out}.
  auto valid = [&](int a, int64_t t) { return p.out[a] > t ? CeilDiv(p.out[a] - t, p.s[a]) : int64_t{0}; };

  // Mode: pixels (W-vectors) unless rows are short and Cout fills channel
  // vectors better. TCONV_PHASE_MODE=pixels|channels forces one (tuning).
  {
    const LaneChoice lanes = ChooseLanes(p.u, p.len, p.cout_g, p.n);
    p.mode = lanes.channels ? kernels::PhaseMode::kChannels : kernels::PhaseMode::kPixels;
    // Cout per group 1 and sx <= 4: the direct kernel (dw_k4s2: 0.446 ->
    // 0.355 ms at 1 thread against the tile + interleave of kPixels; fsrcnn_x3,
    // Cin 56, lost with it: 52 -> 39 GFLOP/s, hence Cin per group <= 4).
    if (p.mode == kernels::PhaseMode::kPixels && p.cout_g == 1 && p.cin_g <= 4 && p.s[2] <= 4) p.mode = kernels::PhaseMode::kDirect;
    // Every column phase reads the same taps (k = s along x with no left
    // pad, e.g. the U-Net up-convs): the direct kernel also takes Cout > 1,
    // loading each input vector once for all sx phases.
    bool tx_shared = p.s[2] <= 4;
    for (int64_t tx = 1; tx < p.s[2]; ++tx)
      tx_shared = tx_shared && ax[2].taps[tx] == ax[2].taps[0] && ax[2].c[tx] == ax[2].c[0];
    // Taken for strided rows of at most one vector in NCHW: unet3d_up (rows
    // of 16) 1t +5-8% (A/B medians 92.6 -> 99.7 and 89.6 -> 93.7 GFLOP/s;
    // no tile and interleave pass), level at 2t. Longer rows lost against
    // the pixel mode's V-vector blocks (unet_up4 0.94x, unet_up1 0.63x),
    // and channels-last y would need the plan's y copy.
    if (p.mode == kernels::PhaseMode::kPixels && tx_shared && p.s[2] >= 2 && p.cout_g > 1 && !channels_last &&
        p.u[2] <= kernels::PhaseFastLanes())
      p.mode = kernels::PhaseMode::kDirect;
    const char* env = std::getenv("TCONV_PHASE_MODE");
    if (env && std::string(env) == "pixels") p.mode = kernels::PhaseMode::kPixels;
    if (env && std::string(env) == "channels") p.mode = kernels::PhaseMode::kChannels;
    if (env && std::string(env) == "direct" && p.s[2] <= 4 && (p.cout_g == 1 || tx_shared))
      p.mode = kernels::PhaseMode::kDirect;
  }
  if (p.mode == kernels::PhaseMode::kChannels) {
    p.cb = kernels::kPhaseChannelBlock;
    p.nb = CeilDiv(p.cout_g, p.cb);
  } else if (p.mode == kernels::PhaseMode::kDirect && p.cout_g > 1) {
    p.cb = kernels::kPhaseDirectBlock;
    p.nb = CeilDiv(p.cout_g, p.cb);
  } else {
    // Cout blocks of at most 8, as even as possible (21 -> 3 x 7, 3 -> 1 x 3).
    p.nb = CeilDiv(p.cout_g, 8);
    p.cb = static_cast<int>(CeilDiv(p.cout_g, p.nb));
    p.nb = CeilDiv(p.cout_g, p.cb);
  }
  const int cb = p.cb;
  const int64_t kd = g.k[0], kh = g.k[1], kw = g.k[2];

  // Taps and packed weights per phase: wpack[p][g][b][ci][tap][cb].
  p.tap_begin.push_back(0);
  bool depth_taps = false;
  for (int64_t td = 0; td < p.s[0]; ++td) {
    for (int64_t ty = 0; ty < p.s[1]; ++ty) {
      for (int64_t tx = 0; tx < p.s[2]; ++tx) {
        std::vector<std::array<int64_t, 3>> kk;  // (kz, ky, kx)
        for (int64_t jd = 0; jd < ax[0].taps[td]; ++jd)
          for (int64_t jy = 0; jy < ax[1].taps[ty]; ++jy)
            for (int64_t jx = 0; jx < ax[2].taps[tx]; ++jx) {
              p.offs.push_back(((ax[0].c[td] - jd * ax[0].istep - p.lo[0]) * hp +
                                (ax[1].c[ty] - jy * ax[1].istep - p.lo[1])) * wp +
                               (ax[2].c[tx] - jx * ax[2].istep - p.lo[2]));
              kk.push_back({ax[0].r[td] + jd * ax[0].kstep, ax[1].r[ty] + jy * ax[1].kstep,
                            ax[2].r[tx] + jx * ax[2].kstep});
            }
        for (size_t t = 0; t < kk.size(); ++t) p.tap_w.push_back(static_cast<int64_t>(t) * cb);
        p.tap_begin.push_back(static_cast<int64_t>(p.offs.size()));
        p.tap_ty.push_back(ax[1].taps[ty]);
        if (ax[0].taps[td] > 1) depth_taps = true;
        p.w_begin.push_back(static_cast<int64_t>(p.wpack.size()));
        const int64_t ntaps = static_cast<int64_t>(kk.size());
        const size_t base = p.wpack.size();
        p.wpack.resize(base + static_cast<size_t>(p.groups * p.nb * p.cin_g * ntaps * cb), 0.0f);
        for (int64_t gi = 0; gi < p.groups; ++gi)
          for (int64_t b = 0; b < p.nb; ++b)
            for (int64_t ci = 0; ci < p.cin_g; ++ci)
              for (int64_t t = 0; t < ntaps; ++t)
                for (int c = 0; c < cb; ++c) {
                  const int64_t co = b * cb + c;
                  if (co >= p.cout_g) continue;
                  const int64_t ci_all = gi * p.cin_g + ci;
                  p.wpack[base + static_cast<size_t>((((gi * p.nb + b) * p.cin_g + ci) * ntaps + t) * cb + c)] =
                      w[(((ci_all * p.cout_g + co) * kd + kk[t][0]) * kh + kk[t][1]) * kw + kk[t][2]];
                }
      }
    }
  }
  // Row reuse (fsrcnn_x3 1t: 2.48 -> 1.6-1.8 ms, 0.89 -> 1.37x oneDNN);
  // TCONV_PHASE_ROWS=0 disables.
  // MicroR slides over consecutive rows and columns: undilated taps only.
  // kDirect: the same grid in MicroDR (dw_k4s2 1t: 24 -> 26 GFLOP/s).
  p.row_reuse = ((p.mode == kernels::PhaseMode::kPixels && cb == 1) || p.mode == kernels::PhaseMode::kDirect) &&
                !depth_taps && ax[1].istep == 1 && ax[2].istep == 1;
  if (const char* e = std::getenv("TCONV_PHASE_ROWS")) p.row_reuse = p.row_reuse && std::atoi(e) != 0;
  p.bias.assign(static_cast<size_t>(p.groups * p.nb * cb), 0.0f);
  if (bias)
    for (int64_t gi = 0; gi < p.groups; ++gi)
      for (int64_t co = 0; co < p.cout_g; ++co) p.bias[gi * p.nb * cb + co] = bias[gi * p.cout_g + co];

  // Want at least ~16 tasks per run where the problem allows it, so two (or
  // more) threads balance (fsrcnn_x3: 3 blocks of 44 rows left one thread
  // idle a third of the time). The partition never changes any output's
  // reduction order, so results stay bitwise identical.
  constexpr int64_t kWantTasks = 16;
  if (p.mode != kernels::PhaseMode::kChannels) {
    // Flat ranges over the rows (u_d, y) of the padded volume, rows y >= Uy
    // of a depth slice are padding (computed, discarded); the last slice
    // ends at row Uy. Length <= fb, a multiple of 16 floats.
    const int64_t fb = kernels::kPhaseTileFloats / (p.s[2] * cb) / 16 * 16;
    if (fb < 16) return decline("tile budget too small");
    const int64_t rows = (p.u[0] - 1) * hp + p.u[1];
    if (wp <= fb) {
      const int64_t want_blocks = CeilDiv(kWantTasks, p.n * p.groups * p.nb);
      int64_t rb = std::max<int64_t>(1, std::min(fb / wp, CeilDiv(rows, want_blocks)));
      // Direct Cout blocks: every Cout block of a row block reads all its
      // cin_g channels, so keep a row block's input within L2 (256 KiB)
      // and run the Cout blocks inner.
      if (p.mode == kernels::PhaseMode::kDirect && cb > 1)
        rb = std::max<int64_t>(4, std::min(rb, (int64_t{256} << 10) / (p.cin_g * wp * 4)));
      // Pixel mode with Cout blocks on an unpadded input (lo = 0, hp =
      // in_h, wp = in_w): blocks of whole vectors rather than whole rows
      // (the interleave takes partial rows), so that where rows*wp is a
      // multiple of 16 no block's last vector runs past the input and the
      // tasks can read x itself (ReadsXDirectly; unet_up4: 5-row blocks of
      // 980 floats left the last one 12 floats past x).
      // (At least one vector: a narrower block would waste lanes anyway.)
      const int64_t flat = p.mode == kernels::PhaseMode::kPixels && cb > 1 && RowsAreTheInput(p)
                               ? std::max<int64_t>(16, rb * wp / 16 * 16)
                               : 0;
      if (flat > 0) {
        for (int64_t f = 0; f < rows * wp; f += flat) {
          p.f0.push_back(f);
          p.f1.push_back(std::min(rows * wp, f + flat));
        }
      } else {
        for (int64_t r = 0; r < rows; r += rb) {
          p.f0.push_back(r * wp);
          p.f1.push_back(std::min(rows, r + rb) * wp);
        }
      }
    } else {
      for (int64_t r = 0; r < rows; ++r) {
        if (r % hp >= p.u[1]) continue;
        for (int64_t c0 = 0; c0 < wp; c0 += fb) {
          p.f0.push_back(r * wp + c0);
          p.f1.push_back(r * wp + std::min(wp, c0 + fb));
        }
      }
    }
    p.ntasks = p.n * p.groups * p.nb * static_cast<int64_t>(p.f0.size());
    // dw_k4s2: 256 tasks of one 34x34 plane each; padding in the task keeps
    // the plane in L1 and drops the 1.2 MB workspace round trip
    // (TCONV_PHASE_LOCALPAD=0 disables, for measurement).
    p.local_pad = p.nb == 1 && p.f0.size() == 1 && p.cin_g * p.plane <= kernels::kPhaseLocalPadFloats;
    if (const char* e = std::getenv("TCONV_PHASE_LOCALPAD")) p.local_pad = p.local_pad && std::atoi(e) != 0;
    if (channels_last && p.local_pad) return decline("channels-last input: per-task padding");
    // TCONV_PHASE_XDIRECT=0 keeps the pad pass (measurement).
    p.x_direct = !channels_last && ReadsXDirectly(p);
    if (const char* e = std::getenv("TCONV_PHASE_XDIRECT")) p.x_direct = p.x_direct && std::atoi(e) != 0;
    if (p.x_direct) p.xplane = p.in[0] * p.in[1] * p.in[2];
    p.cout_inner = CoutBlocksInner(p, static_cast<int64_t>(p.offs.size())) ||
                   (p.mode == kernels::PhaseMode::kDirect && cb > 1);
    if (const char* e = std::getenv("TCONV_PHASE_ORDER")) {
      if (std::string(e) == "cout") p.cout_inner = true;
      if (std::string(e) == "blocks") p.cout_inner = false;
    }
  } else {
    // Batch-interleaved layout when there are >= 4 images (and every phase
    // has <= 64 taps, the mask width). TCONV_PHASE_BINT=0 disables.
    int64_t max_taps = 0;
    for (int64_t ph = 0; ph < p.nphase; ++ph) max_taps = std::max(max_taps, p.tap_begin[ph + 1] - p.tap_begin[ph]);
    p.bint = p.n >= kernels::kPhaseGroupPixels && max_taps <= 64;
    if (const char* e = std::getenv("TCONV_PHASE_BINT")) p.bint = p.bint && std::atoi(e) != 0;
    if (p.bint) {
      // x is only broadcast here, so no per-channel vector tail: dcgan_g3's
      // input is 0.8 MB, not 1.4 MB. Image groups outermost, tasks static:
      // with 2 threads each pads, reads and writes only its own images'
      // lines, which matters when the host puts the two vCPUs on different
      // CCDs. 2t, [ci][f][n] and dynamic -> [group][ci][f][4] and static,
      // A/B in the same minutes, far placement: dcgan_g2 227 -> 277, g3
      // 195 -> 243, g4 160 -> 219 GFLOP/s; close: g2 284 -> 288, g3 239 ->
      // 243, g4 208 -> 227.
      p.img_groups = CeilDiv(p.n, kernels::kPhaseGroupPixels);
      p.cstride = dp * hp * wp * kernels::kPhaseGroupPixels;
      p.ystep = p.cout * p.out_sp;
      for (int64_t& o : p.offs) o *= kernels::kPhaseGroupPixels;
    } else {
      p.cstride = p.plane;
      p.ystep = p.s[2];
    }
    p.ychan = p.out_sp;
    // Pixel groups: up to 4 consecutive valid u_x of one output row (or, bint,
    // up to 4 images of one pixel), every image, per phase.
    std::vector<int64_t> grp_begin;
    for (int64_t td = 0; td < p.s[0]; ++td)
      for (int64_t ty = 0; ty < p.s[1]; ++ty)
        for (int64_t tx = 0; tx < p.s[2]; ++tx) {
          grp_begin.push_back(static_cast<int64_t>(p.grp_x.size()));
          const int64_t vd = valid(0, td), vy = valid(1, ty), vx = valid(2, tx);
          const int64_t tdn = ax[0].taps[td], tyn = ax[1].taps[ty], txn = ax[2].taps[tx];
          struct Grp {
            uint64_t mask;
            int64_t x, y;
            int32_t n;
          };
          std::vector<Grp> grps;
          if (p.bint) {
            for (int64_t ud = 0; ud < vd; ++ud)
              for (int64_t uy = 0; uy < vy; ++uy)
                for (int64_t ux = 0; ux < vx; ++ux) {
                  uint64_t mask = 0;
                  for (int64_t jd = 0; jd < tdn; ++jd)
                    for (int64_t jy = 0; jy < tyn; ++jy)
                      for (int64_t jx = 0; jx < txn; ++jx) {
                        const int64_t iz = ud + ax[0].c[td] - jd * ax[0].istep,
                                      iy = uy + ax[1].c[ty] - jy * ax[1].istep,
                                      ix = ux + ax[2].c[tx] - jx * ax[2].istep;
                        if (iz < 0 || iz >= p.in[0] || iy < 0 || iy >= p.in[1] || ix < 0 || ix >= p.in[2]) continue;
                        mask |= uint64_t{1} << ((jd * tyn + jy) * txn + jx);
                      }
                  const int64_t f = (ud * hp + uy) * wp + ux;
                  const int64_t yo = ((ud * p.s[0] + td) * p.out[1] + uy * p.s[1] + ty) * p.out[2] + ux * p.s[2] + tx;
                  grps.push_back({mask, f * kernels::kPhaseGroupPixels, yo, kernels::kPhaseGroupPixels});
                }
          }
          for (int64_t n = 0; n < (p.bint ? 0 : p.n); ++n)
            for (int64_t ud = 0; ud < vd; ++ud)
              for (int64_t uy = 0; uy < vy; ++uy) {
                // Taps (jd, jy, jx) whose input slice and row are inside.
                uint64_t mask = 0;
                if (tdn * tyn * txn > 64) {
                  mask = ~uint64_t{0};
                } else {
                  for (int64_t jd = 0; jd < tdn; ++jd)
                    for (int64_t jy = 0; jy < tyn; ++jy) {
                      const int64_t iz = ud + ax[0].c[td] - jd * ax[0].istep,
                                    iy = uy + ax[1].c[ty] - jy * ax[1].istep;
                      if (iz < 0 || iz >= p.in[0] || iy < 0 || iy >= p.in[1]) continue;
                      for (int64_t jx = 0; jx < txn; ++jx) mask |= uint64_t{1} << ((jd * tyn + jy) * txn + jx);
                    }
                }
                for (int64_t ux = 0; ux < vx; ux += kernels::kPhaseGroupPixels)
                  grps.push_back({mask, n * p.cin * p.plane + (ud * hp + uy) * wp + ux,
                                  n * p.cout * p.out_sp +
                                      ((ud * p.s[0] + td) * p.out[1] + uy * p.s[1] + ty) * p.out[2] + ux * p.s[2] + tx,
                                  static_cast<int32_t>(std::min<int64_t>(kernels::kPhaseGroupPixels, vx - ux))});
              }
          // dcgan_g2: 8 of 32 groups per phase have a border row whose taps
          // read padding; together they skip 12.5% of the multiply-adds.
          std::stable_sort(grps.begin(), grps.end(), [](const Grp& a, const Grp& b) { return a.mask > b.mask; });
          for (const Grp& gr : grps) {
            p.grp_mask.push_back(gr.mask);
            p.grp_x.push_back(gr.x);
            p.grp_y.push_back(gr.y);
            p.grp_n.push_back(gr.n);
          }
        }
    grp_begin.push_back(static_cast<int64_t>(p.grp_x.size()));
    // Chunks of pixel groups, a multiple of 3 (the AVX-512 kernel's group
    // count), as few as give ~16 tasks: each task reads its weight panel once.
    const int64_t total = grp_begin.back();
    const int64_t want_chunks = CeilDiv(kWantTasks, p.img_groups * p.groups * p.nb);
    const int64_t chunk = std::max<int64_t>(3, CeilDiv(CeilDiv(total, want_chunks), 3) * 3);
    for (int64_t ph = 0; ph < p.nphase; ++ph)
      for (int64_t k = grp_begin[ph]; k < grp_begin[ph + 1]; k += chunk) {
        p.ch_ph.push_back(ph);
        p.ch_g0.push_back(k);
        p.ch_g1.push_back(std::min(grp_begin[ph + 1], k + chunk));
      }
    p.ntasks = p.img_groups * p.groups * p.nb * static_cast<int64_t>(p.ch_ph.size());
  }

  impl->x_channels_last = channels_last;
  // (A y whose channels or pixels are 1 is the same in both layouts: the
  // channels-first row interleave is the vectorised one.)
  p.y_channels_last = channels_last && p.mode == kernels::PhaseMode::kPixels && !LayoutsCoincide(g.cout, g.out_sp);
  // Channels mode with NCHW y: store channels last into the workspace and
  // transpose into y after the tasks. A pixel's 32 channels then go out as 2
  // vectors instead of 32 scalars 4*out_sp bytes apart (dcgan_g3, A/B in
  // the same minutes: 1 thread 112-113 -> 117-119 GFLOP/s, 2 threads
  // 204-212 -> 212-233; dcgan_g2 0 to +3%). The workspace grows by y.
  // TCONV_PHASE_STAGE_Y=0 disables (measurement, tests).
  impl->stage_y = !channels_last && p.mode == kernels::PhaseMode::kChannels && !LayoutsCoincide(g.cout, g.out_sp);
  if (const char* e = std::getenv("TCONV_PHASE_STAGE_Y")) impl->stage_y = impl->stage_y && std::atoi(e) != 0;
  if ((channels_last || impl->stage_y) && p.mode == kernels::PhaseMode::kChannels) {
    // Pixel groups store straight into y: move their channel-0 offsets
    // (n*Cout*out_sp + pixel) to (n*out_sp + pixel)*Cout, channels 1 apart.
    // Images stay Cout*out_sp apart (ystep, bint); a row's 4 pixels become
    // sx*Cout apart.
    p.y_channels_last = true;
    const int64_t img = p.cout * p.out_sp;
    for (int64_t& yo : p.grp_y) yo = yo / img * img + yo % img * p.cout;
    if (!p.bint) p.ystep *= p.cout;
    p.ychan = 1;
  }
  AlgoCost& c = impl->cost;
  c.macs = FastMacs(g, ax);
  // (Saturating: a padded volume for many channels can pass 2^63 bytes;
  // the plan then refuses or falls back on the general path.)
  c.workspace_bytes = p.local_pad || p.x_direct ? 0
                     : p.bint    ? SatProduct({p.img_groups, p.cin, p.cstride, sizeof(float)})
                                 : SatProduct({p.n, p.cin, p.plane, sizeof(float)});
  if (impl->stage_y) {  // [padded input | 64-byte aligned channels-last y]
    impl->ystage_floats = SatAdd(c.workspace_bytes, 63) / 64 * 16;
    c.workspace_bytes = SatMul(SatAdd(impl->ystage_floats, p.n * p.cout * p.out_sp), sizeof(float));
  }
  c.packed_bytes = static_cast<int64_t>((p.wpack.size() + p.bias.size()) * sizeof(float) +
                                        (p.grp_x.size() + p.grp_y.size() + p.grp_mask.size()) * sizeof(int64_t) +
                                        p.grp_n.size() * sizeof(int32_t));
  if (cost) *cost = c;
  std::string kernel = "f32_phase_" + std::to_string(cb) + "x" + std::to_string(kernels::PhaseFastVectors(cb)) +
                       " (pixels in lanes)";
  if (p.mode == kernels::PhaseMode::kChannels) kernel = "f32_phase_c32 (channels in lanes, pixel groups)";
  if (p.mode == kernels::PhaseMode::kDirect)
    kernel = cb == 1 ? "f32_phase_direct (Cout 1, interleaved stores)"
                     : "f32_phase_direct_c" + std::to_string(cb) + " (shared column taps, interleaved stores)";
  dispatch::LogDispatch("phase_fast: taken: isa %s, %s, %lld tasks%s%s", dispatch::ActiveIsaName(), kernel.c_str(),
                        static_cast<long long>(p.ntasks), p.cout_inner ? " (Cout blocks inner)" : "",
                        p.x_direct ? " (reads x, no pad pass)" : "");
  return impl;
}

}  // namespace tconv
