// Finds and loads the peer module (bench/peer_api.h) on first use, so that
// only benchmarking maps oneDNN, OpenCL and XNNPACK.
//
// Search order: $TCONV_PEERS_MODULE; libtconv_peers.so beside the running
// executable and in its parent folder (build/ and build/bench/); the path
// CMake built it at (TCONV_PEERS_MODULE_PATH).
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "bench/harness.h"

namespace tconv {
namespace bench {
namespace {

std::string ExeDir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

struct Loaded {
  const PeerApi* api = nullptr;
  std::string path, error;
};

Loaded Load() {
  Loaded out;
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("TCONV_PEERS_MODULE"); env && *env) candidates.push_back(env);
  const std::string dir = ExeDir();
  candidates.push_back(dir + "/libtconv_peers.so");
  candidates.push_back(dir + "/../libtconv_peers.so");
#ifdef TCONV_PEERS_MODULE_PATH
  candidates.push_back(TCONV_PEERS_MODULE_PATH);
#endif
  std::string errors;
  for (const std::string& c : candidates) {
    if (::access(c.c_str(), R_OK) != 0) continue;
    void* h = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      errors += std::string(errors.empty() ? "" : "; ") + ::dlerror();
      continue;
    }
    using Entry = const PeerApi* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(h, "tconv_bench_peers"));
    const PeerApi* api = entry ? entry() : nullptr;
    if (!api || api->version != kPeerApiVersion) {
      errors += std::string(errors.empty() ? "" : "; ") + c + " is not a peer module of this version";
      continue;  // (the handle stays open: unloading buys nothing here)
    }
    out.api = api;
    out.path = c;
    return out;
  }
  out.error = errors.empty() ? "peer module libtconv_peers.so not found (set TCONV_PEERS_MODULE)" : errors;
  return out;
}

const Loaded& Get() {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = Load(); });
  return loaded;
}

}  // namespace

const PeerApi* Peers(std::string* why) {
  const Loaded& l = Get();
  if (!l.api && why) *why = l.error;
  return l.api;
}

std::string PeersDescription() {
  const Loaded& l = Get();
  return l.api ? l.api->describe() + " [" + l.path + "]" : "no peers: " + l.error;
}

}  // namespace bench
}  // namespace tconv
