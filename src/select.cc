// `auto` selection (docs/ALGORITHMS.md, "The auto rule").
//
// 0. An input of one pixel goes to gemm_col2im's one-pixel route
//    (src/algo/gemm_one_pixel.h): one GEMM over the batch with the taps'
//    placement packed into the weights, where phase would run each output
//    through a phase of up to k_sp taps that mostly read padding (gan3d_g1,
//    200 -> 512, 1^3 -> 4^3, batch 32: 78 against 6.3 GFLOP/s; dcgan_g1:
//    98 against 34; Zen 4, 1 thread).
// 1. When the SIMD phase path takes the geometry (stride <= kMaxLastAxisStride
//    = 64 on the last axis: every layer we know of), the cost model of src/cost_model.h,
//    fitted to measured runs, predicts `phase` and `gemm_col2im`, and the
//    faster prediction wins.
// 2. Otherwise only the general (scalar) phase loops would run `phase`:
//    `gemm_col2im` when Cin/g * Cout/g >= kGemmMinChannelPairs, else `phase`.
// `gather`, `zero_insert` and `ref` are never picked: on the calibration set
// (bench/calibration/) gather runs at 0.3-2.5 GFLOP/s and zero_insert
// multiplies about s^D times more than needed (0.6-88 GFLOP/s, below phase
// on every layer).
#include "src/select.h"

#include <cstdio>
#include <string>

#include "src/algo/gemm_one_pixel.h"
#include "src/algo/phase_fast.h"
#include "src/cost_model.h"
#include "src/dispatch/cpu.h"

namespace tconv {
namespace {

// Cin/g * Cout/g from which the GEMM is worth its column buffer against the
// general phase loops. Measured (1 thread, 2-D k3 s2 d2, 16x16 or 32x32
// input, busy 2-core Zen 4): general phase / gemm_col2im time = 0.7 (1x1
// depthwise, 64 groups), 0.71 (1x2), 1.2 (2x2), 1.7 (4x4), 3.5 (8x8), 7
// (16x16), 17 (64x64).
constexpr int64_t kGemmMinChannelPairs = 4;

std::string Ms(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g ms", seconds * 1e3);
  return buf;
}

}  // namespace

const Algorithm* SelectAlgorithm(const Geom3& g, int threads, std::string* why) {
  return SelectAlgorithm(g, threads, why, ActiveCostModel(), dispatch::ActiveIsaName());
}

const Algorithm* SelectAlgorithm(const Geom3& g, int threads, std::string* why, const CostModelConstants& c,
                                 const char* isa) {
  if (OnePixelGemmApplies(g)) {
    if (why) *why = "one input pixel: gemm_col2im as one GEMM over the batch, the taps placed in the weights";
    return &kGemmCol2ImAlgorithm;
  }
  if (ProfilePhaseFast(g).takes) {
    const double tp = PredictPhaseSeconds(g, c, threads), tg = PredictGemmCol2ImSeconds(g, c, threads);
    const bool gemm = tg < tp;
    if (why) {
      *why = "cost model, " + std::to_string(threads) + (threads == 1 ? " thread" : " threads") + ", isa " + isa +
             ": phase " + Ms(tp) + " vs gemm_col2im " + Ms(tg) + " predicted -> " + (gemm ? "gemm_col2im" : "phase");
    }
    return gemm ? &kGemmCol2ImAlgorithm : &kPhaseAlgorithm;
  }
  const int64_t pairs = g.cin_g * g.cout_g;
  const std::string no_simd =
      g.s[2] > kMaxLastAxisStride
          ? "stride " + std::to_string(g.s[2]) + " > " + std::to_string(kMaxLastAxisStride) + " (no SIMD phase path)"
          : std::string("no SIMD phase path (phase count or padded input too large)");
  const std::string head = no_simd + ", Cin/g*Cout/g = " + std::to_string(pairs);
  if (pairs >= kGemmMinChannelPairs) {
    if (why) *why = head + " >= " + std::to_string(kGemmMinChannelPairs) + ": sgemm + col2im";
    return &kGemmCol2ImAlgorithm;
  }
  if (why) *why = head + " < " + std::to_string(kGemmMinChannelPairs) + ": general phase path, no workspace";
  return &kPhaseAlgorithm;
}

}  // namespace tconv
