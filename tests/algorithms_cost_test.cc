// The cost numbers `tconv explain` prints (EstimateAlgorithms) and the plan
// uses: multiply-adds executed and workspace bytes allocated, per algorithm.
// Hand-computed values for two geometries, then random geometries against
// a brute-force count of the useful (input, tap, output) triples.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "src/algo/algorithm.h"
#include "src/algo/gemm_one_pixel.h"
#include "src/cost_model.h"
#include "src/geom3.h"
#include "src/select.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

std::map<std::string, AlgorithmEstimate> Estimates(const ConvDesc& d) {
  std::map<std::string, AlgorithmEstimate> m;
  for (const AlgorithmEstimate& e : EstimateAlgorithms(d)) m[e.name] = e;
  return m;
}

// Multiply-adds that contribute to an output: brute force over every
// (input element, tap, input channel, output channel of its group).
int64_t UsefulMacsBruteForce(const ConvDesc& d) {
  int64_t pairs = 1;
  for (int a = 0; a < d.ndim; ++a) {
    const int64_t out = ConvTransposeOutputLength(d, a);
    int64_t n = 0;
    for (int64_t ix = 0; ix < d.in[a]; ++ix)
      for (int64_t k = 0; k < d.kernel[a]; ++k) {
        const int64_t o = ix * d.stride[a] + k * d.dilation[a] - d.pad_begin[a];
        n += (o >= 0 && o < out);
      }
    pairs *= n;
  }
  return d.batch * d.in_channels * (d.out_channels / d.groups) * pairs;
}

ConvDesc GeometryA() {
  // 1-D, i=4, k=3, s=2, p=1: out = 3*2 + 3 - 2 = 7.
  ConvDesc d;
  d.ndim = 1;
  d.in_channels = 2;
  d.out_channels = 3;
  d.in = {4, 1, 1};
  d.kernel = {3, 1, 1};
  d.stride = {2, 1, 1};
  d.pad_begin = d.pad_end = {1, 0, 0};
  return d;
}

ConvDesc GeometryB() {
  // 2-D, N=2, Cin=4, Cout=2, groups=2; axis 0: i=3 k=3 s=3 d=2 pb=0 pe=1
  // (out 10); axis 1: i=2 k=2 s=2 d=1 pb=1 pe=0 a=1 (out 4).
  ConvDesc d;
  d.ndim = 2;
  d.batch = 2;
  d.in_channels = 4;
  d.out_channels = 2;
  d.groups = 2;
  d.in = {3, 2, 1};
  d.kernel = {3, 2, 1};
  d.stride = {3, 2, 1};
  d.dilation = {2, 1, 1};
  d.pad_begin = {0, 1, 0};
  d.pad_end = {1, 0, 0};
  d.output_padding = {0, 1, 0};
  return d;
}

TEST(AlgorithmsCost, HandComputedGeometryA) {
  const ConvDesc d = GeometryA();
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  ASSERT_EQ(ConvTransposeOutputLength(d, 0), 7);
  auto e = Estimates(d);
  // Useful pairs per tap: k=0 -> o=-1,1,3,5 (3 inside), k=1 -> 0,2,4,6 (4),
  // k=2 -> 1,3,5,7 (3): 10 pairs; x Cin 2 x Cout 3 = 60.
  EXPECT_EQ(e["phase"].macs, 60);
  EXPECT_EQ(e["gather"].macs, 60);
  // zero_insert: Cout 3 x Cin 2 x k 3 x out 7 = 126 (the zeros included).
  EXPECT_EQ(e["zero_insert"].macs, 126);
  // gemm_col2im: the GEMM, Cin 2 x Cout 3 x k 3 x in 4 = 72.
  EXPECT_EQ(e["gemm_col2im"].macs, 72);
  // Workspaces: gemm_col2im's column buffer Cout*k*in = 36 floats; zero_insert
  // z = Cin*(out + ke - 1) = 2*9 floats plus col = Cin*k*out = 42 floats.
  EXPECT_EQ(e["gemm_col2im"].workspace_bytes, 36 * 4);
  EXPECT_EQ(e["zero_insert"].workspace_bytes, (18 + 42) * 4);
  EXPECT_EQ(e["phase"].workspace_bytes, 0);
  EXPECT_EQ(e["gather"].workspace_bytes, 0);
  EXPECT_GT(e["zero_insert"].macs, e["phase"].macs);
}

TEST(AlgorithmsCost, HandComputedGeometryB) {
  const ConvDesc d = GeometryB();
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  ASSERT_EQ(ConvTransposeOutputLength(d, 0), 10);
  ASSERT_EQ(ConvTransposeOutputLength(d, 1), 4);
  auto e = Estimates(d);
  // Axis 0 pairs: k=0 -> 0,3,6; k=1 -> 2,5,8; k=2 -> 4,7 (10 cropped): 8.
  // Axis 1 pairs: k=0 -> -1,1 (1); k=1 -> 0,2 (2): 3.
  // N 2 x Cin 4 x Cout/g 1 x 8 x 3 = 192: what the general phase path runs.
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  EXPECT_EQ(kPhaseAlgorithm.cost(g).macs, 192);
  EXPECT_EQ(kPhaseAlgorithm.cost(g).workspace_bytes, 0);
  // The SIMD fast path (which takes it) runs every tap of a phase over all
  // its outputs, borders included. Axis 0 (s 3, d 2: taps 3 apart): phase
  // 0 tap k=0 x 4 outputs, phase 1 k=2 x 3, phase 2 k=1 x 3 = 10; axis 1:
  // 1 tap x 2 outputs per phase = 4. 2 x 4 x 1 x 10 x 4 = 320.
  EXPECT_EQ(e["phase"].macs, 320);
  EXPECT_EQ(e["gather"].macs, 192);
  // zero_insert: N 2 x Cout 2 x Cin/g 2 x k_sp 6 x out 40 = 1920.
  EXPECT_EQ(e["zero_insert"].macs, 1920);
  // gemm_col2im: N 2 x Cin 4 x Cout/g 1 x k_sp 6 x in_sp 6 = 288.
  EXPECT_EQ(e["gemm_col2im"].macs, 288);
  // Cout * k_sp * in_sp floats per image, and both images at once (two
  // one-channel blocks leave threads idle; src/algo/gemm_col2im.cc, Split).
  EXPECT_EQ(e["gemm_col2im"].workspace_bytes, 2 * 2 * 6 * 6 * 4);
  // zero_insert: z = Cin * (10+5-1)*(4+2-1) = 4*70 floats; col = Cin*k_sp*out_sp = 4*6*40.
  EXPECT_EQ(e["zero_insert"].workspace_bytes, (4 * 70 + 4 * 6 * 40) * 4);
  // Fast path: N x Cin padded planes of 5 x 3 (input rows at -1..3 x 0..2)
  // + one row + the 64-float vector over-read tail, rounded up to 16 = 96.
  EXPECT_EQ(e["phase"].workspace_bytes, 2 * 4 * 96 * 4);
  EXPECT_EQ(e["gather"].workspace_bytes, 0);
  EXPECT_GT(e["zero_insert"].macs, e["phase"].macs);
}

TEST(AlgorithmsCost, PlanWorkspaceMatchesTheHandComputedCosts) {
  // The plan allocates the hand-computed workspace of HandComputedGeometryB
  // for every algorithm (dilation 2 on axis 0, groups).
  const ConvDesc d = GeometryB();
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 1.0f);
  const std::map<std::string, int64_t> want = {{"phase", 2 * 4 * 96 * 4},
                                               {"gemm_col2im", 2 * 2 * 6 * 6 * 4},
                                               {"gather", 0},
                                               {"zero_insert", (4 * 70 + 4 * 6 * 40) * 4}};
  for (const auto& [algo, bytes] : want) {
    PlanOptions opts;
    opts.algo = algo;
    Status st;
    auto plan = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)), ConstTensorView(), opts, &st);
    ASSERT_TRUE(plan) << algo << ": " << st.message();
    EXPECT_EQ(plan->workspace_bytes(), bytes) << algo;
  }
}

// Each algorithm runs in exactly the workspace it reports: a prepared
// algorithm gets a buffer of that many bytes followed by canaries, which
// must survive, and its result must be the reference's (AddressSanitizer
// sees reads past the end, as the buffer's last float is the last one it
// may touch).
TEST(AlgorithmsCost, EveryAlgorithmRunsInTheWorkspaceItReports) {
  constexpr float kCanary = -1234.5f;
  std::vector<ConvDesc> descs = {GeometryA(), GeometryB()};
  for (uint64_t seed = 0; seed < 40; ++seed) descs.push_back(testing::RandomConvTransposeDesc(seed));
  const PhaseTuning tuning;
  for (const ConvDesc& d : descs) {
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
    std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d)));
    testing::FillIntegers(&x, 3, testing::SafeIntegerBound(d));
    testing::FillIntegers(&w, 4, testing::SafeIntegerBound(d));
    Tensor want(ConvTransposeOutputShape(d));
    ASSERT_TRUE(ConvTransposeRef(d, ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                                 ConstTensorView(w.data(), ConvTransposeWeightShape(d)), ConstTensorView(), want.view())
                    .ok());
    for (const Algorithm* a : Algorithms()) {
      std::string why;
      auto prepared = a->prepare(PrepareInput{g, ConstBuffer(w.data()), ConstBuffer(), tuning}, &why);
      ASSERT_TRUE(prepared) << a->name << ": " << why;
      AlgoCost cost = a->cost(g);
      prepared->ActualCost(&cost);
      const size_t floats = static_cast<size_t>(cost.workspace_bytes + 3) / 4;
      std::vector<float> ws(floats + 64, kCanary);
      std::vector<float> y(static_cast<size_t>(want.numel()), NAN);
      prepared->Run(ConstBuffer(x.data()), Buffer(y.data()), ws.data(), 2);
      for (size_t i = floats; i < ws.size(); ++i) ASSERT_EQ(ws[i], kCanary) << a->name << " " << DescString(d);
      EXPECT_EQ(y, want.data) << a->name << " " << DescString(d);
    }
  }
}

TEST(AlgorithmsCost, GemmCol2ImIdentityNeedsNoColumnBuffer) {
  ConvDesc d;
  d.in_channels = 3;
  d.out_channels = 5;
  d.in = {4, 6, 1};
  auto e = Estimates(d);  // 1x1 kernel, stride 1, no pads: col2im is the identity
  EXPECT_EQ(e["gemm_col2im"].workspace_bytes, 0);
  EXPECT_EQ(e["gemm_col2im"].macs, 3 * 5 * 24);
  d.output_padding = {1, 0, 0};  // now col2im must place the columns
  e = Estimates(d);
  EXPECT_EQ(e["gemm_col2im"].workspace_bytes, 5 * 24 * 4);
}

TEST(AlgorithmsCost, RandomGeometriesAgainstBruteForce) {
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    const ConvDesc d = testing::RandomConvTransposeDesc(seed);
    const std::string repro = testing::Repro(d, seed);
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
    auto e = Estimates(d);
    const int64_t useful = UsefulMacsBruteForce(d);
    // The general phase path executes exactly the useful macs, with no
    // workspace; the estimate is the SIMD fast path's own (it takes every
    // geometry here: border taps included, a padded input copy).
    const AlgoCost general = kPhaseAlgorithm.cost(g);
    EXPECT_EQ(general.macs, useful) << repro;
    EXPECT_EQ(general.workspace_bytes, 0) << repro;
    EXPECT_GE(e["phase"].macs, useful) << repro;
    EXPECT_EQ(e["gather"].macs, useful) << repro;
    EXPECT_EQ(e["zero_insert"].macs, g.n * g.cout * g.cin_g * g.k_sp * g.out_sp) << repro;
    EXPECT_GE(e["zero_insert"].macs, useful) << repro;
    EXPECT_GE(e["gemm_col2im"].macs, useful) << repro;
    EXPECT_EQ(e["gather"].workspace_bytes, 0) << repro;
    if (OnePixelGemmApplies(g)) {  // one GEMM over the batch into every output: x transposed, 4-image groups
      EXPECT_EQ(e["gemm_col2im"].macs, g.n * g.cin * g.cout_g * g.out_sp) << repro;
      EXPECT_EQ(e["gemm_col2im"].workspace_bytes, g.cin * ((g.n + 3) / 4 * 4) * 4) << repro;
      continue;
    }
    EXPECT_EQ(e["gemm_col2im"].macs, g.n * g.cin * g.cout_g * g.k_sp * g.in_sp) << repro;
    bool identity = g.k_sp == 1;
    for (int a = 0; a < 3; ++a) identity = identity && g.s[a] == 1 && g.pb[a] == 0 && g.pe[a] == 0 && g.a[a] == 0;
    // One column buffer per image run at once: 1 to min(N, 16), within
    // 8 MiB when more than one.
    const int64_t col_bytes = identity ? 0 : g.cout * g.k_sp * g.in_sp * 4, ws = e["gemm_col2im"].workspace_bytes;
    EXPECT_EQ(col_bytes == 0 ? ws : ws % col_bytes, 0) << repro;
    if (col_bytes > 0) {
      EXPECT_GE(ws / col_bytes, 1) << repro;
      EXPECT_LE(ws / col_bytes, std::min<int64_t>(g.n, 16)) << repro;
      if (ws > col_bytes) EXPECT_LE(ws, int64_t{8} << 20) << repro;
    }
    if (::testing::Test::HasFailure()) break;
  }
}

ConvDesc Layer2D(int64_t cin, int64_t cout, int64_t groups, int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  ConvDesc desc;
  desc.in_channels = cin;
  desc.out_channels = cout;
  desc.groups = groups;
  desc.in = {in, in, 1};
  desc.kernel = {k, k, 1};
  desc.stride = {s, s, 1};
  desc.dilation = {d, d, 1};
  desc.pad_begin = desc.pad_end = {p, p, 0};
  return desc;
}

// Where the measurements leave no doubt, auto agrees with them: phase ran 7
// to 11 times faster than gemm_col2im on these calibration layers
// (bench/calibration/measured_1t.txt: dw_k4s2 25.7 vs 2.3, k4s2_c3_128 62.1
// vs 8.4, dw_k3s2d2 18.0 vs 2.6 GFLOP/s). Without the SIMD phase path
// (stride > 64 along x) the channel-pair rule of docs/ALGORITHMS.md decides.
TEST(AlgorithmsSelect, AutoFollowsClearMeasurementsAndTheStrideRule) {
  std::string why;
  const ConvDesc clear_phase[] = {Layer2D(256, 256, 256, 32, 4, 2, 1, 1), Layer2D(3, 3, 1, 128, 4, 2, 1, 1),
                                  Layer2D(128, 128, 128, 32, 3, 2, 2, 2)};
  for (const ConvDesc& d : clear_phase) {
    ASSERT_TRUE(ValidateConvTranspose(d).ok());
    EXPECT_STREQ(SelectAlgorithm(MakeGeom3(d, GeomOp::kConvTranspose), 1, &why)->name, "phase") << DescString(d);
    EXPECT_NE(why.find("cost model"), std::string::npos) << why;
  }
  ConvDesc wide = Layer2D(64, 64, 1, 8, 3, 1, 0, 1);
  wide.stride = {1, 65, 1};  // no SIMD phase path: 4096 channel pairs -> gemm_col2im
  ASSERT_TRUE(ValidateConvTranspose(wide).ok());
  EXPECT_STREQ(SelectAlgorithm(MakeGeom3(wide, GeomOp::kConvTranspose), 1, &why)->name, "gemm_col2im");
  EXPECT_NE(why.find("stride 65 > 64"), std::string::npos) << why;
  wide.in_channels = wide.out_channels = wide.groups = 64;  // ... depthwise: 1 pair -> phase (general path)
  EXPECT_STREQ(SelectAlgorithm(MakeGeom3(wide, GeomOp::kConvTranspose), 1, &why)->name, "phase");
  EXPECT_NE(why.find("< 4"), std::string::npos) << why;
}

}  // namespace
}  // namespace tconv
