// `tconv explain`: the values it prints (output shape, derived pads, output
// padding, flops, one row per algorithm, auto's pick) and its errors.
#include <gtest/gtest.h>

#include <algorithm>

#include <sstream>
#include <string>

#include "tconv/desc.h"
#include "tconv/plan.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::Describe;
using ::tconv::testing::RunCli;

// The value printed after `key` on its own line ("key   value").
std::string Field(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + " ", 0) == 0) {
      size_t v = line.find_first_not_of(' ', key.size());
      return v == std::string::npos ? "" : line.substr(v);
    }
  }
  return "<missing " + key + ">";
}

CliResult Explain(std::vector<std::string> args) {
  args.insert(args.begin(), "explain");
  CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << Describe(args, r);
  EXPECT_TRUE(r.err.empty()) << r.err;
  return r;
}

TEST(Explain, OnnxOutputShapeCase) {
  // test_convtranspose_output_shape: total padding -1 per axis, floor
  // division puts the extra row/column at the end.
  CliResult r = Explain({"--input-shape", "1,1,3,3", "--weight-shape", "1,2,3,3", "--stride", "3,2",
                         "--output-shape", "10,8"});
  EXPECT_EQ(Field(r.out, "output"), "(1, 2, 10, 8)");
  EXPECT_EQ(Field(r.out, "pads begin"), "0, 0");
  EXPECT_EQ(Field(r.out, "pads end"), "-1, -1");
  EXPECT_EQ(Field(r.out, "output_padding"), "0, 0");
  EXPECT_EQ(Field(r.out, "flops"), "324 (nominal, 2 per multiply-add)");
  EXPECT_EQ(Field(r.out, "stride"), "3, 2");
}

TEST(Explain, AutoPadAndTargetShape) {
  CliResult r = Explain({"--input-shape", "1,1,3,3", "--weight-shape", "1,2,3,3", "--stride", "2", "--auto-pad",
                         "SAME_UPPER"});
  EXPECT_EQ(Field(r.out, "output"), "(1, 2, 6, 6)");
  EXPECT_EQ(Field(r.out, "pads begin"), "0, 0");
  EXPECT_EQ(Field(r.out, "pads end"), "1, 1");
  r = Explain({"--input-shape", "1,1,5,5", "--weight-shape", "1,1,3,3", "--stride", "2", "--target-shape", "10,10"});
  EXPECT_EQ(Field(r.out, "output"), "(1, 1, 10, 10)");
  EXPECT_EQ(Field(r.out, "pads begin"), "1, 1");
  EXPECT_EQ(Field(r.out, "pads end"), "1, 1");
  EXPECT_EQ(Field(r.out, "output_padding"), "1, 1");
}

TEST(Explain, OneRowPerAlgorithmAndAutoPick) {
  const std::vector<std::string> args = {"--input-shape", "2,64,16,16", "--weight-shape", "64,32,4,4",
                                         "--stride",      "2",          "--pad",          "1"};
  CliResult r = Explain(args);
  EXPECT_EQ(Field(r.out, "output"), "(2, 32, 32, 32)");
  EXPECT_EQ(Field(r.out, "flops"), "33,554,432 (nominal, 2 per multiply-add)");
  ConvDesc d;
  d.batch = 2;
  d.in_channels = 64;
  d.out_channels = 32;
  d.in = {16, 16, 1};
  d.kernel = {4, 4, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  for (const AlgorithmEstimate& e : EstimateAlgorithms(d)) {
    std::string row = Field(r.out, e.name);
    EXPECT_EQ(row.rfind("<missing", 0), std::string::npos) << e.name << "\n" << r.out;
  }
  std::string why;
  const std::string pick = AutoAlgorithm(d, &why);
  EXPECT_NE(r.out.find("auto picks: " + pick + " (" + why + ")"), std::string::npos) << r.out;
  // The kernel auto's algorithm runs: for phase, a kernel of the list at the
  // active ISA (its name ends in __<isa>).
  const std::string kernel = Field(r.out, "auto kernel:");
  if (pick == "phase") {
    const std::vector<std::string> names = PhaseKernelNames();
    EXPECT_NE(std::find(names.begin(), names.end(), kernel), names.end()) << r.out;
  } else {
    EXPECT_NE(kernel.find("sgemm"), std::string::npos) << r.out;
  }
  // x (2, 64, 16, 16) and y (2, 32, 32, 32) floats: 128 KiB + 256 KiB.
  EXPECT_EQ(LayoutConversionBytes(d, Layout::kNHWC), 393216);
  EXPECT_NE(r.out.find("channels last (--layout nhwc) adds up to 384.0 KiB of workspace"), std::string::npos) << r.out;
}

TEST(Explain, ForwardConv) {
  CliResult r = Explain({"--op", "conv", "--input-shape", "1,4,9,9", "--weight-shape", "8,2,3,3", "--groups", "2",
                         "--stride", "2", "--pads", "1,1,0,0"});
  EXPECT_EQ(Field(r.out, "output"), "(1, 8, 4, 4)");
  EXPECT_EQ(Field(r.out, "pads begin"), "1, 1");
  EXPECT_EQ(Field(r.out, "pads end"), "0, 0");
  EXPECT_EQ(Field(r.out, "flops"), "4,608 (nominal, 2 per multiply-add)");
}

TEST(Explain, Errors) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--input-shape", "1,1,3", "--weight-shape", "2,2,3"}, "--weight-shape dim 0 is 2 but must equal"},
      {{"--input-shape", "1,1", "--weight-shape", "1,1"}, "--input-shape has shape (1, 1) of rank 2"},
      {{"--input-shape", "1,1,3,x", "--weight-shape", "1,1,3,3"}, "'x' is not an integer"},
      {{"--input-shape", "1,1,3,3", "--weight-shape", "1,1,3,3", "--stride", "1,1,1"}, "--stride has 3 values"},
      {{"--input-shape", "1,1,3,3", "--weight-shape", "1,1,3,3", "--op", "deconv"}, "--op must be"},
      {{"--input-shape", "1,1,3,3", "--weight-shape", "1,1,3,3", "--op", "conv", "--output-padding", "1"},
       "apply to --op conv-transpose only"},
      {{"--input-shape", "1,1,3,3", "--weight-shape", "1,1,3,3", "--pad", "5"}, "output length of axis 0"},
  };
  for (const auto& [args, needle] : cases) {
    std::vector<std::string> a = args;
    a.insert(a.begin(), "explain");
    CliResult r = RunCli(a);
    EXPECT_EQ(r.exit_code, 2) << Describe(a, r);
    EXPECT_EQ(r.ErrLines(), 1) << Describe(a, r);
    EXPECT_EQ(r.err.rfind("tconv: error: ", 0), 0u) << Describe(a, r);
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << "\n" << Describe(a, r);
  }
}

}  // namespace
}  // namespace tconv
