// Checkerboard analysis (include/tconv/checkerboard.h): overlap maps against
// hand-computed ones, counting == running for random stacks, the interior of
// a finite map equals the analytic steady state, score == 1 exactly when
// k mod s == 0 (and gcd(d, s) == 1), stacked scores, per-phase sums vs the
// constant response, ICNR and the nearest-upsample-equivalent deconvolution.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "tconv/checkerboard.h"
#include "tconv/conv.h"
#include "tconv/pixel_shuffle.h"
#include "tconv/plan.h"
#include "tconv/resample.h"

namespace tconv {
namespace {

Tensor Random(Shape s, uint32_t seed) {
  Tensor t(std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& v : t.data) v = u(rng);
  return t;
}

std::vector<double> Count1D(int64_t k, int64_t s, int64_t in, int64_t p = 0, std::vector<uint8_t>* inner = nullptr) {
  std::vector<double> c;
  std::vector<uint8_t> i;
  Status st = AxisOverlap({MakeDeconvLayer(1, k, s, 1, p)}, 0, in, &c, &i);
  EXPECT_TRUE(st.ok()) << st.message();
  if (inner) *inner = i;
  return c;
}

TEST(Checkerboard, HandOverlapK3S2) {
  std::vector<uint8_t> inner;
  EXPECT_EQ(Count1D(3, 2, 5, 0, &inner), (std::vector<double>{1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1}));
  // Interior: every tap with (u - k) % 2 == 0 lands on an input in [0, 5):
  // u = 0 misses x[-1] (tap 2), u = 1 only needs x[0] (tap 1), u = 10 misses
  // x[5].
  EXPECT_EQ(inner, (std::vector<uint8_t>{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}));
  // The article's (b): pad 1, output padding 1 -> 1 2 1 2 ... 1 1 at the end.
  std::vector<double> c;
  std::vector<uint8_t> i;
  DeconvLayer b = MakeDeconvLayer(1, 3, 2, 1, 1, 1);
  ASSERT_TRUE(AxisOverlap({b}, 0, 5, &c, &i).ok());
  EXPECT_EQ(c, (std::vector<double>{1, 2, 1, 2, 1, 2, 1, 2, 1, 1}));
}

TEST(Checkerboard, HandOverlapK4S2) {
  std::vector<uint8_t> inner;
  EXPECT_EQ(Count1D(4, 2, 5, 0, &inner), (std::vector<double>{1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1}));
  // u = 1 needs x[-1] (tap 3); u = 2 has taps 0 and 2 on x[1], x[0].
  EXPECT_EQ(inner, (std::vector<uint8_t>{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}));
}

TEST(Checkerboard, HandOverlap2DIsOuterProduct) {
  OverlapMap m;
  ASSERT_TRUE(OverlapMapCount({MakeDeconvLayer(2, 3, 2, 1, 1, 1)}, Dims{2, 2, 1}, &m).ok());
  ASSERT_EQ(m.size[0], 4);
  ASSERT_EQ(m.size[1], 4);
  // ones (2x2), ones 3x3, s2 p1 a1: rows/cols 1 2 1 1.
  EXPECT_EQ(m.count, (std::vector<double>{1, 2, 1, 1, 2, 4, 2, 2, 1, 2, 1, 1, 1, 2, 1, 1}));
}

TEST(Checkerboard, CountingAgreesWithRunningOnRandomStacks) {
  std::mt19937 rng(2024);
  int compared = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const int nd = 1 + trial % 3;
    const int layers = 1 + (trial / 3) % 3;
    std::vector<DeconvLayer> stack;
    for (int l = 0; l < layers; ++l) {
      DeconvLayer L;
      L.ndim = nd;
      for (int a = 0; a < nd; ++a) {
        L.kernel[a] = 1 + rng() % 4;
        L.stride[a] = 1 + rng() % 3;
        L.dilation[a] = 1 + rng() % 2;
        L.pad_begin[a] = rng() % 2;
        L.pad_end[a] = rng() % 2;
        L.output_padding[a] = 0;
      }
      stack.push_back(L);
    }
    Dims in = {1, 1, 1};
    for (int a = 0; a < nd; ++a) in[a] = 2 + rng() % (nd == 3 ? 2 : 4);
    OverlapMap c, r;
    Status sc = OverlapMapCount(stack, in, &c);
    Status sr = OverlapMapRun(stack, in, &r);
    ASSERT_EQ(sc.ok(), sr.ok()) << sc.message() << " / " << sr.message();
    if (!sc.ok()) continue;
    ASSERT_EQ(c.count.size(), r.count.size());
    for (size_t i = 0; i < c.count.size(); ++i) ASSERT_EQ(c.count[i], r.count[i]) << "trial " << trial << " at " << i;
    ++compared;
  }
  EXPECT_GE(compared, 30);
}

TEST(Checkerboard, InteriorEqualsSteadyStatePattern) {
  std::mt19937 rng(99);
  int with_interior = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int layers = 1 + trial % 3;
    std::vector<DeconvLayer> stack;
    for (int l = 0; l < layers; ++l) {
      DeconvLayer L = MakeDeconvLayer(1, 1 + rng() % 5, 1 + rng() % 3, 1 + rng() % 3, rng() % 2, 0);
      stack.push_back(L);
    }
    std::vector<double> c, period;
    std::vector<uint8_t> inner;
    ASSERT_TRUE(AxisOverlap(stack, 0, 12, &c, &inner).ok());
    ASSERT_TRUE(SteadyStatePattern(stack, 0, &period).ok());
    int64_t p = 1;
    for (const DeconvLayer& L : stack) p *= L.stride[0];
    ASSERT_EQ(static_cast<int64_t>(period.size()), p);
    bool any = false;
    for (size_t o = 0; o < c.size(); ++o) {
      if (!inner[o]) continue;
      any = true;
      ASSERT_EQ(c[o], period[o % p]) << "trial " << trial << " o " << o;
    }
    with_interior += any;
  }
  EXPECT_GE(with_interior, 50);
}

TEST(Checkerboard, ScoreIsOneExactlyWhenKernelDivisibleByStride) {
  for (int64_t k = 1; k <= 9; ++k)
    for (int64_t s = 1; s <= 4; ++s)
      for (int64_t d = 1; d <= 3; ++d) {
        CheckerboardScore sc;
        ASSERT_TRUE(ScoreStack({MakeDeconvLayer(2, k, s, d)}, &sc).ok());
        const bool even = k % s == 0 && std::gcd(d, s) == 1;
        EXPECT_EQ(sc.score == 1.0, even) << "k" << k << " s" << s << " d" << d << " score " << sc.score;
        if (d == 1 && s <= k) {
          // Per axis: ceil(k/s) and floor(k/s) contributions.
          const double hi = static_cast<double>((k + s - 1) / s), lo = static_cast<double>(k / s);
          EXPECT_EQ(sc.score, (hi / lo) * (hi / lo)) << "k" << k << " s" << s;
        }
      }
  // Stride larger than the kernel leaves holes: score +inf.
  CheckerboardScore sc;
  ASSERT_TRUE(ScoreStack({MakeDeconvLayer(1, 2, 3)}, &sc).ok());
  EXPECT_TRUE(std::isinf(sc.score));
}

TEST(Checkerboard, StackedScores) {
  CheckerboardScore one, three, even3;
  const DeconvLayer k3 = MakeDeconvLayer(1, 3, 2, 1, 1, 1), k4 = MakeDeconvLayer(2, 4, 2, 1, 1);
  ASSERT_TRUE(ScoreStack({k3}, &one).ok());
  EXPECT_EQ(one.score, 2.0);
  // Three k3 s2 layers: steady values per axis {1,2,3,4,5} (derivation in
  // docs/CHECKERBOARD.md): score 5 in 1-D, 25 in 2-D.
  ASSERT_TRUE(ScoreStack({k3, k3, k3}, &three).ok());
  EXPECT_EQ(three.min, 1.0);
  EXPECT_EQ(three.max, 5.0);
  EXPECT_EQ(three.score, 5.0);
  ASSERT_EQ(three.pattern[0].size(), 8u);
  CheckerboardScore three2d;
  const DeconvLayer k3_2d = MakeDeconvLayer(2, 3, 2, 1, 1, 1);
  ASSERT_TRUE(ScoreStack({k3_2d, k3_2d, k3_2d}, &three2d).ok());
  EXPECT_EQ(three2d.score, 25.0);
  ASSERT_TRUE(ScoreStack({k4, k4, k4}, &even3).ok());
  EXPECT_EQ(even3.score, 1.0);
  EXPECT_EQ(even3.min, 64.0);  // 2^3 per axis, two axes
  // The finite map's interior agrees with the analytic score.
  OverlapMap m;
  ASSERT_TRUE(OverlapMapCount({k3_2d, k3_2d, k3_2d}, Dims{8, 8, 1}, &m).ok());
  double lo, hi;
  ASSERT_TRUE(InteriorMinMax(m, &lo, &hi));
  EXPECT_EQ(lo, 1.0);
  EXPECT_EQ(hi, 25.0);
}

ConvDesc Deconv(int nd, int64_t cin, int64_t cout, int64_t in, int64_t k, int64_t s, int64_t p = 0) {
  ConvDesc d;
  d.ndim = nd;
  d.in_channels = cin;
  d.out_channels = cout;
  for (int a = 0; a < nd; ++a) {
    d.in[a] = in;
    d.kernel[a] = k;
    d.stride[a] = s;
    d.pad_begin[a] = d.pad_end[a] = p;
  }
  return d;
}

TEST(Checkerboard, PhaseSumsOfOnesAndRandomWeights) {
  PhaseSums ps;
  ConvDesc d3 = Deconv(1, 1, 1, 5, 3, 2);
  Tensor ones3(ConvTransposeWeightShape(d3), 1.0f);
  ASSERT_TRUE(PhaseKernelSums(d3, ones3.cview(), &ps).ok());
  EXPECT_EQ(ps.sums, (std::vector<double>{2, 1}));
  EXPECT_EQ(ps.max_spread, 1.0);
  ConvDesc d4 = Deconv(2, 1, 1, 5, 4, 2);
  Tensor ones4(ConvTransposeWeightShape(d4), 1.0f);
  ASSERT_TRUE(PhaseKernelSums(d4, ones4.cview(), &ps).ok());
  EXPECT_EQ(ps.sums, (std::vector<double>{4, 4, 4, 4}));
  EXPECT_EQ(ps.max_spread, 0.0);
  // Random k4 s2 weights are uneven even though 4 % 2 == 0: for one channel
  // the constant response spread equals the phase-sum spread.
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    ConvDesc d = Deconv(2, 1, 1, 6, 4, 2);
    Tensor w = Random(ConvTransposeWeightShape(d), seed);
    ASSERT_TRUE(PhaseKernelSums(d, w.cview(), &ps).ok());
    std::vector<double> spread;
    int64_t n_in = 0;
    ASSERT_TRUE(ConstantResponse({d}, {w}, 1.0f, &spread, &n_in).ok());
    EXPECT_GT(n_in, 0);
    EXPECT_GT(ps.max_spread, 1e-3);
    EXPECT_NEAR(spread[0], ps.max_spread, 1e-5);
  }
}

TEST(Checkerboard, ZeroSpreadMeansConstantInteriorAcrossChannelsAndStacks) {
  // Weights whose every phase sum is equal: per (ci, co), each phase gets the
  // same total. Build them from a random kernel by making phase 1 a copy of
  // phase 0 (k = 4, s = 2: taps {0,2} and {1,3}).
  ConvDesc d = Deconv(1, 2, 3, 6, 4, 2, 1);
  Tensor w = Random(ConvTransposeWeightShape(d), 5);
  for (int64_t p = 0; p < 6; ++p) {
    w.data[p * 4 + 1] = w.data[p * 4 + 0];
    w.data[p * 4 + 3] = w.data[p * 4 + 2];
  }
  PhaseSums ps;
  ASSERT_TRUE(PhaseKernelSums(d, w.cview(), &ps).ok());
  EXPECT_EQ(ps.max_spread, 0.0);
  ConvDesc d2 = Deconv(1, 3, 2, ConvTransposeOutputLength(d, 0), 4, 2, 1);
  Tensor w2 = Random(ConvTransposeWeightShape(d2), 6);
  for (int64_t p = 0; p < 6; ++p) {
    w2.data[p * 4 + 1] = w2.data[p * 4 + 0];
    w2.data[p * 4 + 3] = w2.data[p * 4 + 2];
  }
  std::vector<double> spread;
  int64_t n_in = 0;
  ASSERT_TRUE(ConstantResponse({d, d2}, {w, w2}, 0.7f, &spread, &n_in).ok());
  EXPECT_GT(n_in, 0);
  for (double s : spread) EXPECT_LT(s, 1e-5);
  // Break it: the spread shows up.
  w2.data[0] += 0.5f;
  ASSERT_TRUE(ConstantResponse({d, d2}, {w, w2}, 0.7f, &spread, &n_in).ok());
  EXPECT_GT(*std::max_element(spread.begin(), spread.end()), 1e-3);
}

// Sizes from the user (Python's tconv.icnr): an empty axis or a factor whose
// weight would not fit is refused, not divided by or allocated.
TEST(Checkerboard, IcnrRefusesEmptyAxesAndHugeFactors) {
  Tensor w;
  std::vector<float> none;
  Status st = IcnrWeight(ConstTensorView(none.data(), {0, 3, 3, 3}), 2, &w);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("every axis must be >= 1"), std::string::npos) << st.message();
  Tensor base({2, 3, 3, 3}, 1.0f);
  st = IcnrWeight(base.cview(), int64_t{1} << 40, &w);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("2^32"), std::string::npos) << st.message();
  EXPECT_TRUE(IcnrWeight(base.cview(), 3, &w).ok());
  EXPECT_EQ(w.shape, (Shape{18, 3, 3, 3}));
}

TEST(Checkerboard, IcnrEqualsNearestUpsampleOfConvAndIsFlat) {
  const int64_t r = 2, cout = 2, cin = 3;
  Tensor base = Random({cout, cin, 3, 3}, 8);
  Tensor w;
  ASSERT_TRUE(IcnrWeight(base.cview(), r, &w).ok());
  ASSERT_EQ(w.shape, (Shape{cout * r * r, cin, 3, 3}));
  Tensor x = Random({1, cin, 6, 7}, 9);
  ConvDesc cd;
  cd.ndim = 2;
  cd.in_channels = cin;
  cd.out_channels = cout * r * r;
  cd.in = {6, 7, 1};
  cd.kernel = {3, 3, 1};
  cd.pad_begin = cd.pad_end = {1, 1, 0};
  Tensor lr(ConvOutputShape(cd));
  ConvOptions ref;
  ref.algo = "ref";
  ASSERT_TRUE(Conv(cd, x.cview(), w.cview(), ConstTensorView(), lr.view(), ref).ok());
  Shape hs;
  ASSERT_TRUE(PixelShuffleShape(lr.shape, r, &hs).ok());
  Tensor hr(hs);
  ASSERT_TRUE(PixelShuffle(r, lr.cview(), hr.view()).ok());
  ConvDesc bd = cd;
  bd.out_channels = cout;
  Tensor small(ConvOutputShape(bd));
  ASSERT_TRUE(Conv(bd, x.cview(), base.cview(), ConstTensorView(), small.view(), ref).ok());
  ResampleParams up;
  up.scale = {2, 2};
  Tensor want(hs);
  ASSERT_TRUE(Resample(up, small.cview(), want.view()).ok());
  EXPECT_EQ(hr.data, want.data);
  // Constant input, no padding: the sub-pixel output is constant per channel.
  cd.pad_begin = cd.pad_end = {0, 0, 0};
  Tensor ones(Shape{1, cin, 6, 7}, 0.5f);
  Tensor lr2(ConvOutputShape(cd));
  ASSERT_TRUE(Conv(cd, ones.cview(), w.cview(), ConstTensorView(), lr2.view(), ref).ok());
  ASSERT_TRUE(PixelShuffleShape(lr2.shape, r, &hs).ok());
  Tensor hr2(hs);
  ASSERT_TRUE(PixelShuffle(r, lr2.cview(), hr2.view()).ok());
  const int64_t plane = hs[2] * hs[3];
  for (int64_t c = 0; c < cout; ++c)
    for (int64_t i = 0; i < plane; ++i) ASSERT_EQ(hr2.data[c * plane + i], hr2.data[c * plane]);
}

void CheckNearestEquivalent(int nd, int64_t cin, int64_t cout, int64_t g, int64_t k, int64_t s, int64_t pb,
                            int64_t pe, int64_t n, uint32_t seed) {
  ConvDesc conv;
  conv.ndim = nd;
  conv.in_channels = cin;
  conv.out_channels = cout;
  conv.groups = g;
  for (int a = 0; a < nd; ++a) {
    conv.in[a] = n * s;
    conv.kernel[a] = k;
    conv.pad_begin[a] = pb;
    conv.pad_end[a] = pe;
  }
  Tensor w = Random(ConvWeightShape(conv), seed);
  Shape xs = {2, cin};
  for (int a = 0; a < nd; ++a) xs.push_back(n);
  Tensor x = Random(xs, seed + 100);
  ResampleParams up;
  up.scale.assign(nd, static_cast<double>(s));
  Shape us;
  ASSERT_TRUE(ResampleOutputShape(xs, up, &us).ok());
  Tensor xu(us);
  ASSERT_TRUE(Resample(up, x.cview(), xu.view()).ok());
  conv.batch = 2;
  Tensor want(ConvOutputShape(conv));
  ConvOptions ref;
  ref.algo = "ref";
  ASSERT_TRUE(Conv(conv, xu.cview(), w.cview(), ConstTensorView(), want.view(), ref).ok());
  ConvDesc dd;
  Tensor wd;
  Status st = NearestUpsampleConvAsDeconv(conv, w.cview(), Dims{s, s, s}, &dd, &wd);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(dd.kernel[0], k + s - 1);
  EXPECT_EQ(dd.pad_begin[0], k - 1 - pb);
  EXPECT_EQ(dd.pad_end[0], k - 1 - pe);
  ASSERT_EQ(ConvTransposeOutputShape(dd), want.shape);
  Tensor got(want.shape, NAN);
  ASSERT_TRUE(ConvTranspose(dd, x.cview(), wd.cview(), ConstTensorView(), got.view()).ok());
  for (int64_t i = 0; i < got.numel(); ++i) {
    ASSERT_NEAR(got.data[i], want.data[i], 1e-4 * (1 + std::fabs(want.data[i])))
        << "nd " << nd << " k " << k << " s " << s << " pads " << pb << "," << pe << " at " << i;
  }
  // The equivalent kernel is even: every phase sum is the same.
  PhaseSums ps;
  ASSERT_TRUE(PhaseKernelSums(dd, wd.cview(), &ps).ok());
  EXPECT_LT(ps.max_spread, 1e-5);
}

TEST(Checkerboard, NearestUpsampleConvEqualsDeconv) {
  CheckNearestEquivalent(2, 2, 3, 1, 3, 2, 1, 1, 5, 1);  // the classic: -> k4 s2 p1
  CheckNearestEquivalent(1, 3, 2, 1, 3, 3, 0, 2, 6, 2);
  CheckNearestEquivalent(1, 4, 6, 2, 5, 2, 2, 1, 4, 3);  // groups, asymmetric pads
  CheckNearestEquivalent(2, 1, 1, 1, 2, 2, 0, 1, 4, 4);
  CheckNearestEquivalent(3, 2, 2, 2, 3, 2, 1, 0, 3, 5);
  CheckNearestEquivalent(2, 2, 2, 1, 1, 3, 0, 0, 3, 6);  // 1x1 conv -> k3 s3 box
  // Ones 3-tap kernel, s 2, pad 1: w' = 1 2 2 1 and pads 1.
  ConvDesc conv;
  conv.ndim = 1;
  conv.in = {10, 1, 1};
  conv.kernel = {3, 1, 1};
  conv.pad_begin = conv.pad_end = {1, 0, 0};
  Tensor w(ConvWeightShape(conv), 1.0f);
  ConvDesc dd;
  Tensor wd;
  ASSERT_TRUE(NearestUpsampleConvAsDeconv(conv, w.cview(), Dims{2, 1, 1}, &dd, &wd).ok());
  EXPECT_EQ(wd.data, (std::vector<float>{1, 2, 2, 1}));
  EXPECT_EQ(dd.pad_begin[0], 1);
  EXPECT_EQ(dd.pad_end[0], 1);
  EXPECT_EQ(dd.in[0], 5);
  // Conv input not a multiple of the factor.
  conv.in = {9, 1, 1};
  EXPECT_FALSE(NearestUpsampleConvAsDeconv(conv, w.cview(), Dims{2, 1, 1}, &dd, &wd).ok());
}

TEST(Checkerboard, Errors) {
  OverlapMap m;
  EXPECT_FALSE(OverlapMapCount({}, Dims{4, 4, 1}, &m).ok());
  EXPECT_FALSE(OverlapMapCount({MakeDeconvLayer(2, 3, 0)}, Dims{4, 4, 1}, &m).ok());  // stride 0
  EXPECT_FALSE(OverlapMapCount({MakeDeconvLayer(2, 3, 2), MakeDeconvLayer(1, 3, 2)}, Dims{4, 4, 1}, &m).ok());
  // Pads that leave no output.
  EXPECT_FALSE(OverlapMapCount({MakeDeconvLayer(1, 1, 1, 1, 3)}, Dims{4, 1, 1}, &m).ok());
}

// A huge kernel over a long period is refused at once (the ONNX fuzzer's
// model took minutes to score); the largest allowed work still gives the
// exact steady state: k = 2^16 taps of stride 2^6 over a period of 2^6,
// each phase receives k / s = 2^10 contributions.
TEST(Checkerboard, HugeKernelsAreRefusedQuicklyAndLargeOnesScored) {
  CheckerboardScore sc;
  const Status st = ScoreStack({MakeDeconvLayer(1, int64_t{1} << 30, 64), MakeDeconvLayer(1, int64_t{1} << 30, 64)}, &sc);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("too large to analyse"), std::string::npos) << st.message();
  OverlapMap m;
  EXPECT_FALSE(OverlapMapCount({MakeDeconvLayer(1, int64_t{1} << 30, 64)}, Dims{64, 1, 1}, &m).ok());
  std::vector<double> period;
  ASSERT_TRUE(SteadyStatePattern({MakeDeconvLayer(1, 64, 64), MakeDeconvLayer(1, int64_t{1} << 16, 64)}, 0, &period).ok());
  ASSERT_EQ(period.size(), 64u * 64u);
  for (double v : period) ASSERT_EQ(v, double{1 << 10});
}

}  // namespace
}  // namespace tconv

namespace tconv {
namespace {

TEST(Checkerboard, ResizeConvOnesMapIsFlatInside) {
  for (ResampleMode mode : {ResampleMode::kNearest, ResampleMode::kLinear}) {
    ResizeConvLayer L;
    L.mode = mode;
    OverlapMap m;
    ASSERT_TRUE(ResizeConvOverlapMap(2, {L}, Dims{5, 5, 1}, &m).ok());
    ASSERT_EQ(m.size[0], 10);
    // The article's (d): 4 at corners, 6 on edges, 9 inside.
    EXPECT_EQ(m.count[0], 4.0);
    EXPECT_EQ(m.count[5], 6.0);
    EXPECT_EQ(m.count[11], 9.0);
    double lo, hi;
    ASSERT_TRUE(InteriorMinMax(m, &lo, &hi));
    EXPECT_EQ(lo, 9.0);
    EXPECT_EQ(hi, 9.0);
    EXPECT_EQ(m.interior[0], 0);
    EXPECT_EQ(m.interior[11], 1);
    ASSERT_TRUE(ResizeConvOverlapMap(2, {L, L, L}, Dims{6, 6, 1}, &m).ok());
    ASSERT_EQ(m.size[1], 48);
    ASSERT_TRUE(InteriorMinMax(m, &lo, &hi));
    EXPECT_EQ(lo, 729.0);
    EXPECT_EQ(hi, 729.0);
    int64_t n_in = 0;
    for (uint8_t v : m.interior) n_in += v;
    // Per axis: bilinear keeps 10 -> 16 -> 28 interior positions (each
    // upsampled sample needs both sources inside), nearest 10 -> 18 -> 34.
    EXPECT_EQ(n_in, mode == ResampleMode::kLinear ? 28 * 28 : 34 * 34);
  }
}

TEST(Checkerboard, PhaseMeanSpread) {
  Tensor t(Shape{1, 2, 12, 12}, 3.0f);
  double s = -1;
  ASSERT_TRUE(PhaseMeanSpread(t.cview(), 2, 1, &s).ok());
  EXPECT_EQ(s, 0.0);
  // Channel 1 gets the 1,2 / 2,4 pattern of a k3 s2 layer: phase means 1, 2, 2, 4.
  for (int y = 0; y < 12; ++y)
    for (int x = 0; x < 12; ++x) t.data[144 + y * 12 + x] = static_cast<float>((y % 2 ? 1 : 2) * (x % 2 ? 1 : 2));
  ASSERT_TRUE(PhaseMeanSpread(t.cview(), 2, 2, &s).ok());
  EXPECT_EQ(s, 3.0);
  // A linear ramp: phase means differ by the ramp step only.
  Tensor r(Shape{1, 1, 40});
  for (int i = 0; i < 40; ++i) r.data[i] = 0.01f * i;
  ASSERT_TRUE(PhaseMeanSpread(r.cview(), 4, 0, &s).ok());
  EXPECT_NEAR(s, 0.03, 1e-6);
  EXPECT_FALSE(PhaseMeanSpread(r.cview(), 4, 19, &s).ok());
  Tensor bad(Shape{2, 1, 8});
  EXPECT_FALSE(PhaseMeanSpread(bad.cview(), 2, 0, &s).ok());
}

}  // namespace
}  // namespace tconv
