// The benchmark harness shared by bench/layers.cc (Google Benchmark) and the
// `tconv bench` command: the layer suite from a layers file, runners for
// tconv algorithms and for the peers (oneDNN, XNNPACK: bench/peer_api.h,
// loaded from the separate module libtconv_peers.so on first use) in the
// same process, and a timer.
//
// A Runner owns its tensors (random inputs, prepared plan or primitive) so a
// measurement is only Run() in a loop. Every runner of a layer gets the same
// x, w and b (seeds 1, 2, 3), so their outputs can be compared.
// GFLOP/s always come from tconv::ConvTransposeFlops (the nominal count).
#ifndef TCONV_BENCH_HARNESS_H_
#define TCONV_BENCH_HARNESS_H_

#include <memory>
#include <string>
#include <vector>

#include "bench/peer_api.h"
#include "tconv/desc.h"
#include "tconv/layout.h"
#include "tconv/status.h"
#include "tconv/tuning.h"

namespace tconv {
namespace bench {

struct Layer {
  std::string name;
  std::string source;
  ConvDesc desc;
};

// $TCONV_SHARED_DIR/bench/layers.json when the environment variable is set,
// else the compile-time TCONV_SHARED_DIR (passed by CMake).
std::string DefaultLayersPath();
Status LoadLayers(const std::string& path, std::vector<Layer>* layers);

// algo: a Plan algorithm name (AlgorithmNames()) or "phase_fast" (the SIMD
// fast path called directly through src/algo/phase_fast.h, so it can be
// measured before the general `phase` algorithm is registered; NCHW only).
// layout: of the plan's x and y (Plan conversions timed).
// tuning: PlanOptions::phase (e.g. a kernel forced by `tconv bench --kernel`).
std::unique_ptr<Runner> MakeTconvRunner(const Layer& layer, const std::string& algo, int threads, std::string* why,
                                        Layout layout = Layout::kNCHW, const PhaseTuning& tuning = PhaseTuning());
// The peer module, loaded on first call; nullptr and *why when it is absent.
const PeerApi* Peers(std::string* why);
// Its peers and versions and its path, or why there are none.
std::string PeersDescription();
// The peer configurations of the module ("onednn:blocked+bias", ...); empty
// without the module.
std::vector<std::string> PeerVariants();
// A peer configuration on the layer's x, w, b (those of MakeTconvRunner);
// nullptr + *why when the module is absent or the peer declines.
std::unique_ptr<Runner> MakePeerRunner(const Layer& layer, const std::string& variant, int threads,
                                       std::string* why);

// max |a - b| / max |b| over two NCHW outputs of the layer (read with
// Runner::ReadOutputNchw after a Run); a negative value when either runner
// cannot give its output.
double OutputMismatch(const Layer& layer, Runner* a, Runner* b);

// tconv algorithms worth timing on the suite: every registered algorithm
// except `ref` (double-precision loops; minutes on the big layers), plus
// "phase_fast".
std::vector<std::string> BenchAlgorithms();

// Sets the OpenMP thread count used by oneDNN (and by anything else that
// reads omp_get_max_threads).
void SetOmpThreads(int threads);

// Seconds per Run(): one warm-up run, then `reps` batches of at least
// min_batch_seconds each; returns the fastest batch's mean (the least
// disturbed by other processes on a shared machine).
double TimeRunner(Runner* r, double min_batch_seconds = 0.05, int reps = 5);

inline double Gflops(const Layer& l, double seconds) {
  return static_cast<double>(ConvTransposeFlops(l.desc)) / seconds * 1e-9;
}

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_HARNESS_H_
