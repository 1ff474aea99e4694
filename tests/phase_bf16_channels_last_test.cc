// bf16 plans with Layout::kNHWC: the dot kernels read x and write y
// channels last themselves (PreparePhaseBf16 with channels_last), the
// widened route runs between the plan's conversions (2-byte transposes for
// x and bf16 y). Either way y is the channels-first plan's y with each
// pixel's channels together, bit for bit: every bf16 kernel forced, auto
// and ref, over seeded random geometries (1-3-D, groups, odd channels per
// group, dilation, pads, stride > kernel), f32 and bf16 y, 1 and 2 threads,
// at every ISA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/kernels/registry.h"
#include "tconv/bfloat16.h"
#include "tconv/plan.h"
#include "tests/support/bf16_cases.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

// (n, c, p) elements of T -> (n, p, c).
template <typename T>
std::vector<T> ToNhwc(const std::vector<T>& v, int64_t n, int64_t c) {
  const int64_t p = static_cast<int64_t>(v.size()) / (n * c);
  std::vector<T> out(v.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t q = 0; q < p; ++q) out[(i * p + q) * c + ch] = v[(i * c + ch) * p + q];
  return out;
}

struct Outputs {
  std::vector<float> f32;
  std::vector<uint16_t> bf16;
};

// y of a bf16 plan in `layout` (x given in that layout); false when the
// plan declines.
bool RunIn(const ConvDesc& d, const std::vector<float>& w, const std::vector<float>& b, const std::vector<BFloat16>& x,
           Layout layout, PlanOptions o, Outputs* out, std::string* kernel) {
  o.layout = layout;
  o.dtype = DataType::kBFloat16;
  Status st;
  auto plan = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                           b.empty() ? ConstTensorView() : ConstTensorView(b.data(), {d.out_channels}), o, &st);
  if (!plan) return false;
  *kernel = plan->kernel();
  const size_t ny = static_cast<size_t>(NumElements(plan->output_shape()));
  out->f32.assign(ny, std::numeric_limits<float>::quiet_NaN());
  out->bf16.assign(ny, 0x7FC1);  // a NaN no rounding gives: an unwritten element fails
  EXPECT_TRUE(plan->Run(ConstBF16View(x.data(), plan->input_shape()), TensorView(out->f32.data(), plan->output_shape()))
                  .ok());
  EXPECT_TRUE(plan->Run(ConstBF16View(x.data(), plan->input_shape()),
                        BF16View(reinterpret_cast<BFloat16*>(out->bf16.data()), plan->output_shape()))
                  .ok());
  return true;
}

using Bf16ChannelsLast = testing::IsaTest;

TEST_P(Bf16ChannelsLast, IsTheChannelsFirstPlanTransposed) {
  std::vector<std::string> kernels = {"", "ref"};  // auto and the ref algorithm first, then phase's kernels
  for (const kernels::KernelInfo& k : kernels::ActiveKernels())
    if (k.op == kernels::KernelOp::kPhaseBf16Dp || k.op == kernels::KernelOp::kPhaseBf16Widen) kernels.push_back(k.name);
  int64_t native = 0, converted = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const ConvDesc d = testing::RandomConvTransposeDesc(seed * 104729);
    std::vector<float> xf(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d))), b;
    testing::FillUniform(&xf, seed);
    testing::FillUniform(&w, seed + 1);
    if (seed % 2) {
      b.resize(static_cast<size_t>(d.out_channels));
      testing::FillUniform(&b, seed + 2);
    }
    std::vector<BFloat16> x(xf.size());
    for (size_t i = 0; i < xf.size(); ++i) x[i] = ToBFloat16(xf[i]);
    const std::vector<BFloat16> x_nhwc = ToNhwc(x, d.batch, d.in_channels);
    for (const std::string& k : kernels) {
      PlanOptions o;
      o.algo = k.empty() ? "auto" : k == "ref" ? "ref" : "phase";
      if (o.algo == "phase") o.phase.kernel = k;
      o.threads = 1 + static_cast<int>(seed % 2);
      Outputs first, last;
      std::string k_first, k_last;
      if (!RunIn(d, w, b, x, Layout::kNCHW, o, &first, &k_first)) continue;
      ASSERT_TRUE(RunIn(d, w, b, x_nhwc, Layout::kNHWC, o, &last, &k_last)) << testing::Repro(d, seed);
      EXPECT_EQ(k_first, k_last);
      const std::vector<float> want = ToNhwc(first.f32, d.batch, d.out_channels);
      const std::vector<uint16_t> want16 = ToNhwc(first.bf16, d.batch, d.out_channels);
      ASSERT_EQ(std::memcmp(want.data(), last.f32.data(), want.size() * 4), 0) << k_last << " " << testing::Repro(d, seed);
      ASSERT_EQ(want16, last.bf16) << k_last << " bf16 y " << testing::Repro(d, seed);
      (k_last.rfind("bf16_phase_", 0) == 0 ? native : converted) += 1;
    }
  }
  EXPECT_GT(native, 100);    // the dot kernels, channels last themselves
  EXPECT_GT(converted, 10);  // auto's widened route and ref, between conversions
}

// bf16 x channels last that needs no pad (kernel <= stride, no pads,
// dilation 1), its pixels whole pairs (Cin even, one group), is read where
// it lies: within the bound of the reference at 1 and 2 threads
// (RunBf16Case), and the same bits as a copy of x one element off 4-byte
// alignment, which the plan copies.
TEST_P(Bf16ChannelsLast, UnpaddedInputReadWhereItLies) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    ConvDesc d = testing::RandomConvTransposeDesc(seed * 7919);
    d.groups = 1;
    d.in_channels = seed % 7 == 0 ? 32 : 2 * (1 + static_cast<int64_t>(seed % 9));  // (32: whole AMX rows)
    for (int a = 0; a < d.ndim; ++a) {
      d.stride[a] = 1 + static_cast<int64_t>((seed >> a) % 3);
      d.kernel[a] = seed % 4 == 0 ? 1 : d.stride[a];
      d.dilation[a] = 1, d.pad_begin[a] = d.pad_end[a] = d.output_padding[a] = 0;
    }
    const testing::Bf16Case c = testing::MakeBf16CaseOf(d, seed);
    const std::string repro = testing::Repro(d, seed);
    PlanOptions o;
    o.algo = "phase";
    o.layout = Layout::kNHWC;
    o.phase.bf16_compute = PhaseTuning::Bf16Compute::kDot;  // the lanes kernels (auto widens small layers)
    std::vector<float> y;
    std::string kernel;
    ASSERT_TRUE(testing::RunBf16Case(c, o, repro, &y, &kernel)) << repro;
    const std::vector<BFloat16> x = ToNhwc(c.x, d.batch, d.in_channels);
    std::vector<BFloat16> shifted(x.size() + 1);
    std::copy(x.begin(), x.end(), shifted.begin() + 1);
    Outputs aligned, off;
    ASSERT_TRUE(RunIn(d, c.wf, c.b, x, Layout::kNHWC, o, &aligned, &kernel)) << repro;
    o.dtype = DataType::kBFloat16;
    Status st;
    auto plan = Plan::Create(d, ConstTensorView(c.wf.data(), ConvTransposeWeightShape(d)),
                             c.b.empty() ? ConstTensorView() : ConstTensorView(c.b.data(), {d.out_channels}), o, &st);
    ASSERT_TRUE(plan) << repro << ": " << st.message();
    off.f32.assign(aligned.f32.size(), 0.0f);
    ASSERT_TRUE(plan->Run(ConstBF16View(shifted.data() + 1, plan->input_shape()),
                          TensorView(off.f32.data(), plan->output_shape()))
                    .ok());
    EXPECT_EQ(std::memcmp(off.f32.data(), aligned.f32.data(), off.f32.size() * 4), 0) << repro << " " << kernel;
  }
}

// Depthwise layers channels last run bf16_dw_dpbf16_windows (AVX512_BF16)
// where auto can (2-D and 1-D, k <= 2 s, dilation 1): within the f32
// accumulation bound of the reference on the bf16 values, bf16 y the f32 y
// rounded once, 2 threads the same bits (RunBf16Case), 1-100 channels
// (partial blocks of 32), strides 1-4 and 8, pads, output padding, with
// and without bias; three in four layers with k = 2 s, the others any k up
// to 2 s (the kernel told which taps exist); the one-line refusal when it
// is named elsewhere.
TEST_P(Bf16ChannelsLast, DepthwiseWindowsStayWithinTheBound) {
  const bool listed = kernels::FindKernel(kernels::KernelOp::kDwWindowsBf16, DType::kBF16) != nullptr;
  int64_t windows = 0, partial = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const ConvDesc d =
        testing::RandomWindowsDepthwiseDesc(seed, 1 + static_cast<int64_t>(seed * 29 % 100), seed % 4 != 0);
    const testing::Bf16Case c = testing::MakeBf16CaseOf(d, seed);
    bool two_strides = true;
    for (int a = 0; a < d.ndim; ++a) two_strides = two_strides && d.kernel[a] == 2 * d.stride[a];
    PlanOptions o;
    o.layout = Layout::kNHWC;
    std::vector<float> y;
    std::string kernel;
    ASSERT_TRUE(testing::RunBf16Case(c, o, testing::Repro(d, seed), &y, &kernel)) << testing::Repro(d, seed);
    const bool on_windows = kernel.rfind("bf16_dw_dpbf16_windows", 0) == 0;
    EXPECT_EQ(on_windows, listed) << kernel << " " << testing::Repro(d, seed);
    windows += on_windows;
    partial += on_windows && !two_strides;
  }
  EXPECT_EQ(windows, listed ? 60 : 0);
  if (listed) EXPECT_GT(partial, 10);
  PlanOptions o;
  o.layout = Layout::kNHWC;
  o.algo = "phase";
  o.phase.kernel = "bf16_dw_dpbf16_windows";
  o.dtype = DataType::kBFloat16;
  const ConvDesc dense = testing::Square2D(1, 4, 8, 5, 5, 4, 2, 1);
  const std::vector<float> w(static_cast<size_t>(NumElements(ConvTransposeWeightShape(dense))), 0.5f);
  Status st;
  EXPECT_FALSE(Plan::Create(dense, ConstTensorView(w.data(), ConvTransposeWeightShape(dense)), ConstTensorView(), o, &st));
  if (listed)
    EXPECT_EQ(st.message(), std::string("phase: bf16_dw_dpbf16_windows__") + isa() +
                                " runs 2-D and 1-D depthwise layers (kernel <= 2 x stride, dilation 1) with layout "
                                "NHWC only");
}

// Non-finite x and denormal outputs on the bf16 windows kernel (where it is
// listed; the other routes elsewhere).
TEST_P(Bf16ChannelsLast, DepthwiseWindowsKeepInfNanAndDenormals) {
  const bool listed = kernels::FindKernel(kernels::KernelOp::kDwWindowsBf16, DType::kBF16) != nullptr;
  // Inf in x of k3 s2 and k1 s2 layers (1-D; phases with one tap, and with
  // none: the bias alone): NaN only where the reference has NaN, Inf where
  // it has Inf; a denormal bias, which those outputs keep, rounded in bf16 y
  // as ToBFloat16 does (vcvtne2ps2bf16 would flush it).
  for (int64_t k : {3, 1}) {
    ConvDesc d = testing::Desc1(1, 24, 24, 9, k, 2, k / 2);
    d.groups = 24;
    testing::Bf16Case c = testing::MakeBf16CaseOf(d, 5);
    c.x[3] = ToBFloat16(std::numeric_limits<float>::infinity());  // channel 0, pixel 3
    c.x[24 * 9 - 1] = ToBFloat16(-std::numeric_limits<float>::infinity());  // channel 23, the last pixel
    c.b.assign(24, 0.25f);
    c.b[5] = 3e-39f;  // denormal
    c.ref = testing::RefOf(d, c.x, c.w, c.b);
    PlanOptions o;
    o.layout = Layout::kNHWC;
    o.dtype = DataType::kBFloat16;
    const std::vector<BFloat16> x = ToNhwc(c.x, 1, 24);
    Outputs out;
    std::string kernel;
    ASSERT_TRUE(RunIn(d, c.wf, c.b, x, Layout::kNHWC, o, &out, &kernel));
    if (listed) EXPECT_EQ(kernel, std::string("bf16_dw_dpbf16_windows__") + isa());
    const std::vector<float> ref = ToNhwc(c.ref, 1, 24);
    int64_t inf = 0, denormal = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      EXPECT_EQ(std::isnan(out.f32[i]), std::isnan(ref[i])) << "k" << k << " " << i;
      EXPECT_EQ(std::isinf(out.f32[i]), std::isinf(ref[i])) << "k" << k << " " << i;
      EXPECT_EQ(out.bf16[i], ToBFloat16(out.f32[i]).bits) << "k" << k << " " << i;
      inf += std::isinf(ref[i]);
      denormal += std::fpclassify(out.f32[i]) == FP_SUBNORMAL;
    }
    EXPECT_GT(inf, 0);
    if (k == 1) EXPECT_GT(denormal, 0);  // (k 1 s 2: odd outputs are the bias)
  }
  // +Inf and -Inf side by side in x: the outputs both reach are NaN (x86's
  // default NaN, negative), 0x7FC0 in bf16 (as ToBFloat16), the others the
  // f32 y rounded.
  {
    const ConvDesc d = testing::Square2D(1, 40, 40, 6, 5, 4, 2, 1);
    const ConvDesc dw = [&] {
      ConvDesc t = d;
      t.groups = 40;
      return t;
    }();
    std::vector<float> xf(static_cast<size_t>(NumElements(ConvTransposeInputShape(dw))), 1.5f);
    std::vector<float> w(static_cast<size_t>(NumElements(ConvTransposeWeightShape(dw))), -0.75f);
    xf[7 * 40 + 3] = std::numeric_limits<float>::infinity();  // pixels 7 and 8, channel 3 (NHWC)
    xf[8 * 40 + 3] = -std::numeric_limits<float>::infinity();
    std::vector<BFloat16> x(xf.size());
    for (size_t i = 0; i < xf.size(); ++i) x[i] = ToBFloat16(xf[i]);
    Outputs out;
    std::string kernel;
    PlanOptions po;
    ASSERT_TRUE(RunIn(dw, w, {}, x, Layout::kNHWC, po, &out, &kernel));
    if (listed) EXPECT_EQ(kernel, std::string("bf16_dw_dpbf16_windows__") + isa());
    int64_t nans = 0;
    for (size_t i = 0; i < out.f32.size(); ++i) {
      nans += std::isnan(out.f32[i]);
      EXPECT_EQ(out.bf16[i], ToBFloat16(out.f32[i]).bits) << i;
      if (i % 40 != 3) EXPECT_FALSE(std::isnan(out.f32[i])) << i;  // other channels untouched
    }
    EXPECT_EQ(nans, 8);  // k4 s2: input columns 2 and 3 both reach output columns 5 and 6, 4 rows each
  }
}

// Images larger than the windows planner's copy budget (8 MiB) are copied
// one per pass: two images of 130 x 130 pixels x 256 channels (9.1 MB each
// padded, bf16), k2 s1, within the bound, 1 and 2 threads alike.
TEST(Bf16DepthwiseWindows, CopiesLargeImagesInPasses) {
  if (!kernels::FindKernel(kernels::KernelOp::kDwWindowsBf16, DType::kBF16)) GTEST_SKIP() << "no AVX512_BF16";
  ConvDesc d = testing::Square2D(2, 256, 256, 130, 130, 2, 1, 0);
  d.groups = 256;
  const testing::Bf16Case c = testing::MakeBf16CaseOf(d, 9);
  PlanOptions o;
  o.layout = Layout::kNHWC;
  std::vector<float> y;
  std::string kernel;
  ASSERT_TRUE(testing::RunBf16Case(c, o, "130 x 130 x 256, 2 images", &y, &kernel));
  EXPECT_EQ(kernel.rfind("bf16_dw_dpbf16_windows", 0), 0u) << kernel;
  o.dtype = DataType::kBFloat16;
  Status st;
  auto plan = Plan::Create(d, ConstTensorView(c.wf.data(), ConvTransposeWeightShape(d)), ConstTensorView(), o, &st);
  ASSERT_TRUE(plan) << st.message();
  EXPECT_LT(plan->workspace_bytes(), 2 * 132 * 132 * 256 * 2);  // one image a pass
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Bf16ChannelsLast);

}  // namespace
}  // namespace tconv
