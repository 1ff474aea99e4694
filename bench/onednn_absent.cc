// Stand-in for bench/onednn.cc when CMake does not find libdnnl: the harness
// then reports oneDNN rows as unavailable.
#include "bench/harness.h"

namespace tconv {
namespace bench {

bool HaveOnednn() { return false; }

std::unique_ptr<Runner> MakeOnednnRunner(const Layer&, const std::string&, int, std::string* why) {
  if (why) *why = "built without oneDNN (libdnnl-dev not found)";
  return nullptr;
}

}  // namespace bench
}  // namespace tconv
