// Pixel-mode blocks of a wide input: phase cuts them so that a block's
// input (its rows of all input channels) stays within 1 MiB
// (PhaseTuning::l2_blocks, src/algo/phase_fast/blocks.cc), and orders the
// tasks by what stays in cache. 520 channels of 22 floats a row allow 22
// rows a block, evened to 12 and cut in whole vectors: three blocks of 176
// floats (uncut: one of all 528), read from x in place. The cut plan gives the reference's bits on exact integer data
// at 1 and 2 threads; on real data the uncut plan and either task order
// give the cut plan's bits (the cut and the order change which task
// computes an output, never its sum). At the dispatched ISA only: the cut
// is the planner's, and one reference of this layer takes a second.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "tconv/plan.h"
#include "tconv/reference.h"
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

}  // namespace
}  // namespace tconv
