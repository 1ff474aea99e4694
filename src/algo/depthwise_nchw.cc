// Channels-first depthwise route of `phase` (src/algo/depthwise_nchw.h):
// packs each channel's weights as one lane pattern per (ky, column tap),
// and runs f32_dw_nchw_expand (src/kernels/dw_nchw_kernels.h) over the threads,
// one task per (plane, block of output rows).
//
// Why a separate route: the phase kernels compute each phase as its own
// dense sub-image and interleave the phases into y. For a depthwise layer
// with few taps per phase that interleave, and the strided y rows it
// writes, cost more than the FMAs: centernet_ida_f8 (k16 s8, 8 x 8 phases
// of 16 x 16 outputs) and dw_k3s2_mobile (k3 s2, batch 8, a 26 MB y) ran
// at 0.33x and 0.59x of oneDNN's jit_dw (issue #16). Here a y row is a run
// of whole vectors stored once, in order.
#include "src/algo/depthwise_nchw.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/dw_nchw_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

using kernels::DwNchwExpandArgs;
using kernels::kDwNchwPackLanes;

// Bounds: row taps per output (the kernel's tap arrays) and scratch floats
// per thread, a stack buffer (Run allocates nothing; 32 KiB, as the phase
// tasks' own padded input): the expanded rows stay in L1.
constexpr int64_t kMaxRowTaps = 16;
constexpr int64_t kMaxScratchFloats = 8192;
// Tasks wanted per run, so that threads balance (planes are split into
// blocks of rows when there are fewer).
constexpr int64_t kWantTasks = 16;

// The arguments every task shares (x, y, w, bias, rows: the task's).
DwNchwExpandArgs SharedArgs(const Geom3& g) {
  DwNchwExpandArgs a;
  a.in_h = g.in[1];
  a.in_w = g.in[2];
  a.oh = g.out[1];
  a.ow = g.out[2];
  a.sy = g.s[1];
  a.sx = g.s[2];
  a.ky = g.k[1];
  a.kx = g.k[2];
  a.pby = g.pb[1];
  a.pbx = g.pb[2];
  a.my = CeilDiv(a.ky, a.sy);
  a.mx = CeilDiv(a.kx, a.sx);
  // E[b] holds t = b + t0; the loads of tap m start at b = ox + a_off - m*sx
  // (ox a multiple of the lanes), so tap 0's are aligned.
  a.a_off = RoundUp((a.mx - 1) * a.sx, kDwNchwPackLanes);
  a.t0 = a.pbx - a.a_off;
  a.row_len = RoundUp(a.ow, kDwNchwPackLanes) + a.a_off;
  const int64_t ix0 = FloorDiv(a.t0, a.sx);  // the input of E's first vector
  a.xb_left = std::max<int64_t>(0, -ix0);
  const int64_t last = ix0 + (a.row_len - kDwNchwPackLanes) / a.sx + kDwNchwPackLanes;
  a.xb_len =
      RoundUp(a.xb_left + std::max(a.in_w + kDwNchwPackLanes, last), kDwNchwPackLanes);  // (+ the row tail's vector)
  return a;
}

class DepthwiseNchw : public PreparedAlgo {
 public:
  DepthwiseNchw(const Geom3& g, const float* w, const float* bias, const kernels::KernelInfo* kernel)
      : g_(g), kernel_(kernel), args_(SharedArgs(g)) {
    constexpr int64_t P = kDwNchwPackLanes;
    const int64_t ky = args_.ky, kx = args_.kx, sx = args_.sx, mx = args_.mx;
    w_.assign(static_cast<size_t>(g.cout * ky * mx * P), 0.0f);
    for (int64_t c = 0; c < g.cout; ++c)
      for (int64_t y = 0; y < ky; ++y)
        for (int64_t m = 0; m < mx; ++m)
          for (int64_t l = 0; l < P; ++l) {
            const int64_t k = FloorMod(l + args_.pbx, sx) + m * sx;
            if (k < kx) w_[static_cast<size_t>(((c * ky + y) * mx + m) * P + l)] = w[(c * ky + y) * kx + k];
          }
    last_ok_.assign(static_cast<size_t>(P), 0.0f);
    for (int64_t l = 0; l < P; ++l) last_ok_[static_cast<size_t>(l)] = FloorMod(l + args_.pbx, sx) + (mx - 1) * sx < kx;
    bias_.assign(static_cast<size_t>(g.cout), 0.0f);
    if (bias) bias_.assign(bias, bias + g.cout);
    args_.last_ok = last_ok_.data();
    // Multiply-adds as run: every row tap times mx column taps per output,
    // lanes without a column tap (k not a multiple of s) included.
    // Row tap (ty, j) serves the rows oy = qy*sy + ty - pby with qy in
    // [j, in_h - 1 + j] and oy in [0, oh): counted per (ty, j), O(ky) however
    // many rows.
    int64_t row_taps = 0;
    for (int64_t ty = 0; ty < args_.sy; ++ty)
      for (int64_t j = 0; j < args_.my && ty + j * args_.sy < args_.ky; ++j) {
        const int64_t lo = std::max(j, CeilDiv(args_.pby - ty, args_.sy));
        const int64_t hi = std::min(args_.in_h - 1 + j, FloorDiv(args_.oh - 1 + args_.pby - ty, args_.sy));
        row_taps += std::max<int64_t>(0, hi - lo + 1);
      }
    macs_ = g.n * g.cout * row_taps * args_.mx * args_.ow;
    const int64_t planes = g.n * g.cout;
    row_blocks_ = std::max<int64_t>(1, std::min(args_.oh, CeilDiv(kWantTasks, planes)));
  }

  bool ActualCost(AlgoCost* c) const override {
    c->macs = macs_;
    c->workspace_bytes = 0;
    c->packed_bytes = static_cast<int64_t>((w_.size() + last_ok_.size() + bias_.size()) * sizeof(float));
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

  void Run(ConstBuffer xb, Buffer yb, void* /*ws*/, int threads) const override {
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    const auto fn = kernel_->As<kernels::DwNchwExpandFn>();
    const int64_t tasks = g_.n * g_.cout * row_blocks_;
    const int64_t in_plane = args_.in_h * args_.in_w, out_plane = args_.oh * args_.ow;
    const int64_t rows = CeilDiv(args_.oh, row_blocks_);
    // Static split: a thread runs the same planes every run (their lines
    // stay in its caches, as the phase tasks).
    ParallelRegion(threads, [&](const Team& team) {
      alignas(64) float scratch[kMaxScratchFloats];
      DwNchwExpandArgs a = args_;
      a.scratch = scratch;
      team.ForStatic(tasks, [&](int64_t t) {
        const int64_t plane = t / row_blocks_, rb = t % row_blocks_;
        const int64_t c = plane % g_.cout;
        a.x = x + plane * in_plane;
        a.y = y + plane * out_plane;
        a.oy0 = rb * rows;
        a.oy1 = std::min(args_.oh, a.oy0 + rows);
        a.w = w_.data() + c * args_.ky * args_.mx * kDwNchwPackLanes;
        a.bias = bias_[static_cast<size_t>(c)];
        if (a.oy1 > a.oy0) fn(a);
      }, /*nowait=*/true);
    });
  }

 private:
  Geom3 g_;
  const kernels::KernelInfo* kernel_;
  DwNchwExpandArgs args_;
  int64_t row_blocks_ = 1;
  int64_t macs_ = 0;
  std::vector<float> w_;        // [C][ky][mx][kDwNchwPackLanes]
  std::vector<float> last_ok_;  // [kDwNchwPackLanes]
  std::vector<float> bias_;     // [C], zeros without bias
};

// Whether the route beats the phase kernels on g. Zen 4, 1 thread, tconv
// bench GFLOP/s (fastest of 5), phase kernels -> this route:
//  - stride > 4 along x (no direct kernel: pixel tiles and an 8- or
//    16-way interleave): centernet_ida_f8 10 -> 63, hed_up8 11 -> 62,
//    hed_up16 10 -> 65.
//  - stride 4 on both axes: centernet_ida_f4 (k8 s4) 43 -> 53.
//  - phases that are not k = s or 2s grids (the direct kernel's slower
//    general form) and a y too large for the L3 (>= 16 MiB), where writing
//    y rows in order pays: dw_k3s2_mobile (26 MB y) 5-6.5 -> 10-12; the
//    same layer with 1 or 2 images (3.2, 6.5 MB y) stays with the phase
//    kernels (16-17 against 13-15).
// The phase kernels stay faster on the k = 2s, s = 2 layers (dw_k4s2,
// centernet_ida_f2, lapsrn_img: 41-47 against 27-41, their register-held
// weights and row reuse) and level on wavenet_upsample (s 1 x 4).
bool DwNchwPays(const Geom3& g) {
  const int64_t sy = g.s[1], sx = g.s[2];
  if (sx > 4 || (sx == 4 && sy >= 4)) return true;
  auto grid = [](int64_t k, int64_t s) { return k == s || k == 2 * s; };
  const bool square_phases = grid(g.k[1], sy) && grid(g.k[2], sx) && CeilDiv(g.k[1], sy) == CeilDiv(g.k[2], sx);
  constexpr double kLargeY = 16.0 * 1024 * 1024;
  return !square_phases && 4.0 * static_cast<double>(g.n * g.cout * g.out_sp) >= kLargeY;
}

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareDepthwiseNchw(const PrepareInput& in, bool forced, std::string* why) {
  const Geom3& g = in.g;
  auto no = [why](const std::string& reason) -> std::unique_ptr<PreparedAlgo> {
    if (why) *why = reason;
    return nullptr;
  };
  if (g.cin_g != 1 || g.cout_g != 1) return no("not depthwise");
  if (g.in[0] != 1 || g.k[0] != 1 || g.out[0] != 1) return no("3-D");
  // A depth axis of one input, tap and output still crops: with pb != 0 its
  // one output lies outside the full output and gets only the bias (the
  // kernel computes the 2-D layer, as if pb were 0).
  if (g.pb[0] != 0) return no("the depth axis's one output is in its padding (bias only)");
  if (g.d[1] != 1 || g.d[2] != 1) return no("dilated");
  const kernels::KernelInfo* kernel = kernels::FindKernel(kernels::KernelOp::kDwNchwExpand, DType::kF32);
  if (!kernel) return no("no channels-first depthwise kernel in the list");
  if (kernel->lanes % g.s[2] != 0) {
    return no("stride " + std::to_string(g.s[2]) + " along x does not divide the " + std::to_string(kernel->lanes) +
              " lanes");
  }
  if (CeilDiv(g.k[1], g.s[1]) > kMaxRowTaps) return no("more than 16 row taps per output");
  if (kernels::DwNchwScratchFloats(SharedArgs(g)) > kMaxScratchFloats) return no("rows too long");
  if (!forced && !DwNchwPays(g)) return no("the phase kernels are faster here");
  dispatch::LogDispatch("phase: depthwise channels first, %s", kernel->name.c_str());
  return std::make_unique<DepthwiseNchw>(g, in.w.As<float>(), in.bias.As<float>(), kernel);
}

}  // namespace tconv
