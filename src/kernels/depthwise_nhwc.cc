// Channels-last depthwise path of `phase` (src/algo/channels_last.h): packs
// the weights channels-innermost once, tabulates per axis the taps reaching
// each output index, and runs the Highway row kernel of
// src/kernels/hwy/depthwise_nhwc_hwy.cc over OpenMP, one task per output
// row. No workspace: x is read in place, every y element written once.
//
// Why a separate path: a channels-first depthwise kernel has one channel per
// vector row and a channels-last user pays two transposes around it
// (dw_k4s2, 1 thread: 25 GFLOP/s NCHW, 12.9 through the plan's
// conversions). With channels in the lanes every load and store is
// contiguous in the user's own layout.
#include <algorithm>
#include <memory>
#include <string>

#include "src/algo/channels_last.h"
#include "src/algo/tap_math.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/depthwise_nhwc_kernels.h"

namespace tconv {
namespace {

using kernels::DepthwiseNhwcParams;

class DepthwiseNhwc : public PreparedAlgo {
 public:
  DepthwiseNhwcParams p;
  AlgoCost cost;

  bool ActualCost(AlgoCost* c) const override {
    *c = cost;
    return true;
  }

  void Run(const float* x, float* y, void* /*ws*/, int threads) const override {
    const int64_t rows = p.n * p.out[0] * p.out[1];
    // Rows differ in cost only at the borders; chunks of ~1/16 per thread.
    const int64_t chunk = std::max<int64_t>(1, rows / (16 * static_cast<int64_t>(threads)));
#pragma omp parallel for num_threads(threads) schedule(dynamic, chunk) if (threads > 1)
    for (int64_t row = 0; row < rows; ++row) kernels::DepthwiseNhwcRow(p, x, y, row);
  }
};

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareDepthwiseChannelsLast(const Geom3& g, const float* w, const float* bias,
                                                           std::string* why) {
  if (g.cin_g != 1 || g.cout_g != 1) {
    if (why) *why = "not depthwise (channels per group " + std::to_string(g.cin_g) + " in, " +
                    std::to_string(g.cout_g) + " out)";
    return nullptr;
  }
  dispatch::InitDispatch();
  auto algo = std::make_unique<DepthwiseNhwc>();
  DepthwiseNhwcParams& p = algo->p;
  p.n = g.n;
  p.c = g.cout;
  for (int a = 0; a < 3; ++a) {
    p.in[a] = g.in[a];
    p.out[a] = g.out[a];
    p.k[a] = g.k[a];
    const TapAxis axis(g.in[a], g.k[a], g.s[a], g.d[a], g.pb[a]);
    p.kstep[a] = axis.kstep;
    p.istep[a] = axis.istep;
    p.taps[a].resize(static_cast<size_t>(g.out[a]));
    for (int64_t o = 0; o < g.out[a]; ++o) {
      const TapRun run = TapsForOutput(axis, o);
      p.taps[a][o] = {run.k0, run.ix0, run.count};
    }
  }
  // w (C, 1, kd, kh, kw) -> [kd][kh][kw][C].
  p.w.resize(static_cast<size_t>(g.k_sp * p.c));
  for (int64_t c = 0; c < p.c; ++c)
    for (int64_t t = 0; t < g.k_sp; ++t) p.w[t * p.c + c] = w[c * g.k_sp + t];
  p.bias.assign(static_cast<size_t>(p.c), 0.0f);
  if (bias) p.bias.assign(bias, bias + p.c);
  algo->cost.macs = UsefulMacs(g);
  algo->cost.workspace_bytes = 0;
  algo->cost.packed_bytes = static_cast<int64_t>((p.w.size() + p.bias.size()) * sizeof(float));
  dispatch::LogDispatch("phase: channels last: depthwise, isa %s", dispatch::ActiveIsaName());
  return algo;
}

}  // namespace tconv
