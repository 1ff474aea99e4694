// Internal: how `auto` chooses an algorithm for a geometry.
#ifndef TCONV_SRC_SELECT_H_
#define TCONV_SRC_SELECT_H_

#include <string>

#include "src/algo/algorithm.h"

namespace tconv {

// Never null. *why gets a one-line reason.
const Algorithm* SelectAlgorithm(const Geom3& g, std::string* why);

}  // namespace tconv

#endif  // TCONV_SRC_SELECT_H_
