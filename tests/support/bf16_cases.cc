// See bf16_cases.h.
#include "tests/support/bf16_cases.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace testing {

std::vector<BFloat16> Round(const std::vector<float>& v) {
  std::vector<BFloat16> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = ToBFloat16(v[i]);
  return r;
}

std::vector<float> RefOf(const ConvDesc& d, const std::vector<BFloat16>& x, const std::vector<BFloat16>& w,
                         const std::vector<float>& b) {
  Tensor y(ConvTransposeOutputShape(d));
  const Status st = ConvTransposeRefBF16(d, ConstBF16View(x.data(), ConvTransposeInputShape(d)),
                                         ConstBF16View(w.data(), ConvTransposeWeightShape(d)),
                                         b.empty() ? ConstTensorView() : ConstTensorView(b.data(), {d.out_channels}),
                                         y.view());
  EXPECT_TRUE(st.ok()) << st.message();
  return y.data;
}

Bf16Case MakeBf16CaseOf(const ConvDesc& d, uint64_t seed) {
  Bf16Case c;
  c.d = d;
  std::vector<float> x(NumElements(ConvTransposeInputShape(c.d))), w(NumElements(ConvTransposeWeightShape(c.d)));
  FillUniform(&x, seed);
  FillUniform(&w, seed + 1);
  if (seed % 2) {
    c.b.resize(c.d.out_channels);
    FillUniform(&c.b, seed + 2);
  }
  c.x = Round(x);
  c.w = Round(w);
  for (BFloat16 v : c.w) c.wf.push_back(ToFloat(v));
  c.ref = RefOf(c.d, c.x, c.w, c.b);
  // sum |terms|: the reference on the absolute values.
  auto abs16 = [](std::vector<BFloat16> v) {
    for (BFloat16& e : v) e.bits &= 0x7FFF;
    return v;
  };
  std::vector<float> babs = c.b;
  for (float& e : babs) e = std::fabs(e);
  const std::vector<float> mag = RefOf(c.d, abs16(c.x), abs16(c.w), babs);
  const double n = static_cast<double>(c.d.in_channels / c.d.groups) *
                   static_cast<double>(NumElements(ConvTransposeWeightShape(c.d))) /
                   static_cast<double>(c.d.in_channels * (c.d.out_channels / c.d.groups));
  for (float m : mag) c.bound.push_back(static_cast<float>((n + 2) * std::ldexp(1.0, -24) * m) + 1e-30f);
  return c;
}

Bf16Case MakeBf16Case(uint64_t seed) { return MakeBf16CaseOf(RandomConvTransposeDesc(seed), seed); }

bool RunBf16Case(const Bf16Case& c, PlanOptions o, const std::string& repro, std::vector<float>* y,
                 std::string* kernel) {
  o.dtype = DataType::kBFloat16;
  o.threads = 1;
  Status st;
  const ConstTensorView b = c.b.empty() ? ConstTensorView() : ConstTensorView(c.b.data(), {c.d.out_channels});
  auto plan = Plan::Create(c.d, ConstTensorView(c.wf.data(), ConvTransposeWeightShape(c.d)), b, o, &st);
  if (!plan) return false;
  *kernel = plan->kernel();
  const Shape xs = ConvTransposeInputShape(c.d), ys = ConvTransposeOutputShape(c.d);
  y->assign(c.ref.size(), std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(plan->Run(ConstBF16View(c.x.data(), xs), TensorView(y->data(), ys)).ok()) << repro;
  int bad = 0;
  for (size_t i = 0; i < y->size(); ++i)
    if (!(std::fabs((*y)[i] - c.ref[i]) <= c.bound[i]) && bad++ < 3)
      ADD_FAILURE() << repro << ": y[" << i << "] = " << (*y)[i] << ", ref " << c.ref[i] << ", bound " << c.bound[i];
  std::vector<BFloat16> ybf(y->size(), BFloat16{0x7FC0});
  EXPECT_TRUE(plan->Run(ConstBF16View(c.x.data(), xs), BF16View(ybf.data(), ys)).ok());
  for (size_t i = 0; i < y->size() && bad < 3; ++i)
    if (ybf[i].bits != ToBFloat16((*y)[i]).bits && bad++ < 3) ADD_FAILURE() << repro << ": bf16 y[" << i << "]";
  o.threads = 2;
  auto plan2 = Plan::Create(c.d, ConstTensorView(c.wf.data(), ConvTransposeWeightShape(c.d)), b, o, &st);
  std::vector<float> y2(y->size(), std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(plan2 && plan2->Run(ConstBF16View(c.x.data(), xs), TensorView(y2.data(), ys)).ok());
  EXPECT_EQ(std::memcmp(y2.data(), y->data(), y->size() * 4), 0) << repro << " threads 2";
  return true;
}

}  // namespace testing
}  // namespace tconv
