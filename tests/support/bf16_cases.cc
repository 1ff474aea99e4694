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

namespace {

// (n, c, p) elements -> (n, p, c), or back (to_last false).
template <typename T>
std::vector<T> Permute(const std::vector<T>& v, int64_t n, int64_t c, bool to_last) {
  const int64_t p = static_cast<int64_t>(v.size()) / (n * c);
  std::vector<T> out(v.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t q = 0; q < p; ++q) {
        const size_t first = static_cast<size_t>((i * c + ch) * p + q), last = static_cast<size_t>((i * p + q) * c + ch);
        out[to_last ? last : first] = v[to_last ? first : last];
      }
  return out;
}

}  // namespace

bool RunBf16Case(const Bf16Case& c, PlanOptions o, const std::string& repro, std::vector<float>* y,
                 std::string* kernel) {
  o.dtype = DataType::kBFloat16;
  o.threads = 1;
  Status st;
  const ConstTensorView b = c.b.empty() ? ConstTensorView() : ConstTensorView(c.b.data(), {c.d.out_channels});
  auto plan = Plan::Create(c.d, ConstTensorView(c.wf.data(), ConvTransposeWeightShape(c.d)), b, o, &st);
  if (!plan) return false;
  *kernel = plan->kernel();
  // Channels last: x in, and y out of, the plan's layout; compared channels first.
  const bool last = o.layout == Layout::kNHWC;
  const int64_t n = c.d.batch, cin = c.d.in_channels, cout = c.d.out_channels;
  const std::vector<BFloat16> x = last ? Permute(c.x, n, cin, true) : c.x;
  const Shape xs = plan->input_shape(), ys = plan->output_shape();
  auto run_f32 = [&](const Plan& p, std::vector<float>* out) {
    std::vector<float> raw(c.ref.size(), std::numeric_limits<float>::quiet_NaN());
    EXPECT_TRUE(p.Run(ConstBF16View(x.data(), xs), TensorView(raw.data(), ys)).ok()) << repro;
    *out = last ? Permute(raw, n, cout, false) : raw;
  };
  run_f32(*plan, y);
  int bad = 0;
  for (size_t i = 0; i < y->size(); ++i)
    if (!(std::fabs((*y)[i] - c.ref[i]) <= c.bound[i]) && bad++ < 3)
      ADD_FAILURE() << repro << ": y[" << i << "] = " << (*y)[i] << ", ref " << c.ref[i] << ", bound " << c.bound[i];
  std::vector<BFloat16> ybf(y->size(), BFloat16{0x7FC1});  // a NaN no rounding gives
  EXPECT_TRUE(plan->Run(ConstBF16View(x.data(), xs), BF16View(ybf.data(), ys)).ok());
  if (last) ybf = Permute(ybf, n, cout, false);
  for (size_t i = 0; i < y->size() && bad < 3; ++i)
    if (ybf[i].bits != ToBFloat16((*y)[i]).bits && bad++ < 3) ADD_FAILURE() << repro << ": bf16 y[" << i << "]";
  o.threads = 2;
  auto plan2 = Plan::Create(c.d, ConstTensorView(c.wf.data(), ConvTransposeWeightShape(c.d)), b, o, &st);
  EXPECT_TRUE(plan2) << repro;
  if (!plan2) return true;
  std::vector<float> y2;
  run_f32(*plan2, &y2);
  EXPECT_EQ(std::memcmp(y2.data(), y->data(), y->size() * 4), 0) << repro << " threads 2";
  return true;
}

}  // namespace testing
}  // namespace tconv
