// The routes that widen bf16 and int8 to f32, in chunks of groups
// (src/algo/group_chunks.h), and the bf16_round kernel the bf16 one rounds
// y with, at every ISA.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "src/base/bf16.h"
#include "src/kernels/phase_bf16_kernels.h"
#include "src/kernels/registry.h"
#include "tconv/bfloat16.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/int8_cases.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using Bf16Round = testing::IsaTest;

// Bf16Bits on every value, for every length 0..40 (whole vectors and
// tails): ties to even both ways, the largest finite values (rounding to
// Inf), Inf, NaN (to 0x7FC0), denormals, signed zeros, random floats.
TEST_P(Bf16Round, IsBf16BitsOnEveryValueAndLength) {
  const kernels::KernelInfo* k = kernels::FindKernel(kernels::KernelOp::kBf16Round, DType::kBF16, 0, 0);
  ASSERT_NE(k, nullptr);
  const auto round = k->As<kernels::Bf16RoundFn>();
  auto from_bits = [](uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  };
  std::vector<float> v = {0.0f, -0.0f, 1.0f, from_bits(0x3F808000u), from_bits(0x3F818000u), from_bits(0x3F80C000u),
                          from_bits(0x7F7FFFFFu), from_bits(0xFF7FFFFFu), std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                          from_bits(0xFF800001u), from_bits(0x00000001u), from_bits(0x807FFFFFu), from_bits(0x00018000u)};
  std::vector<float> r(200);
  testing::FillUniform(&r, 5);
  for (float& e : r) e *= 1e3f;
  v.insert(v.end(), r.begin(), r.end());
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t at = 0; at + n <= v.size(); at += 13) {
      std::vector<uint16_t> got(n + 1, 0xABCD);
      round(v.data() + at, static_cast<int64_t>(n), got.data());
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(got[i], Bf16Bits(v[at + i])) << k->name << " n " << n << " value " << v[at + i];
      ASSERT_EQ(got[n], 0xABCD) << k->name << ": wrote past n = " << n;
    }
  }
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Bf16Round);

// bf16_round is no phase kernel: a plan forced to it is refused with the
// reason (it once divided by its zero Cout block), bf16 or f32.
TEST(Bf16Round, AsAPlansKernelIsRefused) {
  const std::string name = kernels::FindKernel(kernels::KernelOp::kBf16Round, DType::kBF16, 0, 0)->name;
  const ConvDesc d = testing::Square2D(1, 8, 8, 6, 6, 4, 2, 1);
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 0.5f);
  PlanOptions o;
  o.algo = "phase";
  o.phase.kernel = name;
  for (DataType dt : {DataType::kBFloat16, DataType::kFloat32}) {
    for (auto route : {PhaseTuning::Bf16Compute::kAuto, PhaseTuning::Bf16Compute::kDot}) {
      o.dtype = dt;
      o.phase.bf16_compute = route;
      Status st;
      EXPECT_FALSE(Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)), ConstTensorView(), o, &st));
      EXPECT_NE(st.message().find(name), std::string::npos) << st.message();
    }
  }
}

std::vector<BFloat16> Rounded(const std::vector<float>& v) {
  std::vector<BFloat16> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = ToBFloat16(v[i]);
  return r;
}

// Grouped layers too large for one cache-sized chunk: the route runs
// chunks of groups (its kernel name says how many), and its f32 y is bit
// for bit the f32 plan's on the widened x and w (each chunk's plan runs the
// same kernel on the same per-group problem); bf16 y is that rounded once;
// 2 threads give the same bits; the bias reaches every chunk.
TEST(Bf16WidenedChunks, AreTheF32PlanOnWidenedValues) {
  const ConvDesc layers[] = {
      testing::Square2D(1, 64, 64, 32, 32, 4, 2, 1, 0, 64),  // depthwise: 16 of 64 groups a chunk
      testing::Square2D(2, 32, 16, 48, 48, 3, 2, 1, 1, 8),   // 4 in, 2 out per group, 2 images
  };
  const char* const chunks[] = {"16 groups at a time", "4 groups at a time"};
  for (size_t li = 0; li < 2; ++li) {
    const ConvDesc& d = layers[li];
    const std::string repro = testing::Repro(d, li);
    std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d))),
        b(static_cast<size_t>(d.out_channels));
    testing::FillUniform(&x, 3 + li);
    testing::FillUniform(&w, 4 + li);
    testing::FillUniform(&b, 5 + li);
    const std::vector<BFloat16> xb = Rounded(x), wb = Rounded(w);
    std::vector<float> xw, ww;
    for (BFloat16 e : xb) xw.push_back(ToFloat(e));
    for (BFloat16 e : wb) ww.push_back(ToFloat(e));
    const Shape xs = ConvTransposeInputShape(d), ys = ConvTransposeOutputShape(d);
    const ConstTensorView wv(ww.data(), ConvTransposeWeightShape(d)), bv(b.data(), {d.out_channels});
    PlanOptions o;
    o.algo = "phase";
    Status st;
    auto f32 = Plan::Create(d, wv, bv, o, &st);
    ASSERT_TRUE(f32) << repro << ": " << st.message();
    const size_t ny = static_cast<size_t>(NumElements(ys));
    std::vector<float> want(ny, std::numeric_limits<float>::quiet_NaN());
    ASSERT_TRUE(f32->Run(ConstTensorView(xw.data(), xs), TensorView(want.data(), ys)).ok());

    o.dtype = DataType::kBFloat16;
    o.phase.bf16_compute = PhaseTuning::Bf16Compute::kWiden;
    for (int threads : {1, 2}) {
      o.threads = threads;
      auto plan = Plan::Create(d, wv, bv, o, &st);
      ASSERT_TRUE(plan) << repro << ": " << st.message();
      EXPECT_NE(plan->kernel().find(chunks[li]), std::string::npos) << repro << ": " << plan->kernel();
      EXPECT_NE(plan->kernel().find(f32->kernel()), std::string::npos) << repro << ": " << plan->kernel();
      std::vector<float> y(ny, std::numeric_limits<float>::quiet_NaN());
      ASSERT_TRUE(plan->Run(ConstBF16View(xb.data(), xs), TensorView(y.data(), ys)).ok());
      ASSERT_EQ(std::memcmp(y.data(), want.data(), ny * 4), 0) << repro << ", threads " << threads;
      std::vector<BFloat16> ybf(ny, BFloat16{0x7FC0});
      ASSERT_TRUE(plan->Run(ConstBF16View(xb.data(), xs), BF16View(ybf.data(), ys)).ok());
      for (size_t i = 0; i < ny; ++i)
        ASSERT_EQ(ybf[i].bits, ToBFloat16(want[i]).bits) << repro << ", threads " << threads << ", y[" << i << "]";
    }
    // And the f32 plan itself is the reference's within f32 rounding.
    Tensor ref(ys);
    ASSERT_TRUE(ConvTransposeRef(d, ConstTensorView(xw.data(), xs), wv, bv, ref.view()).ok());
    for (size_t i = 0; i < ny; ++i) ASSERT_NEAR(want[i], ref.data[i], 1e-4f * (1.0f + std::fabs(ref.data[i]))) << i;
  }
}

// The int8 route in chunks: bit for bit the integer reference, for u8 and
// s8 x, u8, s8 and f32 y, per-tensor and per-channel scales (the cases'
// quantization, on these layers), at 1 and 2 threads.
TEST(Int8WidenedChunks, MatchTheIntegerReferenceBitForBit) {
  const ConvDesc layers[] = {testing::Square2D(1, 64, 64, 32, 32, 4, 2, 1, 0, 64),
                             testing::Square2D(2, 32, 16, 48, 48, 3, 2, 1, 1, 8)};
  int chunked = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    testing::Case c = testing::MakeCase(seed);
    c.d = layers[seed % 2];
    std::mt19937_64 rng(seed);
    c.x.resize(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))));
    c.w.resize(static_cast<size_t>(NumElements(ConvTransposeWeightShape(c.d))));
    for (uint8_t& v : c.x) v = static_cast<uint8_t>(rng());
    for (int8_t& v : c.w) v = static_cast<int8_t>(rng());
    if (!c.b.empty()) {
      c.b.resize(static_cast<size_t>(c.d.out_channels));
      for (int32_t& v : c.b) v = static_cast<int32_t>(rng() % 40001) - 20000;
    }
    if (c.q.w_scale.size() > 1) c.q.w_scale.resize(static_cast<size_t>(c.d.out_channels), 0.0042f);
    const std::vector<uint8_t> ref = testing::Reference(c);
    for (int threads : {1, 2}) {
      Status st;
      auto plan = testing::MakePlan(c, "phase", threads, &st, testing::Route(PhaseTuning::Int8Compute::kWiden));
      ASSERT_TRUE(plan) << st.message();
      const bool is_chunked = plan->kernel().find("groups at a time") != std::string::npos;
      EXPECT_TRUE(is_chunked) << plan->kernel();
      chunked += is_chunked;
      std::vector<uint8_t> y(ref.size(), threads == 1 ? 0x5A : 0xA5);
      ASSERT_TRUE(
          plan->Run(ConstQuantView(c.x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()}).ok());
      ASSERT_TRUE(y == ref) << plan->kernel() << " threads=" << threads << " x " << QuantTypeName(c.q.x_type) << " y "
                            << QuantTypeName(c.q.y_type) << " " << testing::Repro(c.d, seed);
    }
  }
  EXPECT_EQ(chunked, 24);
}

}  // namespace
}  // namespace tconv
