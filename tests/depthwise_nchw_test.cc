// phase's channels-first depthwise route (src/algo/depthwise_nchw.cc, the
// kernel f32_dw_nchw_expand) against the reference, bit for bit on
// small-integer data, at every ISA this build has: random 1-D and 2-D
// depthwise geometries (strides along x that divide the lanes, any stride
// along y, kernels smaller and larger than the stride, negative pads,
// output padding), threads 1 vs 2 bitwise equal, and Inf/NaN inputs that
// reach exactly the outputs they contribute to. Outputs start as NaN so an
// unwritten element fails.
#include "src/algo/depthwise_nchw.h"

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

// Runs the route (forced) at `threads`; false when it declines.
bool RunRoute(const ConvDesc& d, const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
              int threads, std::vector<float>* y, std::string* why) {
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  const PhaseTuning tuning;
  const PrepareInput in{g, ConstBuffer(w.data()), ConstBuffer(b.empty() ? nullptr : b.data()), tuning};
  auto algo = PrepareDepthwiseNchw(in, /*forced=*/true, why);
  if (!algo) return false;
  AlgoCost cost;
  EXPECT_TRUE(algo->ActualCost(&cost));
  EXPECT_EQ(cost.workspace_bytes, 0);
  // Multiply-adds as run: per output row, its row taps x ceil(kx/sx) column
  // taps x the row's outputs (counted here row by row).
  int64_t row_taps = 0;
  for (int64_t oy = 0; oy < g.out[1]; ++oy)
    for (int64_t ky = 0; ky < g.k[1]; ++ky) {
      const int64_t t = oy + g.pb[1] - ky;
      row_taps += t % g.s[1] == 0 && t / g.s[1] >= 0 && t / g.s[1] < g.in[1];
    }
  EXPECT_EQ(cost.macs, g.n * g.cout * row_taps * ((g.k[2] + g.s[2] - 1) / g.s[2]) * g.out[2]) << DescString(d);
  y->assign(static_cast<size_t>(NumElements(ConvTransposeOutputShape(d))), std::numeric_limits<float>::quiet_NaN());
  algo->Run(ConstBuffer(x.data()), Buffer(y->data()), nullptr, threads);
  return true;
}

std::vector<float> Reference(const ConvDesc& d, const std::vector<float>& x, const std::vector<float>& w,
                             const std::vector<float>& b) {
  Tensor ref(ConvTransposeOutputShape(d));
  ConstTensorView bv = b.empty() ? ConstTensorView() : ConstTensorView(b.data(), Shape{d.out_channels});
  Status st = ConvTransposeRef(d, ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                               ConstTensorView(w.data(), ConvTransposeWeightShape(d)), bv, ref.view());
  EXPECT_TRUE(st.ok()) << st.message();
  return ref.data;
}

// A random depthwise desc: 1-D or 2-D, stride along x from {1, 2, 4, 8, 16}.
ConvDesc RandomDepthwise(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng() % (hi - lo + 1)); };
  ConvDesc d;
  d.ndim = pick(0, 3) == 0 ? 1 : 2;
  d.batch = pick(1, 3);
  d.in_channels = d.out_channels = d.groups = pick(1, 5);
  const int64_t sxs[] = {1, 2, 4, 8, 16};
  const int64_t sx = sxs[pick(0, 4)];
  const int64_t kx = pick(1, 2 * sx + 3);
  const int64_t ax = pick(0, sx - 1);
  if (d.ndim == 1) {
    d.in = {pick(1, 40), 1, 1};
    d.kernel = {kx, 1, 1};
    d.stride = {sx, 1, 1};
    d.pad_begin = {pick(-1, kx - 1), 0, 0};
    d.pad_end = {pick(-1, kx - 1), 0, 0};
    d.output_padding = {ax, 0, 0};
  } else {
    const int64_t sy = pick(1, 5), ky = pick(1, 2 * sy + 3);
    d.in = {pick(1, 20), pick(1, 40), 1};
    d.kernel = {ky, kx, 1};
    d.stride = {sy, sx, 1};
    d.pad_begin = {pick(-1, ky - 1), pick(-1, kx - 1), 0};
    d.pad_end = {pick(-1, ky - 1), pick(-1, kx - 1), 0};
    d.output_padding = {pick(0, sy - 1), ax, 0};
  }
  return d;
}

// Bitwise vs the reference and threads 1 vs 2; false when declined.
bool CheckDesc(const ConvDesc& d, uint64_t seed, const std::string& isa, std::string* why) {
  std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d))),
      b(d.out_channels);
  const int bound = testing::SafeIntegerBound(d);
  testing::FillIntegers(&x, seed, bound);
  testing::FillIntegers(&w, seed + 1, bound);
  testing::FillIntegers(&b, seed + 2, bound);
  if (seed % 3 == 0) b.clear();
  std::vector<float> y1, y2;
  if (!RunRoute(d, x, w, b, 1, &y1, why)) return false;
  const std::vector<float> ref = Reference(d, x, w, b);
  const std::string repro = testing::Repro(d, seed) + " isa=" + isa;
  size_t bad = 0;
  for (size_t i = 0; i < y1.size(); ++i)
    if (!(y1[i] == ref[i]) && bad++ < 3) ADD_FAILURE() << repro << ": y[" << i << "] = " << y1[i] << ", ref " << ref[i];
  EXPECT_EQ(bad, 0u) << repro;
  RunRoute(d, x, w, b, 2, &y2, why);
  EXPECT_EQ(std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)), 0) << repro << ": threads 1 vs 2 differ";
  return true;
}

using DepthwiseNchwIsa = testing::IsaTest;

TEST_P(DepthwiseNchwIsa, RandomSweepMatchesReferenceBitwise) {
  const std::string isa = this->isa();
  int accepted = 0, one_d = 0, partial = 0;
  std::string why;
  for (uint64_t seed = 1; seed < 3000 && accepted < 400; ++seed) {
    const ConvDesc d = RandomDepthwise(seed);
    if (!ValidateConvTranspose(d).ok()) continue;  // e.g. pads leave no output
    if (CheckDesc(d, seed, isa, &why)) {
      ++accepted;
      one_d += d.ndim == 1;
      partial += d.kernel[d.ndim - 1] % d.stride[d.ndim - 1] != 0;
    }
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GE(accepted, 100) << isa << ", last reason: " << why;
  EXPECT_GE(one_d, 10) << isa;
  // (The scalar target takes stride 1 along x only: no partial column taps.)
  if (kernels::FindKernel(kernels::KernelOp::kDwNchwExpand, DType::kF32)->lanes > 1) {
    EXPECT_GE(partial, 20) << isa;
  }
  std::printf("[ dw nchw  ] %s: %d accepted (%d 1-D, %d with partial column taps)\n", isa.c_str(), accepted, one_d,
              partial);
}

// The issue #16 shapes, scaled down, and rows long enough for every block
// width of the kernel.
TEST_P(DepthwiseNchwIsa, DecoderShapesMatchReferenceBitwise) {
  const std::string isa = this->isa();
  const int64_t lanes = kernels::FindKernel(kernels::KernelOp::kDwNchwExpand, DType::kF32)->lanes;
  const ConvDesc cases[] = {
      testing::Square2D(1, 6, 6, 5, 6, 16, 8, 4, 0, 6),   // centernet_ida_f8
      testing::Square2D(2, 4, 4, 9, 11, 3, 2, 1, 1, 4),   // dw_k3s2_mobile
      testing::Square2D(1, 3, 3, 7, 70, 4, 2, 1, 0, 3),   // dw_k4s2, long rows
      testing::Square2D(2, 1, 1, 5, 5, 32, 16, 8, 0, 1),  // hed_up16
  };
  uint64_t seed = 500;
  std::string why;
  for (const ConvDesc& d : cases) {
    const bool fits = lanes % d.stride[1] == 0;
    EXPECT_EQ(CheckDesc(d, seed++, isa, &why), fits) << DescString(d) << ": " << why;
  }
}

// An Inf or NaN input reaches exactly the outputs it contributes to: the
// lanes without a column tap (k3 s2: every other output has one tap along
// x, not two) must not multiply it by the packed zero weight.
TEST_P(DepthwiseNchwIsa, NonFiniteInputsReachOnlyTheirOutputs) {
  const std::string isa = this->isa();
  for (const ConvDesc& d :
       {testing::Square2D(1, 2, 2, 6, 20, 3, 2, 1, 1, 2), testing::Square2D(1, 1, 1, 4, 9, 5, 4, 2, 0, 1)}) {
    std::vector<float> x(NumElements(ConvTransposeInputShape(d)), 1.0f),
        w(NumElements(ConvTransposeWeightShape(d)), 0.5f), b(d.out_channels, 0.25f);
    x[7] = std::numeric_limits<float>::infinity();
    x[x.size() - 3] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> y;
    std::string why;
    if (!RunRoute(d, x, w, b, 1, &y, &why)) continue;  // a stride the lanes do not take
    const std::vector<float> ref = Reference(d, x, w, b);
    for (size_t i = 0; i < y.size(); ++i) {
      EXPECT_EQ(std::isnan(y[i]), std::isnan(ref[i])) << DescString(d) << " isa=" << isa << " y[" << i << "]";
      if (!std::isnan(ref[i])) {
        EXPECT_EQ(y[i], ref[i]) << DescString(d) << " isa=" << isa << " y[" << i << "]";
      }
    }
  }
}

// A 3-D layer whose depth axis has one input, one tap and one output still
// crops along depth: with pad_begin != 0 that output lies in the padding and
// gets only the bias (diff_fuzz found the route computing it as the 2-D
// layer). The route declines those; the phase plan matches the reference.
TEST_P(DepthwiseNchwIsa, DepthAxisOfOneInThePaddingGetsOnlyTheBias) {
  const std::string isa = this->isa();
  uint64_t seed = 900;
  for (int64_t pb = -2; pb <= 2; ++pb) {
    ConvDesc d = testing::Square2D(2, 3, 3, 6, 9, 8, 4, 1, 0, 3);  // depthwise k8 s4
    d.ndim = 3;
    d.in = {1, 6, 9};
    d.kernel = {1, 8, 8};
    d.stride = {3, 4, 4};
    d.dilation = {1, 1, 1};
    const int64_t a = std::max<int64_t>(0, pb);
    d.pad_begin = {pb, 1, 2};
    d.pad_end = {a - pb, 0, 1};  // depth: 1 - pb - pe + a = 1 output
    d.output_padding = {a, 0, 0};
    ASSERT_TRUE(ValidateConvTranspose(d).ok()) << DescString(d);
    std::string why;
    const bool fits = kernels::FindKernel(kernels::KernelOp::kDwNchwExpand, DType::kF32)->lanes % 4 == 0;
    EXPECT_EQ(CheckDesc(d, seed++, isa, &why), pb == 0 && fits) << DescString(d) << ": " << why;
    std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d))),
        b(d.out_channels);
    testing::FillIntegers(&x, seed, 8);
    testing::FillIntegers(&w, seed + 1, 8);
    testing::FillIntegers(&b, seed + 2, 8);
    PlanOptions opts;
    opts.algo = "phase";
    Status st;
    auto plan = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                             ConstTensorView(b.data(), Shape{d.out_channels}), opts, &st);
    ASSERT_NE(plan, nullptr) << st.message();
    std::vector<float> y(static_cast<size_t>(NumElements(ConvTransposeOutputShape(d))),
                         std::numeric_limits<float>::quiet_NaN());
    ASSERT_TRUE(plan->Run(ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                          TensorView(y.data(), ConvTransposeOutputShape(d)))
                    .ok());
    const std::vector<float> ref = Reference(d, x, w, b);
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_EQ(y[i], ref[i]) << DescString(d) << " isa=" << isa << " kernel " << plan->kernel() << " y[" << i << "]";
  }
}

// A plan of the whole library takes the route for a depthwise layer it pays
// on, and names its kernel.
TEST(DepthwiseNchw, PlanRunsAndNamesTheKernel) {
  // centernet_ida_f4-like (k8 s4): stride 4 divides the lanes of every
  // vector target (AVX-512, AVX2, SSE4, NEON).
  const ConvDesc d = testing::Square2D(1, 8, 8, 16, 16, 8, 4, 2, 0, 8);
  Tensor w(ConvTransposeWeightShape(d));
  PlanOptions opts;
  opts.algo = "phase";
  Status st;
  auto plan = Plan::Create(d, w.cview(), ConstTensorView(), opts, &st);
  ASSERT_NE(plan, nullptr) << st.message();
  EXPECT_NE(plan->kernel().find("f32_dw_nchw_expand"), std::string::npos) << plan->kernel();
  opts.phase.dw_nchw = false;
  plan = Plan::Create(d, w.cview(), ConstTensorView(), opts, &st);
  ASSERT_NE(plan, nullptr) << st.message();
  EXPECT_EQ(plan->kernel().find("f32_dw_nchw_expand"), std::string::npos) << plan->kernel();
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(DepthwiseNchwIsa);

}  // namespace
}  // namespace tconv
