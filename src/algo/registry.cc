// The ordered list of algorithms (fastest general choice first, the oracle
// last). `auto` selection lives in src/select.cc.
#include "src/algo/algorithm.h"

namespace tconv {

const std::vector<const Algorithm*>& Algorithms() {
  static const std::vector<const Algorithm*> list = {
      &kPhaseAlgorithm, &kGemmCol2ImAlgorithm, &kGatherAlgorithm, &kZeroInsertAlgorithm, &kRefAlgorithm,
  };
  return list;
}

const Algorithm* FindAlgorithm(const std::string& name) {
  for (const Algorithm* a : Algorithms())
    if (name == a->name) return a;
  return nullptr;
}

}  // namespace tconv
