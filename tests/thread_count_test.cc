// `threads` means threads (issue #16): a plan with threads = T runs on at
// most T threads, OpenBLAS's included. While a plan runs for about half a
// second, the CPU time of every thread of the process is sampled from
// /proc/self/task/*/stat; the threads that did a real share of the work
// (at least a fifth of the busiest one's CPU time, and 40 ms) are counted.
// Before the BlasOneThread scope (src/algo/blas.h), gemm_col2im and
// zero_insert at T = 1 ran their GEMMs on OpenBLAS's two threads (181% CPU)
// and this test failed for both ("ran on 2 threads").
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tconv/plan.h"
#include "tests/support/thread_ticks.h"

namespace tconv {
namespace {

using testing::ThreadTicks;

// The threads that worked while `plan` ran for `seconds`.
int BusyThreads(const Plan& plan, double seconds) {
  Tensor x(plan.input_shape()), y(plan.output_shape());
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float& v : x.data) v = u(rng);
  plan.Run(x.cview(), y.view());  // warm-up: thread pools started
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // idle spinning ends
  const std::map<int, long> before = ThreadTicks();
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
    plan.Run(x.cview(), y.view());
  }
  const std::map<int, long> after = ThreadTicks();
  std::vector<long> deltas;
  for (const auto& [tid, t] : after) {
    auto it = before.find(tid);
    deltas.push_back(t - (it == before.end() ? 0 : it->second));
  }
  const long busiest = deltas.empty() ? 0 : *std::max_element(deltas.begin(), deltas.end());
  const long floor_ticks = std::max<long>(busiest / 5, std::max<long>(1, ::sysconf(_SC_CLK_TCK) / 25));
  int busy = 0;
  for (long d : deltas) busy += d >= floor_ticks ? 1 : 0;
  return busy;
}

// A 2-D layer whose GEMMs OpenBLAS would thread by itself (M*N*K far above
// its threshold) and on which phase has plenty of work for two threads.
std::unique_ptr<Plan> MakePlan(const std::string& algo, int threads) {
  ConvDesc d;
  d.batch = 1;
  d.in_channels = 128;
  d.out_channels = 128;
  d.in = {24, 24, 1};
  d.kernel = {4, 4, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  Tensor w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float& v : w.data) v = u(rng);
  PlanOptions opts;
  opts.algo = algo;
  opts.threads = threads;
  Status st;
  auto plan = Plan::Create(d, w.cview(), b.cview(), opts, &st);
  EXPECT_TRUE(plan) << st.message();
  return plan;
}

class ThreadCount : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(ThreadCount, PlanRunsOnAtMostItsThreads) {
  if (ThreadTicks().empty()) GTEST_SKIP() << "no /proc/self/task";
  const auto [algo, threads] = GetParam();
  auto plan = MakePlan(algo, threads);
  ASSERT_TRUE(plan);
  const int busy = BusyThreads(*plan, 0.5);
  EXPECT_GE(busy, 1) << "the sampling saw no thread work at all";
  EXPECT_LE(busy, threads) << algo << " with threads = " << threads << " ran on " << busy << " threads";
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ThreadCount,
                         ::testing::Combine(::testing::Values("gemm_col2im", "phase", "zero_insert"),
                                            ::testing::Values(1, 2)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_threads" + std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace tconv
