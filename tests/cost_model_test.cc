// The `auto` cost model against the measurements it was fitted to
// (bench/calibration/): the C++ features and constants must reproduce the
// fit's quality, and its picks must be the measured-fastest algorithm (or
// close). A feature that drifts from fit_cost_model.py, or constants pasted
// wrongly, fail here.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "src/cost_model.h"
#include "src/select.h"
#include "hwy/targets.h"
#include "tconv/desc.h"

namespace tconv {
namespace {

const std::string kDir = std::string(TCONV_SOURCE_DIR) + "/bench/calibration/";

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

TEST(CostModel, ReproducesTheCalibration) {
  std::ifstream jf(kDir + "layers.json");
  ASSERT_TRUE(jf) << kDir << "layers.json";
  const nlohmann::json layers = nlohmann::json::parse(jf)["layers"];
  const auto measured = ReadMeasured(kDir + "measured_1t.txt");
  int n = 0, best_picked = 0;
  double sq = 0, worst = 1;
  for (const auto& l : layers) {
    const std::string name = l["name"];
    auto it = measured.find(name);
    ASSERT_NE(it, measured.end()) << name;
    const double gp = it->second.at("phase"), gg = it->second.at("gemm_col2im");
    const ConvDesc d = DescFromJson(l);
    ASSERT_TRUE(ValidateConvTranspose(d).ok()) << name;
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
    const double flops = static_cast<double>(ConvTransposeFlops(d));
    // The calibration was measured at AVX-512: predict at AVX-512 whatever
    // this machine runs.
    const CostModelConstants& c = FittedCostModel();
    const double tp = PredictPhaseSeconds(g, c), tg = PredictGemmCol2ImSeconds(g, c);
    sq += std::pow(std::log(tp / (flops / (gp * 1e9))), 2) + std::pow(std::log(tg / (flops / (gg * 1e9))), 2);
    n += 2;
    std::string why;
    const std::string pick = SelectAlgorithm(g, 1, &why, c, "avx512")->name;
    EXPECT_EQ(pick, tg < tp ? "gemm_col2im" : "phase") << name << ": " << why;
    const double got = pick == "phase" ? gp : gg;
    best_picked += got >= std::max(gp, gg);
    worst = std::min(worst, got / std::max(gp, gg));
    EXPECT_GE(got / std::max(gp, gg), 0.85) << name << ": auto picked " << pick << " (" << why << ")";
  }
  EXPECT_EQ(n, 76);
  // The fit's numbers (bench/calibration/README.md): RMS log error 0.31,
  // 37 of 38 picks the fastest, the miss at 0.87.
  EXPECT_LE(std::sqrt(sq / n), 0.32);
  EXPECT_GE(best_picked, 37);
  EXPECT_GE(worst, 0.86);
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
