// Seeded random int8 cases: see int8_cases.h.
#include "tests/support/int8_cases.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace testing {

size_t YBytes(const Case& c) {
  return static_cast<size_t>(NumElements(ConvTransposeOutputShape(c.d))) * (c.q.y_type == QuantType::kFloat32 ? 4 : 1);
}

namespace {

int32_t PickZeroPoint(QuantType t, uint64_t k, std::mt19937_64* rng) {
  switch (k % 4) {
    case 0:
      return QuantTypeMin(t);
    case 1:
      return QuantTypeMax(t);
    default:
      return QuantTypeMin(t) + static_cast<int32_t>((*rng)() % 256);
  }
}

}  // namespace

Case MakeCase(uint64_t seed, int64_t cin_g, int64_t cout_g, int64_t groups) {
  Case c;
  c.d = RandomConvTransposeDesc(seed * 104729 + 3);
  if (groups > 0) {
    c.d.in_channels = c.d.in_channels / c.d.groups * groups;
    c.d.out_channels = c.d.out_channels / c.d.groups * groups;
    c.d.groups = groups;
  }
  // Half the cases get 8-12 input channels per group: phase's dot path
  // (Cin/g >= 8) runs them, its rows path the others.
  if (seed % 2 == 0) c.d.in_channels = c.d.groups * static_cast<int64_t>(8 + seed % 5);
  if (cin_g > 0) c.d.in_channels = c.d.groups * cin_g;
  if (cout_g > 0) c.d.out_channels = c.d.groups * cout_g;
  std::mt19937_64 rng(seed);
  QuantParams& q = c.q;
  q.x_type = seed % 2 ? QuantType::kUInt8 : QuantType::kInt8;
  q.y_type = seed % 3 == 0 ? QuantType::kUInt8 : seed % 3 == 1 ? QuantType::kInt8 : QuantType::kFloat32;
  q.x_zero_point = PickZeroPoint(q.x_type, seed / 2, &rng);
  q.x_scale = std::ldexp(1.0f, -static_cast<int>(rng() % 4));  // 1 .. 1/8
  if (seed % 5 == 0) {
    q.w_scale.assign(static_cast<size_t>(c.d.out_channels), 0.0f);
    for (float& s : q.w_scale) s = 0.001f + static_cast<float>(rng() % 1000) * 1e-4f;
  } else {
    q.w_scale = {seed % 4 == 0 ? 1.0f : 0.013f * static_cast<float>(1 + rng() % 50)};
  }
  if (q.y_type != QuantType::kFloat32) {
    q.y_zero_point = PickZeroPoint(q.y_type, seed / 3, &rng);
    // y_scale spreads the accumulators over about 2^(0..19) quanta per unit
    // of x_scale * w_scale: small ones saturate both ends, 0.5 makes ties.
    q.y_scale = seed % 4 == 0 ? 2.0f * q.x_scale : q.x_scale * static_cast<float>(1 << (rng() % 20)) * 0.37f;
  }
  c.x.resize(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))));
  c.w.resize(static_cast<size_t>(NumElements(ConvTransposeWeightShape(c.d))));
  for (uint8_t& v : c.x) v = static_cast<uint8_t>(rng());
  for (int8_t& v : c.w) v = static_cast<int8_t>(rng());
  if (seed % 3 != 2) {
    c.b.resize(static_cast<size_t>(c.d.out_channels));
    for (int32_t& v : c.b) v = static_cast<int32_t>(rng() % 40001) - 20000;
  }
  return c;
}

ConstI32View BiasOf(const Case& c) {
  return c.b.empty() ? ConstI32View() : ConstI32View(c.b.data(), {c.d.out_channels});
}

std::vector<uint8_t> Reference(const Case& c) {
  std::vector<uint8_t> y(YBytes(c));
  const Status st = ConvTransposeRefInt8(c.d, ConstQuantView(c.x.data(), ConvTransposeInputShape(c.d)),
                                         ConstI8View(c.w.data(), ConvTransposeWeightShape(c.d)), BiasOf(c), c.q,
                                         QuantView{y.data(), ConvTransposeOutputShape(c.d)});
  EXPECT_TRUE(st.ok()) << st.message();
  return y;
}

std::vector<uint8_t> BytesToChannelsLast(const std::vector<uint8_t>& v, int64_t n, int64_t c, size_t elem) {
  const int64_t p = static_cast<int64_t>(v.size() / elem) / (n * c);
  std::vector<uint8_t> out(v.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t q = 0; q < p; ++q)
        std::memcpy(&out[((i * p + q) * c + ch) * elem], &v[((i * c + ch) * p + q) * elem], elem);
  return out;
}

PhaseTuning Kernel(const std::string& name) {
  PhaseTuning t;
  t.kernel = name;
  return t;
}

PhaseTuning Route(PhaseTuning::Int8Compute route) {
  PhaseTuning t;
  t.int8_compute = route;
  return t;
}

std::unique_ptr<Plan> MakePlan(const Case& c, const std::string& algo, int threads, Status* st,
                               const PhaseTuning& tuning, Layout layout) {
  PlanOptions o;
  o.layout = layout;
  o.phase = tuning;
  o.dtype = DataType::kInt8;
  o.algo = algo;
  o.threads = threads;
  return Plan::Create(c.d, ConstI8View(c.w.data(), ConvTransposeWeightShape(c.d)), BiasOf(c), c.q, o, st);
}

}  // namespace testing
}  // namespace tconv
