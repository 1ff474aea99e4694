// The every-phase kernel (f32_phase_all_s2x2, src/kernels/hwy/phase_all-inl.h)
// at every ISA: `auto` takes it for Cout 2-3 and Cin 32 or more per group of
// k 4, stride 2 x 2, odd-pad layers and for nothing else; over a seeded sweep of such layers
// (images, channels, groups, sizes down to 1 x 1, odd pads 1 and 3, output
// padding, NCHW and NHWC) it matches the reference bit for bit on exact
// integer data, and on real data it gives the pixel kernel's bits (the same
// sums in the same order); threads 1 and 2 agree.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/channels_last.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

bool IsAllPhase(const std::string& kernel) { return kernel.find("f32_phase_all_s2x2_") == 0; }

// y of `d` through a phase plan (NaN-filled first).
std::vector<float> RunPhase(const ConvDesc& d, const Tensor& x, const Tensor& w, const Tensor& b, Layout layout,
                            int threads, bool all_phases, std::string* kernel) {
  PlanOptions o;
  o.algo = "phase";
  o.layout = layout;
  o.threads = threads;
  o.phase.all_phases = all_phases;
  Status st;
  auto plan = Plan::Create(d, w.cview(), b.cview(), o, &st);
  EXPECT_TRUE(plan) << st.message();
  if (!plan) return {};
  *kernel = plan->kernel();
  Tensor y(plan->output_shape(), NAN);
  Tensor xin(plan->input_shape());
  xin.data = x.data;
  EXPECT_TRUE(plan->Run(xin.cview(), y.view()).ok());
  return y.data;
}

ConvDesc RandomAllPhaseDesc(std::mt19937_64& rng) {
  auto pick = [&rng](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng() % (hi - lo + 1)); };
  const int64_t groups = pick(1, 3) == 3 ? 2 : 1;
  const int64_t cout_g = pick(1, 4);  // 1 and 4: not taken, the pixel kernels run
  const int64_t pad = pick(0, 3) == 3 ? 3 : 1;
  const int64_t cin_g = pick(0, 1) ? pick(32, 40) : pick(1, 20);  // taken from 32
  const int64_t h = pick(1, 13), w = pick(1, 40);
  ConvDesc d = testing::Square2D(pick(1, 5), groups * cin_g, groups * cout_g, h, w, 4, 2, pad, pick(0, 1),
                                 groups);
  if (pad == 3 && (h < 3 || w < 3)) d = testing::Square2D(d.batch, d.in_channels, d.out_channels, 3, 3, 4, 2, 3, 0, groups);
  return d;
}

using PhaseAll = testing::IsaTest;

TEST_P(PhaseAll, SweepMatchesReferenceAndThePixelKernelBitwise) {
  std::mt19937_64 rng(2026);
  int taken = 0, nhwc = 0, grouped = 0;
  for (int i = 0; i < 200; ++i) {
    const ConvDesc d = RandomAllPhaseDesc(rng);
    const Layout layout = i % 3 == 2 ? Layout::kNHWC : Layout::kNCHW;
    const std::string repro = testing::Repro(d, i) + (layout == Layout::kNHWC ? " nhwc" : "") + " isa " + isa();
    const int64_t cout_g = d.out_channels / d.groups, cin_g = d.in_channels / d.groups;
    Tensor x(ConvTransposeInputShape(d)), w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
    Tensor want(ConvTransposeOutputShape(d));
    // Exact integers: every order of the sums gives the reference's bits.
    const int bound = testing::SafeIntegerBound(d);
    testing::FillIntegers(&x.data, 10 + i, bound);
    testing::FillIntegers(&w.data, 20 + i, bound);
    testing::FillIntegers(&b.data, 30 + i, bound);
    ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), b.cview(), want.view()).ok());
    if (layout == Layout::kNHWC) {
      x.data = testing::ToChannelsLast(x.data, d.batch, d.in_channels, x.numel() / (d.batch * d.in_channels));
      want.data = testing::ToChannelsLast(want.data, d.batch, d.out_channels, want.numel() / (d.batch * d.out_channels));
    }
    std::string kernel;
    const std::vector<float> one = RunPhase(d, x, w, b, layout, 1, true, &kernel);
    ASSERT_EQ(one.size(), want.data.size()) << repro;
    EXPECT_EQ(IsAllPhase(kernel), (cout_g == 2 || cout_g == 3) && cin_g >= 32) << repro << " ran " << kernel;
    for (size_t k = 0; k < one.size(); ++k)
      ASSERT_EQ(one[k], want.data[k]) << repro << " y[" << k << "] kernel " << kernel;
    std::string kernel2;
    const std::vector<float> two = RunPhase(d, x, w, b, layout, 2, true, &kernel2);
    ASSERT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)), 0) << repro << " threads 1 vs 2";
    if (!IsAllPhase(kernel)) continue;
    ++taken;
    nhwc += layout == Layout::kNHWC;
    grouped += d.groups > 1;
    // Real data: the pixel kernel's bits (the same sums, in the same order).
    testing::FillUniform(&x.data, 40 + i);
    testing::FillUniform(&w.data, 50 + i);
    testing::FillUniform(&b.data, 60 + i);
    std::string pixel_kernel;
    const std::vector<float> all = RunPhase(d, x, w, b, layout, 1, true, &kernel);
    const std::vector<float> pixels = RunPhase(d, x, w, b, layout, 1, false, &pixel_kernel);
    EXPECT_FALSE(IsAllPhase(pixel_kernel)) << repro;
    ASSERT_EQ(all.size(), pixels.size()) << repro;
    ASSERT_EQ(std::memcmp(all.data(), pixels.data(), all.size() * sizeof(float)), 0)
        << repro << ": " << kernel << " vs " << pixel_kernel;
  }
  EXPECT_GE(taken, 30) << isa();
  EXPECT_GE(nhwc, 10) << isa();
  EXPECT_GE(grouped, 10) << isa();
}

// Layers next to the pattern run the pixel kernels: an even pad (the phases
// share their taps), k 3, stride 3, a 3-D layer, dilation, 16 input
// channels; the pattern itself (the first) runs the every-phase kernel.
TEST_P(PhaseAll, NotTakenBesideThePattern) {
  ConvDesc d3 = testing::Desc3(1, 32, 3, {3, 4, 5}, 4, 2, 1);
  ConvDesc dil = testing::Square2D(1, 32, 3, 6, 7, 4, 2, 1);
  dil.dilation = {1, 2, 2};
  const std::vector<ConvDesc> descs = {testing::Square2D(1, 32, 3, 6, 7, 4, 2, 1), testing::Square2D(1, 32, 3, 6, 7, 4, 2, 0),
                                       testing::Square2D(1, 32, 3, 6, 7, 4, 2, 2), testing::Square2D(1, 32, 3, 6, 7, 3, 2, 1),
                                       testing::Square2D(1, 32, 3, 6, 7, 6, 3, 1), d3, dil,
                                       testing::Square2D(1, 16, 3, 6, 7, 4, 2, 1)};
  for (size_t i = 0; i < descs.size(); ++i) {
    const ConvDesc& d = descs[i];
    Tensor x(ConvTransposeInputShape(d)), w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
    std::string kernel;
    RunPhase(d, x, w, b, Layout::kNCHW, 1, true, &kernel);
    EXPECT_EQ(IsAllPhase(kernel), i == 0) << testing::Repro(d, 0) << " ran " << kernel;
  }
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(PhaseAll);

}  // namespace
}  // namespace tconv
