// The `auto` cost model judged by what its picks cost: on the broad suite
// it was fitted to (bench/calibration/measured_broad.txt, 1 and 2 threads),
// on the previous day's run of that suite and on the first calibration's 38
// layers, measured on another CPU, neither of them fitted; plus how predictions move with the work, the thread count
// and the ISA. A feature that drifts from cv_auto.py, or constants pasted
// wrongly, fail here. Layers with a one-pixel input are left out of both:
// `auto` sends them to gemm_col2im's one-pixel route by a rule, not by the
// model (src/select.cc), and their gemm_col2im times in these files predate
// that route (tests/gemm_one_pixel_test.cc checks the rule).
#include "src/cost_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hwy/targets.h"
#include "src/algo/gemm_one_pixel.h"
#include "src/algo/phase_fast.h"
#include "src/select.h"
#include "tconv/desc.h"

namespace tconv {
namespace {

const std::string kDir = std::string(TCONV_SOURCE_DIR) + "/bench/calibration/";
// From the fit in use (bench/RESULTS.md, "auto refitted on a quiet Zen 5",
// and "the shifts kernel"): fitted on the 20:34 run of 2026-12-06
// (measured_broad.txt as of commit 884a2e5), judged here on the run of
// 23:36 that replaced it, taken after the shifts kernel landed and never
// fitted: 103 of 104 picks the fastest (one-pixel layers left out),
// geometric-mean loss 0.22 %, the worst 1.25x (gan3d_out at 1 thread); on
// the 2026-12-05 run, less its six rows that predate the shifts kernel, 94
// of 98, 1.45 %, the worst 1.68x; first calibration 0.36 %.
constexpr double kWorstLoss = 1.35;
constexpr int kMinFastest = 102;
constexpr double kMeanLoss = 1.01;
constexpr double kOtherDayWorstLoss = 1.75;
constexpr int kOtherDayMinFastest = 93;
constexpr double kOtherDayMeanLoss = 1.025;
constexpr double kFirstCalibrationLoss = 1.01;
// Another CPU, never fitted: the suite on an Intel Xeon (2026-12-07,
// bench/RESULTS.md "An Intel Xeon"), where OpenBLAS's GEMM is faster
// against phase than on the Zen 5: 90 of 104 the fastest, geometric-mean
// loss 2.6 %, the worst 1.82x (gan3d_out at 1 thread, gemm_col2im faster).
constexpr double kXeonWorstLoss = 1.9;
constexpr int kXeonMinFastest = 88;
constexpr double kXeonMeanLoss = 1.035;

ConvDesc DescFromJson(const nlohmann::json& l) {
  ConvDesc d;
  d.ndim = static_cast<int>(l["in"].size());
  d.batch = l["n"];
  d.in_channels = l["cin"];
  d.out_channels = l["cout"];
  d.groups = l["groups"];
  for (int a = 0; a < d.ndim; ++a) {
    d.in[a] = l["in"][a];
    d.kernel[a] = l["kernel"][a];
    d.stride[a] = l["stride"][a];
    d.dilation[a] = l["dilation"][a];
    d.pad_begin[a] = d.pad_end[a] = l["pad"][a];
    d.output_padding[a] = l["output_padding"][a];
  }
  return d;
}

// layer -> algo -> measured GFLOP/s, from a `tconv bench` table.
std::map<std::string, std::map<std::string, double>> ReadMeasured(const std::string& path) {
  std::map<std::string, std::map<std::string, double>> m;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ss(line);
    std::string layer, algo;
    int threads = 0;
    double gflops = 0;
    if (!(ss >> layer >> algo >> threads >> gflops) || layer == "layer") continue;
    m[layer][algo] = gflops;
  }
  return m;
}

// (layer, threads) -> algo -> median seconds, from tconv_calibrate's rows
// (round layer threads algo seconds gflops auto [skipped]).
std::map<std::pair<std::string, int>, std::map<std::string, double>> ReadCalibration(const std::string& path) {
  std::map<std::pair<std::string, int>, std::map<std::string, std::vector<double>>> runs;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ss(line);
    std::string round, layer, algo;
    int threads = 0;
    double seconds = 0;
    if (!(ss >> round >> layer >> threads >> algo >> seconds) || round == "round") continue;
    runs[{layer, threads}][algo].push_back(seconds);
  }
  std::map<std::pair<std::string, int>, std::map<std::string, double>> med;
  for (auto& [k, algos] : runs) {
    for (auto& [a, v] : algos) {
      std::sort(v.begin(), v.end());
      const size_t n = v.size();
      med[k][a] = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
  }
  return med;
}

std::map<std::string, ConvDesc> ReadLayers(const std::string& path) {
  std::ifstream jf(path);
  EXPECT_TRUE(jf) << path;
  std::map<std::string, ConvDesc> out;
  const nlohmann::json j = nlohmann::json::parse(jf);  // (kept alive for the loop)
  for (const auto& l : j.at("layers")) out[l.at("name").get<std::string>()] = DescFromJson(l);
  return out;
}

// What matters of `auto` is the time of what it picks: on every layer of
// the broad suite (bench/layers_broad.json: 54 layers from published
// networks) at 1 and 2 threads, as measured by tconv_calibrate
// (bench/calibration/measured_broad.txt), the pick's time against the
// fastest of all algorithms. The cross-validated numbers (each network
// held out of the fit that judges it) are in bench/RESULTS.md; this checks
// the C++ model on all of them, so a feature that drifts from cv_auto.py
// or constants pasted wrongly fail here.
struct PickStats {
  int n = 0, fastest = 0, skipped = 0;
  double mean_loss = 1, worst = 1;
};

// The picks of the fitted model on a tconv_calibrate file of the broad
// suite, each against the fastest algorithm measured. before_shifts: the
// file predates the shifts kernel (src/algo/phase_fast/plan.h), so its
// phase times on the layers that kernel now runs are not phase's today:
// those layers are left out.
PickStats JudgeBroadSuite(const std::string& file, double worst_allowed, bool before_shifts = false) {
  const auto layers = ReadLayers(std::string(TCONV_SOURCE_DIR) + "/bench/layers_broad.json");
  const auto measured = ReadCalibration(kDir + file);
  EXPECT_GE(layers.size(), 40u);
  PickStats st;
  double log_loss = 0;
  for (const auto& [key, times] : measured) {
    auto it = layers.find(key.first);
    if (it == layers.end()) {
      ADD_FAILURE() << key.first;
      continue;
    }
    EXPECT_TRUE(ValidateConvTranspose(it->second).ok()) << key.first;
    const Geom3 g = MakeGeom3(it->second, GeomOp::kConvTranspose);
    if (OnePixelGemmApplies(g)) continue;
    if (before_shifts && ProfilePhaseFast(g).shared_columns > 1) {
      ++st.skipped;
      continue;
    }
    std::string why;  // measured at AVX-512: predict at AVX-512 whatever this machine runs
    const std::string pick = SelectAlgorithm(g, key.second, &why, FittedCostModel(), "avx512")->name;
    double best = 1e30;
    for (const auto& [a, s] : times) best = std::min(best, s);
    if (!times.count(pick)) {
      ADD_FAILURE() << key.first << ": no time for " << pick;
      continue;
    }
    const double loss = times.at(pick) / best;
    ++st.n;
    st.fastest += loss <= 1.0;
    log_loss += std::log(loss);
    st.worst = std::max(st.worst, loss);
    EXPECT_LE(loss, worst_allowed) << file << ": " << key.first << " at " << key.second << " threads: " << why;
  }
  EXPECT_EQ(st.n + st.skipped, 2 * static_cast<int>(layers.size()) - 4) << file;
  st.mean_loss = st.n ? std::exp(log_loss / st.n) : 1e30;
  std::printf("[ picks    ] %s: %d of %d the fastest, geometric-mean loss %.2f %%, worst %.2fx (%d left out)\n",
              file.c_str(), st.fastest, st.n, 100 * (st.mean_loss - 1), st.worst, st.skipped);
  return st;
}

TEST(CostModel, PicksCloseToTheFastestOnTheBroadSuite) {
  const PickStats st = JudgeBroadSuite("measured_broad.txt", kWorstLoss);
  EXPECT_LE(st.mean_loss, kMeanLoss) << "geometric-mean loss";
  EXPECT_GE(st.fastest, kMinFastest) << "of " << st.n;
}

// The same suite measured the day before (2026-12-05, a loaded machine),
// which the fit never saw: the constants must not be tuned to one run's
// noise.
TEST(CostModel, PicksCloseToTheFastestOnAnotherDaysRun) {
  const PickStats st = JudgeBroadSuite("measured_broad_2026-12-05.txt", kOtherDayWorstLoss, /*before_shifts=*/true);
  EXPECT_EQ(st.skipped, 6) << "tasnet_dec, wavegan_out, segan_out at 1 and 2 threads";
  EXPECT_LE(st.mean_loss, kOtherDayMeanLoss) << "geometric-mean loss";
  EXPECT_GE(st.fastest, kOtherDayMinFastest) << "of " << st.n;
}

// Held out by machine: the suite measured on an Intel Xeon
// (measured_broad_xeon_2026-12-07.txt, tconv_calibrate --rounds 2 at
// b2167f4, before the task-order change that sped up unet_up1's phase run),
// which the Zen 5 fit never saw.
TEST(CostModel, PicksCloseToTheFastestOnAnotherCpu) {
  const PickStats st = JudgeBroadSuite("measured_broad_xeon_2026-12-07.txt", kXeonWorstLoss);
  EXPECT_LE(st.mean_loss, kXeonMeanLoss) << "geometric-mean loss";
  EXPECT_GE(st.fastest, kXeonMinFastest) << "of " << st.n;
}

// Held out entirely: the 38 layers of the first calibration (1 thread,
// measured on a Zen 4 on 2026-11-24, bench/calibration/measured_1t.txt),
// none of them in the fit, on another CPU and day.
TEST(CostModel, PicksCloseToTheFastestOnTheFirstCalibration) {
  const auto layers = ReadLayers(kDir + "layers.json");
  const auto measured = ReadMeasured(kDir + "measured_1t.txt");
  int n = 0;
  double log_loss = 0;
  for (const auto& [name, d] : layers) {
    auto it = measured.find(name);
    ASSERT_NE(it, measured.end()) << name;
    const double gp = it->second.at("phase"), gg = it->second.at("gemm_col2im");
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
    if (OnePixelGemmApplies(g)) continue;
    std::string why;
    const std::string pick = SelectAlgorithm(g, 1, &why, FittedCostModel(), "avx512")->name;
    log_loss += std::log(std::max(gp, gg) / (pick == "phase" ? gp : gg));
    ++n;
  }
  EXPECT_EQ(n, 36);
  EXPECT_LE(std::exp(log_loss / n), kFirstCalibrationLoss) << "geometric-mean loss";
}

TEST(CostModel, PredictionsFollowTheWork) {
  ConvDesc d;
  d.ndim = 2;
  d.in_channels = 64;
  d.out_channels = 64;
  d.in = {32, 32, 1};
  d.kernel = {4, 4, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  ConvDesc d2 = d;
  d2.batch = 4;  // four times the work: about four times the time
  const Geom3 g2 = MakeGeom3(d2, GeomOp::kConvTranspose);
  const CostModelConstants c = ActiveCostModel();
  EXPECT_NEAR(PredictPhaseSeconds(g2, c) / PredictPhaseSeconds(g, c), 4.0, 0.4);
  EXPECT_NEAR(PredictGemmCol2ImSeconds(g2, c) / PredictGemmCol2ImSeconds(g, c), 4.0, 0.4);
  EXPECT_GT(PredictPhaseSeconds(g, c), 0.0);
}

// A second thread never predicts a slower run, and at most halves it; a
// tiny layer gains less from it than a large one.
TEST(CostModel, PredictionsFollowTheThreads) {
  ConvDesc d;
  d.ndim = 2;
  d.in_channels = d.out_channels = 64;
  d.in = {32, 32, 1};
  d.kernel = {4, 4, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  ConvDesc tiny = d;
  tiny.in_channels = tiny.out_channels = 2;
  tiny.in = {4, 4, 1};
  const CostModelConstants& c = FittedCostModel();
  for (auto predict : {PredictPhaseSeconds, PredictGemmCol2ImSeconds}) {
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose), gt = MakeGeom3(tiny, GeomOp::kConvTranspose);
    const double t1 = predict(g, c, 1), t2 = predict(g, c, 2);
    EXPECT_LE(t2, t1);
    EXPECT_GE(t2, 0.5 * t1);
    EXPECT_GE(predict(gt, c, 2) / predict(gt, c, 1), t2 / t1);
  }
}

// The phase rate follows the ISA the kernels run at (measured per ISA,
// bench/calibration/measured_isa_1t.txt): narrower vectors predict slower
// phase runs, the GEMM (OpenBLAS, its own dispatch) keeps its time. So
// `tconv explain` under TCONV_ISA=scalar does not predict AVX-512 times.
TEST(CostModel, PhaseRateFollowsTheIsa) {
  ConvDesc d;
  d.ndim = 2;
  d.in_channels = d.out_channels = 64;
  d.in = {32, 32, 1};
  d.kernel = {4, 4, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  double previous = 0.0;
  for (const dispatch::Isa& isa : dispatch::CompiledIsas()) {  // most capable first
    const CostModelConstants c = CostModelFor(isa);
    const double t = PredictPhaseSeconds(g, c);
    EXPECT_GT(t, previous) << dispatch::IsaName(isa);
    EXPECT_EQ(PredictGemmCol2ImSeconds(g, c), PredictGemmCol2ImSeconds(g, FittedCostModel()));
    previous = t;
  }
#if HWY_ARCH_X86
  const CostModelConstants scalar = CostModelFor(dispatch::CompiledIsas().back());
  EXPECT_GT(PredictPhaseSeconds(g, scalar), 4 * PredictPhaseSeconds(g, FittedCostModel()));
#endif
}

}  // namespace
}  // namespace tconv
