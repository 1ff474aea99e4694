// InspectGraph on ONNX models built here (tests/onnx_test_models.h): the
// scores, phase sums, verdicts and fixes against values derived by hand in
// the comments, and one-node models from the ONNX conformance cases.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tconv/inspect.h"
#include "tconv/npy.h"

#ifdef TCONV_TEST_HAVE_ONNX
#include "tests/onnx_test_models.h"
#endif

namespace tconv {
namespace {

#ifdef TCONV_TEST_HAVE_ONNX

using ::tconv::testing::OneDeconvModel;
using ::tconv::testing::OnnxBuilder;

InspectReport Inspect(const std::string& bytes) {
  ModelGraph g;
  Status st = LoadOnnxBytes(bytes.data(), bytes.size(), "m.onnx", &g);
  EXPECT_TRUE(st.ok()) << st.message();
  InspectReport r;
  st = InspectGraph(g, "m.onnx", &r);
  EXPECT_TRUE(st.ok()) << st.message();
  return r;
}

Tensor Values(const Shape& s, std::vector<float> v) {
  Tensor t(s);
  t.data = std::move(v);
  return t;
}

TEST(Inspect, OneDimK3S2PhaseSumsByHand) {
  // w = [1, 2, 3], stride 2: taps 0 and 2 land on phase 0 (1 + 3 = 4), tap 1
  // on phase 1 (2). Spread 2; constant input 1 gives 4, 2: ripple 2/4.
  // Overlap with ones: 2, 1 per period: score 2. Fix: k4, P = 1+1-1+1 = 2:
  // pads 1/1, output padding 0 (o = (i-1)*2 + 4 - 2 = 2i, as before).
  InspectReport r = Inspect(OneDeconvModel({1, 1, 5}, Values({1, 1, 3}, {1, 2, 3}), {2}, {1, 1}, {1}));
  ASSERT_EQ(r.paths.size(), 1u);
  const UpsamplePath& p = r.paths[0];
  EXPECT_EQ(p.kind, PathKind::kConvTranspose);
  EXPECT_EQ(p.ndim, 1);
  EXPECT_DOUBLE_EQ(p.score.score, 2.0);
  ASSERT_TRUE(p.weights.available);
  EXPECT_DOUBLE_EQ(p.weights.max_spread, 2.0);
  EXPECT_EQ(p.weights.worst_sums, (std::vector<double>{4, 2}));
  EXPECT_DOUBLE_EQ(p.weights.constant_ripple, 0.5);
  EXPECT_EQ(p.verdict, "checkerboard");
  ASSERT_TRUE(p.has_fix_geometry);
  EXPECT_EQ(p.fix_geometry.kernel[0], 4);
  EXPECT_EQ(p.fix_geometry.pad_begin[0], 1);
  EXPECT_EQ(p.fix_geometry.pad_end[0], 1);
  EXPECT_EQ(p.fix_geometry.output_padding[0], 0);
  ASSERT_TRUE(p.sizes_known);
  EXPECT_EQ(p.out_size[0], 10);
}

TEST(Inspect, K4S2EvenGeometryUnevenWeights) {
  // 1-D k4 s2, w = [1, 1, 1, 3]: phase 0 = taps 0, 2 = 2; phase 1 = taps 1, 3
  // = 4. Even overlap (score 1) but spread 2, ripple 2/4.
  InspectReport r = Inspect(OneDeconvModel({1, 1, 6}, Values({1, 1, 4}, {1, 1, 1, 3}), {2}, {1, 1}, {}));
  ASSERT_EQ(r.paths.size(), 1u);
  EXPECT_DOUBLE_EQ(r.paths[0].score.score, 1.0);
  EXPECT_DOUBLE_EQ(r.paths[0].weights.constant_ripple, 0.5);
  EXPECT_EQ(r.paths[0].verdict, "uneven-weights");
  // Bilinear weights [.25 .75 .75 .25]: both phases sum to 1: ok.
  r = Inspect(OneDeconvModel({1, 1, 6}, Values({1, 1, 4}, {.25f, .75f, .75f, .25f}), {2}, {1, 1}, {}));
  EXPECT_EQ(r.paths[0].verdict, "ok");
  EXPECT_DOUBLE_EQ(r.paths[0].weights.max_spread, 0.0);
}

// Two 2-D k3 s2 p1 a1 deconvs with Relu (and optionally a 3x3 stride-1 conv)
// between them.
std::string TwoDeconvs(bool conv_between) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Output("y");
  b.Init("w1", Tensor({1, 1, 3, 3}, 1.0f));
  b.Init("w2", Tensor({1, 1, 3, 3}, 1.0f));
  b.Init("wc", Tensor({1, 1, 3, 3}, 1.0f));
  for (int i = 1; i <= 2; ++i) {
    const std::string in = i == 1 ? "x" : conv_between ? "c" : "r";
    auto* n = b.Node("ConvTranspose", {in, "w" + std::to_string(i)}, {"u" + std::to_string(i)}, "up" + std::to_string(i));
    OnnxBuilder::Ints(n, "strides", {2, 2});
    OnnxBuilder::Ints(n, "pads", {1, 1, 1, 1});
    OnnxBuilder::Ints(n, "output_padding", {1, 1});
    if (i == 1) b.Node("Relu", {"u1"}, {"r"}, "relu");
    if (i == 1 && conv_between) {  // (nodes in graph order: before up2, which reads it)
      auto* c = b.Node("Conv", {"r", "wc"}, {"c"}, "smooth");
      OnnxBuilder::Ints(c, "pads", {1, 1, 1, 1});
    }
  }
  b.Node("Identity", {"u2"}, {"y"}, "out");
  return b.Bytes();
}

TEST(Inspect, ChainOfTwoK3S2StacksTheirPatterns) {
  // Per axis: one layer gives (2, 1); the second adds x[i] + x[i-1] = 3 on
  // even outputs and x[i] = 2 or 1 on odd ones: {3, 2, 3, 1}, 3:1 per axis,
  // 9 in 2-D. Each layer alone: 2 per axis, 4.
  InspectReport r = Inspect(TwoDeconvs(false));
  ASSERT_EQ(r.paths.size(), 2u);
  EXPECT_DOUBLE_EQ(r.paths[0].score.score, 4.0);
  ASSERT_EQ(r.chains.size(), 1u);
  EXPECT_EQ(r.chains[0].paths, (std::vector<int>{0, 1}));
  EXPECT_DOUBLE_EQ(r.chains[0].score.score, 9.0);
  EXPECT_DOUBLE_EQ(r.chains[0].score.min, 1.0);
  EXPECT_DOUBLE_EQ(r.chains[0].score.max, 9.0);
}

TEST(Inspect, StrideOneConvBetweenSmoothsTheChain) {
  // (2, 1) through a 3-tap box: (5, 4); then k3 s2: even outputs 5 + 4 = 9,
  // odd 5 or 4: {9, 5, 9, 4}: 9/4 per axis, 81/16 in 2-D.
  InspectReport r = Inspect(TwoDeconvs(true));
  ASSERT_EQ(r.chains.size(), 1u);
  EXPECT_EQ(r.chains[0].smoothing, (std::vector<std::string>{"smooth"}));
  EXPECT_DOUBLE_EQ(r.chains[0].score.score, 81.0 / 16.0);
}

TEST(Inspect, NearestResizeConvAndSubPixel) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 4, 4});
  b.Output("y");
  b.Init("scales", Values({4}, {1, 1, 2, 2}));
  b.Init("wc", Values({1, 2, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 0, 2, 1, 1, 1, 0, 3, 1}));
  // Sub-pixel conv 1 -> 4 channels (r = 2, CRD): kernel sums 1, 1, 1, 3 per
  // output channel 0's four phases: spread 2, ripple 2/3.
  Tensor ws({4, 1, 1, 1});
  ws.data = {1, 1, 1, 3};
  b.Init("ws", ws);
  b.Node("Resize", {"x", "", "scales"}, {"u"}, "resize");
  auto* c = b.Node("Conv", {"u", "wc"}, {"c"}, "conv");
  OnnxBuilder::Ints(c, "pads", {1, 1, 1, 1});
  b.Node("Conv", {"c", "ws"}, {"s"}, "subconv");
  auto* d = b.Node("DepthToSpace", {"s"}, {"y"}, "shuffle");
  OnnxBuilder::Int(d, "blocksize", 2);
  OnnxBuilder::Str(d, "mode", "CRD");
  InspectReport r = Inspect(b.Bytes());
  ASSERT_EQ(r.paths.size(), 2u);
  const UpsamplePath& rc = r.paths[0];
  EXPECT_EQ(rc.kind, PathKind::kResizeConv);
  EXPECT_EQ(rc.nodes, (std::vector<std::string>{"resize", "conv"}));
  EXPECT_EQ(rc.factor[0], 2);
  EXPECT_DOUBLE_EQ(rc.score.score, 1.0);
  ASSERT_TRUE(rc.weights.available);
  EXPECT_LT(rc.weights.max_spread, 1e-5);  // every phase sums the whole kernel
  EXPECT_EQ(rc.verdict, "ok");
  const UpsamplePath& sp = r.paths[1];
  EXPECT_EQ(sp.kind, PathKind::kSubPixel);
  EXPECT_DOUBLE_EQ(sp.score.score, 1.0);
  EXPECT_EQ(sp.weights.worst_sums, (std::vector<double>{1, 1, 1, 3}));
  EXPECT_NEAR(sp.weights.constant_ripple, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(sp.verdict, "uneven-weights");
  ASSERT_EQ(r.chains.size(), 1u);  // resize-conv -> sub-pixel, no conv between
  EXPECT_EQ(r.chains[0].paths, (std::vector<int>{0, 1}));
  EXPECT_DOUBLE_EQ(r.chains[0].score.score, 1.0);
}

TEST(Inspect, NoUpsamplingIsAnEmptyReport) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Output("y");
  b.Init("w", Tensor({1, 1, 3, 3}, 1.0f));
  b.Node("Conv", {"x", "w"}, {"c"}, "conv");
  b.Node("Relu", {"c"}, {"y"}, "relu");
  InspectReport r = Inspect(b.Bytes());
  EXPECT_TRUE(r.paths.empty());
  EXPECT_NE(InspectReportMarkdown(r, false).find("No upsampling found"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(InspectReportJson(r))["upsampling_paths"].size(), 0u);
}

// The conformance cases as one-node models: the score is the product over
// axes of (most taps)/(fewest taps) per phase, here by hand per case.
TEST(Inspect, ConformanceCasesAsOneNodeModels) {
  struct Case {
    const char* name;
    double score;
  };
  // k3 s1 (and k2 d2 s1): every phase gets every tap: 1. autopad_same: k3 s2
  // on both axes: 2 x 2 = 4. pads, output_shape, kernel_shape: strides 3, 2
  // with k3: 1 x 2 = 2.
  const Case cases[] = {{"test_convtranspose", 1},      {"test_convtranspose_1d", 1},
                        {"test_convtranspose_3d", 1},   {"test_convtranspose_dilations", 1},
                        {"test_convtranspose_autopad_same", 4}, {"test_convtranspose_pads", 2},
                        {"test_convtranspose_output_shape", 2}, {"test_convtranspose_kernel_shape", 2}};
  for (const Case& c : cases) {
    const std::string dir = std::string(TCONV_SHARED_DIR) + "/conformance/onnx/" + c.name;
    std::ifstream jf(dir + "/case.json");
    ASSERT_TRUE(jf) << dir;
    const nlohmann::json cj = nlohmann::json::parse(jf);
    Tensor x, w;
    ASSERT_TRUE(ReadNpy(dir + "/input.npy", &x).ok());
    ASSERT_TRUE(ReadNpy(dir + "/weight.npy", &w).ok());
    OnnxBuilder b;
    b.Input("x", x.shape);
    b.Output("y", static_cast<int>(x.shape.size()));
    b.Init("w", w);
    auto* n = b.Node("ConvTranspose", {"x", "w"}, {"y"}, "node");
    for (const auto& [key, value] : cj["onnx_attributes"].items()) {
      if (value.is_string()) OnnxBuilder::Str(n, key, value.get<std::string>());
      else if (value.is_array()) OnnxBuilder::Ints(n, key, value.get<std::vector<int64_t>>());
      else OnnxBuilder::Int(n, key, value.get<int64_t>());
    }
    InspectReport r = Inspect(b.Bytes());
    ASSERT_EQ(r.paths.size(), 1u) << c.name;
    EXPECT_DOUBLE_EQ(r.paths[0].score.score, c.score) << c.name;
    EXPECT_EQ(r.paths[0].verdict == "checkerboard", c.score > 1) << c.name;
    // Pads as the conformance data derived them (output_shape / auto_pad resolved).
    const auto pads = cj["derived_pads"].get<std::vector<int64_t>>();
    const int nd = r.paths[0].ndim;
    for (int a = 0; a < nd; ++a) {
      EXPECT_EQ(r.paths[0].geometry.pad_begin[a], pads[a]) << c.name;
      EXPECT_EQ(r.paths[0].geometry.pad_end[a], pads[a + nd]) << c.name;
    }
  }
}

#else

TEST(Inspect, WithoutOnnxSaysHowToGetIt) {
  ModelGraph g;
  Status st = LoadOnnxBytes("x", 1, "m.onnx", &g);
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_NE(st.message().find("libonnx-dev"), std::string::npos);
}

#endif

}  // namespace
}  // namespace tconv
