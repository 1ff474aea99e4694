// The f32 route of the int8 requantization (src/kernels/hwy/
// int8_round_f32-inl.h) on the values it must hand to double: the scales
// give M = 0.5 - 2^-47 exactly in double, whose float is 0.5, and the data
// (x within one of its zero point, weights in {-1, 0, 1}, small biases)
// keep the sums small, so every sum s = 3 (mod 4) lies 3 * 2^-47 below a
// half-integer: float's rounding of s * 0.5 would give one more than
// Requantize's. Every route that requantizes (the lanes kernels in both
// layouts, the depthwise kernel, the widened route, gemm_col2im) must
// match the integer reference bit for bit there, at every ISA.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "src/kernels/registry.h"
#include "tconv/plan.h"
#include "tests/support/int8_cases.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using testing::Case;

// c with the near-tie scales and small data (see the top).
Case NearTies(Case c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const bool s8_y = seed % 2 == 0;
  c.q.x_scale = 1.0f + 0x1p-23f;
  c.q.w_scale = {1.0f - 0x1p-23f};
  c.q.y_type = s8_y ? QuantType::kInt8 : QuantType::kUInt8;
  c.q.y_scale = 2.0f;
  c.q.y_zero_point = s8_y ? 0 : 128;
  const int32_t lo = QuantTypeMin(c.q.x_type), hi = QuantTypeMax(c.q.x_type);
  for (uint8_t& v : c.x) {
    const int32_t x = std::min(hi, std::max(lo, c.q.x_zero_point + static_cast<int32_t>(rng() % 3) - 1));
    v = static_cast<uint8_t>(x);
  }
  for (int8_t& v : c.w) v = static_cast<int8_t>(static_cast<int>(rng() % 3) - 1);
  c.b.resize(static_cast<size_t>(c.d.out_channels));
  for (int32_t& v : c.b) v = static_cast<int32_t>(rng() % 7) - 3;
  return c;
}

// How many of c's outputs sum to 3 (mod 4): the reference with y in f32
// and unit scales gives the sums themselves (small integers, exact).
int64_t Traps(Case c) {
  c.q.x_scale = 1.0f, c.q.w_scale = {1.0f}, c.q.y_type = QuantType::kFloat32;
  const std::vector<uint8_t> ref = testing::Reference(c);
  const float* s = reinterpret_cast<const float*>(ref.data());
  int64_t n = 0;
  for (size_t i = 0; i < ref.size() / sizeof(float); ++i) n += ((static_cast<int64_t>(s[i]) % 4) + 4) % 4 == 3;
  return n;
}

struct Route {
  std::string algo;
  PhaseTuning tuning;
  Layout layout;
};

// Every route the geometry of c can take: auto and gemm_col2im in both
// layouts, and each lanes kernel forced in both layouts.
std::vector<Route> Routes() {
  std::vector<Route> out;
  for (Layout l : {Layout::kNCHW, Layout::kNHWC}) {
    out.push_back({"auto", PhaseTuning(), l});
    out.push_back({"gemm_col2im", PhaseTuning(), l});
    for (const kernels::KernelInfo& k : kernels::ActiveKernels())
      if (k.op == kernels::KernelOp::kPhaseInt8Vnni || k.op == kernels::KernelOp::kPhaseInt8Amx)
        out.push_back({"phase", testing::Kernel(k.name), l});
  }
  return out;
}

using Int8NearTiesIsa = testing::IsaTest;

TEST_P(Int8NearTiesIsa, EveryRouteRoundsTheNearTiesAsTheReference) {
  int64_t traps = 0, ran = 0;
  std::vector<std::string> kernels_seen;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    // Dense (Cout 16-70, the lanes kernels), depthwise (the depthwise
    // kernel) and Cout 1-3 (the widened route).
    const int kind = static_cast<int>(seed % 3);
    const Case base =
        kind == 0
            ? testing::MakeCase(seed, 4 + static_cast<int64_t>(seed % 9), 16 + static_cast<int64_t>(seed * 7 % 55))
        : kind == 1 ? testing::MakeCase(seed, 1, 1, 17 + static_cast<int64_t>(seed * 5 % 40))
                    : testing::MakeCase(seed, 8 + static_cast<int64_t>(seed % 5), 1 + static_cast<int64_t>(seed % 3));
    const Case c = NearTies(base, seed);
    traps += Traps(c);
    const std::vector<uint8_t> ref = testing::Reference(c);
    for (const Route& r : Routes()) {
      Status st;
      auto plan = testing::MakePlan(c, r.algo, 1 + static_cast<int>(seed % 2), &st, r.tuning, r.layout);
      if (!plan) continue;  // a forced kernel or a padded copy this geometry cannot have
      const bool nhwc = r.layout == Layout::kNHWC;
      const std::vector<uint8_t> x = nhwc ? testing::BytesToChannelsLast(c.x, c.d.batch, c.d.in_channels, 1) : c.x;
      const std::vector<uint8_t> want = nhwc ? testing::BytesToChannelsLast(ref, c.d.batch, c.d.out_channels, 1) : ref;
      std::vector<uint8_t> y(want.size(), 0x5A);
      ASSERT_TRUE(
          plan->Run(ConstQuantView(x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()}).ok());
      ASSERT_TRUE(y == want) << r.algo << " " << plan->kernel() << (nhwc ? " nhwc" : " nchw") << " "
                             << testing::Repro(c.d, seed);
      kernels_seen.push_back(plan->kernel());
      ++ran;
    }
  }
  // The data made the traps (a few hundred outputs), and the routes ran.
  EXPECT_GT(traps, 300);
  EXPECT_GT(ran, 24 * 3);
  auto seen = [&](const std::string& prefix) {
    for (const std::string& k : kernels_seen)
      if (k.find(prefix) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(seen("i8_dw_nhwc_row"));
  EXPECT_TRUE(seen("widened"));
  bool vnni = false;  // the lanes kernels exist at this ISA on this CPU
  for (const kernels::KernelInfo& k : kernels::ActiveKernels())
    vnni = vnni || k.op == kernels::KernelOp::kPhaseInt8Vnni;
  EXPECT_EQ(seen("i8_phase_vnni"), vnni);
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Int8NearTiesIsa);

}  // namespace
}  // namespace tconv
