// Internal: how `auto` chooses an algorithm for a geometry.
#ifndef TCONV_SRC_SELECT_H_
#define TCONV_SRC_SELECT_H_

#include <string>

#include "src/algo/algorithm.h"
#include "src/cost_model.h"

namespace tconv {

// Never null. *why gets a one-line reason. The inputs are the geometry, the
// plan's thread count and the ISA the kernels run at: the cost model's
// constants are those of the active ISA unless given.
const Algorithm* SelectAlgorithm(const Geom3& g, int threads, std::string* why);
const Algorithm* SelectAlgorithm(const Geom3& g, int threads, std::string* why, const CostModelConstants& c,
                                 const char* isa);

}  // namespace tconv

#endif  // TCONV_SRC_SELECT_H_
