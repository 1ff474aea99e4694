// tconv_calibrate: the measurements `auto` is calibrated and cross-validated
// on (bench/calibration/README.md, "The broad suite").
//
//   build/bench/tconv_calibrate [--layers bench/layers_broad.json] [--threads 1,2] [--rounds 3]
//
// Times every algorithm a plan can run (all but `ref`) on every layer at
// each thread count and prints one row per (round, layer, threads, algo):
//
//   round layer threads algo seconds gflops auto
//
// `auto` is the algorithm `auto` picks for that thread count today (for
// comparison; the cross-validation, cv_auto.py, refits the model itself).
// Rounds alternate over the whole suite, so a burst of load from other
// processes on a shared machine hits one round, not one algorithm; take the
// median per row. OpenBLAS gets exactly the thread count of the row
// (openblas_set_num_threads), so a 1-thread gemm_col2im is not credited with
// a second core. To keep a pass within minutes, gather and zero_insert are
// not run where a lower bound on their time (their multiply-adds at a rate
// above any they reached) is 10x the best time measured: the row says
// "skipped" and gives that bound. An algorithm whose first run is 30x
// slower than the fastest so far is timed by that run alone.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "tconv/plan.h"

namespace {

using tconv::bench::Layer;

struct Args {
  std::string layers = std::string(TCONV_SOURCE_DIR) + "/bench/layers_broad.json";
  std::vector<int> threads = {1, 2};
  int rounds = 3;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--layers") {
      a->layers = v;
    } else if (k == "--rounds") {
      a->rounds = std::atoi(v.c_str());
    } else if (k == "--threads") {
      a->threads.clear();
      for (size_t p = 0; p < v.size();) {
        size_t q = v.find(',', p);
        if (q == std::string::npos) q = v.size();
        a->threads.push_back(std::atoi(v.substr(p, q - p).c_str()));
        p = q + 1;
      }
    } else {
      return false;
    }
  }
  if (argc % 2 != 1 || a->rounds < 1 || a->threads.empty()) return false;
  for (int t : a->threads)
    if (t < 1 || t > 64) return false;
  return true;
}

double OneRun(tconv::bench::Runner* r) {
  const auto t0 = std::chrono::steady_clock::now();
  r->Run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Seconds per run of `algo` on `l`, or a negative number when it is skipped.
double TimeAlgo(const Layer& l, const std::string& algo, int threads, double best_so_far) {
  std::string why;
  auto r = tconv::bench::MakeTconvRunner(l, algo, threads, &why);
  if (!r) return -1;
  const double first = OneRun(r.get());  // also the warm-up
  if (best_so_far > 0 && first > 30 * best_so_far) return first;
  if (first > 0.25) return std::min(first, OneRun(r.get()));
  return tconv::bench::TimeRunner(r.get(), 0.02, 3);
}

// A lower bound on the seconds of one run of gather or zero_insert: their
// multiply-adds at a rate none of them reached on any layer measured
// (gather 2.5 GFLOP/s; zero_insert, a GEMM, 200 GFLOP/s). 0 for the others.
double LowerBoundSeconds(const tconv::ConvDesc& d, const std::string& algo) {
  for (const tconv::AlgorithmEstimate& e : tconv::EstimateAlgorithms(d)) {
    if (e.name != algo) continue;
    if (algo == "gather") return 2.0 * static_cast<double>(e.macs) / 2.5e9;
    if (algo == "zero_insert") return 2.0 * static_cast<double>(e.macs) / 200e9;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr, "usage: tconv_calibrate [--layers FILE] [--threads 1,2] [--rounds N]\n");
    return 2;
  }
  std::vector<Layer> layers;
  const tconv::Status st = tconv::bench::LoadLayers(args.layers, &layers);
  if (!st.ok()) {
    std::fprintf(stderr, "tconv_calibrate: error: %s\n", st.message().c_str());
    return 2;
  }
  // phase and gemm_col2im first: they set the bar that bounds the others.
  std::vector<std::string> algos = {"phase", "gemm_col2im"};
  for (const std::string& a : tconv::AlgorithmNames())
    if (a != "ref" && std::find(algos.begin(), algos.end(), a) == algos.end()) algos.push_back(a);
  std::printf("round layer threads algo seconds gflops auto\n");
  for (int round = 0; round < args.rounds; ++round) {
    for (const Layer& l : layers) {
      for (int t : args.threads) {
        openblas_set_num_threads(t);
        tconv::bench::SetOmpThreads(t);
        const std::string pick = tconv::AutoAlgorithm(l.desc, nullptr, 0, t);
        double best = 0;
        for (const std::string& a : algos) {
          // It cannot be the fastest: not run (gather took 28 s on unet_up1).
          const double bound = LowerBoundSeconds(l.desc, a);
          if (best > 0 && bound > 10 * best) {
            std::printf("%d %s %d %s %.6g %.2f %s skipped\n", round, l.name.c_str(), t, a.c_str(), bound,
                        tconv::bench::Gflops(l, bound), pick.c_str());
            continue;
          }
          const double s = TimeAlgo(l, a, t, best);
          if (s <= 0) continue;
          best = best > 0 ? std::min(best, s) : s;
          std::printf("%d %s %d %s %.6g %.2f %s\n", round, l.name.c_str(), t, a.c_str(), s, tconv::bench::Gflops(l, s),
                      pick.c_str());
        }
        std::fflush(stdout);
      }
      std::fprintf(stderr, "round %d/%d: %s done\n", round + 1, args.rounds, l.name.c_str());
    }
  }
  return 0;
}
