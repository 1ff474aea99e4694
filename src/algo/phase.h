// Internal: the general (portable) path of the `phase` algorithm, exposed so
// the tests can run it on geometries the SIMD fast path
// (src/algo/phase_fast.h) would otherwise take. Never declines.
#ifndef TCONV_SRC_ALGO_PHASE_H_
#define TCONV_SRC_ALGO_PHASE_H_

#include <memory>

#include "src/algo/algorithm.h"

namespace tconv {

// w: (Cin, Cout/g, *k); bias: (Cout) or nullptr. Costs: kPhaseAlgorithm.cost.
std::unique_ptr<PreparedAlgo> PreparePhaseGeneral(const Geom3& g, const float* w, const float* bias);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_H_
