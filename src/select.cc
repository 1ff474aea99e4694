// `auto` selection: a simple documented rule (docs/ALGORITHMS.md), to be
// calibrated by measurement later.
//
// 1. Dilation 1 on every axis: `phase`. Its SIMD fast path takes these
//    geometries (src/kernels/phase_fast.cc); no wasted multiply-adds and no
//    column buffer.
// 2. Dilation > 1 and Cin/g * Cout/g >= kGemmMinChannelPairs: `gemm_col2im`.
//    The fast path declines dilation, and a BLAS GEMM over the channels beats
//    the portable phase loops as soon as there are a few channel pairs.
// 3. Otherwise (dilation > 1, depthwise or nearly): `phase`, general path:
//    exact work, no workspace.
// `gather`, `zero_insert` and `ref` are never picked automatically: gather
// and ref recompute tap indices per output, zero_insert multiplies about s^D
// times more than needed.
#include "src/select.h"

#include <string>

namespace tconv {
namespace {

// Cin/g * Cout/g from which the GEMM is worth its column buffer. Measured
// (1 thread, 2-D k3 s2 d2, 16x16 or 32x32 input, busy 2-core Zen 4): general
// phase / gemm_col2im time = 0.7 (1x1 depthwise, 64 groups), 0.71 (1x2),
// 1.2 (2x2), 1.7 (4x4), 3.5 (8x8), 7 (16x16), 17 (64x64).
constexpr int64_t kGemmMinChannelPairs = 4;

}  // namespace

const Algorithm* SelectAlgorithm(const Geom3& g, std::string* why) {
  bool dilated = false;
  for (int ax = 0; ax < 3; ++ax) dilated = dilated || g.d[ax] > 1;
  if (!dilated) {
    if (why) *why = "dilation 1: phase decomposition (SIMD fast path), no wasted multiply-adds";
    return &kPhaseAlgorithm;
  }
  const int64_t pairs = g.cin_g * g.cout_g;
  if (pairs >= kGemmMinChannelPairs) {
    if (why) {
      *why = "dilation > 1 with Cin/g*Cout/g = " + std::to_string(pairs) + " >= " +
             std::to_string(kGemmMinChannelPairs) + ": sgemm + col2im";
    }
    return &kGemmCol2ImAlgorithm;
  }
  if (why) {
    *why = "dilation > 1 with Cin/g*Cout/g = " + std::to_string(pairs) + " < " +
           std::to_string(kGemmMinChannelPairs) + ": general phase path, no workspace";
  }
  return &kPhaseAlgorithm;
}

}  // namespace tconv
