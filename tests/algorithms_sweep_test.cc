// Every registered algorithm but the oracle itself (AlgorithmNames(): phase,
// gemm_col2im, gather, zero_insert) plus the general path of `phase` (which
// the SIMD fast path would otherwise hide), against ConvTransposeRef:
//   - exact mode: 3000 seeded random geometries, small-integer data bounded
//     by SafeIntegerBound, bit equality required, with and without bias;
//   - real mode: a few hundred geometries, uniform data, tolerance
//     64*eps*sqrt(depth)*max|y|;
//   - threads 1 vs 2 (and 3) bitwise equal for every algorithm;
//   - targeted geometries: coprime stride/dilation (s=3, d=2), s=4 d=2,
//     stride > kernel, size-1 inputs, negative pads, depthwise, 1-D and 3-D,
//     and channel counts large enough for the parallel GEMM blocks.
// Outputs start as NaN, so an element an algorithm forgets to write fails.
// Every failure prints `desc=<DescString> algo=<name> seed=<seed>`.
//
// Also the per-axis tap arithmetic of src/algo/tap_math.h against brute force.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/algo/phase.h"
#include "src/algo/tap_math.h"
#include "src/geom3.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

// The general path of `phase`, run directly (not an AlgorithmNames() entry).
constexpr const char* kPhaseGeneral = "phase_general";

// Every algorithm but `ref`: ref is ConvTransposeRef, the oracle these are
// checked against, and a comparison with itself could not fail.
std::vector<std::string> AlgosUnderTest() {
  std::vector<std::string> v;
  for (const std::string& a : AlgorithmNames())
    if (a != "ref") v.push_back(a);
  v.push_back(kPhaseGeneral);
  return v;
}

std::string ReproLine(const ConvDesc& d, const std::string& algo, uint64_t seed) {
  return "desc=" + DescString(d) + " algo=" + algo + " seed=" + std::to_string(seed);
}

struct Data {
  std::vector<float> x, w, b;  // b empty: no bias
};

Data MakeData(const ConvDesc& d, uint64_t seed, bool integers, bool with_bias) {
  Data data;
  data.x.resize(NumElements(ConvTransposeInputShape(d)));
  data.w.resize(NumElements(ConvTransposeWeightShape(d)));
  if (with_bias) data.b.resize(d.out_channels);
  if (integers) {
    const int bound = testing::SafeIntegerBound(d);
    testing::FillIntegers(&data.x, seed, bound);
    testing::FillIntegers(&data.w, seed + 1, bound);
    testing::FillIntegers(&data.b, seed + 2, bound);
  } else {
    testing::FillUniform(&data.x, seed);
    testing::FillUniform(&data.w, seed + 1);
    testing::FillUniform(&data.b, seed + 2);
  }
  return data;
}

std::vector<float> Reference(const ConvDesc& d, const Data& data) {
  Tensor y(ConvTransposeOutputShape(d));
  ConstTensorView b = data.b.empty() ? ConstTensorView() : ConstTensorView(data.b.data(), Shape{d.out_channels});
  Status st = ConvTransposeRef(d, ConstTensorView(data.x.data(), ConvTransposeInputShape(d)),
                               ConstTensorView(data.w.data(), ConvTransposeWeightShape(d)), b, y.view());
  EXPECT_TRUE(st.ok()) << st.message();
  return y.data;
}

// Runs `algo` at `threads` into a NaN-filled output. False (with a failure
// already recorded) when the algorithm could not be created or run.
bool RunAlgo(const ConvDesc& d, const std::string& algo, const Data& data, int threads, const std::string& repro,
             std::vector<float>* y) {
  y->assign(static_cast<size_t>(NumElements(ConvTransposeOutputShape(d))), std::numeric_limits<float>::quiet_NaN());
  const float* bias = data.b.empty() ? nullptr : data.b.data();
  if (algo == kPhaseGeneral) {
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
    auto prepared = PreparePhaseGeneral(g, data.w.data(), bias);
    prepared->Run(ConstBuffer(data.x.data()), Buffer(y->data()), nullptr, threads);
    return true;
  }
  PlanOptions opts;
  opts.algo = algo;
  opts.threads = threads;
  Status st;
  ConstTensorView b = bias ? ConstTensorView(bias, Shape{d.out_channels}) : ConstTensorView();
  auto plan = Plan::Create(d, ConstTensorView(data.w.data(), ConvTransposeWeightShape(d)), b, opts, &st);
  if (!plan) {
    ADD_FAILURE() << repro << ": Create failed: " << st.message();
    return false;
  }
  EXPECT_EQ(plan->algorithm(), algo) << repro;
  st = plan->Run(ConstTensorView(data.x.data(), ConvTransposeInputShape(d)),
                 TensorView(y->data(), ConvTransposeOutputShape(d)));
  if (!st.ok()) {
    ADD_FAILURE() << repro << ": Run failed: " << st.message();
    return false;
  }
  return true;
}

// Bit equality; reports the first few mismatches. Returns the mismatch count.
size_t CompareExact(const std::vector<float>& got, const std::vector<float>& want, const std::string& repro) {
  size_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!(got[i] == want[i])) {
      if (bad++ < 3) ADD_FAILURE() << repro << ": y[" << i << "] = " << got[i] << ", ref " << want[i];
    }
  }
  return bad;
}

bool BitwiseEqual(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Exact check of every algorithm on one desc; threads_list[0] is compared
// with ref, the others with threads_list[0] bitwise.
void CheckExact(const ConvDesc& d, uint64_t seed, bool with_bias, const std::vector<int>& threads_list,
                int64_t* cases_per_algo = nullptr) {
  const Data data = MakeData(d, seed, /*integers=*/true, with_bias);
  const std::vector<float> ref = Reference(d, data);
  for (const std::string& algo : AlgosUnderTest()) {
    const std::string repro = ReproLine(d, algo, seed) + (with_bias ? "" : " nobias");
    std::vector<float> y1;
    if (!RunAlgo(d, algo, data, threads_list[0], repro, &y1)) continue;
    EXPECT_EQ(CompareExact(y1, ref, repro), 0u) << repro;
    for (size_t t = 1; t < threads_list.size(); ++t) {
      std::vector<float> yt;
      if (!RunAlgo(d, algo, data, threads_list[t], repro, &yt)) continue;
      EXPECT_TRUE(BitwiseEqual(y1, yt)) << repro << ": threads " << threads_list[0] << " vs " << threads_list[t]
                                        << " differ";
    }
    if (cases_per_algo) ++*cases_per_algo;
  }
}

TEST(AlgorithmsSweep, ExactOnRandomGeometries) {
  constexpr uint64_t kCases = 3000;
  int64_t checked = 0;
  for (uint64_t seed = 0; seed < kCases; ++seed) {
    const ConvDesc d = testing::RandomConvTransposeDesc(seed);
    // Every 8th case also compares threads 1 vs 2 (the dedicated tests
    // below cover geometries big enough to split).
    CheckExact(d, seed, /*with_bias=*/seed % 2 == 0, seed % 8 == 0 ? std::vector<int>{1, 2} : std::vector<int>{1},
               &checked);
    if (::testing::Test::HasFailure() && checked > 50) break;  // keep the log readable
  }
  EXPECT_EQ(checked, static_cast<int64_t>(kCases * AlgosUnderTest().size()));
}

TEST(AlgorithmsSweep, RealValuedWithinTolerance) {
  constexpr uint64_t kCases = 300;
  for (uint64_t seed = 100000; seed < 100000 + kCases; ++seed) {
    const ConvDesc d = testing::RandomConvTransposeDesc(seed);
    const Data data = MakeData(d, seed, /*integers=*/false, /*with_bias=*/seed % 2 == 0);
    const std::vector<float> ref = Reference(d, data);
    int64_t depth = d.in_channels / d.groups;
    for (int a = 0; a < d.ndim; ++a) depth *= d.kernel[a];
    double ymax = 0.0;
    for (float v : ref) ymax = std::max(ymax, static_cast<double>(std::fabs(v)));
    const double tol = 64.0 * std::numeric_limits<float>::epsilon() * std::sqrt(static_cast<double>(depth + 1)) * ymax;
    for (const std::string& algo : AlgosUnderTest()) {
      const std::string repro = ReproLine(d, algo, seed) + " real";
      std::vector<float> y;
      if (!RunAlgo(d, algo, data, 1, repro, &y)) continue;
      size_t bad = 0;
      for (size_t i = 0; i < ref.size(); ++i) {
        if (!(std::fabs(static_cast<double>(y[i]) - ref[i]) <= tol)) {
          if (bad++ < 3)
            ADD_FAILURE() << repro << ": y[" << i << "] = " << y[i] << ", ref " << ref[i] << ", tol " << tol;
        }
      }
    }
  }
}

ConvDesc Make(int ndim, int64_t n, int64_t cin, int64_t cout, int64_t groups, Dims in, Dims k, Dims s, Dims dil,
              Dims pb, Dims pe, Dims a = {0, 0, 0}) {
  ConvDesc d;
  d.ndim = ndim;
  d.batch = n;
  d.in_channels = cin;
  d.out_channels = cout;
  d.groups = groups;
  d.in = in;
  d.kernel = k;
  d.stride = s;
  d.dilation = dil;
  d.pad_begin = pb;
  d.pad_end = pe;
  d.output_padding = a;
  return d;
}

struct Targeted {
  const char* what;
  ConvDesc desc;
};

std::vector<Targeted> TargetedCases() {
  return {
      {"1-D s3 d2 coprime", Make(1, 2, 3, 2, 1, {7}, {4}, {3}, {2}, {1}, {2}, {1})},
      {"1-D s3 d2 k5 crop", Make(1, 1, 2, 3, 1, {5}, {5}, {3}, {2}, {4}, {3})},
      {"2-D s3 d2 both axes", Make(2, 1, 3, 4, 1, {5, 6}, {3, 4}, {3, 3}, {2, 2}, {2, 1}, {1, 3}, {2, 0})},
      {"2-D s4 d2", Make(2, 2, 2, 3, 1, {4, 5}, {3, 5}, {4, 4}, {2, 2}, {1, 0}, {2, 3}, {3, 1})},
      {"2-D s6 d4 (gcd 2)", Make(2, 1, 2, 2, 1, {3, 4}, {4, 3}, {6, 6}, {4, 4}, {3, 0}, {0, 5})},
      {"2-D s2 d3", Make(2, 1, 4, 4, 2, {6, 5}, {3, 3}, {2, 2}, {3, 3}, {2, 3}, {1, 0}, {1, 1})},
      {"stride > kernel", Make(2, 1, 3, 2, 1, {4, 3}, {2, 1}, {5, 4}, {1, 1}, {0, 1}, {1, 0}, {2, 3})},
      {"stride > dilated kernel", Make(1, 2, 2, 2, 1, {5}, {2}, {7}, {3}, {1}, {0})},
      {"size-1 input", Make(2, 1, 3, 5, 1, {1, 1}, {4, 3}, {2, 3}, {1, 2}, {1, 0}, {0, 2})},
      {"size-1 input and kernel",
       Make(3, 2, 2, 3, 1, {1, 1, 1}, {1, 1, 1}, {3, 2, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, {2, 1, 0})},
      {"negative pads", Make(2, 1, 2, 3, 1, {3, 4}, {3, 2}, {2, 3}, {1, 2}, {-2, -1}, {-3, 0})},
      {"negative pads dilated", Make(1, 1, 3, 2, 1, {4}, {3}, {3}, {2}, {-3}, {-2}, {1})},
      {"depthwise s2 d3", Make(2, 2, 6, 6, 6, {5, 7}, {3, 4}, {2, 2}, {3, 1}, {1, 2}, {2, 0}, {1, 0})},
      {"depthwise multiplier 2", Make(2, 1, 4, 8, 4, {6, 6}, {4, 4}, {2, 2}, {1, 1}, {1, 1}, {1, 1})},
      {"3-D mixed", Make(3, 1, 4, 6, 2, {3, 4, 3}, {2, 3, 3}, {2, 3, 1}, {1, 2, 3}, {0, 1, 2}, {1, 0, 3}, {1, 2, 0})},
      {"3-D s3 d2", Make(3, 2, 2, 2, 1, {2, 3, 4}, {3, 3, 2}, {3, 3, 3}, {2, 2, 2}, {1, 2, 0}, {2, 1, 1})},
      {"1x1 stride 1 (identity col2im)", Make(2, 2, 5, 7, 1, {4, 5}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0})},
      {"1x1 stride 1 with pads", Make(2, 1, 5, 3, 1, {4, 5}, {1, 1}, {1, 1}, {1, 1}, {1, 0}, {0, 1}, {0, 2})},
      // Large enough that the GEMM algorithms split work over threads.
      {"channels 24->20 s2", Make(2, 2, 24, 20, 1, {12, 10}, {4, 4}, {2, 2}, {1, 1}, {1, 1}, {1, 1})},
      {"channels 16->32 s3 d2", Make(2, 1, 16, 32, 1, {9, 8}, {3, 3}, {3, 3}, {2, 2}, {1, 2}, {0, 1}, {1, 0})},
      {"groups 4, 32->16", Make(2, 1, 32, 16, 4, {10, 11}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, {1, 1})},
      {"depthwise 64 dilated", Make(2, 1, 64, 64, 64, {9, 9}, {3, 3}, {2, 2}, {2, 2}, {2, 2}, {2, 2}, {1, 1})},
      // Few output channels on long inputs: gemm_col2im cuts its GEMMs into
      // input-pixel chunks (col2im after them; y's planes when col2im is
      // the identity).
      {"Cout 1, 1-D, 1200 pixels", Make(1, 2, 8, 1, 1, {1200}, {4}, {2}, {1}, {1}, {1})},
      {"Cout 3, 1x1, 40x40 (identity col2im)", Make(2, 1, 6, 3, 1, {40, 40}, {1, 1}, {1, 1}, {1, 1}, {0, 0}, {0, 0})},
  };
}

TEST(AlgorithmsSweep, TargetedExactAndThreadInvariant) {
  uint64_t seed = 7;
  for (const Targeted& t : TargetedCases()) {
    ASSERT_TRUE(ValidateConvTranspose(t.desc).ok()) << t.what << ": " << ValidateConvTranspose(t.desc).message();
    SCOPED_TRACE(t.what);
    CheckExact(t.desc, seed, /*with_bias=*/true, {1, 2, 3});
    CheckExact(t.desc, seed + 1, /*with_bias=*/false, {1, 2});
    seed += 10;
  }
}

// Real-valued data on geometries big enough to be split: the result must
// not depend on the thread count, bit for bit.
TEST(AlgorithmsSweep, RealValuedThreadsBitwiseEqual) {
  uint64_t seed = 500;
  for (const Targeted& t : TargetedCases()) {
    SCOPED_TRACE(t.what);
    const Data data = MakeData(t.desc, seed++, /*integers=*/false, /*with_bias=*/true);
    for (const std::string& algo : AlgosUnderTest()) {
      const std::string repro = ReproLine(t.desc, algo, seed) + " real";
      std::vector<float> y1, y2, y4;
      if (!RunAlgo(t.desc, algo, data, 1, repro, &y1) || !RunAlgo(t.desc, algo, data, 2, repro, &y2) ||
          !RunAlgo(t.desc, algo, data, 4, repro, &y4)) {
        continue;
      }
      EXPECT_TRUE(BitwiseEqual(y1, y2)) << repro << ": threads 1 vs 2 differ";
      EXPECT_TRUE(BitwiseEqual(y1, y4)) << repro << ": threads 1 vs 4 differ";
    }
  }
}

// TapsForOutput against enumeration of every (ix, k) pair, over strides,
// dilations (coprime and not), kernels, input sizes and pads.
TEST(TapMath, MatchesBruteForce) {
  int64_t checked = 0;
  for (int64_t s = 1; s <= 7; ++s)
    for (int64_t d = 1; d <= 6; ++d)
      for (int64_t k = 1; k <= 6; ++k)
        for (int64_t i = 1; i <= 5; ++i) {
          const int64_t ke = d * (k - 1) + 1;
          for (int64_t pb = -3; pb <= ke + 1; ++pb) {
            const TapAxis axis(i, k, s, d, pb);
            const int64_t full = (i - 1) * s + ke;
            for (int64_t o = -2; o < full - pb + 3; ++o) {
              std::vector<std::pair<int64_t, int64_t>> want;  // (k, ix), k ascending
              for (int64_t kk = 0; kk < k; ++kk)
                for (int64_t ix = 0; ix < i; ++ix)
                  if (ix * s + kk * d - pb == o) want.emplace_back(kk, ix);
              const TapRun run = TapsForOutput(axis, o);
              std::vector<std::pair<int64_t, int64_t>> got;
              for (int64_t j = 0; j < run.count; ++j)
                got.emplace_back(run.k0 + j * axis.kstep, run.ix0 - j * axis.istep);
              ASSERT_EQ(got, want) << "s=" << s << " d=" << d << " k=" << k << " i=" << i << " pb=" << pb << " o=" << o;
              ++checked;
            }
          }
        }
  EXPECT_GT(checked, 100000);
}

TEST(TapMath, FirstTapOfResidue) {
  // s = 3, d = 2: residue r is reached by k with 2k == r (mod 3): r=0 -> 0,
  // r=1 -> 2, r=2 -> 1; consecutive taps 3 apart.
  const TapAxis a(4, 7, 3, 2, 0);
  EXPECT_EQ(a.kstep, 3);
  EXPECT_EQ(a.FirstTapOfResidue(0), 0);
  EXPECT_EQ(a.FirstTapOfResidue(1), 2);
  EXPECT_EQ(a.FirstTapOfResidue(2), 1);
  // s = 4, d = 2: odd residues are unreachable, even ones step by 2.
  const TapAxis b(4, 5, 4, 2, 0);
  EXPECT_EQ(b.kstep, 2);
  EXPECT_EQ(b.FirstTapOfResidue(1), -1);
  EXPECT_EQ(b.FirstTapOfResidue(3), -1);
  EXPECT_EQ(b.FirstTapOfResidue(0), 0);
  EXPECT_EQ(b.FirstTapOfResidue(2), 1);
  // Negative residues (negative pads) use floor modulo.
  EXPECT_EQ(a.FirstTapOfResidue(-1), 1);
  for (int64_t m = 1; m <= 12; ++m)
    for (int64_t v = 1; v < m; ++v) {
      if (Gcd(v, m) == 1) {
        EXPECT_EQ(v * ModInverse(v, m) % m, 1 % m) << v << " mod " << m;
      }
    }
}

}  // namespace
}  // namespace tconv
