// int8 plans in Layout::kNHWC: x (N, *in, Cin) and y (N, *out, Cout),
// against the integer reference (computed channels first, transposed here)
// bit for bit, over a seeded sweep of geometries (1-3-D, groups, dilation,
// pads) at every ISA: phase by each route, gemm_col2im, ref and auto, 1 and
// 2 threads, u8 / s8 x, u8 / s8 / f32 y. The lanes route reads and writes
// channels last itself (its plan holds no conversion buffers: the same
// workspace as channels first); the others run between the plan's
// conversions. Every lanes kernel is forced with Cout/g 1-70 (masked last
// vectors) and Cin/g 1-37 (partial quads, and whole rows of quads).
// Depthwise layers run their own kernels: i8_dw_nhwc_row at every ISA,
// i8_dw_vnni_windows where the CPU has AVX512_VNNI.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <vector>

#include "src/algo/phase_int8.h"
#include "src/geom3.h"
#include "src/kernels/registry.h"
#include "tconv/plan.h"
#include "tests/support/int8_cases.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using testing::Case;
using testing::MakeCase;
using testing::MakePlan;
using testing::Reference;

struct ChannelsLastCase {
  Case c;
  std::vector<uint8_t> x, ref;  // channels last
};

ChannelsLastCase MakeChannelsLast(Case c) {
  ChannelsLastCase cl;
  const size_t y_elem = c.q.y_type == QuantType::kFloat32 ? 4 : 1;
  cl.x = testing::BytesToChannelsLast(c.x, c.d.batch, c.d.in_channels, 1);
  cl.ref = testing::BytesToChannelsLast(Reference(c), c.d.batch, c.d.out_channels, y_elem);
  cl.c = std::move(c);
  return cl;
}

// Runs plan twice from different fill patterns; true when both equal ref.
bool RunsToReference(const Plan& plan, const ChannelsLastCase& cl) {
  for (uint8_t fill : {0x5A, 0xA5}) {
    std::vector<uint8_t> y(cl.ref.size(), fill);
    if (!plan.Run(ConstQuantView(cl.x.data(), plan.input_shape()), QuantView{y.data(), plan.output_shape()}).ok() ||
        y != cl.ref) {
      return false;
    }
  }
  return true;
}

bool IsLanes(const Plan& p) {
  return p.kernel().rfind("i8_phase_vnni", 0) == 0 || p.kernel().rfind("i8_phase_amx", 0) == 0;
}

using Int8ChannelsLastIsa = testing::IsaTest;

TEST_P(Int8ChannelsLastIsa, EveryRouteMatchesTheIntegerReference) {
  using C = PhaseTuning::Int8Compute;
  const bool lanes = kernels::FindKernel(kernels::KernelOp::kPhaseInt8Vnni, DType::kI8) != nullptr;
  struct Variant {
    const char* algo;
    PhaseTuning tuning;
    int64_t ran = 0;
  };
  std::vector<Variant> variants = {{"ref", PhaseTuning()},
                                   {"gemm_col2im", PhaseTuning()},
                                   {"auto", PhaseTuning()},
                                   {"phase", testing::Route(C::kInt16)},
                                   {"phase", testing::Route(C::kWiden)},
                                   {"phase", testing::Route(C::kLanes)}};
  int64_t native = 0;
  for (uint64_t seed = 1; seed <= 120; ++seed) {
    // (Every third case with Cout/g >= 16: auto's lanes.)
    const int64_t cout_g = seed % 3 == 0 ? kInt8LanesMinCout + static_cast<int64_t>(seed % 40) : 0;
    const ChannelsLastCase cl = MakeChannelsLast(MakeCase(seed, 0, cout_g));
    const bool exact = Int8WidenIsExact(MakeGeom3(cl.c.d, GeomOp::kConvTranspose));
    for (Variant& v : variants) {
      if (v.tuning.int8_compute == C::kWiden && !exact) continue;
      if (v.tuning.int8_compute == C::kLanes && !lanes) continue;
      const int threads = 1 + static_cast<int>(seed % 2);
      Status st;
      auto plan = MakePlan(cl.c, v.algo, threads, &st, v.tuning, Layout::kNHWC);
      ASSERT_TRUE(plan) << st.message() << " " << testing::Repro(cl.c.d, seed);
      EXPECT_EQ(plan->layout(), Layout::kNHWC);
      ASSERT_TRUE(RunsToReference(*plan, cl))
          << v.algo << " route " << static_cast<int>(v.tuning.int8_compute) << " " << plan->kernel()
          << " threads=" << threads << " x " << QuantTypeName(cl.c.q.x_type) << " y " << QuantTypeName(cl.c.q.y_type)
          << " " << testing::Repro(cl.c.d, seed);
      if (IsLanes(*plan)) {
        // Natively: the workspace is the channels-first plan's (no copies of x and y).
        auto first = MakePlan(cl.c, v.algo, threads, &st, v.tuning);
        ASSERT_TRUE(first);
        EXPECT_EQ(plan->workspace_bytes(), first->workspace_bytes()) << testing::Repro(cl.c.d, seed);
        ++native;
      }
      ++v.ran;
    }
  }
  EXPECT_EQ(variants[1].ran, 120);
  EXPECT_GT(variants[3].ran, 0);
  EXPECT_GT(variants[4].ran, 50);
  EXPECT_EQ(variants[5].ran, lanes ? 120 : 0);
  if (lanes) EXPECT_GT(native, 140);  // the lanes route, and auto where Cout/g fills a vector
}

TEST_P(Int8ChannelsLastIsa, EveryLanesKernelWritesChannelsLast) {
  std::vector<const kernels::KernelInfo*> ks;
  for (const kernels::KernelInfo& k : kernels::ActiveKernels())
    if (k.op == kernels::KernelOp::kPhaseInt8Vnni || k.op == kernels::KernelOp::kPhaseInt8Amx) ks.push_back(&k);
  if (ks.empty()) GTEST_SKIP() << "no AVX512_VNNI at isa " << isa();
  int64_t ran = 0, whole_quads = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    const kernels::KernelInfo* k = ks[seed % ks.size()];
    const int64_t cin_g =
        seed % 5 == 0 ? 4 * (1 + static_cast<int64_t>(seed % 9)) : 1 + static_cast<int64_t>(seed * 7 % 37);
    const ChannelsLastCase cl = MakeChannelsLast(MakeCase(seed, cin_g, 1 + static_cast<int64_t>(seed * 13 % 70)));
    Status st;
    auto plan = MakePlan(cl.c, "phase", 1 + static_cast<int>(seed % 2), &st, testing::Kernel(k->name), Layout::kNHWC);
    if (!plan) {  // only huge pads or dilations are declined
      EXPECT_NE(st.message().find("the padded input would be"), std::string::npos) << st.message();
      continue;
    }
    EXPECT_EQ(plan->kernel(), k->name);
    ASSERT_TRUE(RunsToReference(*plan, cl)) << k->name << " x " << QuantTypeName(cl.c.q.x_type) << " y "
                                            << QuantTypeName(cl.c.q.y_type) << " " << testing::Repro(cl.c.d, seed);
    ++ran;
    whole_quads += cl.c.d.groups == 1 && cl.c.d.in_channels % 4 == 0;
  }
  EXPECT_GT(ran, 85);
  EXPECT_GT(whole_quads, 5);  // the row-at-once copy of x ran
}

// An unpadded geometry (kernel <= stride, no pads, dilation 1) on c's
// channels, its x and w drawn again: the lanes paths then need no padded
// copy of x channels last.
testing::Case Unpadded(testing::Case c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int a = 0; a < c.d.ndim; ++a) {
    c.d.stride[a] = 1 + static_cast<int64_t>(rng() % 3);
    c.d.kernel[a] = seed % 4 == 0 ? 1 + static_cast<int64_t>(rng() % c.d.stride[a]) : c.d.stride[a];
    c.d.dilation[a] = 1, c.d.pad_begin[a] = c.d.pad_end[a] = c.d.output_padding[a] = 0;
  }
  c.x.resize(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))));
  c.w.resize(static_cast<size_t>(NumElements(ConvTransposeWeightShape(c.d))));
  for (uint8_t& v : c.x) v = static_cast<uint8_t>(rng());
  for (int8_t& v : c.w) v = static_cast<int8_t>(rng());
  return c;
}

// u8 x channels last that needs no pad, its pixels whole quads (Cin a
// multiple of 4, one group), is read where it lies; one byte off 4-byte
// alignment, or s8 (flipped to unsigned), it is copied. Every form gives
// the integer reference's bits, at 1 and 2 threads.
TEST_P(Int8ChannelsLastIsa, UnpaddedInputReadWhereItLies) {
  if (!kernels::FindKernel(kernels::KernelOp::kPhaseInt8Vnni, DType::kI8)) GTEST_SKIP() << "no AVX512_VNNI at " << isa();
  int64_t in_place = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    // (64 channels: whole rows for the AMX tiles too, whose quads come in 16s.)
    const int64_t cin = seed % 7 == 0 ? 64 : 4 * (1 + static_cast<int64_t>(seed % 5));
    const int64_t cout = 1 + static_cast<int64_t>(seed * 13 % 70);
    const ChannelsLastCase cl = MakeChannelsLast(Unpadded(MakeCase(seed, cin, cout, /*groups=*/1), seed));
    const std::string repro = std::string("x ") + QuantTypeName(cl.c.q.x_type) + " " + testing::Repro(cl.c.d, seed);
    Status st;
    auto plan = MakePlan(cl.c, "phase", 1 + static_cast<int>(seed % 2), &st,
                         testing::Route(PhaseTuning::Int8Compute::kLanes), Layout::kNHWC);
    ASSERT_TRUE(plan) << repro << ": " << st.message();
    ASSERT_TRUE(RunsToReference(*plan, cl)) << repro;
    std::vector<uint8_t> shifted(cl.x.size() + 1);
    std::copy(cl.x.begin(), cl.x.end(), shifted.begin() + 1);
    std::vector<uint8_t> y(cl.ref.size(), 0x5A);
    ASSERT_TRUE(plan->Run(ConstQuantView(shifted.data() + 1, plan->input_shape()), QuantView{y.data(), plan->output_shape()})
                    .ok());
    EXPECT_EQ(y, cl.ref) << repro << " (x one byte off alignment)";
    in_place += cl.c.q.x_type == QuantType::kUInt8;
  }
  EXPECT_GT(in_place, 15);
}

// Depthwise layers (one channel per group) run the kernel i8_dw_nhwc_row
// (named: auto takes i8_dw_vnni_windows where it runs) at every ISA: 17-76
// channels (whole blocks of vectors, single vectors and
// the scalar tail), with biases near the int32 limits on every fourth case
// (the long epilogue: the value clamped before rounding).
TEST_P(Int8ChannelsLastIsa, DepthwiseLayersRunTheDepthwiseKernel) {
  int64_t long_epilogue = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    Case c = MakeCase(seed, 1, 1, 17 + static_cast<int64_t>(seed * 7 % 60));
    if (seed % 4 == 0) {
      c.b.resize(static_cast<size_t>(c.d.out_channels));
      for (size_t i = 0; i < c.b.size(); ++i) c.b[i] = i % 2 ? INT32_MAX - 7 : INT32_MIN + 9;
      ++long_epilogue;
    }
    const ChannelsLastCase cl = MakeChannelsLast(std::move(c));
    Status st;
    auto plan = MakePlan(cl.c, "auto", 1 + static_cast<int>(seed % 2), &st, testing::Kernel("i8_dw_nhwc_row_1x4"),
                         Layout::kNHWC);
    ASSERT_TRUE(plan) << st.message();
    EXPECT_EQ(plan->kernel(), std::string("i8_dw_nhwc_row_1x4__") + isa()) << testing::Repro(cl.c.d, seed);
    EXPECT_EQ(plan->workspace_bytes(), 0);
    ASSERT_TRUE(RunsToReference(*plan, cl)) << plan->kernel() << " x " << QuantTypeName(cl.c.q.x_type) << " y "
                                            << QuantTypeName(cl.c.q.y_type) << " " << testing::Repro(cl.c.d, seed);
  }
  EXPECT_EQ(long_epilogue, 15);
  // Forced on a layer it cannot run: one line.
  Status st;
  const Case dense = MakeCase(3, 4, 20);
  EXPECT_FALSE(MakePlan(dense, "phase", 1, &st, testing::Kernel("i8_dw_nhwc_row_1x4"), Layout::kNHWC));
  EXPECT_EQ(st.message(), std::string("phase: i8_dw_nhwc_row_1x4__") + isa() +
                              " runs depthwise layers (one channel per group, at most 514 taps per output) in layout "
                              "NHWC only");
}

// u8 y whose requantized value lies in 32768..33023 saturates to 255 (a
// narrowing that packs through u16 and drops bit 15 gave 50 there, at
// AVX2 and AVX-512): by the f32 route (sums 255 x 127 + 433 = 32818 at
// unit scales) and by the double one (a bias of 16.8M, past the f32
// route's 2^24: 16.8M / 512 = 32812.5, a tie to 32812); by both depthwise
// kernels where the windows kernel is listed.
TEST_P(Int8ChannelsLastIsa, DepthwiseU8SaturatesAbove32767) {
  std::vector<std::string> names = {"i8_dw_nhwc_row_1x4"};
  if (kernels::FindKernel(kernels::KernelOp::kDwWindowsInt8, DType::kI8)) names.push_back("i8_dw_vnni_windows");
  for (const std::string& name : names) {
    for (bool f32_route : {true, false}) {
      Case c = MakeCase(1, 1, 1, 16);
      c.d.in = {2, 3, 1};
      c.d.kernel = {1, 1, 1}, c.d.stride = {1, 1, 1}, c.d.dilation = {1, 1, 1};
      c.d.pad_begin = c.d.pad_end = c.d.output_padding = {0, 0, 0};
      c.q.x_type = c.q.y_type = QuantType::kUInt8;
      c.q.x_scale = 1.0f, c.q.w_scale = {1.0f}, c.q.x_zero_point = 0, c.q.y_zero_point = 0;
      c.q.y_scale = f32_route ? 1.0f : 512.0f;
      c.x.assign(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))), f32_route ? 255 : 0);
      c.w.assign(16, 127);
      c.b.assign(16, f32_route ? 433 : 16800000);
      const ChannelsLastCase cl = MakeChannelsLast(std::move(c));
      ASSERT_EQ(cl.ref.front(), 255);
      Status st;
      auto plan = MakePlan(cl.c, "auto", 1, &st, testing::Kernel(name), Layout::kNHWC);
      ASSERT_TRUE(plan) << st.message();
      EXPECT_EQ(plan->kernel(), name + "__" + isa());
      EXPECT_TRUE(RunsToReference(*plan, cl)) << name << (f32_route ? " f32 route" : " double route");
    }
  }
}

// The windows kernel i8_dw_vnni_windows (AVX512_VNNI): auto takes it on
// 2-D and 1-D depthwise layers with k <= 2 s, dilation 1, int8 y and
// biases clear of the int32 limits, and it matches the integer reference
// bit for bit: strides 1-4 and 8, every k up to 2 s, pads, output padding
// (windows past the input), 1-150 channels (partial blocks of 64), 1-3
// images, u8 / s8 x and y, zero points at the limits (MakeCase), biases
// past 2^24 (the double epilogue) on every fifth case, 1 and 2 threads.
// The row kernel takes f32 y and biases near the int32 limits. Channels
// first (where planes_to_words is listed: every AVX-512 target) auto takes
// it too, with the same bits.
TEST_P(Int8ChannelsLastIsa, DepthwiseWindowsMatchTheIntegerReference) {
  const bool listed = kernels::FindKernel(kernels::KernelOp::kDwWindowsInt8, DType::kI8) != nullptr;
  int64_t windows = 0, double_route = 0, first_windows = 0;
  for (uint64_t seed = 1; seed <= 90; ++seed) {
    const int64_t channels = 1 + static_cast<int64_t>(seed * 37 % 150);
    Case c = MakeCase(seed, 1, 1, channels);
    c.d = testing::RandomWindowsDepthwiseDesc(seed, channels);
    std::mt19937_64 rng(seed * 7 + 2);
    if (seed % 7 == 0) c.q.y_type = QuantType::kFloat32;
    if (c.q.y_type == QuantType::kFloat32 && seed % 7 != 0) c.q.y_type = QuantType::kUInt8;
    c.x.resize(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))));
    c.w.resize(static_cast<size_t>(NumElements(ConvTransposeWeightShape(c.d))));
    for (uint8_t& v : c.x) v = static_cast<uint8_t>(rng());
    for (int8_t& v : c.w) v = static_cast<int8_t>(rng());
    c.b.resize(static_cast<size_t>(channels));
    const bool big = seed % 5 == 0, huge = seed % 17 == 0;
    for (size_t i = 0; i < c.b.size(); ++i)
      c.b[i] = huge ? (i % 2 ? INT32_MAX - 9 : INT32_MIN + 9)
                    : static_cast<int32_t>(rng() % 40001) - 20000 + (big ? (i % 2 ? 1 : -1) * (1 << 25) : 0);
    if (big && c.q.y_type != QuantType::kFloat32) c.q.y_scale *= 4096.0f;  // not all saturated
    const ChannelsLastCase cl = MakeChannelsLast(std::move(c));
    const bool expect = listed && cl.c.q.y_type != QuantType::kFloat32 && !huge;
    for (int threads : {1, 2}) {
      Status st;
      auto plan = MakePlan(cl.c, "auto", threads, &st, PhaseTuning(), Layout::kNHWC);
      ASSERT_TRUE(plan) << st.message() << " " << testing::Repro(cl.c.d, seed);
      EXPECT_EQ(plan->kernel(), std::string(expect ? "i8_dw_vnni_windows__" : "i8_dw_nhwc_row_1x4__") + isa())
          << testing::Repro(cl.c.d, seed);
      ASSERT_TRUE(RunsToReference(*plan, cl)) << plan->kernel() << " threads=" << threads << " x "
                                              << QuantTypeName(cl.c.q.x_type) << " y "
                                              << QuantTypeName(cl.c.q.y_type) << " " << testing::Repro(cl.c.d, seed);
      windows += expect;
      double_route += expect && big;
      // Channels first: the same kernel between planes_to_words and
      // words_to_planes, the same bits.
      auto first = MakePlan(cl.c, "auto", threads, &st);
      ASSERT_TRUE(first) << st.message();
      if (expect) EXPECT_EQ(first->kernel(), std::string("i8_dw_vnni_windows__") + isa()) << testing::Repro(cl.c.d, seed);
      std::vector<uint8_t> y(cl.ref.size(), 0x5A);
      ASSERT_TRUE(first->Run(ConstQuantView(cl.c.x.data(), first->input_shape()),
                             QuantView{y.data(), first->output_shape()})
                      .ok());
      ASSERT_EQ(y, Reference(cl.c)) << first->kernel() << " channels first, threads=" << threads << " "
                                    << testing::Repro(cl.c.d, seed);
      first_windows += expect && first->kernel().rfind("i8_dw_vnni_windows", 0) == 0;
    }
  }
  if (!listed) {
    Status st;
    EXPECT_FALSE(MakePlan(MakeCase(2, 1, 1, 16), "phase", 1, &st, testing::Kernel("i8_dw_vnni_windows"),
                          Layout::kNHWC));
    return;
  }
  EXPECT_GT(windows, 120);
  EXPECT_GT(double_route, 20);
  if (kernels::FindKernel(kernels::KernelOp::kPlanesToWords, DType::kI8)) EXPECT_EQ(first_windows, windows);
  // Named on a layer it cannot run (3-D, dense): one line.
  Case dense = MakeCase(3, 4, 20);
  Status st;
  EXPECT_FALSE(MakePlan(dense, "phase", 1, &st, testing::Kernel("i8_dw_vnni_windows"), Layout::kNHWC));
  EXPECT_EQ(st.message(), std::string("phase: i8_dw_vnni_windows__") + isa() +
                              " runs 2-D depthwise layers (kernel <= 2 x stride, dilation 1, y u8 or s8): not depthwise");
}

// Images larger than the windows planner's copy budget (8 MiB) are copied
// one per pass: two images of 130 x 130 pixels x 512 channels (8.9 MB each
// padded), k2 s2, channels last and first, 2 threads, bit for bit.
TEST(Int8DepthwiseWindows, CopiesLargeImagesInPasses) {
  if (!kernels::FindKernel(kernels::KernelOp::kDwWindowsInt8, DType::kI8)) GTEST_SKIP() << "no AVX512_VNNI";
  Case c = MakeCase(4, 1, 1, 512);
  c.d.ndim = 2;
  c.d.batch = 2;
  c.d.in = {130, 130, 1};
  c.d.kernel = {2, 2, 1}, c.d.stride = {2, 2, 1}, c.d.dilation = {1, 1, 1};
  c.d.pad_begin = c.d.pad_end = c.d.output_padding = {0, 0, 0};
  c.q.y_type = QuantType::kUInt8;
  std::mt19937_64 rng(4);
  c.x.resize(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))));
  c.w.resize(static_cast<size_t>(NumElements(ConvTransposeWeightShape(c.d))));
  for (uint8_t& v : c.x) v = static_cast<uint8_t>(rng());
  for (int8_t& v : c.w) v = static_cast<int8_t>(rng());
  const ChannelsLastCase cl = MakeChannelsLast(std::move(c));
  const int64_t one_copy = 132 * 132 * 512;
  for (Layout layout : {Layout::kNHWC, Layout::kNCHW}) {
    Status st;
    auto plan = MakePlan(cl.c, "auto", 2, &st, PhaseTuning(), layout);
    ASSERT_TRUE(plan) << st.message();
    ASSERT_EQ(plan->kernel().rfind("i8_dw_vnni_windows", 0), 0u) << plan->kernel();
    EXPECT_LT(plan->workspace_bytes(), 2 * one_copy);  // one image a pass
    const bool last = layout == Layout::kNHWC;
    std::vector<uint8_t> y(cl.ref.size(), 0x5A);
    ASSERT_TRUE(plan->Run(ConstQuantView((last ? cl.x : cl.c.x).data(), plan->input_shape()),
                          QuantView{y.data(), plan->output_shape()})
                    .ok());
    EXPECT_TRUE((last ? y : testing::BytesToChannelsLast(y, 2, 512, 1)) == cl.ref)
        << (last ? "channels last" : "channels first");
  }
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Int8ChannelsLastIsa);

}  // namespace
}  // namespace tconv
