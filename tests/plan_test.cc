// Plan: Create validates and copies what it needs; Run computes, checks
// shapes, and is safe to call concurrently on different buffers.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

ConvDesc SmallDesc() {
  ConvDesc d;
  d.ndim = 2;
  d.batch = 2;
  d.in_channels = 4;
  d.out_channels = 6;
  d.groups = 2;
  d.in = {5, 4, 1};
  d.kernel = {3, 3, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = {1, 0, 0};
  d.pad_end = {1, 1, 0};
  d.output_padding = {1, 0, 0};
  return d;
}

struct Data {
  Tensor x, w, b;
  explicit Data(const ConvDesc& d, uint64_t seed)
      : x(ConvTransposeInputShape(d)), w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels}) {
    testing::FillIntegers(&x.data, seed, 3);
    testing::FillIntegers(&w.data, seed + 1, 3);
    testing::FillIntegers(&b.data, seed + 2, 3);
  }
};

TEST(Plan, RejectsBadOptionsAndShapesWithNamedErrors) {
  const ConvDesc d = SmallDesc();
  Data data(d, 1);
  Status st;
  PlanOptions opts;
  opts.threads = 0;
  EXPECT_EQ(Plan::Create(d, data.w.cview(), data.b.cview(), opts, &st), nullptr);
  EXPECT_EQ(st.message(), "threads must be >= 1 (got 0)");

  opts = PlanOptions();
  opts.algo = "fastest";
  EXPECT_EQ(Plan::Create(d, data.w.cview(), data.b.cview(), opts, &st), nullptr);
  EXPECT_NE(st.message().find("(got 'fastest')"), std::string::npos) << st.message();

  Tensor bad_w(Shape{4, 2, 3, 3});
  EXPECT_EQ(Plan::Create(d, bad_w.cview(), data.b.cview(), PlanOptions(), &st), nullptr);
  EXPECT_EQ(st.message(), "weight has shape (4, 2, 3, 3), expected (4, 3, 3, 3)");

  Tensor bad_b(Shape{5});
  EXPECT_EQ(Plan::Create(d, data.w.cview(), bad_b.cview(), PlanOptions(), &st), nullptr);
  EXPECT_EQ(st.message(), "bias has shape (5,), expected (6,)");

  auto plan = Plan::Create(d, data.w.cview(), data.b.cview(), PlanOptions(), &st);
  ASSERT_NE(plan, nullptr) << st.message();
  Tensor y_bad(Shape{2, 6, 10, 10});
  st = plan->Run(data.x.cview(), y_bad.view());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("output has shape"), std::string::npos) << st.message();
}

TEST(Plan, EveryAlgorithmMatchesTheReferenceAndCopiesTheWeights) {
  const ConvDesc d = SmallDesc();
  for (const std::string& algo : AlgorithmNames()) {
    Data data(d, 7);
    Tensor want(ConvTransposeOutputShape(d));
    ASSERT_TRUE(ConvTransposeRef(d, data.x.cview(), data.w.cview(), data.b.cview(), want.view()).ok());
    PlanOptions opts;
    opts.algo = algo;
    Status st;
    auto plan = Plan::Create(d, data.w.cview(), data.b.cview(), opts, &st);
    ASSERT_NE(plan, nullptr) << algo << ": " << st.message();
    EXPECT_EQ(plan->algorithm().rfind(algo, 0), 0u) << plan->algorithm();
    EXPECT_FALSE(plan->kernel().empty()) << algo;
    // The plan must not read the caller's weights after Create.
    std::fill(data.w.data.begin(), data.w.data.end(), NAN);
    std::fill(data.b.data.begin(), data.b.data.end(), NAN);
    Tensor y(ConvTransposeOutputShape(d), NAN);
    ASSERT_TRUE(plan->Run(data.x.cview(), y.view()).ok());
    EXPECT_EQ(y.data, want.data) << "algo=" << algo << " desc=" << DescString(d);
  }
}

TEST(Plan, ConcurrentRunsOnDifferentBuffersAgreeWithSerialRuns) {
  const ConvDesc d = SmallDesc();
  for (Layout layout : {Layout::kNCHW, Layout::kNHWC}) {  // NHWC: the copies use the workspace too
    for (const std::string& algo : AlgorithmNames()) {
      Data data(d, 11);
      PlanOptions opts;
      opts.algo = algo;
      opts.layout = layout;
      Status st;
      auto plan = Plan::Create(d, data.w.cview(), data.b.cview(), opts, &st);
      ASSERT_NE(plan, nullptr) << st.message();
      constexpr int kThreads = 4;
      std::vector<Tensor> xs, want, got;
      for (int t = 0; t < kThreads; ++t) {
        xs.emplace_back(plan->input_shape());
        testing::FillIntegers(&xs.back().data, 100 + t, 3);
        want.emplace_back(plan->output_shape());
        ASSERT_TRUE(plan->Run(xs[t].cview(), want[t].view()).ok());
        got.emplace_back(plan->output_shape(), NAN);
      }
      std::vector<std::thread> pool;
      for (int t = 0; t < kThreads; ++t)
        pool.emplace_back([&, t] {
          for (int rep = 0; rep < 20; ++rep) plan->Run(xs[t].cview(), got[t].view());
        });
      for (auto& th : pool) th.join();
      for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(got[t].data, want[t].data) << "algo=" << algo << " layout=" << LayoutName(layout) << " thread " << t;
      }
    }
  }
}

// Plan::kernel() names the kernel of the list that runs: here the phase
// task kernel forced by PlanOptions::phase.kernel, with its ISA suffix.
TEST(Plan, NamesTheKernelThatRuns) {
  const ConvDesc d = SmallDesc();
  Data data(d, 5);
  for (const std::string& name : PhaseKernelNames()) {
    PlanOptions opts;
    opts.algo = "phase";
    opts.phase.kernel = name.substr(0, name.rfind("__"));  // the ISA suffix is optional
    Status st;
    auto plan = Plan::Create(d, data.w.cview(), data.b.cview(), opts, &st);
    if (!plan) {
      EXPECT_EQ(st.code(), StatusCode::kUnsupported) << name << ": " << st.message();
      continue;
    }
    EXPECT_EQ(plan->algorithm(), "phase");
    EXPECT_EQ(plan->kernel(), name);
  }
  PlanOptions gemm;
  gemm.algo = "gemm_col2im";
  Status st;
  EXPECT_EQ(Plan::Create(d, data.w.cview(), data.b.cview(), gemm, &st)->kernel(), "gemm_col2im: OpenBLAS sgemm + col2im");
}

TEST(Plan, NoBiasMeansZeroBias) {
  const ConvDesc d = SmallDesc();
  Data data(d, 3);
  Tensor want(ConvTransposeOutputShape(d)), y(ConvTransposeOutputShape(d), NAN);
  ASSERT_TRUE(ConvTransposeRef(d, data.x.cview(), data.w.cview(), ConstTensorView(), want.view()).ok());
  ASSERT_TRUE(ConvTranspose(d, data.x.cview(), data.w.cview(), ConstTensorView(), y.view()).ok());
  EXPECT_EQ(y.data, want.data);
}

}  // namespace
}  // namespace tconv
