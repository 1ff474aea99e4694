// bf16 (PlanOptions::dtype kBFloat16): the rounding itself (ties, Inf,
// NaN, overflow, denormals; the values torch gives), the plan's plumbing
// (which algorithms compute bf16, clear refusals, explain), and every bf16
// kernel of the list at every ISA against the bf16 reference
// (ConvTransposeRefBF16: the bf16 values widened exactly, double sums)
// over seeded random geometries (1-3-D, groups, dilation, pads), within
// the f32 accumulation bound; bf16 output is the f32 result rounded once;
// threads do not change a bit; vdpbf16ps and widening give the same bits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/base/bf16.h"
#include "src/kernels/registry.h"
#include "tconv/bfloat16.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Expected values from torch 1.13 (torch.tensor(f).bfloat16()).
TEST(BFloat16Rounding, NearestEvenLikeTorch) {
  const struct {
    uint32_t f32;
    uint16_t bf16;
  } cases[] = {
      {0x3F800000, 0x3F80}, {0x3F808000, 0x3F80},  // tie, even below: down
      {0x3F818000, 0x3F82},                        // tie, odd below: up
      {0x3F808001, 0x3F81}, {0x3F807FFF, 0x3F80}, {0xBF808000, 0xBF80}, {0xBF818000, 0xBF82},
      {0x7F7FFFFF, 0x7F80},  // the largest float rounds to Inf
      {0x7F7F7FFF, 0x7F7F}, {0x7F800000, 0x7F80}, {0xFF800000, 0xFF80},
      {0x00008000, 0x0000}, {0x00018000, 0x0002}, {0x80018000, 0x8002},  // denormal ties
      {0x00000000, 0x0000}, {0x80000000, 0x8000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ToBFloat16(FromBits(c.f32)).bits, c.bf16) << std::hex << c.f32;
    EXPECT_EQ(Bf16Bits(FromBits(c.f32)), c.bf16) << std::hex << c.f32;
  }
  for (uint32_t nan : {0x7FC00001u, 0xFFC00000u, 0x7F800001u, 0xFF800001u, 0x7FFFFFFFu}) {
    EXPECT_EQ(ToBFloat16(FromBits(nan)).bits, 0x7FC0) << std::hex << nan;
    EXPECT_EQ(Bf16Bits(FromBits(nan)), 0x7FC0) << std::hex << nan;
    EXPECT_TRUE(std::isnan(ToFloat(ToBFloat16(FromBits(nan)))));
  }
}

// The definition, in exact arithmetic: the nearer of the two neighbours,
// the even one on a tie; widening is exact. Sampled over all bit patterns.
TEST(BFloat16Rounding, NearestOfTheNeighboursOverSampledFloats) {
  for (uint64_t i = 0; i < (uint64_t{1} << 32); i += 4099) {
    const uint32_t u = static_cast<uint32_t>(i);
    const float f = FromBits(u);
    const uint16_t b = ToBFloat16(f).bits;
    ASSERT_EQ(b, Bf16Bits(f)) << std::hex << u;
    if (std::isnan(f)) continue;
    const uint16_t lo = static_cast<uint16_t>(u >> 16), hi = static_cast<uint16_t>(lo + 1);
    const double dlo = std::fabs(static_cast<double>(f) - ToFloat(BFloat16{lo}));
    // (hi may be past the largest finite bf16: Inf, whose distance is taken
    // as that of 2^128, IEEE's rule for overflow.)
    const double vhi = (hi & 0x7FFF) == 0x7F80 ? std::ldexp(std::copysign(1.0, f), 128) : ToFloat(BFloat16{hi});
    const double dhi = std::fabs(static_cast<double>(f) - vhi);
    const uint16_t want = dlo < dhi ? lo : dhi < dlo ? hi : (lo & 1) ? hi : lo;
    if ((lo & 0x7FFF) == 0x7F80) continue;  // f is +-Inf itself
    ASSERT_EQ(b, want) << std::hex << u;
    ASSERT_EQ(ToFloat(BFloat16{b}), RoundToBFloat16(f));
  }
}

ConvDesc Desc2D() { return testing::Square2D(2, 6, 5, 5, 4, 3, 2, 1, 1); }

std::unique_ptr<Plan> MakePlan(const ConvDesc& d, const PlanOptions& o, const std::vector<float>& w,
                               const std::vector<float>& b, Status* st) {
  return Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                      b.empty() ? ConstTensorView() : ConstTensorView(b.data(), {d.out_channels}), o, st);
}

TEST(BFloat16Plan, OnlyAlgorithmsThatComputeBf16AreTaken) {
  const ConvDesc d = Desc2D();
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 0.5f);
  PlanOptions o;
  o.dtype = DataType::kBFloat16;
  o.phase.bf16_compute = PhaseTuning::Bf16Compute::kDot;
  Status st;
  auto plan = MakePlan(d, o, w, {}, &st);
  ASSERT_TRUE(plan) << st.message();
  EXPECT_EQ(plan->algorithm(), "phase");
  EXPECT_EQ(plan->kernel().rfind("bf16_phase_", 0), 0u) << plan->kernel();
  EXPECT_EQ(plan->dtype(), DataType::kBFloat16);
  for (const char* algo : {"gather", "zero_insert"}) {
    o.algo = algo;
    EXPECT_EQ(MakePlan(d, o, w, {}, &st), nullptr) << algo;
    EXPECT_EQ(st.code(), StatusCode::kUnsupported);
    EXPECT_NE(st.message().find("computes f32 only"), std::string::npos) << st.message();
  }
  o.algo = "phase";
  o.phase.kernel = kernels::FindKernel(kernels::KernelOp::kPhasePixels, DType::kF32)->name;
  EXPECT_EQ(MakePlan(d, o, w, {}, &st), nullptr);
  EXPECT_NE(st.message().find("computes f32, the plan bf16"), std::string::npos) << st.message();
  // Without a forced route an f32 kernel means widening.
  o.phase.bf16_compute = PhaseTuning::Bf16Compute::kAuto;
  plan = MakePlan(d, o, w, {}, &st);
  ASSERT_TRUE(plan) << st.message();
  EXPECT_EQ(plan->kernel(), o.phase.kernel + " (bf16 widened to f32)");
}

TEST(BFloat16Plan, ViewsOfTheOtherTypeAreRefused) {
  const ConvDesc d = Desc2D();
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 0.5f);
  std::vector<float> xf(NumElements(ConvTransposeInputShape(d))), yf(NumElements(ConvTransposeOutputShape(d)));
  std::vector<BFloat16> xb(xf.size());
  PlanOptions o;
  Status st;
  auto f32 = MakePlan(d, o, w, {}, &st);
  o.dtype = DataType::kBFloat16;
  auto bf16 = MakePlan(d, o, w, {}, &st);
  ASSERT_TRUE(f32 && bf16);
  const Shape xs = ConvTransposeInputShape(d), ys = ConvTransposeOutputShape(d);
  st = f32->Run(ConstBF16View(xb.data(), xs), TensorView(yf.data(), ys));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("computes f32"), std::string::npos) << st.message();
  st = bf16->Run(ConstTensorView(xf.data(), xs), TensorView(yf.data(), ys));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("computes bf16"), std::string::npos) << st.message();
  st = bf16->Run(ConstBF16View(xb.data(), {1, 2, 3}), TensorView(yf.data(), ys));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

TEST(BFloat16Plan, ExplainReportsTheDtype) {
  const ConvDesc d = Desc2D();
  int refused = 0;
  for (const AlgorithmEstimate& e : EstimateAlgorithms(d, DataType::kBFloat16)) {
    if (e.name == "phase") {  // a bf16 kernel, or phase's f32 path on widened values
      EXPECT_TRUE(e.kernel.rfind("bf16_phase_", 0) == 0 || e.kernel.find(" (bf16 widened to f32)") != std::string::npos)
          << e.kernel;
    }
    if (e.name == "phase" || e.name == "gemm_col2im" || e.name == "ref") {
      EXPECT_TRUE(e.refused.empty()) << e.name;
    }
    refused += !e.refused.empty();
  }
  EXPECT_EQ(refused, 2);  // gather, zero_insert
  std::string why;
  EXPECT_EQ(AutoAlgorithm(d, &why, 0, 1, DataType::kBFloat16), "phase");
  for (const AlgorithmEstimate& e : EstimateAlgorithms(d)) EXPECT_TRUE(e.refused.empty());
}

}  // namespace
}  // namespace tconv
