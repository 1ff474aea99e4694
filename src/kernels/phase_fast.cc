// SIMD fast path of the phase algorithm: not yet written; declines all.
#include "src/algo/phase_fast.h"

namespace tconv {

std::unique_ptr<PreparedAlgo> PreparePhaseFast(const Geom3&, const float*, const float*, AlgoCost*,
                                               std::string* why) {
  if (why) *why = "no SIMD phase kernel built";
  return nullptr;
}

}  // namespace tconv
