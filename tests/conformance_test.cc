// Conformance: every conv_transpose case in TCONV_SHARED_DIR/conformance/
// {onnx,examples} run through the `tconv conv-transpose` CLI with every
// algorithm (AlgorithmNames() plus auto), compared with expected.npy by the
// README rule |out-exp| <= 1e-4*sqrt(K)*(1+|exp|), shape exact, all finite.
// Cases carrying mxnet_target_shape are also run with --target-shape. Each
// case also runs channels last (--layout nhwc, input and expected permuted).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tests/cli_run.h"
#include "tests/support/channels_last.h"

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::Describe;
using ::tconv::testing::PathExists;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;

struct Case {
  std::string name;  // "onnx/test_convtranspose"
  std::string dir;
};

const char* const kSuites[] = {"onnx", "examples"};

std::string ConformanceRoot() { return std::string(TCONV_SHARED_DIR) + "/conformance"; }

// All case folders (those with a case.json), sorted, any op.
std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const char* suite : kSuites) {
    std::error_code ec;
    const std::string root = ConformanceRoot() + "/" + suite;
    for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
      if (e.is_directory() && PathExists(e.path().string() + "/case.json")) {
        cases.push_back({std::string(suite) + "/" + e.path().filename().string(), e.path().string()});
      }
    }
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

nlohmann::json LoadJson(const std::string& path) {
  return nlohmann::json::parse(ReadWholeFile(path), nullptr, /*allow_exceptions=*/false);
}

std::string Op(const Case& c) {
  nlohmann::json j = LoadJson(c.dir + "/case.json");
  return j.is_object() && j.contains("op") && j["op"].is_string() ? j["op"].get<std::string>() : "";
}

std::vector<Case> ConvTransposeCases() {
  std::vector<Case> out;
  for (const Case& c : AllCases())
    if (Op(c) == "conv_transpose") out.push_back(c);
  return out;
}

std::string Join(const nlohmann::json& list) {
  std::string s;
  for (const auto& v : list) s += (s.empty() ? "" : ",") + std::to_string(v.get<int64_t>());
  return s;
}

std::vector<int64_t> Ints(const nlohmann::json& list) {
  std::vector<int64_t> v;
  for (const auto& x : list) v.push_back(x.get<int64_t>());
  return v;
}

// Most products summed into one output element (conformance README).
int64_t MaxTerms(const Shape& x, const Shape& w, const nlohmann::json& j) {
  const int64_t group = j.value("group", 1);
  int64_t k = x[1] / group;
  std::vector<int64_t> s = Ints(j["strides"]), d = Ints(j["dilations"]);
  for (size_t a = 0; a + 2 < x.size(); ++a) {
    const int64_t step = s[a] / std::gcd(s[a], d[a]);
    const int64_t taps = (w[2 + a] + step - 1) / step;
    k *= std::min(x[2 + a], taps);
  }
  return k;
}

enum class PadMode { kAsGiven, kMxnetTarget };

std::vector<std::string> FlagsFor(const Case& c, const nlohmann::json& j, PadMode mode) {
  std::vector<std::string> args = {"conv-transpose", "--input", c.dir + "/input.npy", "--weight", c.dir + "/weight.npy"};
  if (PathExists(c.dir + "/bias.npy")) args.insert(args.end(), {"--bias", c.dir + "/bias.npy"});
  args.push_back("--stride=" + Join(j["strides"]));
  args.push_back("--dilation=" + Join(j["dilations"]));
  args.push_back("--groups=" + std::to_string(j.value("group", 1)));
  if (mode == PadMode::kMxnetTarget) {
    args.push_back("--target-shape=" + Join(j["mxnet_target_shape"]));
    return args;
  }
  const std::string auto_pad = j.value("auto_pad", std::string("NOTSET"));
  args.push_back("--output-padding=" + Join(j["output_padding"]));
  args.push_back("--auto-pad=" + auto_pad);
  if (j.contains("output_shape") && !j["output_shape"].is_null()) {
    args.push_back("--output-shape=" + Join(j["output_shape"]));
  } else if (auto_pad == "NOTSET") {
    args.push_back("--pads=" + Join(j["pads"]));
  }
  return args;
}

void CheckOutput(const std::string& out_path, const Tensor& expected, double tol, const std::string& what) {
  Tensor y;
  Status st = ReadNpy(out_path, &y);
  ASSERT_TRUE(st.ok()) << what << ": " << st.message();
  ASSERT_EQ(y.shape, expected.shape) << what;
  int bad = 0;
  for (size_t i = 0; i < y.data.size(); ++i) {
    const double o = y.data[i], e = expected.data[i];
    const bool ok = std::isfinite(o) && std::fabs(o - e) <= tol * (1.0 + std::fabs(e));
    if (!ok && ++bad <= 5) ADD_FAILURE() << what << ": element " << i << " is " << o << ", expected " << e;
  }
  EXPECT_EQ(bad, 0) << what;
}

class Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(Conformance, MatchesExpectedWithEveryAlgorithm) {
  const Case& c = GetParam();
  nlohmann::json j = LoadJson(c.dir + "/case.json");
  ASSERT_TRUE(j.is_object()) << c.dir << "/case.json does not parse";
  Tensor x, w, expected;
  ASSERT_TRUE(ReadNpy(c.dir + "/input.npy", &x).ok());
  ASSERT_TRUE(ReadNpy(c.dir + "/weight.npy", &w).ok());
  ASSERT_TRUE(ReadNpy(c.dir + "/expected.npy", &expected).ok());
  const double tol = 1e-4 * std::sqrt(static_cast<double>(MaxTerms(x.shape, w.shape, j)));

  std::vector<std::string> algos = AlgorithmNames();
  algos.push_back("auto");
  std::vector<PadMode> modes = {PadMode::kAsGiven};
  if (j.contains("mxnet_target_shape") && !j["mxnet_target_shape"].is_null()) modes.push_back(PadMode::kMxnetTarget);
  TempDir dir;
  for (PadMode mode : modes) {
    for (const std::string& algo : algos) {
      std::vector<std::string> args = FlagsFor(c, j, mode);
      const std::string out = dir / (algo + ".npy");
      args.insert(args.end(), {"--output", out, "--algo", algo});
      CliResult r = RunCli(args);
      ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
      EXPECT_TRUE(r.err.empty()) << Describe(args, r);
      CheckOutput(out, expected, tol,
                  c.name + " --algo " + algo + (mode == PadMode::kMxnetTarget ? " (--target-shape)" : ""));
    }
  }
  // The multi-threaded path gives the same answer too.
  std::vector<std::string> args = FlagsFor(c, j, PadMode::kAsGiven);
  const std::string out = dir / "threads.npy";
  args.insert(args.end(), {"--output", out, "--threads", "2"});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
  CheckOutput(out, expected, tol, c.name + " --threads 2");

  // Channels last: the same case with the input and the expectation permuted.
  ASSERT_TRUE(WriteNpyAtomic(dir / "input_nhwc.npy", testing::ToChannelsLast(x)).ok());
  for (const std::string& algo : algos) {
    args = FlagsFor(c, j, PadMode::kAsGiven);
    args[2] = dir / "input_nhwc.npy";  // {"conv-transpose", "--input", path, ...}
    const std::string out_nhwc = dir / (algo + "_nhwc.npy");
    args.insert(args.end(), {"--output", out_nhwc, "--algo", algo, "--layout", "nhwc", "--threads", "2"});
    r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    CheckOutput(out_nhwc, testing::ToChannelsLast(expected), tol, c.name + " --layout nhwc --algo " + algo);
  }
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.name;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Shared, Conformance, ::testing::ValuesIn(ConvTransposeCases()), CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

// The suite must not pass vacuously: a missing or empty shared folder fails.
TEST(ConformanceSuite, SharedFolderHasCases) {
  ASSERT_TRUE(PathExists(ConformanceRoot())) << "missing conformance data at " << ConformanceRoot()
                                             << " (configure with -DTCONV_SHARED_DIR=...)";
  int onnx = 0, examples = 0, other_ops = 0;
  for (const Case& c : AllCases()) {
    const std::string op = Op(c);
    if (op == "conv_transpose") {
      (c.name.rfind("onnx/", 0) == 0 ? onnx : examples)++;
    } else {
      ++other_ops;  // upsample_conv: covered by the upsample-conv tests
    }
  }
  EXPECT_GT(onnx, 0) << "no conv_transpose cases in " << ConformanceRoot() << "/onnx";
  EXPECT_GT(examples, 0) << "no conv_transpose cases in " << ConformanceRoot() << "/examples";
  EXPECT_EQ(static_cast<size_t>(onnx + examples), ConvTransposeCases().size());
  // What the shared folder holds today (READMEs): 14 ONNX + 3 article cases.
  EXPECT_GE(onnx, 14);
  EXPECT_GE(examples, 3);
}

}  // namespace
}  // namespace tconv
