// The ordered list of algorithms. `auto` selection lives in src/plan.cc.
#include "src/algo/algorithm.h"

namespace tconv {

const std::vector<const Algorithm*>& Algorithms() {
  static const std::vector<const Algorithm*> list = {
      &kRefAlgorithm,
  };
  return list;
}

const Algorithm* FindAlgorithm(const std::string& name) {
  for (const Algorithm* a : Algorithms())
    if (name == a->name) return a;
  return nullptr;
}

}  // namespace tconv
