// `auto` selection. Until the fast algorithms land this picks ref.
#include "src/select.h"

namespace tconv {

const Algorithm* SelectAlgorithm(const Geom3&, std::string* why) {
  if (why) *why = "only the reference is available";
  return &kRefAlgorithm;
}

}  // namespace tconv
