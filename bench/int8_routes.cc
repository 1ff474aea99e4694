// tconv_int8_routes: how well `auto` picks among phase's int8 routes
// (PhaseTuning::Int8Compute: lanes, widened, int16) on layers its rule was
// not fitted on. Per layer and thread count each route that runs there,
// auto itself (which may pick none of them: the depthwise kernels) and
// tconv's f32 plan are timed in alternation, `--rounds` times (each time
// the harness's fastest of 3 batches of >= 30 ms); the table shows medians
// of GOP/s (the f32 layer's nominal flops), auto's pick and its loss (the
// fastest of the routes and auto over auto), and a summary line: the share
// of layers where auto is the fastest (within 3 %, the noise) and the
// geometric-mean loss.
//
//   build/bench/tconv_int8_routes [--layers bench/layers_broad.json] [--filter SUBSTR]
//                                 [--threads 1,2] [--rounds 3]
//
// int8 data as tconv_lowp_bench's: u8 x (zero point 128), s8 w per tensor,
// s32 bias, u8 y.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "tconv/plan.h"
#include "tconv/quant.h"

namespace tconv {
namespace bench {
namespace {

using Route = PhaseTuning::Int8Compute;
constexpr Route kRoutes[] = {Route::kLanes, Route::kWiden, Route::kInt16};

class Int8Runner : public Runner {
 public:
  std::unique_ptr<Plan> plan;
  std::vector<uint8_t> x, y;
  void Run() override {
    if (!plan->Run(ConstQuantView(x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()}).ok()) {
      std::abort();
    }
  }
  std::string Impl() const override { return plan->kernel(); }
};

// nullptr where the route does not run the layer.
std::unique_ptr<Int8Runner> MakeInt8Runner(const Layer& layer, int threads, Route route) {
  const ConvDesc& d = layer.desc;
  std::mt19937 rng(3);
  std::vector<int8_t> w(NumElements(ConvTransposeWeightShape(d)));
  std::vector<int32_t> b(d.out_channels);
  for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  for (int32_t& v : b) v = static_cast<int32_t>(rng() % 2001) - 1000;
  QuantParams q;
  q.x_zero_point = 128, q.x_scale = 0.02f, q.w_scale = {0.01f}, q.y_scale = 0.05f, q.y_zero_point = 10;
  PlanOptions o;
  o.threads = threads;
  o.dtype = DataType::kInt8;
  o.phase.int8_compute = route;
  if (route != Route::kAuto) o.algo = "phase";  // (auto would fall back to ref where the route declines)
  Status st;
  auto r = std::make_unique<Int8Runner>();
  r->plan = Plan::Create(d, ConstI8View(w.data(), ConvTransposeWeightShape(d)),
                         ConstI32View(b.data(), {d.out_channels}), q, o, &st);
  if (!r->plan) return nullptr;
  r->x.resize(NumElements(r->plan->input_shape()));
  for (uint8_t& v : r->x) v = static_cast<uint8_t>(rng());
  r->y.resize(NumElements(r->plan->output_shape()));
  return r;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Tally {
  int layers = 0, best = 0;
  double log_loss = 0;
};

// Columns: tconv f32, the three routes forced, then auto itself, timed
// (auto may run none of the three: the depthwise kernels).
void BenchLayer(const Layer& l, int t, int rounds, Tally* tally) {
  std::string why;
  std::unique_ptr<Runner> run[5];
  run[0] = MakeTconvRunner(l, "auto", t, &why);
  for (int i = 0; i < 3; ++i) run[i + 1] = MakeInt8Runner(l, t, kRoutes[i]);
  run[4] = MakeInt8Runner(l, t, Route::kAuto);
  if (!run[0] || !run[4]) {
    std::printf("| %s | %d | %s |\n", l.name.c_str(), t, why.c_str());
    return;
  }
  std::vector<double> gops[5];
  for (int r = 0; r < rounds; ++r)
    for (int i = 0; i < 5; ++i) {
      const int k = (i + r) % 5;
      if (run[k]) gops[k].push_back(Gflops(l, TimeRunner(run[k].get(), 0.03, 3)));
    }
  double med[5], best = 0;
  for (int i = 0; i < 5; ++i) med[i] = Median(gops[i]);
  for (int i = 1; i < 5; ++i) best = std::max(best, med[i]);
  const std::string k = run[4]->Impl();
  const bool lanes = k.find("i8_phase_vnni") != std::string::npos || k.find("i8_phase_amx") != std::string::npos;
  const bool int16 = k.find("i8_phase_dot") != std::string::npos || k.find("i8_phase_rows") != std::string::npos;
  const std::string picked = lanes                                    ? "lanes"
                             : k.find("widened") != std::string::npos ? "widen"
                             : int16                                  ? "int16"
                                                                      : k.substr(0, k.find("__"));
  const double loss = best / med[4];
  ++tally->layers;
  tally->best += loss <= 1.03;
  tally->log_loss += std::log(loss);
  std::printf("| %s | %d | %.1f |", l.name.c_str(), t, med[0]);
  for (int i = 1; i < 4; ++i) {
    if (run[i])
      std::printf(" %.1f |", med[i]);
    else
      std::printf(" - |");
  }
  std::printf(" %.1f | %s | %.2fx | %.2fx |\n", med[4], picked.c_str(), loss, med[4] / med[0]);
  std::fflush(stdout);
}

}  // namespace
}  // namespace bench
}  // namespace tconv

int main(int argc, char** argv) {
  using namespace tconv::bench;  // NOLINT(build/namespaces)
  std::string layers_path = DefaultLayersPath(), filter;
  std::vector<int> threads = {1};
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--layers") {
      layers_path = v;
    } else if (k == "--filter") {
      filter = v;
    } else if (k == "--rounds") {
      rounds = std::max(1, std::atoi(v.c_str()));
    } else if (k == "--threads") {
      threads.clear();
      for (size_t p = 0; p < v.size();) {
        const size_t c = v.find(',', p);
        threads.push_back(std::atoi(v.substr(p, c - p).c_str()));
        p = c == std::string::npos ? v.size() : c + 1;
      }
    } else {
      std::fprintf(stderr, "tconv_int8_routes: unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  std::vector<Layer> layers;
  const tconv::Status st = LoadLayers(layers_path, &layers);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 2;
  }
  std::printf("GOP/s (nominal), median of %d alternated rounds\n\n", rounds);
  std::printf(
      "| layer | threads | tconv f32 | int8 lanes | int8 widen | int8 int16 | int8 auto | auto picks | auto's loss | "
      "auto/f32 |\n|---|---|---|---|---|---|---|---|---|---|\n");
  Tally tally;
  for (const Layer& l : layers) {
    if (!filter.empty() && l.name.find(filter) == std::string::npos) continue;
    for (int t : threads) BenchLayer(l, t, rounds, &tally);
  }
  std::printf("\nauto within 3%% of the fastest (the routes and its own pick) on %d of %d; geometric-mean loss %.1f%%\n",
              tally.best,
              tally.layers, tally.layers ? (std::exp(tally.log_loss / tally.layers) - 1) * 100 : 0.0);
  return 0;
}
