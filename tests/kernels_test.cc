// Every kernel of the kernel list (src/kernels/list.inc) at every ISA, bit
// for bit against the reference: the list drives this test as it drives
// dispatch, so a kernel added to the list is tested without touching this
// file. Phase task kernels are forced through PlanOptions::phase.kernel on
// geometries chosen to fit each kind (and declined, with a reason, on the
// others); every one must run on some geometry and report its name through
// Plan::kernel(). The pad kernel runs through the per-task padding of a
// depthwise plan, the channels-last depthwise kernel through an NHWC plan.
// Outputs start as NaN; threads 1 and 2 must agree bitwise.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "src/kernels/registry.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/channels_last.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using kernels::KernelInfo;
using kernels::KernelOp;

ConvDesc Grouped(ConvDesc d, int64_t groups) {
  d.groups = groups;
  return d;
}

// Geometries that every kind of phase kernel finds some of: Cout blocks of
// every size, one output channel per group (direct, strides 1-4 along x),
// k = s along x (Cout-block direct), depthwise k = s and 2s (weights in
// registers), dilation, 3-D, >= 4 images, and seeded random ones.
std::vector<ConvDesc> Geometries() {
  std::vector<ConvDesc> v;
  for (int64_t s = 1; s <= 4; ++s) {
    v.push_back(testing::Square2D(1, 3, 1, 6, 9, 3, s, 1, s > 1 ? 1 : 0));      // Cout 1, k = 3
    v.push_back(testing::Square2D(2, 5, 9, 4, 18, s, s, 0, 0));                 // k = s: column phases share taps
    v.push_back(Grouped(testing::Square2D(1, 4, 4, 7, 11, 2 * s, s, s / 2, 0), 4));  // depthwise k = 2s
    v.push_back(Grouped(testing::Square2D(1, 3, 3, 5, 6, s, s, 0, 0), 3));           // depthwise k = s
  }
  for (int64_t cout = 2; cout <= 8; ++cout) v.push_back(testing::Square2D(1, 3, cout, 5, 6, 4, 2, 1, 0));
  v.push_back(testing::Square2D(5, 8, 33, 5, 6, 3, 2, 1, 1));  // >= 4 images, channel tail
  ConvDesc dilated = testing::Square2D(1, 4, 3, 7, 6, 3, 3, 1, 0);
  dilated.dilation = {2, 2, 1};
  v.push_back(dilated);
  ConvDesc d3 = testing::Square2D(1, 3, 4, 3, 5, 2, 2, 0, 0);
  d3.ndim = 3;
  d3.in = {3, 3, 5};
  d3.kernel = d3.stride = {2, 2, 2};
  d3.pad_begin = d3.pad_end = d3.output_padding = {0, 0, 0};
  v.push_back(d3);
  // One output channel per group for the shifts kernel: stride 8 (1-D
  // tasnet-like k16, 2-D hed-like k16 p4 with an output tail), taps along
  // depth, dilation along y, two groups, a kernel shorter than the stride.
  v.push_back(testing::Desc1(2, 9, 1, 37, 16, 8, 0));
  v.push_back(testing::Square2D(1, 6, 1, 4, 21, 16, 8, 4, 3));
  v.push_back(testing::Desc3(1, 5, 1, {3, 4, 6}, 4, 2, 1));
  ConvDesc ydil = testing::Square2D(1, 6, 1, 6, 13, 5, 4, 2, 1);
  ydil.dilation = {2, 1, 1};
  v.push_back(ydil);
  v.push_back(testing::Square2D(2, 8, 2, 5, 19, 3, 8, 1, 0, 2));  // k < s: phases without taps
  // More input channels than one pass of the shifts kernel (kShiftChunk):
  // partial sums through its tile; 1-D read in place with padded ends.
  v.push_back(testing::Desc1(2, 70, 1, 301, 25, 4, 11, 1));
  v.push_back(testing::Square2D(1, 40, 1, 7, 23, 9, 3, 4, 2));
  for (uint64_t seed = 1; seed <= 40; ++seed) v.push_back(testing::RandomConvTransposeDesc(seed));
  return v;
}

// Runs `desc` through a plan with `opts`, NaN-filled output; compares with
// the reference bit for bit and threads 1 with 2. False when the plan
// declined (with *why).
bool CheckPlan(const ConvDesc& d, PlanOptions opts, uint64_t seed, const std::string& repro, std::string* kernel,
               std::string* why) {
  Tensor x(ConvTransposeInputShape(d)), w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
  const int bound = testing::SafeIntegerBound(d);
  testing::FillIntegers(&x.data, seed, bound);
  testing::FillIntegers(&w.data, seed + 1, bound);
  testing::FillIntegers(&b.data, seed + 2, bound);
  Tensor want(ConvTransposeOutputShape(d));
  EXPECT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), b.cview(), want.view()).ok());
  if (opts.layout == Layout::kNHWC) {
    x.data = testing::ToChannelsLast(x.data, d.batch, d.in_channels, x.numel() / (d.batch * d.in_channels));
    want.data = testing::ToChannelsLast(want.data, d.batch, d.out_channels,
                                        want.numel() / (d.batch * d.out_channels));
  }
  std::vector<float> first;
  for (int threads : {1, 2}) {
    opts.threads = threads;
    Status st;
    auto plan = Plan::Create(d, w.cview(), b.cview(), opts, &st);
    if (!plan) {
      *why = st.message();
      return false;
    }
    *kernel = plan->kernel();
    Tensor y(plan->output_shape(), NAN);
    Tensor xin(plan->input_shape());
    xin.data = x.data;
    EXPECT_TRUE(plan->Run(xin.cview(), y.view()).ok()) << repro;
    size_t bad = 0;
    for (size_t i = 0; i < y.data.size(); ++i)
      if (!(y.data[i] == want.data[i]) && bad++ < 3)
        ADD_FAILURE() << repro << " threads " << threads << ": y[" << i << "] = " << y.data[i] << ", ref "
                      << want.data[i];
    if (threads == 1) first = y.data;
    if (threads == 2) {
      EXPECT_EQ(std::memcmp(first.data(), y.data.data(), first.size() * 4), 0) << repro;
    }
  }
  return true;
}

bool IsPhaseTaskKernel(KernelOp op) {
  return op == KernelOp::kPhasePixels || op == KernelOp::kPhasePixelRows || op == KernelOp::kPhaseAll ||
         op == KernelOp::kPhaseDirect ||
         op == KernelOp::kPhaseDirectRows || op == KernelOp::kPhaseDirectCout || op == KernelOp::kPhaseDirectShifts ||
         op == KernelOp::kPhaseChannels;
}

using KernelList = testing::IsaTest;

TEST_P(KernelList, EveryPhaseKernelMatchesTheReference) {
  const std::vector<ConvDesc> geometries = Geometries();
  int kernels_run = 0;
  for (const KernelInfo& k : kernels::ActiveKernels()) {
    if (!IsPhaseTaskKernel(k.op)) continue;
    PlanOptions opts;
    opts.algo = "phase";
    opts.phase.kernel = k.name;
    int accepted = 0;
    std::string why;
    for (size_t i = 0; i < geometries.size(); ++i) {
      const ConvDesc& d = geometries[i];
      const std::string repro = testing::Repro(d, i) + " kernel=" + k.name;
      std::string ran;
      if (!CheckPlan(d, opts, 100 + i, repro, &ran, &why)) continue;
      EXPECT_EQ(ran, k.name) << repro;
      ++accepted;
      if (::testing::Test::HasFailure()) return;
    }
    EXPECT_GT(accepted, 0) << k.name << " ran on no geometry; last reason: " << why;
    std::printf("[ kernels  ] %s: %d of %zu geometries\n", k.name.c_str(), accepted, geometries.size());
    ++kernels_run;
  }
  EXPECT_GE(kernels_run, 20) << "the list has lost its phase kernels";
}

// A forced kernel that cannot run the layer fails the plan with the reason.
TEST_P(KernelList, AForcedKernelThatCannotRunTheLayerFailsThePlan) {
  const ConvDesc d = testing::Square2D(1, 3, 5, 4, 4, 3, 2, 1, 0);  // Cout 5, k != s
  Tensor w(ConvTransposeWeightShape(d));
  PlanOptions opts;
  opts.algo = "phase";
  opts.phase.kernel = "f32_phase_direct_s2_4x2";
  Status st;
  EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st), nullptr);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("needs one output channel per group"), std::string::npos) << st.message();
  opts.phase.kernel = "f32_no_such_kernel";
  EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st), nullptr);
  EXPECT_NE(st.message().find("no kernel named 'f32_no_such_kernel'"), std::string::npos) << st.message();
}

// The list's other kernels, through the planners that choose them.
TEST_P(KernelList, PadAndChannelsLastKernelsMatchTheReference) {
  for (const KernelInfo& k : kernels::ActiveKernels()) {
    if (IsPhaseTaskKernel(k.op)) continue;
    std::string ran, why;
    if (k.op == KernelOp::kPadVolume) {
      // dw_k4s2-like: one plane per task, padded by the task itself (no
      // workspace).
      const ConvDesc d = Grouped(testing::Square2D(2, 8, 8, 9, 8, 4, 2, 1, 0), 8);
      PlanOptions opts;
      opts.algo = "phase";
      ASSERT_TRUE(CheckPlan(d, opts, 7, testing::Repro(d, 7) + " kernel=" + k.name, &ran, &why)) << why;
      Tensor w(ConvTransposeWeightShape(d));
      Status st;
      EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st)->workspace_bytes(), 0) << k.name;
    } else if (k.op == KernelOp::kDwNhwcRow) {
      const ConvDesc d = Grouped(testing::Square2D(2, 37, 37, 5, 6, 3, 2, 1, 1), 37);
      PlanOptions opts;
      opts.algo = "phase";
      opts.layout = Layout::kNHWC;
      ASSERT_TRUE(CheckPlan(d, opts, 9, testing::Repro(d, 9) + " kernel=" + k.name, &ran, &why)) << why;
      EXPECT_EQ(ran, k.name);
    } else if (k.op == KernelOp::kDwNchwExpand) {
      // k3 s1 depthwise: stride 1 along x, which every target's lanes take,
      // the scalar target's one included (tests/depthwise_nchw_test.cc
      // sweeps the route at every ISA).
      const ConvDesc d = Grouped(testing::Square2D(2, 5, 5, 7, 9, 3, 1, 1, 0), 5);
      PlanOptions opts;
      opts.algo = "phase";
      opts.phase.kernel = k.name;
      ASSERT_TRUE(CheckPlan(d, opts, 11, testing::Repro(d, 11) + " kernel=" + k.name, &ran, &why)) << why;
      EXPECT_EQ(ran, k.name);
    } else if (k.dtype == DType::kBF16) {
      // tests/phase_bf16_sweep_test.cc runs every bf16 phase line at every
      // ISA, tests/gemm_col2im_bf16_test.cc bf16_gemm_amx and
      // tests/planes_to_words_test.cc the planes_to_words lines.
    } else if (k.dtype == DType::kI8) {
      // tests/int8_plan_test.cc runs the dot and requant lines at every ISA,
      // tests/int8_lanes_test.cc every vnni line and the AMX one,
      // tests/int8_channels_last_test.cc the depthwise line.
    } else {
      ADD_FAILURE() << k.name << ": no test runs this kind of kernel";
    }
  }
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(KernelList);

}  // namespace
}  // namespace tconv
