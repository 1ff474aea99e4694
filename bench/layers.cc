// tconv_bench: Google Benchmark over the layer suite (layers.json), one row
// per (layer, algorithm, threads) plus oneDNN rows in the same process.
//
// Row names: <layer>/<algo>/threads:<t>; algo is a tconv algorithm name,
// phase_fast, or a peer configuration of the peer module (bench/peer_api.h:
// onednn:<layout>+<bias>, xnnpack:nhwc+bias). Counters:
//   GFLOPS        nominal GFLOP/s (tconv::ConvTransposeFlops / real time)
//   vs_best_peer  the best peer configuration's time / this row's time
//                 (> 1: faster); measured once per (layer, threads) by the
//                 harness timer in the same process.
// Threads: tconv takes them from PlanOptions::threads, the peers from
// omp_set_num_threads (oneDNN) or their pthreadpool (XNNPACK). Use real time.
// The layers file: $TCONV_BENCH_LAYERS, else the shared suite.
//
//   build-perf/bench/tconv_bench --benchmark_filter='dcgan_g5/'
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "bench/harness.h"

namespace {

using tconv::bench::Layer;
using tconv::bench::Runner;

std::map<std::string, std::unique_ptr<Runner>>& Runners() {
  static std::map<std::string, std::unique_ptr<Runner>> m;
  return m;
}

double BestPeerSeconds(const Layer& layer, int threads) {
  static std::map<std::string, double> cache;
  const std::string key = layer.name + "/" + std::to_string(threads);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  double best = 0;
  for (const std::string& v : tconv::bench::PeerVariants()) {
    std::string why;
    auto r = tconv::bench::MakePeerRunner(layer, v, threads, &why);
    const double s = r ? tconv::bench::TimeRunner(r.get()) : 0.0;
    if (s > 0 && (best == 0 || s < best)) best = s;
  }
  cache[key] = best;
  return best;
}

void RunRow(benchmark::State& state, const Layer& layer, const std::string& algo, int threads) {
  const std::string key = layer.name + "/" + algo + "/" + std::to_string(threads);
  auto& slot = Runners()[key];
  std::string why;
  if (!slot) {
    const bool peer = algo.find(':') != std::string::npos;
    slot = peer ? tconv::bench::MakePeerRunner(layer, algo, threads, &why)
                : tconv::bench::MakeTconvRunner(layer, algo, threads, &why);
    if (!slot) {
      state.SkipWithError(why.c_str());
      return;
    }
  }
  Runner* r = slot.get();
  r->Run();  // warm-up
  for (auto _ : state) r->Run();
  state.SetLabel(r->Impl());
  state.counters["GFLOPS"] = benchmark::Counter(static_cast<double>(tconv::ConvTransposeFlops(layer.desc)) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  const double ref = BestPeerSeconds(layer, threads);
  if (ref > 0) state.counters["vs_best_peer"] = benchmark::Counter(ref, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Layer> layers;
  const char* env = std::getenv("TCONV_BENCH_LAYERS");
  const std::string path = env && *env ? std::string(env) : tconv::bench::DefaultLayersPath();
  tconv::Status st = tconv::bench::LoadLayers(path, &layers);
  if (!st.ok()) {
    std::fprintf(stderr, "tconv_bench: error: %s\n", st.message().c_str());
    return 2;
  }
  static std::vector<Layer> keep;
  keep = layers;
  std::vector<std::string> algos = tconv::bench::PeerVariants();
  for (const std::string& a : tconv::bench::BenchAlgorithms()) algos.push_back(a);
  for (int threads : {1, 2}) {
    for (const Layer& l : keep) {
      for (const std::string& a : algos) {
        const std::string name = l.name + "/" + a + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), [&l, a, threads](benchmark::State& s) { RunRow(s, l, a, threads); })
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond)
            ->MinTime(0.2);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
