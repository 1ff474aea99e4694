// Private padded copies of the channels-in-lanes paths (LanesPlan::
// ChooseCopies, src/algo/phase_lanes.h): a bf16 or int8 plan of one image on
// two threads keeps one padded copy of x per thread (twice the workspace of
// one thread), two images keep one, and so does an input whose copies would
// pass kPhasePrivateCopiesMaxBytes; y is the same bits at 1 and 2 threads.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tconv/bfloat16.h"
#include "tconv/plan.h"
#include "tconv/quant.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

std::unique_ptr<Plan> Bf16Plan(const ConvDesc& d, int threads, Layout layout) {
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)));
  testing::FillUniform(&w, 3);
  PlanOptions o;
  o.dtype = DataType::kBFloat16;
  o.threads = threads;
  o.layout = layout;
  o.phase.bf16_compute = PhaseTuning::Bf16Compute::kDot;
  Status st;
  auto p = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)), ConstTensorView(), o, &st);
  EXPECT_TRUE(p) << st.message();
  return p;
}

std::unique_ptr<Plan> Int8Plan(const ConvDesc& d, int threads) {
  std::vector<int8_t> w(NumElements(ConvTransposeWeightShape(d)));
  std::mt19937 rng(4);
  for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  QuantParams q;
  q.x_zero_point = 128;
  q.y_scale = 512.0f;
  PlanOptions o;
  o.dtype = DataType::kInt8;
  o.threads = threads;
  o.layout = Layout::kNHWC;
  o.phase.int8_compute = PhaseTuning::Int8Compute::kLanes;
  Status st;
  return Plan::Create(d, ConstI8View(w.data(), ConvTransposeWeightShape(d)), ConstI32View(), q, o, &st);
}

template <class Make>
double Copies(Make make, const ConvDesc& d) {
  auto one = make(d, 1), two = make(d, 2);
  if (!one || !two) return 0;
  EXPECT_GT(one->workspace_bytes(), 0);
  return static_cast<double>(two->workspace_bytes()) / static_cast<double>(one->workspace_bytes());
}

TEST(LanesPaddedCopies, OnePerThreadWhereImagesAreFewerThanThreads) {
  const ConvDesc one_image = testing::Square2D(1, 32, 48, 12, 10, 4, 2, 1);
  const ConvDesc two_images = testing::Square2D(2, 32, 48, 12, 10, 4, 2, 1);
  const ConvDesc large = testing::Square2D(1, 64, 48, 200, 200, 4, 2, 1);  // 2 copies > 8 MiB
  for (Layout l : {Layout::kNCHW, Layout::kNHWC}) {
    auto bf16 = [l](const ConvDesc& d, int t) { return Bf16Plan(d, t, l); };
    EXPECT_EQ(Copies(bf16, one_image), 2.0);
    EXPECT_EQ(Copies(bf16, two_images), 1.0);
    EXPECT_EQ(Copies(bf16, large), 1.0);
  }
  if (!Int8Plan(one_image, 1)) GTEST_SKIP() << "no AVX512_VNNI: no int8 lanes route";
  EXPECT_EQ(Copies(Int8Plan, one_image), 2.0);
  EXPECT_EQ(Copies(Int8Plan, two_images), 1.0);
}

// With the copies, 2 threads give the 1-thread bits (bias-only outputs
// too: stride 3 > kernel 2).
TEST(LanesPaddedCopies, TwoThreadsGiveTheOneThreadBits) {
  for (const ConvDesc& d : {testing::Square2D(1, 32, 48, 12, 10, 4, 2, 1), testing::Square2D(1, 17, 33, 9, 8, 2, 3, 0)}) {
    std::vector<float> xf(NumElements(ConvTransposeInputShape(d)));
    testing::FillUniform(&xf, 8);
    std::vector<BFloat16> x(xf.size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = ToBFloat16(xf[i]);
    std::vector<float> y[2];
    for (int t : {1, 2}) {
      auto p = Bf16Plan(d, t, Layout::kNCHW);
      ASSERT_TRUE(p);
      y[t - 1].assign(static_cast<size_t>(NumElements(p->output_shape())), -1.0f);
      ASSERT_TRUE(p->Run(ConstBF16View(x.data(), p->input_shape()), TensorView(y[t - 1].data(), p->output_shape())).ok());
    }
    EXPECT_EQ(std::memcmp(y[0].data(), y[1].data(), y[0].size() * 4), 0) << DescString(d);
  }
}

}  // namespace
}  // namespace tconv
