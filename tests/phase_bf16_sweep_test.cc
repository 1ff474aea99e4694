// Every bf16 kernel of the list, at every ISA, through a bf16 plan forced to
// it, against ConvTransposeRefBF16 over seeded random geometries (1-3-D,
// groups incl. depthwise, dilation, asymmetric and negative pads, output
// padding, stride > kernel). The bound is f32 accumulation's: (n + 2) *
// 2^-24 * sum |terms| (n products, the bias, the reference's own rounding).
// Outputs start as NaN, so an element a kernel forgets fails. Also: bf16
// output is the f32 result rounded once; 2 threads give the same bits; all
// bf16 kernels (vdpbf16ps and widening, any tile; not AMX) give the same bits; a
// weight that rounds to Inf sends the plan to ref. And the other route,
// widening to f32 (PhaseTuning::Bf16Compute::kWiden), and kAuto's choice.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/base/bf16.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"
#include "tconv/bfloat16.h"
#include "tconv/layout.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/bf16_cases.h"
#include "tests/support/channels_last.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using Case = testing::Bf16Case;
using testing::RefOf;
using testing::Round;

// The bf16 phase kernels a plan can be forced to (not bf16_round, which
// rounds the widening route's y: tested below on its own).
bool IsRowKernel(const kernels::KernelInfo& k) {
  return k.op == kernels::KernelOp::kPhaseBf16Dp || k.op == kernels::KernelOp::kPhaseBf16Widen ||
         k.op == kernels::KernelOp::kPhaseBf16Amx;
}

// vdpbf16ps and the widening kernels round after each product, the odd one
// first; AMX's TDPBF16PS rounds a pair's sum once (1 + 2^-24 + 2^-24 is
// 1 + 2^-23 there, 1 with vdpbf16ps), so its bits are its own: within the
// bound like every kernel, not equal to the others'.
bool SameBitsAsTheOthers(const kernels::KernelInfo& k) { return k.op != kernels::KernelOp::kPhaseBf16Amx; }

Case MakeCaseOf(const ConvDesc& d, uint64_t seed) { return testing::MakeBf16CaseOf(d, seed); }
Case MakeCase(uint64_t seed) { return testing::MakeBf16Case(seed); }

// Runs c through a bf16 plan forced to `kernel` (testing::RunBf16Case).
bool RunCase(const Case& c, const std::string& kernel, const std::string& repro, std::vector<float>* y) {
  PlanOptions o;
  o.algo = "phase";
  o.phase.kernel = kernel;
  std::string ran;
  if (!testing::RunBf16Case(c, o, repro, y, &ran)) return false;
  EXPECT_EQ(ran, kernel) << repro;
  return true;
}

using Bf16Kernels = testing::IsaTest;

TEST_P(Bf16Kernels, EveryBf16KernelMatchesTheReference) {
  std::vector<const kernels::KernelInfo*> list;
  for (const kernels::KernelInfo& k : kernels::ActiveKernels())
    if (IsRowKernel(k)) list.push_back(&k);
  ASSERT_GE(list.size(), 4u) << "the list has lost its bf16 kernels";
  std::vector<int> accepted(list.size(), 0);
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const Case c = MakeCase(seed * 7919);
    std::vector<float> first, y;
    std::string first_name;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string repro = testing::Repro(c.d, seed * 7919) + " kernel=" + list[i]->name;
      if (!RunCase(c, list[i]->name, repro, &y)) continue;
      ++accepted[i];
      if (!SameBitsAsTheOthers(*list[i])) continue;
      if (first.empty()) first = y, first_name = list[i]->name;
      EXPECT_EQ(std::memcmp(first.data(), y.data(), y.size() * 4), 0) << repro << ": bits differ from " << first_name;
      if (::testing::Test::HasFailure()) return;
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_GE(accepted[i], 55) << list[i]->name;
    std::printf("[ bf16     ] %s: %d of 60 geometries\n", list[i]->name.c_str(), accepted[i]);
  }
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Bf16Kernels);

// Border boxes (src/algo/lanes_tap_sets.h): outputs near the input's edge
// run only the taps that read inside it, box by box. Geometries whose
// phases split into boxes along rows (>= 4 columns), also columns (tasks of
// >= 8 rows), with boxes of no tap (output padding past the last input),
// 1-D and 3-D: every bf16 kernel within the reference's bound, all with
// the same bits. (Of the sweep's 60 random geometries, 17 have boxes.)
TEST_P(Bf16Kernels, BorderBoxesMatchTheReference) {
  std::vector<ConvDesc> descs = {
      testing::Square2D(2, 40, 48, 4, 4, 4, 2, 1),      // dcgan_g2-like: 4 x 4 per phase
      testing::Square2D(1, 4, 16, 32, 8, 4, 2, 1),       // tasks of >= 8 rows: columns split too
      testing::Square2D(1, 8, 33, 9, 7, 3, 2, 1, 1),     // odd kernel, output padding
      testing::Square2D(1, 6, 17, 6, 11, 5, 1, 3),       // stride 1
      testing::Square2D(1, 4, 16, 5, 5, 2, 3, 0, 2),     // stride > kernel: boxes without taps
      testing::Square2D(1, 12, 16, 8, 8, 7, 3, 5, 2, 2)  // groups, large pads
  };
  ConvDesc d1 = testing::Square2D(2, 10, 24, 1, 1, 1, 1, 0);  // 1-D, wavegan's shape
  d1.ndim = 1;
  d1.in = {40, 1, 1};
  d1.kernel = {9, 1, 1};
  d1.stride = {4, 1, 1};
  d1.pad_begin = d1.pad_end = {4, 0, 0};
  d1.output_padding = {1, 0, 0};
  descs.push_back(d1);
  d1.in = {700, 1, 1};  // phase rows longer than a task's 256 columns: column chunks
  d1.kernel = {5, 1, 1};
  d1.stride = {1, 1, 1};
  d1.pad_begin = {3, 0, 0}, d1.pad_end = {1, 0, 0};
  d1.output_padding = {0, 0, 0};
  descs.push_back(d1);
  ConvDesc d3 = testing::Square2D(1, 6, 16, 5, 4, 3, 2, 1);
  d3.ndim = 3;
  d3.in = {3, 5, 4};
  d3.kernel = {3, 3, 3};
  d3.stride = {2, 2, 2};
  d3.pad_begin = {1, 1, 1};
  d3.pad_end = {1, 1, 1};
  d3.output_padding = {0, 0, 0};
  d3.dilation = {1, 1, 1};
  descs.push_back(d3);
  std::vector<const kernels::KernelInfo*> list;
  for (const kernels::KernelInfo& k : kernels::ActiveKernels())
    if (IsRowKernel(k)) list.push_back(&k);
  for (size_t di = 0; di < descs.size(); ++di) {
    const Case c = MakeCaseOf(descs[di], 101 + di);
    std::vector<float> first, y;
    std::string first_name;
    for (const kernels::KernelInfo* k : list) {
      const std::string repro = testing::Repro(c.d, 101 + di) + " kernel=" + k->name;
      ASSERT_TRUE(RunCase(c, k->name, repro, &y)) << repro;
      if (!SameBitsAsTheOthers(*k)) continue;
      if (first.empty()) first = y, first_name = k->name;
      EXPECT_EQ(std::memcmp(first.data(), y.data(), y.size() * 4), 0) << repro << ": bits differ from " << first_name;
      if (::testing::Test::HasFailure()) return;
    }
  }
}

// bf16 y of NaN, Inf, values that round up to Inf and denormals: every
// kernel rounds its f32 result as ToBFloat16 (NaN -> 0x7FC0, ties to even,
// denormals rounded, not flushed), element for element. Channels first
// (20 channels: through the stage) and channels last (32: whole blocks
// rounded straight from the tiles).
TEST_P(Bf16Kernels, SpecialOutputsRoundAsToBFloat16) {
  for (const Layout layout : {Layout::kNCHW, Layout::kNHWC}) {
    const ConvDesc d = testing::Square2D(1, 8, layout == Layout::kNCHW ? 20 : 32, 6, 6, 3, 2, 1);
    std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d)));
    testing::FillUniform(&x, 5);
    testing::FillUniform(&w, 6);
    const int64_t plane = d.in[0] * d.in[1];
    for (int64_t i = 0; i < plane; ++i) {  // channel 0's pixels, by column
      const int64_t col = i % d.in[1];
      x[static_cast<size_t>(i)] = col == 0   ? std::numeric_limits<float>::quiet_NaN()
                                  : col == 1 ? std::numeric_limits<float>::infinity()
                                  : col == 2 ? 3.3e38f  // times |w| near 1 and more: beyond bf16's max
                                             : x[static_cast<size_t>(i)] * 0x1p-128f;
    }
    // The other channels tiny too: outputs away from columns 0-2 are denormal.
    for (int64_t i = plane; i < static_cast<int64_t>(x.size()); ++i) x[static_cast<size_t>(i)] *= 0x1p-128f;
    if (layout == Layout::kNHWC) x = testing::ToChannelsLast(x, d.batch, d.in_channels, plane);
    const std::vector<BFloat16> xb = Round(x), wb = Round(w);
    std::vector<float> wf;
    for (BFloat16 v : wb) wf.push_back(ToFloat(v));
    const Shape xs = ShapeInLayout(ConvTransposeInputShape(d), layout);
    const Shape ys = ShapeInLayout(ConvTransposeOutputShape(d), layout);
    int64_t nan = 0, inf = 0, denormal = 0;
    for (const kernels::KernelInfo& k : kernels::ActiveKernels()) {
      if (!IsRowKernel(k)) continue;
      PlanOptions o;
      o.algo = "phase";
      o.dtype = DataType::kBFloat16;
      o.layout = layout;
      o.phase.kernel = k.name;
      Status st;
      auto plan = Plan::Create(d, ConstTensorView(wf.data(), ConvTransposeWeightShape(d)), ConstTensorView(), o, &st);
      ASSERT_TRUE(plan) << k.name << ": " << st.message();
      std::vector<float> y(NumElements(ys));
      std::vector<BFloat16> yb(y.size());
      ASSERT_TRUE(plan->Run(ConstBF16View(xb.data(), xs), TensorView(y.data(), ys)).ok());
      ASSERT_TRUE(plan->Run(ConstBF16View(xb.data(), xs), BF16View(yb.data(), ys)).ok());
      for (size_t i = 0; i < y.size(); ++i) {
        ASSERT_EQ(yb[i].bits, ToBFloat16(y[i]).bits)
            << k.name << (layout == Layout::kNHWC ? " NHWC" : " NCHW") << " y[" << i << "] = " << y[i];
        nan += std::isnan(y[i]);
        inf += std::isinf(y[i]);
        denormal += std::fpclassify(y[i]) == FP_SUBNORMAL;
      }
    }
    EXPECT_GT(nan, 0);
    EXPECT_GT(inf, 0);
    EXPECT_GT(denormal, 0);
  }
}

// Bf16Compute::kWiden: the f32 phase on x and w widened, so its f32 output
// is bit for bit that of an f32 phase plan given the widened x and weights
// (the same path, the same tuning), and within the bound of the reference;
// bf16 output is that rounded once; 2 threads give the same bits.
using Bf16Widen = testing::IsaTest;

TEST_P(Bf16Widen, IsTheF32PathOnWidenedValues) {
  int widened = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const Case c = MakeCase(seed * 7919 + 1);
    const std::string repro = testing::Repro(c.d, seed * 7919 + 1) + " isa=" + isa();
    PlanOptions o;
    o.algo = "phase";
    Status st;
    const ConstTensorView b = c.b.empty() ? ConstTensorView() : ConstTensorView(c.b.data(), {c.d.out_channels});
    const ConstTensorView w(c.wf.data(), ConvTransposeWeightShape(c.d));
    auto f32 = Plan::Create(c.d, w, b, o, &st);
    ASSERT_TRUE(f32) << repro << ": " << st.message();
    o.dtype = DataType::kBFloat16;
    o.phase.bf16_compute = PhaseTuning::Bf16Compute::kWiden;
    auto plan = Plan::Create(c.d, w, b, o, &st);
    if (!plan) continue;  // (as phase's f32 path: declined geometries run ref)
    ++widened;
    EXPECT_EQ(plan->kernel(), f32->kernel() + " (bf16 widened to f32)") << repro;
    const Shape xs = ConvTransposeInputShape(c.d), ys = ConvTransposeOutputShape(c.d);
    std::vector<float> xf;
    for (BFloat16 v : c.x) xf.push_back(ToFloat(v));
    std::vector<float> want(c.ref.size(), std::numeric_limits<float>::quiet_NaN()), y = want;
    ASSERT_TRUE(f32->Run(ConstTensorView(xf.data(), xs), TensorView(want.data(), ys)).ok()) << repro;
    ASSERT_TRUE(plan->Run(ConstBF16View(c.x.data(), xs), TensorView(y.data(), ys)).ok()) << repro;
    ASSERT_EQ(std::memcmp(y.data(), want.data(), y.size() * 4), 0) << repro;
    int bad = 0;
    for (size_t i = 0; i < y.size(); ++i)
      if (!(std::fabs(y[i] - c.ref[i]) <= c.bound[i]) && bad++ < 3)
        ADD_FAILURE() << repro << ": y[" << i << "] = " << y[i] << ", ref " << c.ref[i] << ", bound " << c.bound[i];
    std::vector<BFloat16> ybf(y.size(), BFloat16{0x7FC0});
    ASSERT_TRUE(plan->Run(ConstBF16View(c.x.data(), xs), BF16View(ybf.data(), ys)).ok()) << repro;
    for (size_t i = 0; i < y.size(); ++i)
      if (ybf[i].bits != ToBFloat16(y[i]).bits && bad++ < 3) ADD_FAILURE() << repro << ": bf16 y[" << i << "]";
    o.threads = 2;
    auto plan2 = Plan::Create(c.d, w, b, o, &st);
    ASSERT_TRUE(plan2) << repro;
    std::vector<BFloat16> ybf2(y.size(), BFloat16{0x7FC0});
    ASSERT_TRUE(plan2->Run(ConstBF16View(c.x.data(), xs), BF16View(ybf2.data(), ys)).ok()) << repro;
    EXPECT_EQ(std::memcmp(ybf2.data(), ybf.data(), ybf.size() * 2), 0) << repro << " threads 2";
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GE(widened, 55);
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Bf16Widen);

// auto: the dot kernels on a DCGAN-like block (each output sums 256 x 4
// products, 128 output channels), widening on a depthwise layer and on one
// output channel, where the dot kernels' lanes would stay mostly empty
// (bench/RESULTS.md: 0.04x and 0.13x of f32 there); on an AMX CPU, one
// output channel of 56 input channels takes gemm_col2im's tiles.
TEST(BFloat16Plan, AutoDotsWideLayersAndWidensNarrowOnes) {
  const auto kernel_of = [](int64_t cin, int64_t cout, int64_t groups) {
    ConvDesc d;
    d.ndim = 2;
    d.batch = 1;
    d.in_channels = cin;
    d.out_channels = cout;
    d.groups = groups;
    d.in = {8, 8, 1};
    d.kernel = {4, 4, 1};
    d.stride = {2, 2, 1};
    d.pad_begin = {1, 1, 0};
    d.pad_end = {1, 1, 0};
    std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 0.5f);
    PlanOptions o;
    o.dtype = DataType::kBFloat16;
    Status st;
    auto plan = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)), ConstTensorView(), o, &st);
    EXPECT_TRUE(plan) << st.message();
    return plan ? plan->kernel() : std::string();
  };
  const std::string widened = " (bf16 widened to f32)";
  const std::string dcgan = kernel_of(256, 128, 1), dw = kernel_of(64, 64, 64), one = kernel_of(56, 1, 1);
  // (On a CPU with AMX-BF16 the dot kernels only tie the f32 FMAs: there
  // DCGAN's layer takes the AMX kernel, or widens where Linux refused the
  // tiles.)
  if (kernels::FindKernel(kernels::KernelOp::kPhaseBf16Amx, DType::kBF16)) {
    EXPECT_EQ(dcgan.rfind("bf16_phase_amx", 0), 0u) << dcgan;
  } else if (dispatch::CpuHasAmxBf16()) {
    EXPECT_NE(dcgan.find(widened), std::string::npos) << dcgan;
  } else {
    EXPECT_EQ(dcgan.rfind("bf16_", 0), 0u) << dcgan;
  }
  EXPECT_NE(dw.find(widened), std::string::npos) << dw;
  // One output channel: gemm_col2im on the AMX tiles where the list has
  // them (Bf16GemmPays), else phase widened.
  if (kernels::FindKernel(kernels::KernelOp::kGemmBf16Amx, DType::kBF16)) {
    EXPECT_EQ(one.rfind("gemm_col2im (bf16): bf16_gemm_amx", 0), 0u) << one;
    EXPECT_EQ(kernel_of(16, 1, 1).find("gemm_col2im"), std::string::npos) << "Cin/g 16: phase";
  } else {
    EXPECT_NE(one.find(widened), std::string::npos) << one;
  }
}

// A forced route and a forced kernel of the other element type disagree.
TEST(BFloat16Plan, ARouteAndAKernelOfTheOtherTypeAreRefused) {
  const Case c = MakeCase(5);
  const ConstTensorView w(c.wf.data(), ConvTransposeWeightShape(c.d));
  std::string bf16_kernel, f32_kernel;
  for (const kernels::KernelInfo& k : kernels::ActiveKernels()) {
    if (IsRowKernel(k) && bf16_kernel.empty()) bf16_kernel = k.name;
    if (k.dtype == DType::kF32 && f32_kernel.empty()) f32_kernel = k.name;
  }
  PlanOptions o;
  o.algo = "phase";
  o.dtype = DataType::kBFloat16;
  Status st;
  o.phase.bf16_compute = PhaseTuning::Bf16Compute::kWiden;
  o.phase.kernel = bf16_kernel;
  EXPECT_FALSE(Plan::Create(c.d, w, ConstTensorView(), o, &st));
  EXPECT_NE(st.message().find("runs phase's f32 kernels"), std::string::npos) << st.message();
  o.phase.bf16_compute = PhaseTuning::Bf16Compute::kDot;
  o.phase.kernel = f32_kernel;
  EXPECT_FALSE(Plan::Create(c.d, w, ConstTensorView(), o, &st));
  EXPECT_NE(st.message().find("the plan bf16"), std::string::npos) << st.message();
}

// A weight that rounds past the largest bf16 (to Inf): the kernels would
// multiply padding by it (0 x Inf = NaN), so ref runs and says so.
TEST(BFloat16Plan, AWeightThatRoundsToInfRunsRef) {
  Case c = MakeCase(42);
  c.wf[0] = 3.4e38f;  // finite in f32, Inf in bf16
  c.w[0] = ToBFloat16(c.wf[0]);
  ASSERT_TRUE(std::isinf(ToFloat(c.w[0])));
  c.ref = RefOf(c.d, c.x, c.w, c.b);
  PlanOptions o;
  o.dtype = DataType::kBFloat16;
  Status st;
  auto plan = Plan::Create(c.d, ConstTensorView(c.wf.data(), ConvTransposeWeightShape(c.d)), ConstTensorView(), o, &st);
  ASSERT_TRUE(plan) << st.message();
  EXPECT_EQ(plan->algorithm(), "ref");
  EXPECT_NE(plan->note().find("non-finite"), std::string::npos) << plan->note();
  std::vector<float> y(c.ref.size());
  c.b.clear();
  c.ref = RefOf(c.d, c.x, c.w, c.b);
  ASSERT_TRUE(plan->Run(ConstBF16View(c.x.data(), ConvTransposeInputShape(c.d)),
                        TensorView(y.data(), ConvTransposeOutputShape(c.d))).ok());
  for (size_t i = 0; i < y.size(); ++i) {
    if (std::isnan(c.ref[i])) {
      EXPECT_TRUE(std::isnan(y[i])) << i;
    } else {
      EXPECT_EQ(y[i], c.ref[i]) << i;
    }
  }
}

}  // namespace
}  // namespace tconv
