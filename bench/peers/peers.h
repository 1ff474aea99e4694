// Internal to the peer module (bench/peers/): each peer's configurations and
// factory; plugin.cc gathers them behind the exported PeerApi.
#ifndef TCONV_BENCH_PEERS_PEERS_H_
#define TCONV_BENCH_PEERS_PEERS_H_

#include <string>
#include <vector>

#include "bench/peer_api.h"

namespace tconv {
namespace bench {

std::vector<std::string> OnednnVariants();
Runner* MakeOnednnPeer(const PeerProblem& p, const std::string& variant, int threads, std::string* why);
std::string OnednnVersion();

std::vector<std::string> XnnpackVariants();
Runner* MakeXnnpackPeer(const PeerProblem& p, const std::string& variant, int threads, std::string* why);
std::string XnnpackVersion();

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_PEERS_PEERS_H_
