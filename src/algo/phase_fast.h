// Internal seam between the general `phase` algorithm (src/algo/phase.cc)
// and its SIMD fast path (src/kernels/). PreparePhaseFast returns nullptr,
// with a reason in *why, for geometries the fast path does not take; the
// general phase code then runs them.
#ifndef TCONV_SRC_ALGO_PHASE_FAST_H_
#define TCONV_SRC_ALGO_PHASE_FAST_H_

#include <memory>
#include <string>

#include "src/algo/algorithm.h"

namespace tconv {

std::unique_ptr<PreparedAlgo> PreparePhaseFast(const Geom3& g, const float* w, const float* bias,
                                               AlgoCost* cost, std::string* why);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_FAST_H_
