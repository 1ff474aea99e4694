// The report of bench/suite.h.
#include "bench/suite.h"

#include <strings.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "bench/machine.h"
#include "src/base/checked_int.h"

namespace tconv {
namespace bench {
namespace {

// A peer's output must match tconv's to this relative error (max |diff| /
// max |y|): f32 sums in another order differ by ~1e-6; a wrong layout or
// semantics by ~1.
constexpr double kMaxMismatch = 1e-3;

struct Roof {
  std::map<int, double> peak_gflops;  // per thread count
};

struct Row {
  std::string algo, impl;
  double seconds = 0;
  bool peer = false;
};

struct LayerResult {
  std::string layer;
  double auto_s = 0, best_s = 0, peer_s = 0;
  std::string peer;
};

double Ms(double s) { return s * 1e3; }

Roof MeasureMachine(const std::vector<int>& threads) {
  Roof roof;
  std::printf("# CPU: %s\n", CpuModel().c_str());
  std::printf("# peers: %s\n", PeersDescription().c_str());
  // oneDNN's threads are libgomp's: under the passive policy they sleep
  // between runs, and each of its multi-thread runs pays a wake-up (on an
  // Intel Xeon guest fcn16_up2 at 2 threads 0.146 ms against 0.030 under
  // the default policy; tconv's own pool does not depend on it).
  if (const char* policy = std::getenv("OMP_WAIT_POLICY"); policy && strcasecmp(policy, "active") != 0) {
    std::printf("# OMP_WAIT_POLICY=%s: oneDNN's threads sleep between runs (unset it to time oneDNN at its best)\n",
                policy);
  }
  for (int t : threads) {
    roof.peak_gflops[t] = PeakGflops(t);
    std::printf("# threads %d: FMA peak %.1f GFLOP/s (%s), copy bandwidth %.1f GB/s (256 MiB, DRAM)\n", t,
                roof.peak_gflops[t], PeakIsa().c_str(), CopyGBps(int64_t{256} << 20, t));
  }
  std::fflush(stdout);
  return roof;
}

int64_t FootprintBytes(const ConvDesc& d) {
  return SatMul(SatAdd(SatAdd(NumElements(ConvTransposeInputShape(d)), NumElements(ConvTransposeWeightShape(d))),
                       NumElements(ConvTransposeOutputShape(d))),
                sizeof(float));
}

// The roofline time of the layer at t threads, in seconds.
double RoofSeconds(const Layer& l, int t, const Roof& roof) {
  const double flops = static_cast<double>(ConvTransposeFlops(l.desc));
  const int64_t bytes = FootprintBytes(l.desc);
  const double gbps = CopyGBps(bytes, t);
  const double compute = flops / (roof.peak_gflops.at(t) * 1e9);
  const double memory = gbps > 0 ? static_cast<double>(bytes) / (gbps * 1e9) : 0;
  return std::max(compute, memory);
}

void PrintRow(const Layer& l, int t, const Row& r, double roof_s, const LayerResult& res) {
  char ratio[32] = "peer";
  if (!r.peer) std::snprintf(ratio, sizeof ratio, "%.2fx", res.peer_s > 0 ? res.peer_s / r.seconds : 0.0);
  std::printf("%-16s %-33s %3d %9.1f %10.3f %5.0f%% %7s  %-33s %s\n", l.name.c_str(), r.algo.c_str(), t,
              Gflops(l, r.seconds), Ms(r.seconds), 100.0 * roof_s / r.seconds, ratio,
              r.peer ? "-" : (res.peer.empty() ? "(none)" : res.peer.c_str()), r.impl.c_str());
}

// Times every peer configuration; keeps those whose output matches ref's.
std::vector<Row> TimePeers(const Layer& l, int t, const SuiteOptions& o, Runner* ref) {
  std::vector<Row> rows;
  for (const std::string& v : o.peers) {
    std::string why;
    auto r = MakePeerRunner(l, v, t, &why);
    if (!r) {
      if (o.show_declined) std::printf("%-16s %-33s %3d declined: %s\n", l.name.c_str(), v.c_str(), t, why.c_str());
      continue;
    }
    r->Run();
    const double mismatch = ref ? OutputMismatch(l, r.get(), ref) : -1;
    if (ref && !(mismatch >= 0 && mismatch <= kMaxMismatch)) {
      std::printf("%-16s %-33s %3d WRONG OUTPUT (relative error %.3g), not counted\n", l.name.c_str(), v.c_str(), t,
                  mismatch);
      continue;
    }
    rows.push_back({v, r->Impl(), TimeRunner(r.get(), o.min_batch, o.reps), true});
  }
  return rows;
}

std::vector<Row> TimeTconv(const Layer& l, int t, const SuiteOptions& o) {
  std::vector<Row> rows;
  for (const auto& [a, tuning] : o.algos) {
    std::string why;
    auto r = MakeTconvRunner(l, a, t, &why, o.layout, tuning);
    if (!r) {
      if (o.show_declined) std::printf("%-16s %-33s %3d declined: %s\n", l.name.c_str(), a.c_str(), t, why.c_str());
      continue;
    }
    rows.push_back({a, r->Impl(), TimeRunner(r.get(), o.min_batch, o.reps), false});
  }
  return rows;
}

LayerResult MeasureLayer(const Layer& l, int t, const SuiteOptions& o, const Roof& roof) {
  LayerResult res;
  res.layer = l.name;
  std::string why;
  auto ref = o.peers.empty() ? nullptr : MakeTconvRunner(l, "auto", t, &why);  // the output peers must give
  if (ref) ref->Run();
  const std::vector<Row> peers = TimePeers(l, t, o, ref.get());
  ref.reset();
  for (const Row& p : peers) {
    if (res.peer_s == 0 || p.seconds < res.peer_s) res.peer_s = p.seconds, res.peer = p.algo;
  }
  std::vector<Row> mine = TimeTconv(l, t, o);
  for (const Row& r : mine) {
    if (r.algo == "auto") res.auto_s = r.seconds;
    if (res.best_s == 0 || r.seconds < res.best_s) res.best_s = r.seconds;
  }
  if (o.best_only && !mine.empty()) {
    mine = {*std::min_element(mine.begin(), mine.end(),
                              [](const Row& a, const Row& b) { return a.seconds < b.seconds; })};
  }
  const double roof_s = RoofSeconds(l, t, roof);
  for (const Row& r : mine) PrintRow(l, t, r, roof_s, res);
  for (const Row& r : peers) PrintRow(l, t, r, roof_s, res);
  std::fflush(stdout);
  return res;
}

// "geomean 1.23x, min 0.58x (dw_k4s2), below 1.0x: 2 of 12 (dw_k4s2 0.58x, ...)"
void PrintSummary(int t, const char* what, const std::vector<LayerResult>& results, double LayerResult::*field) {
  double log_sum = 0, min_ratio = 0;
  int n = 0;
  std::string min_layer, below;
  int n_below = 0;
  for (const LayerResult& r : results) {
    if (r.*field <= 0 || r.peer_s <= 0) continue;
    const double ratio = r.peer_s / (r.*field);
    log_sum += std::log(ratio);
    ++n;
    if (min_layer.empty() || ratio < min_ratio) min_ratio = ratio, min_layer = r.layer + " vs " + r.peer;
    if (ratio < 1.0) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s%s %.2fx", n_below ? ", " : "", r.layer.c_str(), ratio);
      below += buf;
      ++n_below;
    }
  }
  if (n == 0) return;
  std::printf("# summary, %d thread%s, tconv %s vs the best peer, %d layers: geomean %.2fx, min %.2fx (%s), "
              "below 1.0x: %d%s%s%s\n",
              t, t == 1 ? "" : "s", what, n, std::exp(log_sum / n), min_ratio, min_layer.c_str(), n_below,
              n_below ? " (" : "", below.c_str(), n_below ? ")" : "");
}

}  // namespace

int RunSuite(const std::vector<Layer>& layers, const SuiteOptions& o) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const Roof roof = MeasureMachine(o.threads);
  std::printf("%-16s %-33s %3s %9s %10s %6s %7s  %-33s %s\n", "layer", "algo", "thr", "GFLOP/s", "ms", "roof%",
              "vs_peer", "best_peer", "impl");
  const size_t total = o.threads.size() * layers.size();
  size_t done = 0;
  for (int t : o.threads) {
    std::vector<LayerResult> results;
    for (const Layer& l : layers) {
      if (total > 1) {
        const double el = std::chrono::duration<double>(Clock::now() - start).count();
        std::fprintf(stderr, "tconv bench: [%zu/%zu] %s at %d thread%s (%.0f s so far)\n", ++done, total,
                     l.name.c_str(), t, t == 1 ? "" : "s", el);
      }
      results.push_back(MeasureLayer(l, t, o, roof));
    }
    const bool has_auto = std::any_of(o.algos.begin(), o.algos.end(), [](const auto& a) { return a.first == "auto"; });
    if (has_auto) PrintSummary(t, "auto", results, &LayerResult::auto_s);
    if (!has_auto || o.algos.size() > 1) PrintSummary(t, "best timed algorithm", results, &LayerResult::best_s);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace bench
}  // namespace tconv
