// The library's upfront limits and hostile-input semantics (issue #14):
// checked and saturating size arithmetic, the thread cap, the memory limit
// and `auto`'s fallbacks, bounded planning whatever the numbers, batches of
// 0, and non-finite values (every algorithm gives ref's result).
#include "tconv/limits.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "src/algo/tap_math.h"
#include "src/base/checked_int.h"
#include "tconv/layout.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(CheckedInt, OverflowIsReportedOrSaturated) {
  int64_t r = 0;
  EXPECT_TRUE(CheckedMul(int64_t{1} << 31, int64_t{1} << 31, &r));
  EXPECT_EQ(r, int64_t{1} << 62);
  EXPECT_FALSE(CheckedMul(int64_t{1} << 32, int64_t{1} << 31, &r));
  EXPECT_FALSE(CheckedAdd(kSaturated, 1, &r));
  EXPECT_FALSE(CheckedProduct({1 << 20, 1 << 20, 1 << 20, 1 << 20}, &r));
  EXPECT_EQ(SatMul(int64_t{1} << 40, int64_t{1} << 40), kSaturated);
  EXPECT_EQ(SatMul(0, kSaturated), 0);
  EXPECT_EQ(SatAdd(kSaturated, 5), kSaturated);
  EXPECT_EQ(SatProduct({2, 3, 7}), 42);
  EXPECT_EQ(NumElements({int64_t{1} << 40, int64_t{1} << 40}), kSaturated);
}

TEST(Limits, ThreadsAndMemory) {
  EXPECT_GE(OnlineCpus(), 1);
  EXPECT_EQ(MaxThreads(), 4 * OnlineCpus());
  EXPECT_TRUE(CheckThreads("threads", 1).ok());
  EXPECT_TRUE(CheckThreads("threads", MaxThreads()).ok());
  const Status over = CheckThreads("--threads", MaxThreads() + 1);
  EXPECT_EQ(over.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(over.message().find("--threads must be <= " + std::to_string(MaxThreads())), std::string::npos);
  EXPECT_FALSE(CheckThreads("threads", 0).ok());
  EXPECT_GT(PhysicalMemoryBytes(), int64_t{1} << 26);
  EXPECT_EQ(MemoryLimitBytes(0), PhysicalMemoryBytes());
  EXPECT_EQ(MemoryLimitBytes(1000), 1000);
  EXPECT_TRUE(CheckMemory("x", 1000, 1000).ok());
  const Status mem = CheckMemory("the output", 1001, 1000);
  EXPECT_EQ(mem.code(), StatusCode::kOutOfMemory);
  EXPECT_NE(mem.message().find("the output needs 1001 B, more than the memory limit 1000 B"), std::string::npos)
      << mem.message();
  EXPECT_FALSE(CheckMemory("x", kSaturated, 0).ok());
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(kSaturated), "more than 2^63 bytes");
}

// The closed form of UsefulPairs against counting every (input, tap) pair.
TEST(TapMath, UsefulPairsClosedFormMatchesCounting) {
  std::mt19937_64 rng(7);
  for (int it = 0; it < 20000; ++it) {
    const int64_t in = 1 + rng() % 12, k = 1 + rng() % 12, s = 1 + rng() % 9, d = 1 + rng() % 6;
    const int64_t pb = static_cast<int64_t>(rng() % 41) - 20;
    const int64_t full = (in - 1) * s + d * (k - 1) + 1;
    const int64_t out = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(full + 20));
    int64_t n = 0;
    for (int64_t ix = 0; ix < in; ++ix)
      for (int64_t kk = 0; kk < k; ++kk) {
        const int64_t o = ix * s + kk * d - pb;
        n += o >= 0 && o < out;
      }
    ASSERT_EQ(UsefulPairs(in, k, s, d, pb, out), n)
        << "in " << in << " k " << k << " s " << s << " d " << d << " pb " << pb << " out " << out;
  }
  // Beyond any loop: i = k = s = d = 2^30 (pairs ix + kk <= 1022 reach o < 2^40).
  const int64_t g = int64_t{1} << 30;
  EXPECT_EQ(UsefulPairs(g, g, g, g, -g, int64_t{1} << 40), 1023 * 1024 / 2);
  // Huge kernel and input, stride 1: every pair lands inside the full output.
  EXPECT_EQ(UsefulPairs(g, g, 1, 1, 0, 2 * g - 1), g * g);
}

TEST(Geometry, FlopsSaturateInsteadOfWrapping) {
  ConvDesc d;  // 2^81 flops: batch 2^20, 1024x1024 input, a 2^20 x 2^20 kernel cropped back
  d.batch = int64_t{1} << 20;
  d.in = {1024, 1024, 1};
  d.kernel = {int64_t{1} << 20, int64_t{1} << 20, 1};
  d.pad_begin = d.pad_end = {int64_t{1} << 19, int64_t{1} << 19, 0};
  ASSERT_TRUE(ValidateConvTranspose(d).ok()) << ValidateConvTranspose(d).message();
  EXPECT_EQ(ConvTransposeFlops(d), kSaturated);
  // Describing it is bounded: no weight of its size is allocated, no loop over its sizes.
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<AlgorithmEstimate> e = EstimateAlgorithms(d);
  std::string why;
  AutoAlgorithm(d, &why);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  for (const AlgorithmEstimate& a : e) {
    EXPECT_GE(a.macs, 0) << a.name;
    EXPECT_GE(a.workspace_bytes, 0) << a.name;
  }
  EXPECT_NE(why.find("a plan refuses this layer"), std::string::npos) << why;
}

TEST(Plan, DescribingHostileLayersIsBounded) {
  // Huge strides, a huge dilation with a huge pad, a 1 GiB weight: each
  // estimate and auto pick in milliseconds (< 5 s for all on a busy machine).
  std::vector<ConvDesc> descs;
  ConvDesc d;
  d.in = {2, 2, 1};
  d.kernel = {3, 3, 1};
  d.stride = {300000, 300000, 1};
  descs.push_back(d);
  d.ndim = 3;
  d.in = {4, 4, 4};
  d.kernel = {3, 3, 3};
  d.stride = {3000, 3000, 3000};
  d.pad_begin = d.pad_end = {4499, 4499, 4499};
  descs.push_back(d);
  ConvDesc dil;
  dil.in_channels = dil.out_channels = 64;
  dil.in = {8, 8, 1};
  dil.kernel = {3, 3, 1};
  dil.dilation = {100000, 100000, 1};
  dil.pad_begin = dil.pad_end = {99999, 99999, 0};
  descs.push_back(dil);
  ConvDesc big;
  big.in_channels = big.out_channels = 16384;
  big.in = {4, 4, 1};
  descs.push_back(big);
  ConvDesc wide;  // a 16384x16384 kernel at stride 500000 (an ASan run grew to 13 GB)
  wide.in = {2, 2, 1};
  wide.kernel = {16384, 16384, 1};
  wide.stride = {500000, 500000, 1};
  descs.push_back(wide);
  const auto t0 = std::chrono::steady_clock::now();
  for (const ConvDesc& x : descs) {
    ASSERT_TRUE(ValidateConvTranspose(x).ok()) << ValidateConvTranspose(x).message();
    std::string why;
    EXPECT_FALSE(EstimateAlgorithms(x).empty());
    EXPECT_FALSE(AutoAlgorithm(x, &why).empty());
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

Tensor Ints(Shape s, uint32_t seed) {
  Tensor t(std::move(s));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>(static_cast<int>((i * 7 + seed) % 5) - 2);
  return t;
}

// y equals the reference: the same NaNs, the same infinities, equal values.
void ExpectSameAsRef(const std::vector<float>& y, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(y.size(), want.size()) << what;
  for (size_t i = 0; i < y.size(); ++i) {
    if (std::isnan(want[i])) {
      ASSERT_TRUE(std::isnan(y[i])) << what << " at " << i << ": " << y[i];
    } else {
      ASSERT_EQ(y[i], want[i]) << what << " at " << i;
    }
  }
}

// (N, C, *sp) -> (N, *sp, C).
std::vector<float> ToLast(const std::vector<float>& v, const Shape& s) {
  const int64_t n = s[0], c = s[1], p = NumElements(s) / std::max<int64_t>(1, n * c);
  std::vector<float> out(v.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t q = 0; q < p; ++q) out[(b * p + q) * c + ch] = v[(b * c + ch) * p + q];
  return out;
}

// Every algorithm, both layouts, against the reference.
void ExpectEveryPlanMatchesRef(const ConvDesc& d, const Tensor& x, const Tensor& w, const Tensor& b,
                               const std::string& what, const char* note_needle = nullptr) {
  Tensor want(ConvTransposeOutputShape(d));
  ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), b.cview(), want.view()).ok());
  std::vector<std::string> algos = AlgorithmNames();
  algos.push_back("auto");
  for (const Layout layout : {Layout::kNCHW, Layout::kNHWC}) {
    for (const std::string& algo : algos) {
      PlanOptions opts;
      opts.algo = algo;
      opts.layout = layout;
      opts.threads = 2;
      Status st;
      auto plan = Plan::Create(d, w.cview(), b.cview(), opts, &st);
      ASSERT_NE(plan, nullptr) << algo << ": " << st.message();
      const std::vector<float> xin = layout == Layout::kNCHW ? x.data : ToLast(x.data, x.shape);
      std::vector<float> y(want.data.size(), -99.0f);
      ASSERT_TRUE(
          plan->Run(ConstTensorView(xin.data(), plan->input_shape()), TensorView(y.data(), plan->output_shape())).ok());
      const std::string label = what + " algo=" + algo + " layout=" + LayoutName(layout) + " ran " + plan->algorithm();
      ExpectSameAsRef(y, layout == Layout::kNCHW ? want.data : ToLast(want.data, want.shape), label);
      if (note_needle && (algo == "phase" || algo == "zero_insert")) {
        EXPECT_NE(plan->note().find(note_needle), std::string::npos) << label << ": '" << plan->note() << "'";
      }
    }
  }
}

ConvDesc Deconv2d() {
  ConvDesc d;
  d.batch = 2;
  d.in_channels = 4;
  d.out_channels = 6;
  d.groups = 2;
  d.in = {6, 5, 1};
  d.kernel = {3, 4, 1};
  d.stride = {2, 3, 1};
  d.dilation = {1, 2, 1};
  d.pad_begin = {1, 2, 0};
  d.pad_end = {0, 1, 0};
  d.output_padding = {1, 0, 0};
  return d;
}

TEST(Plan, NonFiniteWeightsGiveTheReferenceResult) {
  const ConvDesc d = Deconv2d();
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  const Tensor x = Ints(ConvTransposeInputShape(d), 1), b = Ints({6}, 3);
  Tensor w = Ints(ConvTransposeWeightShape(d), 2);
  w.data[0] = kInf;  // a corner tap, which meets padding and inserted zeros
  w.data[13] = -kInf;
  w.data[40] = kNaN;
  ExpectEveryPlanMatchesRef(d, x, w, b, "non-finite weights", "non-finite");
}

TEST(Plan, NonFiniteInputsGiveTheReferenceResult) {
  // Finite weights: no algorithm multiplies x by anything but a real tap,
  // so every path (the SIMD one included) gives ref's result as it is.
  const ConvDesc d = Deconv2d();
  Tensor x = Ints(ConvTransposeInputShape(d), 1);
  const Tensor w = Ints(ConvTransposeWeightShape(d), 2), b = Ints({6}, 3);
  x.data[0] = kNaN;
  x.data[7] = kInf;
  x.data[29] = -kInf;
  x.data[x.data.size() - 1] = kInf;
  ExpectEveryPlanMatchesRef(d, x, w, b, "non-finite input");
  Tensor nan_bias = b;
  nan_bias.data[1] = kNaN;
  nan_bias.data[4] = -kInf;
  ExpectEveryPlanMatchesRef(d, Ints(ConvTransposeInputShape(d), 1), w, nan_bias, "non-finite bias");
}

// The shifts kernel (1-D, one output channel, Cin > 4) loads a shift once
// for the column phases that have it and skips the others by a mask: an
// Inf or NaN in x reaches only the outputs whose real taps read it.
TEST(Plan, NonFiniteInputsGiveTheReferenceResultOnOneRow) {
  const ConvDesc d = testing::Desc1(2, 6, 1, 40, 25, 4, 11, 1);
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  Tensor x = Ints(ConvTransposeInputShape(d), 1);
  const Tensor w = Ints(ConvTransposeWeightShape(d), 2), b = Ints({1}, 3);
  x.data[0] = kInf;
  x.data[45] = kNaN;
  x.data[100] = -kInf;
  x.data[x.data.size() - 1] = kInf;
  ExpectEveryPlanMatchesRef(d, x, w, b, "non-finite input, one row");
}

TEST(Plan, ZeroBatchGivesAnEmptyOutput) {
  ConvDesc d = Deconv2d();
  d.batch = 0;
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  const Tensor w = Ints(ConvTransposeWeightShape(d), 2);
  std::vector<std::string> algos = AlgorithmNames();
  algos.push_back("auto");
  for (const Layout layout : {Layout::kNCHW, Layout::kNHWC}) {
    for (const std::string& algo : algos) {
      PlanOptions opts;
      opts.algo = algo;
      opts.layout = layout;
      Status st;
      auto plan = Plan::Create(d, w.cview(), ConstTensorView(), opts, &st);
      ASSERT_NE(plan, nullptr) << algo << ": " << st.message();
      EXPECT_EQ(plan->output_shape()[0], 0);
      EXPECT_EQ(NumElements(plan->output_shape()), 0);
      EXPECT_EQ(plan->workspace_bytes(), 0) << algo;
      EXPECT_TRUE(
          plan->Run(ConstTensorView(nullptr, plan->input_shape()), TensorView(nullptr, plan->output_shape())).ok());
      EXPECT_FALSE(plan->Run(ConstTensorView(nullptr, {1, 4, 6, 5}), TensorView(nullptr, plan->output_shape())).ok());
    }
  }
  Tensor y(ConvTransposeOutputShape(d));
  EXPECT_TRUE(
      ConvTranspose(d, Tensor(ConvTransposeInputShape(d)).cview(), w.cview(), ConstTensorView(), y.view()).ok());
  EXPECT_TRUE(
      ConvTransposeRef(d, Tensor(ConvTransposeInputShape(d)).cview(), w.cview(), ConstTensorView(), y.view()).ok());
  d.in_channels = 0;
  EXPECT_NE(ValidateConvTranspose(d).message().find("input channels must be >= 1"), std::string::npos);
}

TEST(Plan, ThreadCountAndMemoryLimitAreChecked) {
  const ConvDesc d = Deconv2d();
  const Tensor w = Ints(ConvTransposeWeightShape(d), 2);
  PlanOptions opts;
  Status st;
  opts.threads = MaxThreads() + 1;
  EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st), nullptr);
  EXPECT_NE(st.message().find("threads must be <="), std::string::npos) << st.message();
  opts.threads = 0;
  EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st), nullptr);
  opts.threads = 1;
  opts.max_memory_bytes = 64;  // less than the output
  EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st), nullptr);
  EXPECT_EQ(st.code(), StatusCode::kOutOfMemory);
  EXPECT_NE(st.message().find("the output (2, 6, 13, 16) needs"), std::string::npos) << st.message();
  opts.max_memory_bytes = -1;
  EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st), nullptr);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

// A layer auto gives to gemm_col2im (many channel pairs, stride > 64: no
// SIMD phase path), with a limit between its needs and phase's.
TEST(Plan, AutoFallsBackWhenAWorkspaceDoesNotFit) {
  ConvDesc d;
  d.in_channels = 8;
  d.out_channels = 8;
  d.in = {5, 6, 1};
  d.kernel = {3, 3, 1};
  d.stride = {2, 65, 1};
  d.pad_begin = d.pad_end = {1, 32, 0};
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  const Tensor x = Ints(ConvTransposeInputShape(d), 1), w = Ints(ConvTransposeWeightShape(d), 2);
  Tensor want(ConvTransposeOutputShape(d));
  ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), ConstTensorView(), want.view()).ok());
  std::map<std::string, AlgorithmEstimate> e;
  for (const AlgorithmEstimate& a : EstimateAlgorithms(d)) e[a.name] = a;
  const int64_t out_bytes = NumElements(want.shape) * 4;
  std::string why;
  ASSERT_EQ(AutoAlgorithm(d, &why), "gemm_col2im") << why;
  ASSERT_GT(e["gemm_col2im"].workspace_bytes, 0);
  PlanOptions opts;
  opts.max_memory_bytes = out_bytes + e["phase"].packed_bytes + e["gemm_col2im"].workspace_bytes / 2;
  EXPECT_EQ(AutoAlgorithm(d, &why, opts.max_memory_bytes), "phase") << why;
  Status st;
  auto plan = Plan::Create(d, w.cview(), ConstTensorView(), opts, &st);
  ASSERT_NE(plan, nullptr) << st.message();
  EXPECT_EQ(plan->algorithm(), "phase");
  EXPECT_NE(plan->note().find("auto: gemm_col2im"), std::string::npos) << plan->note();
  std::vector<float> y(want.data.size());
  ASSERT_TRUE(plan->Run(x.cview(), TensorView(y.data(), want.shape)).ok());
  EXPECT_EQ(y, want.data);
  // Forced, gemm_col2im is refused instead.
  opts.algo = "gemm_col2im";
  EXPECT_EQ(Plan::Create(d, w.cview(), ConstTensorView(), opts, &st), nullptr);
  EXPECT_EQ(st.code(), StatusCode::kOutOfMemory);
  EXPECT_NE(st.message().find("gemm_col2im (output + workspace + packed weights) needs"), std::string::npos)
      << st.message();
}

TEST(Plan, PhaseRunsItsGeneralPathWhenTheSimdWorkspaceDoesNotFit) {
  const ConvDesc d = Deconv2d();
  const Tensor x = Ints(ConvTransposeInputShape(d), 1), w = Ints(ConvTransposeWeightShape(d), 2);
  Tensor want(ConvTransposeOutputShape(d));
  ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), ConstTensorView(), want.view()).ok());
  std::map<std::string, AlgorithmEstimate> e;
  for (const AlgorithmEstimate& a : EstimateAlgorithms(d)) e[a.name] = a;
  ASSERT_GT(e["phase"].workspace_bytes, 0);  // the SIMD path pads the input
  PlanOptions opts;
  opts.algo = "phase";
  // Room for the output and the general path's packed weights only.
  opts.max_memory_bytes = NumElements(want.shape) * 4 + 4 * NumElements(w.shape);
  Status st;
  auto plan = Plan::Create(d, w.cview(), ConstTensorView(), opts, &st);
  ASSERT_NE(plan, nullptr) << st.message();
  EXPECT_EQ(plan->workspace_bytes(), 0);
  EXPECT_NE(plan->note().find("its general path runs"), std::string::npos) << plan->note();
  std::vector<float> y(want.data.size());
  ASSERT_TRUE(plan->Run(x.cview(), TensorView(y.data(), want.shape)).ok());
  EXPECT_EQ(y, want.data);
}

}  // namespace
}  // namespace tconv
