// The peer module's exported table (bench/peer_api.h): the configurations of
// the peers this build found (CMake defines TCONV_PEER_ONEDNN and
// TCONV_PEER_XNNPACK), dispatched by their prefix.
#include "bench/peer_api.h"
#include "bench/peers/peers.h"

namespace tconv {
namespace bench {
namespace {

std::vector<std::string> Variants() {
  std::vector<std::string> v;
#ifdef TCONV_PEER_ONEDNN
  v = OnednnVariants();
#endif
#ifdef TCONV_PEER_XNNPACK
  for (const std::string& s : XnnpackVariants()) v.push_back(s);
#endif
  return v;
}

Runner* Make(const PeerProblem& p, const std::string& variant, int threads, std::string* why) {
#ifdef TCONV_PEER_ONEDNN
  if (variant.rfind("onednn:", 0) == 0) return MakeOnednnPeer(p, variant, threads, why);
#endif
#ifdef TCONV_PEER_XNNPACK
  if (variant.rfind("xnnpack:", 0) == 0) return MakeXnnpackPeer(p, variant, threads, why);
#endif
  *why = "no peer " + variant + " in this build";
  return nullptr;
}

std::string Describe() {
  std::string s;
#ifdef TCONV_PEER_ONEDNN
  s += OnednnVersion();
#endif
#ifdef TCONV_PEER_XNNPACK
  s += (s.empty() ? "" : "; ") + XnnpackVersion();
#endif
  return s.empty() ? "no peers (built without libdnnl-dev and libxnnpack-dev)" : s;
}

const PeerApi kApi = {kPeerApiVersion, Variants, Make, Describe};

}  // namespace
}  // namespace bench
}  // namespace tconv

extern "C" __attribute__((visibility("default"))) const tconv::bench::PeerApi* tconv_bench_peers() {
  return &tconv::bench::kApi;
}
