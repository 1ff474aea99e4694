// int8 plans (PlanOptions::dtype kInt8) against the integer reference
// ConvTransposeRefInt8, bit for bit, over a seeded random sweep (1-3-D,
// groups incl. depthwise, dilation, asymmetric and negative pads, output
// padding): phase by each of its routes (lanes, widened to f32, int16 dot
// and rows), ref and auto, 1 and 2 threads, u8 and s8 x, u8, s8 and
// f32 y, per-tensor and per-channel scales, zero points at the type's
// limits, multipliers with exact ties, and saturation at both ends (counted
// over the sweep), at every ISA. Outputs start as a fill pattern, twice with different
// patterns, so an output a plan forgets fails. Also what int8 plans refuse.
// (Channels last: int8_channels_last_test.cc.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "src/algo/phase_int8.h"
#include "src/geom3.h"
#include "src/kernels/registry.h"
#include "tconv/plan.h"
#include "tconv/quant.h"
#include "tconv/reference.h"
#include "tests/support/int8_cases.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using testing::BiasOf;
using testing::Case;
using testing::MakeCase;
using testing::MakePlan;
using testing::Reference;
using testing::YBytes;

// At every ISA, every route of phase (PhaseTuning::int8_compute) that runs
// there, auto and ref.
using Int8PlanIsa = testing::IsaTest;

struct Variant {
  const char* algo;
  PhaseTuning tuning;
  int64_t ran = 0;
};

TEST_P(Int8PlanIsa, SweepMatchesIntegerReferenceBitForBit) {
  using C = PhaseTuning::Int8Compute;
  const bool lanes = kernels::FindKernel(kernels::KernelOp::kPhaseInt8Vnni, DType::kI8) != nullptr;
  std::vector<Variant> variants = {{"ref", PhaseTuning()},
                                   {"gemm_col2im", PhaseTuning()},
                                   {"auto", PhaseTuning()},
                                   {"phase", testing::Route(C::kInt16)},
                                   {"phase", testing::Route(C::kWiden)},
                                   {"phase", testing::Route(C::kLanes)}};
  int64_t at_min = 0, at_max = 0, outputs = 0, dot = 0, rows = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    const Case c = MakeCase(seed);
    const std::vector<uint8_t> ref = Reference(c);
    if (c.q.y_type != QuantType::kFloat32) {
      const int lo = QuantTypeMin(c.q.y_type), hi = QuantTypeMax(c.q.y_type);
      for (uint8_t v : ref) {
        const int e = c.q.y_type == QuantType::kUInt8 ? v : static_cast<int8_t>(v);
        at_min += e == lo;
        at_max += e == hi;
      }
      outputs += static_cast<int64_t>(ref.size());
    }
    const bool exact = Int8WidenIsExact(MakeGeom3(c.d, GeomOp::kConvTranspose));
    for (Variant& v : variants) {
      if (v.tuning.int8_compute == C::kWiden && !exact) continue;
      if (v.tuning.int8_compute == C::kLanes && !lanes) continue;
      const int threads = 1 + static_cast<int>(seed % 2);
      Status st;
      auto plan = MakePlan(c, v.algo, threads, &st, v.tuning);
      ASSERT_TRUE(plan) << st.message() << " " << testing::Repro(c.d, seed);
      EXPECT_EQ(plan->algorithm(), std::string(v.algo) == "auto" ? "phase" : v.algo);
      if (v.tuning.int8_compute == C::kInt16) {
        dot += plan->kernel() == std::string("i8_phase_dot__") + isa();
        rows += plan->kernel().rfind("i8_phase_rows", 0) == 0;
      }
      std::vector<uint8_t> y(ref.size(), threads == 1 ? 0x5A : 0xA5);
      ASSERT_TRUE(
          plan->Run(ConstQuantView(c.x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()}).ok());
      ASSERT_TRUE(y == ref) << v.algo << " route " << static_cast<int>(v.tuning.int8_compute) << " " << plan->kernel()
                            << " threads=" << threads << " x " << QuantTypeName(c.q.x_type) << " y "
                            << QuantTypeName(c.q.y_type) << " " << testing::Repro(c.d, seed);
      ++v.ran;
    }
  }
  EXPECT_GT(dot, 150);  // both int16 paths ran
  EXPECT_GT(rows, 150);
  EXPECT_EQ(variants[1].ran, 400);  // gemm_col2im
  EXPECT_GT(variants[4].ran, 200);  // widened: most of these small layers are exact
  EXPECT_EQ(variants[5].ran, lanes ? 400 : 0);
  // Saturation at both ends happened, and not everywhere (zero points at
  // a limit saturate half the outputs by design).
  EXPECT_GT(at_min, 100);
  EXPECT_GT(at_max, 100);
  EXPECT_LT(at_min + at_max, outputs * 3 / 4);
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Int8PlanIsa);

// Ties: M = 0.5 exactly, odd accumulators land on .5 and must go to even.
TEST(Int8Plan, TiesRoundToEven) {
  Case c = MakeCase(7);
  c.q.y_type = QuantType::kInt8, c.q.y_zero_point = 0;
  c.q.x_scale = 0.5f, c.q.w_scale = {1.0f}, c.q.y_scale = 64.0f;  // M = 1/128
  c.b.assign(static_cast<size_t>(c.d.out_channels), 64);          // pushes many sums onto ties
  const std::vector<uint8_t> ref = Reference(c);
  Status st;
  auto plan = MakePlan(c, "phase", 1, &st);
  ASSERT_TRUE(plan) << st.message();
  std::vector<uint8_t> y(ref.size());
  ASSERT_TRUE(
      plan->Run(ConstQuantView(c.x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()}).ok());
  EXPECT_TRUE(y == ref);
}

TEST(Int8Plan, Refusals) {
  const Case c = MakeCase(11);
  Status st;
  for (const char* algo : {"gather", "zero_insert"}) {
    EXPECT_FALSE(MakePlan(c, algo, 1, &st));
    EXPECT_EQ(st.message(),
              std::string("algorithm ") + algo + " does not compute int8; int8: auto, phase, gemm_col2im or ref");
  }
  PlanOptions o;
  const ConstI8View w(c.w.data(), ConvTransposeWeightShape(c.d));
  o.dtype = DataType::kFloat32;
  EXPECT_FALSE(Plan::Create(c.d, w, BiasOf(c), c.q, o, &st));
  EXPECT_EQ(st.message(), "int8 weights need options.dtype int8 (got f32)");
  o.dtype = DataType::kInt8;
  QuantParams bad = c.q;
  bad.x_zero_point = 1000;
  EXPECT_FALSE(Plan::Create(c.d, w, BiasOf(c), bad, o, &st));
  EXPECT_NE(st.message().find("x_zero_point must be in"), std::string::npos) << st.message();
  // The float Create refuses dtype int8.
  std::vector<float> wf(c.w.begin(), c.w.end());
  EXPECT_FALSE(Plan::Create(c.d, ConstTensorView(wf.data(), w.shape), ConstTensorView(), o, &st));
  EXPECT_NE(st.message().find("dtype int8 takes int8 weights"), std::string::npos) << st.message();
  // The int32 accumulator bound: Cin/g * prod(k) products.
  ConvDesc big;
  big.ndim = 2, big.batch = 1, big.in_channels = 8192, big.out_channels = 1, big.in = {1, 1, 1};
  big.kernel = {3, 3, 1};
  std::vector<int8_t> wb(static_cast<size_t>(NumElements(ConvTransposeWeightShape(big))));
  QuantParams q;
  EXPECT_FALSE(Plan::Create(big, ConstI8View(wb.data(), ConvTransposeWeightShape(big)), ConstI32View(), q, o, &st));
  EXPECT_EQ(st.message(),
            "int8: an output may sum Cin/groups x its taps = 73728 products, more than the int32 "
            "accumulator holds (65793)");
  // Views of the wrong kind.
  auto plan = MakePlan(c, "phase", 1, &st);
  ASSERT_TRUE(plan);
  ASSERT_NE(plan->quant(), nullptr);
  EXPECT_EQ(plan->dtype(), DataType::kInt8);
  Tensor xf(plan->input_shape()), yf(plan->output_shape());
  EXPECT_EQ(plan->Run(xf.cview(), yf.view()).message(), "the plan computes int8: x must be a ConstQuantView");
  std::vector<uint8_t> y(YBytes(c));
  EXPECT_FALSE(
      plan->Run(ConstQuantView(c.x.data(), plan->output_shape()), QuantView{y.data(), plan->output_shape()}).ok());
}

TEST(Int8Plan, EstimatesNameTheInt8KernelAndRefuseTheRest) {
  const Case c = MakeCase(5);
  for (const AlgorithmEstimate& e : EstimateAlgorithms(c.d, DataType::kInt8)) {
    if (e.name == "phase") {
      EXPECT_TRUE(e.refused.empty());
      EXPECT_NE(e.kernel.find("i8_"), std::string::npos) << e.kernel;  // an int8 kernel or route
    } else if (e.name == "ref" || e.name == "gemm_col2im") {
      EXPECT_TRUE(e.refused.empty());
    } else {
      EXPECT_EQ(e.refused, e.name + " computes f32 only");
    }
  }
  std::string why;
  EXPECT_EQ(AutoAlgorithm(c.d, &why, 0, 1, DataType::kInt8), "phase");
}

// gemm_col2im takes the input channels kInt8WidenMaxProducts at a time (each
// column entry an exact f32 integer) and adds the columns in int32: layers
// with more channels than that are exact too.
TEST(Int8Plan, GemmCol2ImSumsManyChannelsExactly) {
  int64_t ran = 0;
  for (uint64_t seed = 1; ran < 4 && seed < 200; ++seed) {
    const Case c = MakeCase(seed, 2 * kInt8WidenMaxProducts + 37, 3);
    int64_t products = c.d.in_channels / c.d.groups;
    for (int a = 0; a < c.d.ndim; ++a) products *= c.d.kernel[a];
    if (products > kMaxInt8Products) continue;
    Status st;
    auto plan = MakePlan(c, "gemm_col2im", 1 + static_cast<int>(seed % 2), &st);
    ASSERT_TRUE(plan) << st.message();
    std::vector<uint8_t> y(YBytes(c), 0x5A);
    ASSERT_TRUE(
        plan->Run(ConstQuantView(c.x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()}).ok());
    EXPECT_TRUE(y == Reference(c)) << testing::Repro(c.d, seed);
    ++ran;
  }
  EXPECT_EQ(ran, 4);
}

// The accumulator bound counts the taps that reach one output: 5000 input
// channels with a 4x4 kernel at stride 2 sum 5000 x 4 products per output
// (Cin/g x prod(k) = 80000 would pass the bound).
TEST(Int8Plan, TheBoundCountsTheTapsOfAnOutput) {
  Case c = MakeCase(2, 5000, 2);
  c.d = ConvDesc();
  c.d.ndim = 2, c.d.batch = 1, c.d.in_channels = 5000, c.d.out_channels = 2;
  c.d.in = {3, 2, 1}, c.d.kernel = {4, 4, 1}, c.d.stride = {2, 2, 1}, c.d.pad_begin = c.d.pad_end = {1, 1, 0};
  ASSERT_TRUE(ValidateConvTranspose(c.d).ok());
  c.x.assign(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))), 0);
  c.w.assign(static_cast<size_t>(NumElements(ConvTransposeWeightShape(c.d))), 0);
  for (size_t i = 0; i < c.x.size(); ++i) c.x[i] = static_cast<uint8_t>(i * 7919 % 256);
  for (size_t i = 0; i < c.w.size(); ++i) c.w[i] = static_cast<int8_t>(i * 104729 % 256);
  c.b.assign(2, 5);
  c.q.w_scale = {0.01f};
  const std::vector<uint8_t> ref = Reference(c);
  for (const char* algo : {"phase", "gemm_col2im"}) {
    Status st;
    auto plan = MakePlan(c, algo, 1, &st);
    ASSERT_TRUE(plan) << st.message();
    std::vector<uint8_t> y(ref.size(), 0x5A);
    ASSERT_TRUE(
        plan->Run(ConstQuantView(c.x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()}).ok());
    EXPECT_TRUE(y == ref) << algo;
  }
}

TEST(Int8Plan, EmptyBatch) {
  Case c = MakeCase(3);
  c.d.batch = 0;
  c.x.clear();
  Status st;
  auto plan = MakePlan(c, "auto", 1, &st);
  ASSERT_TRUE(plan) << st.message();
  EXPECT_TRUE(plan->Run(ConstQuantView(nullptr, plan->input_shape()), QuantView{nullptr, plan->output_shape()}).ok());
}

}  // namespace
}  // namespace tconv
