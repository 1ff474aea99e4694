// `auto` selection: a simple documented rule (docs/ALGORITHMS.md), to be
// calibrated by measurement later.
//
// 1. Dilation 1 on every axis: `phase`. Its SIMD fast path takes these
//    geometries (src/kernels/phase_fast.cc); no wasted multiply-adds and no
//    column buffer.
// 2. Dilation > 1 and many channel pairs per group (Cin/g * Cout/g >=
//    kGemmMinChannelPairs): `gemm_col2im`. The fast path declines dilation, and
//    a BLAS GEMM over the channels beats the portable phase loops once the
//    GEMM has some depth.
// 3. Otherwise (dilation > 1, few channels, e.g. depthwise): `phase`, general
//    path: exact work, no workspace.
// `gather`, `zero_insert` and `ref` are never picked automatically: gather
// and ref recompute tap indices per output, zero_insert multiplies about s^D
// times more than needed.
#include "src/select.h"

#include <string>

namespace tconv {
namespace {

// Cin/g * Cout/g from which the GEMM is worth its column buffer (8 x 8).
constexpr int64_t kGemmMinChannelPairs = 64;

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
