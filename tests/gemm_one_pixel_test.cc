// gemm_col2im's one-pixel route (src/algo/gemm_one_pixel.h) at every ISA:
// seeded random one-pixel layers (1-3 axes, batch 1-13, groups, pads that
// crop taps or add bias-only outputs, dilation, output padding) bit-exact
// against ConvTransposeRef on small integers, with and without bias, by the
// route where it applies and by the per-image GEMM elsewhere; threads 1, 2
// and 3 bitwise equal; infinite and NaN inputs as the reference; `auto`
// takes the route.
#include "src/algo/gemm_one_pixel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "src/geom3.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

// A 1-D desc of one input pixel (pads pb before, pe after).
ConvDesc OnePixel1D(int64_t n, int64_t cin, int64_t cout, int64_t groups, int64_t k, int64_t s, int64_t pb, int64_t pe,
                    int64_t a) {
  ConvDesc d = testing::Desc1(n, cin, cout, 1, k, s, pb, a, groups);
  d.pad_end[0] = pe;
  return d;
}

// A valid one-pixel desc from `seed` (retries until ValidateConvTranspose
// accepts it). Even seeds draw the route's geometries (undilated, begin pads
// >= 0, end pads >= the output padding), odd ones anything.
ConvDesc RandomOnePixelDesc(uint64_t seed) {
  const bool route = seed % 2 == 0;
  std::mt19937_64 rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (;;) {
    ConvDesc d;
    d.ndim = static_cast<int>(pick(1, 3));
    d.batch = pick(1, 13);
    d.groups = pick(1, 3);
    d.in_channels = d.groups * pick(1, 9);
    d.out_channels = d.groups * pick(1, 12);
    for (int a = 0; a < d.ndim; ++a) {
      d.in[a] = 1;
      d.kernel[a] = pick(1, 5);
      d.stride[a] = pick(1, 3);
      d.dilation[a] = route ? 1 : pick(1, 2);
      d.pad_begin[a] = route ? pick(0, d.kernel[a] - 1) : pick(-2, 2);
      d.pad_end[a] = route ? pick(0, d.kernel[a] - 1 - d.pad_begin[a]) : pick(-2, 2);
      const int64_t max_a = std::max(d.stride[a], d.dilation[a]) - 1;
      d.output_padding[a] = pick(0, route ? std::min(max_a, d.pad_end[a]) : max_a);
    }
    if (ValidateConvTranspose(d).ok()) return d;
  }
}

struct Result {
  std::vector<float> y;
  std::string kernel, algorithm;
};

Result RunPlan(const ConvDesc& d, const std::string& algo, const std::vector<float>& x, const std::vector<float>& w,
               const std::vector<float>& b, int threads) {
  PlanOptions opts;
  opts.algo = algo;
  opts.threads = threads;
  Status st;
  ConstTensorView bv = b.empty() ? ConstTensorView() : ConstTensorView(b.data(), Shape{d.out_channels});
  auto plan = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)), bv, opts, &st);
  Result r;
  if (!plan) {
    ADD_FAILURE() << DescString(d) << ": " << st.message();
    return r;
  }
  r.y.assign(static_cast<size_t>(NumElements(ConvTransposeOutputShape(d))), std::numeric_limits<float>::quiet_NaN());
  st = plan->Run(ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                 TensorView(r.y.data(), ConvTransposeOutputShape(d)));
  EXPECT_TRUE(st.ok()) << DescString(d) << ": " << st.message();
  r.kernel = plan->kernel();
  r.algorithm = plan->algorithm();
  return r;
}

std::vector<float> Reference(const ConvDesc& d, const std::vector<float>& x, const std::vector<float>& w,
                             const std::vector<float>& b) {
  Tensor y(ConvTransposeOutputShape(d));
  ConstTensorView bv = b.empty() ? ConstTensorView() : ConstTensorView(b.data(), Shape{d.out_channels});
  EXPECT_TRUE(ConvTransposeRef(d, ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                               ConstTensorView(w.data(), ConvTransposeWeightShape(d)), bv, y.view())
                  .ok());
  return y.data;
}

bool BitwiseEqual(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Runs d by gemm_col2im at threads 1, 2, 3 on integer data: exact against
// ref, the same bits at every thread count. Returns the kernel it ran.
std::string CheckExact(const ConvDesc& d, uint64_t seed, bool with_bias) {
  const std::string repro = "desc=" + DescString(d) + " seed=" + std::to_string(seed) + (with_bias ? "" : " nobias");
  const int bound = testing::SafeIntegerBound(d);
  std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d))), b;
  testing::FillIntegers(&x, seed, bound);
  testing::FillIntegers(&w, seed + 1, bound);
  if (with_bias) {
    b.resize(d.out_channels);
    testing::FillIntegers(&b, seed + 2, bound);
  }
  const std::vector<float> want = Reference(d, x, w, b);
  const Result r1 = RunPlan(d, "gemm_col2im", x, w, b, 1);
  size_t bad = 0;
  for (size_t i = 0; i < want.size() && i < r1.y.size(); ++i)
    if (!(r1.y[i] == want[i]) && bad++ < 3)
      ADD_FAILURE() << repro << ": y[" << i << "] = " << r1.y[i] << ", ref " << want[i];
  EXPECT_EQ(bad, 0u) << repro;
  EXPECT_EQ(r1.y.size(), want.size()) << repro;
  for (int threads : {2, 3}) EXPECT_TRUE(BitwiseEqual(r1.y, RunPlan(d, "gemm_col2im", x, w, b, threads).y)) << repro;
  return r1.kernel;
}

using GemmOnePixelIsa = testing::IsaTest;

TEST_P(GemmOnePixelIsa, ExactOnRandomOnePixelLayers) {
  int routed = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const ConvDesc d = RandomOnePixelDesc(seed);
    const bool applies = OnePixelGemmApplies(MakeGeom3(d, GeomOp::kConvTranspose));
    const std::string kernel = CheckExact(d, seed * 7, seed % 3 != 0);
    EXPECT_EQ(kernel.find("one input pixel") != std::string::npos, applies) << DescString(d) << ": " << kernel;
    routed += applies;
    if (HasFailure()) break;
  }
  EXPECT_GE(routed, 140);  // the even seeds' (odd ones: dilation, negative begin pads, long outputs)
}

// Infinite and NaN inputs: an output gets NaN or infinity exactly where the
// reference does, the bias-only outputs of other channels stay finite (the
// route multiplies no x by a weight that is not a real tap). The first
// layer crops taps with its pads; the differential fuzzer's case (one tap,
// outputs past it that only the bias reaches) stays on the column path.
TEST_P(GemmOnePixelIsa, NonFiniteInputsMatchTheReference) {
  ConvDesc routed = testing::Square2D(6, 5, 7, 1, 1, 4, 2, 1);
  const ConvDesc fuzz_case = OnePixel1D(/*n=*/1, /*cin=*/4, /*cout=*/6, /*groups=*/2, /*k=*/1, /*s=*/3, /*pb=*/0,
                                        /*pe=*/-2, /*a=*/1);
  for (const ConvDesc& d : {routed, fuzz_case}) {
    ASSERT_TRUE(ValidateConvTranspose(d).ok()) << DescString(d);
    std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d)));
    std::vector<float> b(d.out_channels);
    testing::FillUniform(&x, 3);
    testing::FillUniform(&w, 4);
    testing::FillUniform(&b, 5);
    x[1] = std::numeric_limits<float>::infinity();
    x[x.size() - 1] = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> want = Reference(d, x, w, b);
    for (int threads : {1, 2}) {
      const Result r = RunPlan(d, "gemm_col2im", x, w, b, threads);
      ASSERT_EQ(r.y.size(), want.size());
      EXPECT_EQ(r.kernel.find("one input pixel") != std::string::npos,
                OnePixelGemmApplies(MakeGeom3(d, GeomOp::kConvTranspose)));
      for (size_t i = 0; i < want.size(); ++i) {
        if (std::isnan(want[i])) {
          EXPECT_TRUE(std::isnan(r.y[i])) << DescString(d) << " y[" << i << "]";
        } else if (std::isinf(want[i])) {
          EXPECT_EQ(r.y[i], want[i]) << DescString(d) << " y[" << i << "]";
        } else {
          EXPECT_NEAR(r.y[i], want[i], 1e-4 * (1.0 + std::fabs(want[i]))) << DescString(d) << " y[" << i << "]";
        }
      }
    }
  }
}

// Many panels of 32 columns, a batch that is not a multiple of the kernel's
// 4-image groups and of its 12-image calls, two groups.
TEST_P(GemmOnePixelIsa, WideLayersExact) {
  ConvDesc d = testing::Square2D(/*n=*/14, /*cin=*/40, /*cout=*/66, /*h=*/1, /*w=*/1, /*k=*/4, /*s=*/1, /*p=*/0,
                                 /*a=*/0, /*groups=*/2);
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  EXPECT_NE(CheckExact(d, 11, true).find("one input pixel"), std::string::npos);
  d.batch = 1;  // one image: groups of 4 with three empty slots
  EXPECT_NE(CheckExact(d, 12, false).find("one input pixel"), std::string::npos);
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(GemmOnePixelIsa);

TEST(GemmOnePixel, AutoTakesTheRoute) {
  // DCGAN's first layer, z (100, 1, 1) -> (512, 4, 4), at batch 16.
  const ConvDesc d = testing::Square2D(16, 100, 512, 1, 1, 4, 1, 0);
  std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d)));
  testing::FillUniform(&x, 1);
  testing::FillUniform(&w, 2);
  const Result r = RunPlan(d, "auto", x, w, {}, 1);
  EXPECT_EQ(r.algorithm, "gemm_col2im");
  EXPECT_NE(r.kernel.find("one input pixel"), std::string::npos) << r.kernel;
  const std::vector<float> want = Reference(d, x, w, {});
  ASSERT_EQ(r.y.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(r.y[i], want[i], 1e-4 * (1.0 + std::fabs(want[i]))) << i;
}

// Outputs no tap reaches (pads of -3 around a 1-tap kernel: 7 outputs, 6
// of them bias only) and dilation stay on the per-image GEMM and col2im.
TEST(GemmOnePixel, PastTheBoundRunsTheColumnPath) {
  const ConvDesc d = OnePixel1D(/*n=*/3, /*cin=*/4, /*cout=*/5, /*groups=*/1, /*k=*/1, /*s=*/1, /*pb=*/-3, /*pe=*/-3,
                                /*a=*/0);
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  EXPECT_FALSE(OnePixelGemmApplies(MakeGeom3(d, GeomOp::kConvTranspose)));
  EXPECT_EQ(CheckExact(d, 5, true).find("one input pixel"), std::string::npos);
  ConvDesc dilated = testing::Square2D(3, 4, 5, 1, 1, 3, 1, 0);
  dilated.dilation = {2, 2, 1};
  ASSERT_TRUE(ValidateConvTranspose(dilated).ok());
  EXPECT_FALSE(OnePixelGemmApplies(MakeGeom3(dilated, GeomOp::kConvTranspose)));
  EXPECT_EQ(CheckExact(dilated, 6, true).find("one input pixel"), std::string::npos);
}

}  // namespace
}  // namespace tconv
