// `tconv bench`'s measurement and report (tools/tconv/cmd_bench.cc parses
// the options): per (threads, layer), every peer configuration and every
// chosen tconv algorithm timed side by side in one process, each peer's
// output checked against tconv's, the machine's roof measured in the same
// run, and a summary line per thread count.
//
// Table (stdout), one row per timed thing:
//   layer algo thr GFLOP/s ms roof% vs_peer best_peer impl
// roof%    the layer's roofline time over the measured time: max(flops / FMA
//          peak, (x + w + y bytes) / copy bandwidth at that footprint), both
//          measured on this run's thread count;
// vs_peer  best peer's time / this row's time (> 1: tconv is faster), the
//          best peer being the fastest configuration whose output matched;
//          on peer rows this column reads "peer".
// Lines starting with '#' are the machine, the peers and the summaries;
// progress goes to stderr.
#ifndef TCONV_BENCH_SUITE_H_
#define TCONV_BENCH_SUITE_H_

#include <string>
#include <utility>
#include <vector>

#include "bench/harness.h"

namespace tconv {
namespace bench {

struct SuiteOptions {
  // (algorithm, tuning) pairs to time; "auto" is the plan's own pick.
  std::vector<std::pair<std::string, PhaseTuning>> algos;
  bool best_only = false;      // print only the fastest tconv row per layer
  bool show_declined = true;   // print algorithms and peers that decline a layer
  std::vector<int> threads = {1, 2};
  Layout layout = Layout::kNCHW;
  std::vector<std::string> peers;  // configurations to time; empty: none
  double min_batch = 0.05;
  int reps = 5;
};

// Prints the report for `layers`; returns 0.
int RunSuite(const std::vector<Layer>& layers, const SuiteOptions& opts);

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_SUITE_H_
