// Pixel-mode blocks of a wide input: phase cuts them so that a block's
// input (its rows of all input channels) stays within 1 MiB
// (PhaseTuning::l2_blocks, src/algo/phase_fast/blocks.cc), and orders the
// tasks by what stays in cache. 520 channels of 22 floats a row allow 22
// rows a block, evened to 12 and cut in whole vectors: three blocks of 176
// floats (uncut: one of all 528), read from x in place. The cut plan gives the reference's bits on exact integer data
// at 1 and 2 threads; on real data the uncut plan and either task order
// give the cut plan's bits (the cut and the order change which task
// computes an output, never its sum). The cut itself shows in the plan
// `auto` makes (`tconv explain` with TCONV_VERBOSE=dispatch): three times
// the tasks of one block per Cout block, Cout blocks inner, x read in
// place. At the dispatched ISA only: the cut is the planner's, and one
// reference of this layer takes a second.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/cli_run.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

std::vector<float> RunPixels(const ConvDesc& d, const Tensor& x, const Tensor& w, const Tensor& b, int threads,
                             const PhaseTuning& tuning) {
  PlanOptions o;
  o.algo = "phase";
  o.threads = threads;
  o.phase = tuning;
  Status st;
  auto plan = Plan::Create(d, w.cview(), b.cview(), o, &st);
  EXPECT_TRUE(plan) << st.message();
  if (!plan) return {};
  EXPECT_EQ(plan->kernel().find("f32_phase_pixels_"), 0u) << plan->kernel();
  EXPECT_EQ(plan->workspace_bytes(), 0) << "x read in place";
  Tensor y(plan->output_shape(), NAN);
  EXPECT_TRUE(plan->Run(x.cview(), y.view()).ok());
  return y.data;
}

TEST(PixelBlocksInL2, CutBlocksMatchReferenceBitwise) {
  const ConvDesc d = testing::Square2D(1, 520, 128, 24, 22, 2, 2, 0, 0);
  Tensor x(ConvTransposeInputShape(d)), w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
  PhaseTuning cut;
  cut.mode = PhaseTuning::Mode::kPixels;
  ASSERT_TRUE(cut.l2_blocks);

  const int bound = testing::SafeIntegerBound(d);
  testing::FillIntegers(&x.data, 1200, bound);
  testing::FillIntegers(&w.data, 1201, bound);
  testing::FillIntegers(&b.data, 1202, bound);
  Tensor ref(ConvTransposeOutputShape(d));
  ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), b.cview(), ref.view()).ok());
  for (const int threads : {1, 2}) {
    const std::vector<float> y = RunPixels(d, x, w, b, threads, cut);
    ASSERT_EQ(y.size(), ref.data.size());
    size_t bad = 0;
    for (size_t i = 0; i < y.size(); ++i) bad += !(y[i] == ref.data[i]);
    EXPECT_EQ(bad, 0u) << "threads " << threads;
  }

  testing::FillUniform(&x.data, 1203);
  testing::FillUniform(&w.data, 1204);
  testing::FillUniform(&b.data, 1205);
  const std::vector<float> y_cut = RunPixels(d, x, w, b, 1, cut);
  PhaseTuning uncut = cut, blocks_inner = cut, cout_inner = cut;
  uncut.l2_blocks = false;
  blocks_inner.task_order = PhaseTuning::TaskOrder::kBlocksInner;
  cout_inner.task_order = PhaseTuning::TaskOrder::kCoutInner;
  for (const PhaseTuning& t : {uncut, blocks_inner, cout_inner}) {
    for (const int threads : {1, 2}) {
      const std::vector<float> y = RunPixels(d, x, w, b, threads, t);
      ASSERT_EQ(y.size(), y_cut.size());
      EXPECT_EQ(std::memcmp(y.data(), y_cut.data(), y.size() * sizeof(float)), 0)
          << "l2_blocks " << t.l2_blocks << ", task order " << static_cast<int>(t.task_order) << ", threads "
          << threads;
    }
  }
}

// 520 x 22 x 4 bytes a row: 9.2 rows fit 1 MiB; uncut, one block holds
// all 24 rows (fb = 16384 / (2 x CB) floats >= 1024), so 128 / CB tasks.
TEST(PixelBlocksInL2, AutoCutsTheBlocksOfAWideInput) {
  testing::CliOptions opts;
  opts.env = {"TCONV_VERBOSE=dispatch"};
  const testing::CliResult r = testing::RunCli(
      {"explain", "--input-shape", "1,520,24,22", "--weight-shape", "520,128,2,2", "--stride", "2"}, opts);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  const std::regex taken("phase_fast: taken: f32_phase_pixels_([0-9]+)x[0-9]+__[a-z0-9_]+, ([0-9]+) tasks(.*)");
  ASSERT_TRUE(std::regex_search(r.err, m, taken)) << r.err;
  const int cb = std::atoi(m[1].str().c_str()), tasks = std::atoi(m[2].str().c_str());
  ASSERT_GT(cb, 0);
  EXPECT_EQ(tasks, 3 * ((128 + cb - 1) / cb)) << m[0];
  EXPECT_NE(m[3].str().find("(Cout blocks inner) (reads x, no pad pass)"), std::string::npos) << m[0];
}

}  // namespace
}  // namespace tconv
