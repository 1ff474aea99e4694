// `tconv conv-transpose --dtype bf16` and `tconv explain --dtype bf16` as a
// user runs them: float32 files rounded to bf16 on load and the output
// written rounded, equal to the bf16 reference; uint16 files of bf16 bits
// (--bf16-io uint16) in and out; and bad combinations: exit 2, one stderr
// line, no output file.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"
#include "tconv/bfloat16.h"
#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/cli_run.h"
#include "tests/support/channels_last.h"

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::Describe;
using ::tconv::testing::PathExists;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;

// Values that are not bf16: loading must round them.
Tensor Filled(Shape s, float scale) {
  Tensor t(std::move(s));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = scale * (static_cast<float>(i % 11) - 5.0f) * 1.0009765f;
  return t;
}

class CliBf16 : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = Filled({2, 4, 5, 6}, 0.37f);
    w_ = Filled({4, 3, 3, 3}, 0.21f);
    b_ = Filled({3}, 0.5f);
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "x.npy", x_).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "w.npy", w_).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "b.npy", b_).ok());
    ASSERT_TRUE(WriteNpyBf16BitsAtomic(dir_ / "x16.npy", x_).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "x_nhwc.npy", testing::ToChannelsLast(x_)).ok());
    ASSERT_TRUE(WriteNpyBf16BitsAtomic(dir_ / "w16.npy", w_).ok());
    out_ = dir_ / "y.npy";
  }
  // The bf16 reference on the rounded inputs, rounded to bf16.
  std::vector<float> Expected() const {
    ConvDesc d;
    d.batch = 2, d.in_channels = 4, d.out_channels = 3, d.in = {5, 6, 1}, d.kernel = {3, 3, 1};
    d.stride = {2, 2, 1}, d.pad_begin = d.pad_end = {1, 1, 0};
    std::vector<BFloat16> xb, wb;
    for (float v : x_.data) xb.push_back(ToBFloat16(v));
    for (float v : w_.data) wb.push_back(ToBFloat16(v));
    Tensor y(ConvTransposeOutputShape(d));
    EXPECT_TRUE(ConvTransposeRefBF16(d, ConstBF16View(xb.data(), x_.shape), ConstBF16View(wb.data(), w_.shape),
                                     b_.cview(), y.view())
                    .ok());
    for (float& v : y.data) v = RoundToBFloat16(v);
    return y.data;
  }
  std::vector<std::string> Args(const std::string& x, const std::string& w, std::vector<std::string> extra) const {
    std::vector<std::string> a = {"conv-transpose", "--input", dir_ / x, "--weight", dir_ / w, "--bias",
                                  dir_ / "b.npy", "--output", out_, "--stride", "2", "--pad", "1"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  void ExpectError(const std::vector<std::string>& args, const std::string& needle) {
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << Describe(args, r);
    EXPECT_EQ(r.ErrLines(), 1) << Describe(args, r);
    EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "'\n" << Describe(args, r);
    EXPECT_FALSE(PathExists(out_)) << Describe(args, r);
  }
  // Each output within one bf16 rounding step of the expected value (the
  // plan's f32 sum and the double reference may round to neighbours).
  void ExpectClose(const Tensor& y) {
    const std::vector<float> want = Expected();
    ASSERT_EQ(y.data.size(), want.size());
    int exact = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(y.data[i], RoundToBFloat16(y.data[i])) << "not a bf16 value at " << i;
      EXPECT_LE(std::fabs(y.data[i] - want[i]), std::fabs(want[i]) * std::ldexp(1.0f, -7) + 1e-30f) << i;
      exact += y.data[i] == want[i];
    }
    EXPECT_GE(exact, static_cast<int>(want.size()) * 9 / 10);
  }
  TempDir dir_;
  std::string out_;
  Tensor x_, w_, b_;
};

TEST_F(CliBf16, Float32FilesAreRoundedAndTheOutputWrittenRounded) {
  const auto args = Args("x.npy", "w.npy", {"--dtype", "bf16"});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
  Tensor y;
  ASSERT_TRUE(ReadNpy(out_, &y).ok());
  ExpectClose(y);
}

TEST_F(CliBf16, Uint16FilesOfBf16Bits) {
  const auto args = Args("x16.npy", "w16.npy", {"--dtype", "bf16", "--bf16-io", "uint16"});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
  Tensor y;
  EXPECT_FALSE(ReadNpy(out_, &y).ok());  // uint16, not float32
  ASSERT_TRUE(ReadNpyBf16Bits(out_, &y).ok());
  ExpectClose(y);
}

TEST_F(CliBf16, BadCombinations) {
  ExpectError(Args("x.npy", "w.npy", {"--dtype", "bf8"}), "--dtype must be f32, bf16 or int8");
  ExpectError(Args("x.npy", "w.npy", {"--dtype", "int8"}), "--input: ");  // float32 files: not int8's
  ExpectError(Args("x.npy", "w.npy", {"--bf16-io", "uint16"}), "--bf16-io applies to --dtype bf16 only");
  ExpectError(Args("x.npy", "w.npy", {"--dtype", "bf16", "--bf16-io", "int16"}), "--bf16-io must be float32 or uint16");
  ExpectError(Args("x.npy", "w.npy", {"--dtype", "bf16", "--bf16-io", "uint16"}), "bf16 bits are expected");
  ExpectError(Args("x.npy", "w.npy", {"--dtype", "bf16", "--algo", "gather"}), "gather computes f32 only");
}

// Channels last: the same values, each pixel's channels together.
TEST_F(CliBf16, ChannelsLast) {
  const auto args = Args("x_nhwc.npy", "w.npy", {"--dtype", "bf16", "--layout", "nhwc"});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
  Tensor y;
  ASSERT_TRUE(ReadNpy(out_, &y).ok());
  ASSERT_EQ(y.shape, (Shape{2, 9, 11, 3}));
  Tensor nchw({2, 3, 9, 11});
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t p = 0; p < 99; ++p)
      for (int64_t c = 0; c < 3; ++c) nchw.data[(n * 3 + c) * 99 + p] = y.data[(n * 99 + p) * 3 + c];
  ExpectClose(nchw);
}

TEST(CliBf16Explain, ReportsTheDtypeAndTheRefusals) {
  CliResult r = RunCli({"explain", "--input-shape", "1,256,8,8", "--weight-shape", "256,32,4,4", "--stride", "2",
                        "--pad", "1", "--dtype", "bf16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dtype            bf16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[refused: gather computes f32 only]"), std::string::npos) << r.out;
  // (On a CPU with AMX-BF16 this layer takes the AMX kernel, or widens
  // where Linux refused the tiles: Bf16DotPays.)
  const bool widens = dispatch::CpuHasAmxBf16() && !kernels::FindKernel(kernels::KernelOp::kPhaseBf16Amx, DType::kBF16);
  EXPECT_NE(r.out.find(widens ? "(bf16 widened to f32)" : "auto kernel: bf16_phase_"), std::string::npos) << r.out;
  // Depthwise: the dot kernels would leave their lanes empty; phase widens.
  r = RunCli({"explain", "--input-shape", "1,64,8,8", "--weight-shape", "64,1,4,4", "--groups", "64", "--stride",
              "2", "--pad", "1", "--dtype", "bf16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(bf16 widened to f32)"), std::string::npos) << r.out;
  r = RunCli({"explain", "--input-shape", "1,64,8,8", "--weight-shape", "64,32,4,4", "--dtype", "f16"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace tconv
