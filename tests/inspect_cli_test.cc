// `tconv inspect` (tools/tconv/cmd_inspect.cc) as a user runs it: Markdown,
// JSON and the report folder with its pictures; a model without upsampling;
// and malformed models: every truncation and seeded byte corruptions of a
// real model give either a report or one error line with status 2, never a
// crash, and never a half-written --output-dir.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tconv/image.h"
#include "tconv/inspect.h"
#include "tests/cli_run.h"

#ifdef TCONV_TEST_HAVE_ONNX
#include "tests/onnx_test_models.h"
#endif

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::PathExists;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;
using ::tconv::testing::WriteWholeFile;

#ifdef TCONV_TEST_HAVE_ONNX

using ::tconv::testing::OnnxBuilder;

// Two k3 s2 deconvs, 4 -> 8 channels and 8 -> 3, with Relu between.
std::string SmallDecoder() {
  OnnxBuilder b;
  b.Input("x", {1, 4, 4, 4});
  b.Output("y");
  Tensor w1({4, 8, 3, 3}), w2({8, 3, 3, 3});
  for (size_t i = 0; i < w1.data.size(); ++i) w1.data[i] = static_cast<float>((i * 37 % 11) - 5) * 0.1f;
  for (size_t i = 0; i < w2.data.size(); ++i) w2.data[i] = static_cast<float>((i * 13 % 7) - 3) * 0.1f;
  b.Init("w1", w1);
  b.Init("w2", w2);
  auto* n = b.Node("ConvTranspose", {"x", "w1"}, {"u"}, "up1");
  OnnxBuilder::Ints(n, "strides", {2, 2});
  b.Node("Relu", {"u"}, {"r"}, "relu");
  n = b.Node("ConvTranspose", {"r", "w2"}, {"y"}, "up2");
  OnnxBuilder::Ints(n, "strides", {2, 2});
  OnnxBuilder::Ints(n, "pads", {1, 1, 1, 1});
  OnnxBuilder::Ints(n, "output_padding", {1, 1});
  return b.Bytes();
}

TEST(InspectCli, MarkdownJsonAndReportFolder) {
  TempDir tmp;
  const std::string model = tmp / "dec.onnx";
  WriteWholeFile(model, SmallDecoder());
  CliResult md = RunCli({"inspect", model});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("# tconv inspect: dec.onnx"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("Verdict: **checkerboard**"), std::string::npos);
  EXPECT_NE(md.out.find("Use ConvTranspose kernel 4x4"), std::string::npos);

  CliResult js = RunCli({"inspect", model, "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  const nlohmann::json j = nlohmann::json::parse(js.out);
  ASSERT_EQ(j["upsampling_paths"].size(), 2u);
  // k3 s2 per axis 2:1, 2-D 4; the chain 3:1 per axis, 9 (inspect_test.cc).
  EXPECT_EQ(j["upsampling_paths"][0]["overlap"]["score"].get<double>(), 4.0);
  EXPECT_EQ(j["upsampling_paths"][1]["fix_geometry"]["kernel"], nlohmann::json({4, 4}));
  EXPECT_EQ(j["chains"][0]["overlap"]["score"].get<double>(), 9.0);
  EXPECT_EQ(j["upsampling_paths"][0]["weights"]["histogram"]["counts"].size(), 10u);

  const std::string out = tmp / "report";
  CliResult w = RunCli({"inspect", model, "--output-dir", out});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const std::string report = ReadWholeFile(out + "/inspect.md");
  EXPECT_EQ(nlohmann::json::parse(ReadWholeFile(out + "/inspect.json")), j);
  int pictures = 0;
  for (size_t pos = report.find("](path"); pos != std::string::npos; pos = report.find("](", pos + 1)) {
    const size_t end = report.find(')', pos);
    Image img;
    const std::string name = report.substr(pos + 2, end - pos - 2);
    EXPECT_TRUE(ReadPng(out + "/" + name, &img).ok()) << name;
    ++pictures;
  }
  EXPECT_GE(pictures, 4);  // overlap + spread per path
}

TEST(InspectCli, NoUpsamplingSaysSo) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Output("y");
  b.Node("Relu", {"x"}, {"y"}, "relu");
  TempDir tmp;
  WriteWholeFile(tmp / "m.onnx", b.Bytes());
  CliResult r = RunCli({"inspect", tmp / "m.onnx"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("No upsampling found"), std::string::npos) << r.out;
}

// Library level, in process (fast): every prefix of the model and seeded
// single-byte corruptions load or fail cleanly; whatever loads inspects
// without error or fails with a message.
TEST(InspectFuzz, TruncatedAndCorruptedModels) {
  const std::string good = SmallDecoder();
  int rejected = 0, accepted = 0;
  auto probe = [&](const std::string& bytes) {
    ModelGraph g;
    Status st = LoadOnnxBytes(bytes.data(), bytes.size(), "m.onnx", &g);
    if (!st.ok()) {
      EXPECT_FALSE(st.message().empty());
      EXPECT_EQ(st.message().find('\n'), std::string::npos) << st.message();
      ++rejected;
      return;
    }
    ++accepted;
    InspectReport r;
    st = InspectGraph(g, "m.onnx", &r);
    if (st.ok()) InspectReportJson(r), InspectReportMarkdown(r, true);
  };
  for (size_t n = 0; n < good.size(); ++n) probe(good.substr(0, n));
  uint64_t s = 12345;
  for (int i = 0; i < 3000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string bad = good;
    bad[(s >> 33) % bad.size()] = static_cast<char>(s >> 16);
    probe(bad);
  }
  EXPECT_GT(rejected, static_cast<int>(good.size()) / 2);  // most truncations are caught
  EXPECT_GT(accepted, 0);
}

// Found by the ONNX fuzzer: (1) a Conv after a Resize whose scales do not
// match its input's rank crashed ONNX 1.12's shape inference; the ranks
// are now checked first. (2) A node name holding a newline broke the
// one-line error; names show control bytes as \xNN.
TEST(InspectFuzz, RankMismatchAfterResizeAndControlBytesInNames) {
  OnnxBuilder b(10);
  b.Input("x", {1, 4});
  b.Output("y");
  Tensor scales({4}), w({1, 1, 3, 3});
  scales.data = {1, 1, 2, 2};
  b.Init("s", scales);
  b.Init("w", w);
  OnnxBuilder::Str(b.Node("Resize", {"x", "s"}, {"u"}, "resize"), "mode", "nearest");
  b.Node("Conv", {"u", "w"}, {"y"}, "con\nv");
  ModelGraph g;
  const Status st = b.Load(&g);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("node 'con\\x0av' (Conv): input and weight ranks differ (2 and 4)"), std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
}

// Found by the ONNX fuzzer in CI: ONNX 1.12's shape inference reads a
// value's declared shape (graph output or value_info) where it disagrees
// with what the value's producer gives, and its Conv inference, handed a
// rank-2 input and a rank-4 weight, read a null pointer. A value given two
// ranks now turns inference off: the model loads, without inferred sizes
// (stale declarations occur in converted models that run elsewhere).
TEST(InspectFuzz, DeclaredRanksThatContradictTheGraphSkipInference) {
  for (int form = 0; form < 3; ++form) {
    OnnxBuilder b;
    b.Input("x", {1, 1, 4, 4});
    b.Output("y");
    if (form == 0) b.Output("r", 2);      // a graph output of another rank
    if (form == 1) b.Declare("r", {1, 1});  // value_info of another rank
    if (form == 2) b.Output("x", 2);      // the fuzzer's model: an output named as the input
    b.Init("w", Tensor({1, 1, 3, 3}));
    b.Node("Relu", {"x"}, {"r"}, "relu");
    b.Node("Conv", {"r", "w"}, {"y"}, "smooth");
    ModelGraph g;
    const Status st = b.Load(&g);
    ASSERT_TRUE(st.ok()) << form << ": " << st.message();
    ASSERT_TRUE(g.shapes.count("y")) << form;
    EXPECT_EQ(g.shapes.at("y"), (Shape{-1, -1, -1, -1})) << form << ": inferred, the declaration alone expected";
  }
}

// A GAN's head, Gemm then Reshape to a constant shape, gives the
// ConvTranspose after it a known rank: inference runs and sizes it.
TEST(InspectFuzz, GemmReshapeHeadIsInferred) {
  OnnxBuilder b;
  b.Input("z", {1, 2});
  b.Output("y");
  b.Init("fc", Tensor({2, 8}));
  b.InitInts("shape", {1, 2, 2, 2});
  b.Init("w", Tensor({2, 1, 2, 2}));
  b.Node("Gemm", {"z", "fc"}, {"h"}, "fc");
  b.Node("Reshape", {"h", "shape"}, {"r"}, "reshape");
  OnnxBuilder::Ints(b.Node("ConvTranspose", {"r", "w"}, {"y"}, "up"), "strides", {2, 2});
  ModelGraph g;
  ASSERT_TRUE(b.Load(&g).ok());
  ASSERT_TRUE(g.shapes.count("y"));
  EXPECT_EQ(g.shapes.at("y"), (Shape{1, 1, 4, 4}));
}

// ONNX 1.12's pooling inference divides by the strides unchecked: a zero
// stride is refused before it runs.
TEST(InspectFuzz, PoolingWithAZeroStrideIsRefused) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Output("y");
  auto* pool = b.Node("MaxPool", {"x"}, {"y"}, "pool");
  OnnxBuilder::Ints(pool, "kernel_shape", {2, 2});
  OnnxBuilder::Ints(pool, "strides", {0, 0});
  ModelGraph g;
  const Status st = b.Load(&g);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("m.onnx: node 'pool' (MaxPool): attribute strides must be >= 1"), std::string::npos)
      << st.message();
}

// A Conv without kernel_shape is given its weight's spatial dims, the
// layer it already was: the inferred output size is the model's.
TEST(InspectFuzz, KernelShapeFromTheWeightKeepsTheLayer) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Output("y");
  b.Init("w", Tensor({1, 1, 3, 3}));
  b.Node("Conv", {"x", "w"}, {"y"}, "smooth");
  ModelGraph g;
  ASSERT_TRUE(b.Load(&g).ok());
  ASSERT_TRUE(g.shapes.count("y"));
  EXPECT_EQ(g.shapes.at("y"), (Shape{1, 1, 2, 2}));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].ints.at("kernel_shape"), (std::vector<int64_t>{3, 3}));
}

// Found by the ONNX fuzzer: an initializer whose dims declare 2^40 values
// that the file does not hold was allocated (and zero-filled) before its
// values were counted; it is refused at once now.
TEST(InspectFuzz, DimsLargerThanTheStoredValuesAllocateNothing) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 4, 4});
  b.Output("y");
  Tensor w;
  w.shape = {int64_t{1} << 20, int64_t{1} << 20, 1, 1};
  w.data = {1.0f, 2.0f};
  b.Init("w", w);
  b.Node("ConvTranspose", {"x", "w"}, {"y"}, "up");
  ModelGraph g;
  const Status st = b.Load(&g);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("initializer 'w': its data does not hold the 1099511627776"), std::string::npos)
      << st.message();
}

TEST(InspectCli, TruncatedModelIsOneErrorLineAndNothingWritten) {
  const std::string good = SmallDecoder();
  TempDir tmp;
  for (size_t n : {size_t{0}, size_t{5}, good.size() / 2, good.size() - 3}) {
    const std::string model = tmp / ("t" + std::to_string(n) + ".onnx");
    WriteWholeFile(model, good.substr(0, n));
    const std::string out = tmp / ("out" + std::to_string(n));
    CliResult r = RunCli({"inspect", model, "--output-dir", out});
    EXPECT_EQ(r.exit_code, 2) << n << ": " << r.out;
    EXPECT_EQ(r.ErrLines(), 1) << r.err;
    EXPECT_EQ(r.err.rfind("tconv: error: ", 0), 0u) << r.err;
    EXPECT_FALSE(PathExists(out)) << n;
  }
}

#endif  // TCONV_TEST_HAVE_ONNX

TEST(InspectCli, MissingFileAndNotOnnx) {
  TempDir tmp;
  CliResult r = RunCli({"inspect", tmp / "absent.onnx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  WriteWholeFile(tmp / "text.onnx", "this is not a model\n");
  r = RunCli({"inspect", tmp / "text.onnx", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace tconv
