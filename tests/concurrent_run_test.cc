// Many threads calling Plan::Run on one plan at once (issue #14): every
// algorithm, both layouts, each caller with its own input, each result the
// reference's. Run is const and takes a workspace from the plan's pool (or
// allocates one when all are busy), so callers never share scratch.
//
// Runs in the ASan build (scripts/test_asan.sh) and, as tconv_tsan_tests,
// under ThreadSanitizer (scripts/test_tsan.sh), both with one thread per
// Run (the callers are the concurrency) and with two (each caller's own
// pool, src/base/parallel.h, which TSan sees: it is tconv's code, not an
// uninstrumented OpenMP runtime). OPENBLAS_NUM_THREADS=1 keeps OpenBLAS's
// own, uninstrumented, threads out.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tconv/layout.h"
#include "tconv/plan.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

ConvDesc Desc() {
  // 2-D, batch 2, groups 2, k3 s2 p1 a1: phase's SIMD path with a padded
  // input in its workspace, gemm_col2im's column buffer, zero_insert's.
  ConvDesc d;
  d.batch = 2;
  d.in_channels = 8;
  d.out_channels = 6;
  d.groups = 2;
  d.in = {9, 7, 1};
  d.kernel = {3, 3, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  d.output_padding = {1, 1, 0};
  return d;
}

std::vector<float> Ints(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(static_cast<int>((i * 2654435761u + seed) % 7) - 3);
  return v;
}

// (N, C, *sp) -> (N, *sp, C).
std::vector<float> ToLast(const std::vector<float>& v, const Shape& s) {
  const int64_t n = s[0], c = s[1], p = NumElements(s) / (n * c);
  std::vector<float> out(v.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t q = 0; q < p; ++q) out[(b * p + q) * c + ch] = v[(b * c + ch) * p + q];
  return out;
}

void ManyCallers(int threads_per_run) {
  const ConvDesc d = Desc();
  const Shape xs = ConvTransposeInputShape(d), ws = ConvTransposeWeightShape(d), ys = ConvTransposeOutputShape(d);
  const std::vector<float> w = Ints(static_cast<size_t>(NumElements(ws)), 1), b = Ints(6, 2);
  constexpr int kCallers = 16, kRuns = 3;
  // Each caller's input and the reference output.
  std::vector<std::vector<float>> xs_in, want;
  for (int c = 0; c < kCallers; ++c) {
    xs_in.push_back(Ints(static_cast<size_t>(NumElements(xs)), 10 + c));
    want.emplace_back(static_cast<size_t>(NumElements(ys)));
    ASSERT_TRUE(ConvTransposeRef(d, ConstTensorView(xs_in[c].data(), xs), ConstTensorView(w.data(), ws),
                                 ConstTensorView(b.data(), {6}), TensorView(want[c].data(), ys))
                    .ok());
  }
  std::vector<std::string> algos = AlgorithmNames();
  algos.push_back("auto");
  for (const Layout layout : {Layout::kNCHW, Layout::kNHWC}) {
    for (const std::string& algo : algos) {
      PlanOptions opts;
      opts.algo = algo;
      opts.threads = threads_per_run;
      opts.layout = layout;
      Status st;
      auto plan = Plan::Create(d, ConstTensorView(w.data(), ws), ConstTensorView(b.data(), {6}), opts, &st);
      ASSERT_NE(plan, nullptr) << algo << ": " << st.message();
      std::vector<int> wrong(kCallers, 0);
      std::vector<std::thread> callers;
      for (int c = 0; c < kCallers; ++c) {
        callers.emplace_back([&, c] {
          const std::vector<float> x = layout == Layout::kNCHW ? xs_in[c] : ToLast(xs_in[c], xs);
          const std::vector<float> y_want = layout == Layout::kNCHW ? want[c] : ToLast(want[c], ys);
          std::vector<float> y(y_want.size());
          for (int r = 0; r < kRuns; ++r) {
            std::fill(y.begin(), y.end(), -99.0f);
            const Status rs =
                plan->Run(ConstTensorView(x.data(), plan->input_shape()), TensorView(y.data(), plan->output_shape()));
            wrong[c] += !rs.ok() || y != y_want;
          }
        });
      }
      for (std::thread& t : callers) t.join();
      for (int c = 0; c < kCallers; ++c) {
        EXPECT_EQ(wrong[c], 0) << "caller " << c << ", algo " << algo << " (" << plan->algorithm() << "), layout "
                               << LayoutName(layout) << ", threads " << threads_per_run;
      }
    }
  }
}

TEST(ConcurrentRun, OneThreadPerRun) { ManyCallers(1); }

// Pools of two threads inside concurrent Runs.
TEST(ConcurrentRun, TwoThreadsPerRun) { ManyCallers(2); }

}  // namespace
}  // namespace tconv
