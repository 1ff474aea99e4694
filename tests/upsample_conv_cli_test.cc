// `tconv upsample-conv` through the CLI: the conformance cases with op
// "upsample_conv" (TCONV_SHARED_DIR/conformance/examples; the test fails when
// the folder or the cases are missing), agreement with the library
// (Resample + ConvRef) for nearest/bilinear, align_corners, per-axis scales,
// groups, bias and 1-D/3-D inputs, and the error contract: exit 2, one line
// "tconv: error: ...", no output file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tconv/npy.h"
#include "tconv/reference.h"
#include "tconv/resample.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::Describe;
using ::tconv::testing::PathExists;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;

std::string JoinNums(const nlohmann::json& list) {
  std::string s;
  for (const auto& v : list) {
    std::string item;
    if (v.is_number_integer()) {
      item = std::to_string(v.get<int64_t>());
    } else {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.17g", v.get<double>());
      item = buf;
    }
    s += (s.empty() ? "" : ",") + item;
  }
  return s;
}

TEST(UpsampleConvCli, ConformanceCases) {
  const std::string root = std::string(TCONV_SHARED_DIR) + "/conformance/examples";
  ASSERT_TRUE(std::filesystem::is_directory(root)) << "conformance folder missing: " << root;
  std::vector<std::string> dirs;
  for (const auto& e : std::filesystem::directory_iterator(root)) {
    const std::string cj = e.path().string() + "/case.json";
    if (!PathExists(cj)) continue;
    nlohmann::json j = nlohmann::json::parse(ReadWholeFile(cj), nullptr, false);
    if (j.is_object() && j.value("op", "") == "upsample_conv") dirs.push_back(e.path().string());
  }
  std::sort(dirs.begin(), dirs.end());
  ASSERT_GE(dirs.size(), 2u) << "expected the cases d and d2 in " << root;
  for (const std::string& dir : dirs) {
    nlohmann::json j = nlohmann::json::parse(ReadWholeFile(dir + "/case.json"));
    TempDir tmp;
    std::vector<std::string> args = {"upsample-conv", "--input", dir + "/input.npy", "--weight", dir + "/weight.npy",
                                     "--output", tmp / "y.npy", "--mode", j["mode"].get<std::string>(), "--scale",
                                     JoinNums(j["scale"]), "--stride", JoinNums(j["strides"]), "--pads",
                                     JoinNums(j["pads"]), "--dilation", JoinNums(j["dilations"]), "--groups",
                                     std::to_string(j["group"].get<int64_t>())};
    if (j.value("align_corners", false)) args.push_back("--align-corners");
    if (PathExists(dir + "/bias.npy")) {
      args.push_back("--bias");
      args.push_back(dir + "/bias.npy");
    }
    CliResult r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    Tensor y, want, w;
    ASSERT_TRUE(ReadNpy(tmp / "y.npy", &y).ok());
    ASSERT_TRUE(ReadNpy(dir + "/expected.npy", &want).ok());
    ASSERT_TRUE(ReadNpy(dir + "/weight.npy", &w).ok());
    ASSERT_EQ(y.shape, want.shape) << dir;
    int64_t k = 1;
    for (size_t i = 1; i < w.shape.size(); ++i) k *= w.shape[i];  // (Cin/g) * prod(kernel)
    const double tol = 1e-4 * std::sqrt(static_cast<double>(k));
    for (int64_t i = 0; i < y.numel(); ++i) {
      ASSERT_TRUE(std::isfinite(y.data[i]));
      ASSERT_LE(std::fabs(y.data[i] - want.data[i]), tol * (1 + std::fabs(want.data[i])))
          << dir << " at " << i << ": " << y.data[i] << " vs " << want.data[i];
    }
  }
}

Tensor Random(Shape s, uint32_t seed) {
  Tensor t(std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& v : t.data) v = u(rng);
  return t;
}

struct LibCase {
  Shape x, w;
  std::string mode, scale;
  std::vector<double> scales;
  bool align;
  int64_t groups, pad, stride;
  bool bias;
};

TEST(UpsampleConvCli, MatchesLibrary) {
  const std::vector<LibCase> cases = {
      {{1, 2, 5, 4}, {3, 2, 3, 3}, "nearest", "2", {2, 2}, false, 1, 1, 1, true},
      {{2, 2, 4, 5}, {2, 2, 3, 3}, "bilinear", "2", {2, 2}, true, 1, 0, 1, false},
      {{1, 4, 3, 5}, {4, 2, 2, 3}, "bilinear", "1.5,2", {1.5, 2}, false, 2, 1, 2, true},
      {{1, 1, 7}, {2, 1, 3}, "linear", "3", {3}, false, 1, 1, 1, false},
      {{1, 2, 3, 2, 3}, {1, 2, 3, 3, 3}, "trilinear", "2", {2, 2, 2}, false, 1, 1, 1, true},
  };
  uint32_t seed = 40;
  for (const LibCase& c : cases) {
    TempDir tmp;
    Tensor x = Random(c.x, seed++), w = Random(c.w, seed++), b = Random({c.w[0]}, seed++);
    ASSERT_TRUE(WriteNpyAtomic(tmp / "x.npy", x).ok());
    ASSERT_TRUE(WriteNpyAtomic(tmp / "w.npy", w).ok());
    ASSERT_TRUE(WriteNpyAtomic(tmp / "b.npy", b).ok());
    std::vector<std::string> args = {"upsample-conv", "--input", tmp / "x.npy", "--weight", tmp / "w.npy",
                                     "--output", tmp / "y.npy", "--mode", c.mode, "--scale", c.scale,
                                     "--pad", std::to_string(c.pad), "--stride", std::to_string(c.stride),
                                     "--groups", std::to_string(c.groups)};
    if (c.align) args.push_back("--align-corners");
    if (c.bias) {
      args.push_back("--bias");
      args.push_back(tmp / "b.npy");
    }
    CliResult r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    Tensor y;
    ASSERT_TRUE(ReadNpy(tmp / "y.npy", &y).ok());
    // Library: Resample then ConvRef.
    ResampleParams rp;
    ASSERT_TRUE(ParseResampleMode(c.mode, &rp.mode).ok());
    rp.scale = c.scales;
    rp.align_corners = c.align;
    Shape us;
    ASSERT_TRUE(ResampleOutputShape(c.x, rp, &us).ok());
    Tensor up(us);
    ASSERT_TRUE(Resample(rp, x.cview(), up.view()).ok());
    ConvDesc d;
    d.ndim = static_cast<int>(c.x.size()) - 2;
    d.batch = c.x[0];
    d.in_channels = c.x[1];
    d.out_channels = c.w[0];
    d.groups = c.groups;
    for (int a = 0; a < d.ndim; ++a) {
      d.in[a] = us[2 + a];
      d.kernel[a] = c.w[2 + a];
      d.stride[a] = c.stride;
      d.pad_begin[a] = d.pad_end[a] = c.pad;
    }
    Tensor want(ConvOutputShape(d));
    ASSERT_TRUE(ConvRef(d, up.cview(), w.cview(), c.bias ? b.cview() : ConstTensorView(), want.view()).ok());
    ASSERT_EQ(y.shape, want.shape);
    for (int64_t i = 0; i < y.numel(); ++i) ASSERT_NEAR(y.data[i], want.data[i], 1e-4 * (1 + std::fabs(want.data[i])));
  }
}

TEST(UpsampleConvCli, BadInputExitsTwoWithOneLineAndNoOutput) {
  TempDir tmp;
  Tensor x = Random({1, 2, 4, 4}, 1), w = Random({3, 2, 3, 3}, 2), b3 = Random({3}, 3), b4 = Random({4}, 4);
  Tensor w_bad = Random({3, 5, 3, 3}, 5);
  ASSERT_TRUE(WriteNpyAtomic(tmp / "x.npy", x).ok());
  ASSERT_TRUE(WriteNpyAtomic(tmp / "w.npy", w).ok());
  ASSERT_TRUE(WriteNpyAtomic(tmp / "b4.npy", b4).ok());
  ASSERT_TRUE(WriteNpyAtomic(tmp / "wbad.npy", w_bad).ok());
  const std::string out = tmp / "y.npy";
  const std::vector<std::string> base = {"upsample-conv", "--input", tmp / "x.npy", "--output", out};
  const std::vector<std::vector<std::string>> bad = {
      {"--weight", tmp / "w.npy", "--mode", "cubic", "--scale", "2"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "0"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "2,2,2"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "abc"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "0.1"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "2", "--align-corners"},
      {"--weight", tmp / "wbad.npy", "--mode", "nearest", "--scale", "2"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "2", "--bias", tmp / "b4.npy"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "2", "--pad", "1", "--pads", "1,1,1,1"},
      {"--weight", tmp / "w.npy", "--mode", "nearest", "--scale", "2", "--stride", "0"},
      {"--weight", tmp / "missing.npy", "--mode", "nearest", "--scale", "2"},
      {"--weight", tmp / "w.npy", "--mode", "bilinear", "--scale", "0.25", "--pad", "0"},  // 1x1 < kernel 3
  };
  for (const auto& extra : bad) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << Describe(args, r);
    EXPECT_EQ(r.ErrLines(), 1) << Describe(args, r);
    EXPECT_EQ(r.err.rfind("tconv: error: ", 0), 0u) << Describe(args, r);
    EXPECT_FALSE(PathExists(out)) << Describe(args, r);
  }
  // Output into a missing folder: error, nothing written.
  std::vector<std::string> args = {"upsample-conv", "--input", tmp / "x.npy", "--weight", tmp / "w.npy",
                                   "--output", tmp / "no/dir/y.npy", "--mode", "nearest", "--scale", "2"};
  CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 2) << Describe(args, r);
  EXPECT_EQ(r.ErrLines(), 1);
}

TEST(PixelShuffleCli, RoundTripAndErrors) {
  TempDir tmp;
  Tensor x = Random({2, 8, 3, 5}, 9);
  ASSERT_TRUE(WriteNpyAtomic(tmp / "x.npy", x).ok());
  CliResult r = RunCli({"pixel-shuffle", "--input", tmp / "x.npy", "--output", tmp / "y.npy", "--factor", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Tensor y, z;
  ASSERT_TRUE(ReadNpy(tmp / "y.npy", &y).ok());
  EXPECT_EQ(y.shape, (Shape{2, 2, 6, 10}));
  // y[n, c, h*2+i, w*2+j] = x[n, c*4 + i*2 + j, h, w]
  EXPECT_EQ(y.data[((1 * 2 + 1) * 6 + 3) * 10 + 4], x.data[((1 * 8 + 4 + 2 + 0) * 3 + 1) * 5 + 2]);
  r = RunCli({"pixel-unshuffle", "--input", tmp / "y.npy", "--output", tmp / "z.npy", "--factor", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(ReadNpy(tmp / "z.npy", &z).ok());
  EXPECT_EQ(z.shape, x.shape);
  EXPECT_EQ(z.data, x.data);
  r = RunCli({"pixel-shuffle", "--input", tmp / "x.npy", "--output", tmp / "bad.npy", "--factor", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.ErrLines(), 1);
  EXPECT_EQ(r.err.rfind("tconv: error: ", 0), 0u);
  EXPECT_FALSE(PathExists(tmp / "bad.npy"));
}

}  // namespace
}  // namespace tconv
