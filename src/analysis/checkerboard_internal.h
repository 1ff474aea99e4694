// Internal: what the two files of the checkerboard analysis share
// (checkerboard.cc, checkerboard_weights.cc).
#ifndef TCONV_SRC_ANALYSIS_CHECKERBOARD_INTERNAL_H_
#define TCONV_SRC_ANALYSIS_CHECKERBOARD_INTERNAL_H_

#include <cstdint>
#include <vector>

#include "tconv/checkerboard.h"

namespace tconv {

// Fills out->size, count (outer product) and interior from per-axis vectors.
void OuterProduct(int nd, const std::vector<std::vector<double>>& counts,
                  const std::vector<std::vector<uint8_t>>& inner, OverlapMap* out);

}  // namespace tconv

#endif  // TCONV_SRC_ANALYSIS_CHECKERBOARD_INTERNAL_H_
