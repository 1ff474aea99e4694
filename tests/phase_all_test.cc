// The every-phase kernel (f32_phase_all_s2x2, src/kernels/hwy/phase_all-inl.h)
// at every ISA: `auto` takes it for Cout 2-3 and Cin 32 or more per group of
// k 4, stride 2 x 2, odd-pad layers and for nothing else; over a seeded sweep of such layers
// (images, channels, groups, sizes down to 1 x 1, odd pads 1 and 3, output
// padding, NCHW and NHWC) and on directed layers (uneven, large and negative
// pads, x read in place, full tiles, row pieces, a 3-D layer with one depth
// tap) it matches the reference bit for bit on exact integer data, and on
// real data it gives the pixel kernel's bits (the same sums in the same
// order); threads 1 and 2 agree.
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

// Runs `d` in `layout` through phase plans: exact integers against the
// reference bit for bit, threads 1 and 2 bitwise; where the plan takes the
// every-phase kernel, real data against the pixel kernel (all_phases off)
// bit for bit. Returns the kernel the plan ran (ASSERTs inside: check
// HasFatalFailure).
std::string CheckAllPhase(const ConvDesc& d, Layout layout, int seed, const std::string& repro) {
  Tensor x(ConvTransposeInputShape(d)), w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
  Tensor want(ConvTransposeOutputShape(d));
  // Exact integers: every order of the sums gives the reference's bits.
  const int bound = testing::SafeIntegerBound(d);
  testing::FillIntegers(&x.data, 10 + seed, bound);
  testing::FillIntegers(&w.data, 20 + seed, bound);
  testing::FillIntegers(&b.data, 30 + seed, bound);
  EXPECT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), b.cview(), want.view()).ok()) << repro;
  if (layout == Layout::kNHWC) {
    x.data = testing::ToChannelsLast(x.data, d.batch, d.in_channels, x.numel() / (d.batch * d.in_channels));
    want.data = testing::ToChannelsLast(want.data, d.batch, d.out_channels, want.numel() / (d.batch * d.out_channels));
  }
  std::string kernel, kernel2;
  const std::vector<float> one = RunPhase(d, x, w, b, layout, 1, true, &kernel);
  EXPECT_EQ(one.size(), want.data.size()) << repro;
  if (one.size() != want.data.size()) return kernel;
  for (size_t k = 0; k < one.size(); ++k) {
    if (one[k] != want.data[k]) {
      ADD_FAILURE() << repro << " y[" << k << "] = " << one[k] << ", ref " << want.data[k] << ", kernel " << kernel;
      return kernel;
    }
  }
  const std::vector<float> two = RunPhase(d, x, w, b, layout, 2, true, &kernel2);
  EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)), 0) << repro << " threads 1 vs 2";
  if (!IsAllPhase(kernel)) return kernel;
  // Real data: the pixel kernel's bits (the same sums, in the same order).
  testing::FillUniform(&x.data, 40 + seed);
  testing::FillUniform(&w.data, 50 + seed);
  testing::FillUniform(&b.data, 60 + seed);
  std::string pixel_kernel;
  const std::vector<float> all = RunPhase(d, x, w, b, layout, 1, true, &kernel);
  const std::vector<float> pixels = RunPhase(d, x, w, b, layout, 1, false, &pixel_kernel);
  EXPECT_FALSE(IsAllPhase(pixel_kernel)) << repro;
  EXPECT_EQ(all.size(), pixels.size()) << repro;
  if (all.size() == pixels.size()) {
    EXPECT_EQ(std::memcmp(all.data(), pixels.data(), all.size() * sizeof(float)), 0)
        << repro << ": " << kernel << " vs " << pixel_kernel;
  }
  return kernel;
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
    const std::string kernel = CheckAllPhase(d, layout, i, repro);
    if (::testing::Test::HasFailure()) return;
    EXPECT_EQ(IsAllPhase(kernel), (cout_g == 2 || cout_g == 3) && cin_g >= 32) << repro << " ran " << kernel;
    if (!IsAllPhase(kernel)) continue;
    ++taken;
    nhwc += layout == Layout::kNHWC;
    grouped += d.groups > 1;
  }
  EXPECT_GE(taken, 30) << isa();
  EXPECT_GE(nhwc, 10) << isa();
  EXPECT_GE(grouped, 10) << isa();
}

// A 2-D desc with pads `begin` before and `end` after along y and x.
ConvDesc Pads(ConvDesc d, int64_t begin, int64_t end) {
  d.pad_begin = {begin, begin, 0};
  d.pad_end = {end, end, 0};
  return d;
}

// Layers of the pattern the sweep does not draw: uneven, large and negative
// pads; an input the tasks read in place (no padding before it: no
// workspace); blocks that fill the tile (a wrong tile budget overflows it);
// rows longer than a block (row pieces); a 1 x 1 input; a 3-D layer with
// one depth tap.
TEST_P(PhaseAll, DirectedLayersMatchReferenceAndThePixelKernelBitwise) {
  ConvDesc d3 = testing::Desc3(2, 32, 3, {3, 6, 7}, 4, 2, 1);
  d3.kernel = {1, 4, 4};
  d3.stride = {1, 2, 2};
  d3.pad_begin = d3.pad_end = {0, 1, 1};
  d3.output_padding = {0, 1, 0};
  struct Case {
    ConvDesc d;
    bool x_in_place;
  };
  const std::vector<Case> cases = {
      {Pads(testing::Square2D(1, 32, 3, 7, 9, 4, 2, 1), 1, 0), false},
      {Pads(testing::Square2D(2, 33, 2, 6, 11, 4, 2, 1), 3, 1), false},
      {Pads(testing::Square2D(1, 32, 3, 12, 12, 4, 2, 5), 5, 5), false},
      {Pads(testing::Square2D(1, 32, 3, 8, 9, 4, 2, 1), -1, -1), false},
      {Pads(testing::Square2D(2, 32, 3, 20, 24, 4, 2, 3), 3, 5), true},
      {Pads(testing::Square2D(1, 64, 2, 17, 40, 4, 2, 5), 5, 7), true},
      {testing::Square2D(3, 64, 6, 40, 60, 4, 2, 1, 0, 2), false},
      {testing::Square2D(1, 32, 3, 2, 1500, 4, 2, 1), false},
      {testing::Square2D(2, 32, 2, 1, 1, 4, 2, 1), false},
      {d3, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const ConvDesc& d = cases[i].d;
    for (const Layout layout : {Layout::kNCHW, Layout::kNHWC}) {
      const std::string repro = testing::Repro(d, static_cast<uint64_t>(i)) +
                                (layout == Layout::kNHWC ? " nhwc" : "") + " isa " + isa();
      const std::string kernel = CheckAllPhase(d, layout, static_cast<int>(i), repro);
      if (::testing::Test::HasFailure()) return;
      EXPECT_TRUE(IsAllPhase(kernel)) << repro << " ran " << kernel;
      if (cases[i].x_in_place && layout == Layout::kNCHW) {
        // No pad pass: the tasks read x itself, to its last float.
        PlanOptions o;
        o.algo = "phase";
        Tensor w(ConvTransposeWeightShape(d));
        Status st;
        auto plan = Plan::Create(d, w.cview(), ConstTensorView(), o, &st);
        ASSERT_TRUE(plan) << st.message();
        EXPECT_EQ(plan->workspace_bytes(), 0) << repro;
      }
    }
  }
}

// Layers next to the pattern run the pixel kernels: an even pad (the phases
// share their taps), k 3, stride 3, a 3-D layer with k 4 along depth,
// dilation, 16 input channels; the pattern itself (the first) runs the
// every-phase kernel.
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
