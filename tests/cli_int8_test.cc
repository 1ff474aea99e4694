// `tconv conv-transpose --dtype int8` and `tconv explain --dtype int8` as a
// user runs them: uint8 / int8 .npy input, int8 weight, int32 bias,
// per-tensor and per-channel scales (comma list or .npy), output uint8,
// int8 or float32, equal to the integer reference bit for bit; and every
// bad combination: exit 2, one stderr line, no output file.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "src/kernels/registry.h"
#include "tconv/npy.h"
#include "tconv/quant.h"
#include "tconv/reference.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::Describe;
using ::tconv::testing::PathExists;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;

IntTensor Ints(NpyIntType t, Shape s, int lo, int hi, int step) {
  IntTensor a;
  a.type = t;
  a.shape = std::move(s);
  a.data.resize(static_cast<size_t>(NumElements(a.shape)));
  for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = lo + static_cast<int>(i * step) % (hi - lo + 1);
  return a;
}

class CliInt8 : public ::testing::Test {
 protected:
  void SetUp() override {
    d_.ndim = 2, d_.batch = 2, d_.in_channels = 4, d_.out_channels = 3, d_.in = {5, 6, 1}, d_.kernel = {3, 3, 1};
    d_.stride = {2, 2, 1}, d_.pad_begin = d_.pad_end = {1, 1, 0};
    x_ = Ints(NpyIntType::kUInt8, {2, 4, 5, 6}, 0, 255, 37);
    xs_ = Ints(NpyIntType::kInt8, {2, 4, 5, 6}, -128, 127, 53);
    w_ = Ints(NpyIntType::kInt8, {4, 3, 3, 3}, -128, 127, 71);
    b_ = Ints(NpyIntType::kInt32, {3}, -3000, 3000, 2222);
    for (const auto& f : {std::make_pair("x.npy", &x_), std::make_pair("xs.npy", &xs_), std::make_pair("w.npy", &w_),
                          std::make_pair("b.npy", &b_)}) {
      ASSERT_TRUE(WriteNpyIntAtomic(dir_ / f.first, *f.second).ok());
    }
    Tensor ws({3});
    ws.data = {0.01f, 0.02f, 0.005f};
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "ws.npy", ws).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "xf.npy", Tensor({2, 4, 5, 6})).ok());
    out_ = dir_ / "y.npy";
  }
  std::vector<std::string> Args(const std::string& x, std::vector<std::string> extra) const {
    std::vector<std::string> a = {"conv-transpose", "--dtype", "int8", "--input", dir_ / x, "--weight", dir_ / "w.npy",
                                  "--bias", dir_ / "b.npy", "--output", out_, "--stride", "2", "--pad", "1"};
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
  // The reference's bytes for x (u8 or s8) and q.
  std::vector<uint8_t> Expected(const IntTensor& x, const QuantParams& q) const {
    std::vector<uint8_t> xb(x.data.begin(), x.data.end());
    std::vector<int8_t> wb(w_.data.begin(), w_.data.end());
    const Shape ys = ConvTransposeOutputShape(d_);
    std::vector<uint8_t> y(static_cast<size_t>(NumElements(ys)) * (q.y_type == QuantType::kFloat32 ? 4 : 1));
    EXPECT_TRUE(ConvTransposeRefInt8(d_, ConstQuantView(xb.data(), x.shape), ConstI8View(wb.data(), w_.shape),
                                     ConstI32View(b_.data.data(), b_.shape), q, QuantView{y.data(), ys})
                    .ok());
    return y;
  }
  std::vector<uint8_t> OutputBytes(NpyIntType want) const {
    IntTensor y;
    EXPECT_TRUE(ReadNpyInt(out_, &y).ok());
    EXPECT_EQ(y.type, want);
    EXPECT_EQ(y.shape, ConvTransposeOutputShape(d_));
    return std::vector<uint8_t>(y.data.begin(), y.data.end());
  }
  ConvDesc d_;
  TempDir dir_;
  std::string out_;
  IntTensor x_, xs_, w_, b_;
};

TEST_F(CliInt8, Uint8InPerChannelScalesFromNpyUint8Out) {
  for (const char* algo : {"auto", "phase", "ref"}) {
    const auto args = Args("x.npy", {"--x-scale", "0.05", "--x-zero-point", "128", "--w-scale", dir_ / "ws.npy",
                                     "--y-scale", "0.05", "--y-zero-point", "100", "--algo", algo, "--threads", "2"});
    CliResult r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    QuantParams q;
    q.x_scale = 0.05f, q.x_zero_point = 128, q.w_scale = {0.01f, 0.02f, 0.005f}, q.y_scale = 0.05f, q.y_zero_point = 100;
    const std::vector<uint8_t> want = Expected(x_, q);
    EXPECT_TRUE(OutputBytes(NpyIntType::kUInt8) == want) << algo;
    int lo = 0, hi = 0;
    for (uint8_t v : want) lo += v == 0, hi += v == 255;
    EXPECT_GT(lo + hi, 0);  // this case saturates
    ASSERT_EQ(::unlink(out_.c_str()), 0);
  }
}

// --layout nhwc: x (N, H, W, Cin) in, y (N, OH, OW, Cout) out, the
// reference's bytes moved to channels last.
TEST_F(CliInt8, ChannelsLastInAndOut) {
  IntTensor xl = x_;
  xl.shape = {2, 5, 6, 4};
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t p = 0; p < 30; ++p) xl.data[static_cast<size_t>((n * 30 + p) * 4 + c)] = x_.data[static_cast<size_t>((n * 4 + c) * 30 + p)];
  ASSERT_TRUE(WriteNpyIntAtomic(dir_ / "xl.npy", xl).ok());
  QuantParams q;
  q.x_scale = 0.05f, q.x_zero_point = 3, q.w_scale = {0.01f}, q.y_scale = 0.5f, q.y_zero_point = 128;
  const std::vector<uint8_t> first = Expected(x_, q);
  const Shape ys = ConvTransposeOutputShape(d_);  // (2, 3, 9, 11)
  const int64_t p = ys[2] * ys[3];
  for (const char* algo : {"auto", "phase", "gemm_col2im", "ref"}) {
    const auto args = Args("xl.npy", {"--x-scale", "0.05", "--x-zero-point", "3", "--w-scale", "0.01", "--y-scale",
                                      "0.5", "--y-zero-point", "128", "--layout", "nhwc", "--algo", algo});
    CliResult r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    IntTensor y;
    ASSERT_TRUE(ReadNpyInt(out_, &y).ok());
    EXPECT_EQ(y.shape, (Shape{2, ys[2], ys[3], 3}));
    int64_t same = 0;
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t i = 0; i < p; ++i)
          same += y.data[static_cast<size_t>((n * p + i) * 3 + c)] == first[static_cast<size_t>((n * 3 + c) * p + i)];
    EXPECT_EQ(same, 2 * 3 * p) << algo;
    ASSERT_EQ(::unlink(out_.c_str()), 0);
  }
}

TEST_F(CliInt8, Int8InCommaScalesInt8AndFloatOut) {
  auto args = Args("xs.npy", {"--x-scale", "0.1", "--x-zero-point", "-128", "--w-scale", "0.01,0.02,0.03",
                              "--y-scale", "2", "--y-zero-point", "127"});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
  QuantParams q;
  q.x_type = QuantType::kInt8, q.x_scale = 0.1f, q.x_zero_point = -128, q.w_scale = {0.01f, 0.02f, 0.03f};
  q.y_type = QuantType::kInt8, q.y_scale = 2.0f, q.y_zero_point = 127;
  std::vector<uint8_t> want = Expected(xs_, q);
  std::vector<uint8_t> got = OutputBytes(NpyIntType::kInt8);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(static_cast<int8_t>(got[i]), static_cast<int8_t>(want[i])) << i;
  ASSERT_EQ(::unlink(out_.c_str()), 0);
  // u8 y from s8 x, and f32 (dequantized) y.
  args = Args("xs.npy", {"--x-scale", "0.1", "--w-scale", "0.25", "--y-dtype", "f32"});
  r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
  Tensor y;
  ASSERT_TRUE(ReadNpy(out_, &y).ok());
  q = QuantParams();
  q.x_type = QuantType::kInt8, q.x_scale = 0.1f, q.w_scale = {0.25f}, q.y_type = QuantType::kFloat32;
  want = Expected(xs_, q);
  ASSERT_EQ(y.data.size() * 4, want.size());
  EXPECT_EQ(std::memcmp(y.data.data(), want.data(), want.size()), 0);
}

TEST_F(CliInt8, BadCombinations) {
  const std::vector<std::string> ok = {"--x-scale", "0.5", "--w-scale", "0.1", "--y-scale", "1"};
  auto with = [&](std::vector<std::string> extra, const std::vector<std::string>& base) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  ExpectError(Args("x.npy", with({"--x-scale", "0"}, {"--w-scale", "0.1", "--y-scale", "1"})),
              "--x-scale must be finite and > 0 (got 0)");
  ExpectError(Args("x.npy", {"--x-scale", "-1", "--w-scale", "0.1", "--y-scale", "1"}), "--x-scale must be finite and > 0");
  ExpectError(Args("x.npy", {"--x-scale", "1", "--w-scale", "0.1", "--y-scale", "0"}), "--y-scale must be finite and > 0");
  ExpectError(Args("x.npy", {"--x-scale", "1", "--w-scale", "0.1,-2,1", "--y-scale", "1"}),
              "--w-scale[1] must be finite and > 0 (got -2)");
  ExpectError(Args("x.npy", with({"--x-zero-point", "256"}, ok)), "--x-zero-point must be in [0, 255] for u8 x (got 256)");
  ExpectError(Args("xs.npy", with({"--x-zero-point", "128"}, ok)), "--x-zero-point must be in [-128, 127] for s8 x");
  ExpectError(Args("x.npy", with({"--y-zero-point", "-1"}, ok)), "--y-zero-point must be in [0, 255] for u8 y (got -1)");
  ExpectError(Args("x.npy", with({"--y-dtype", "s8", "--y-zero-point", "200"}, ok)), "for s8 y (got 200)");
  ExpectError(Args("x.npy", {"--x-scale", "1", "--w-scale", "0.1,0.2", "--y-scale", "1"}),
              "--w-scale has 2 values: expected 1 (per tensor) or Cout = 3 (per output channel)");
  ExpectError(Args("x.npy", {"--w-scale", "0.1", "--y-scale", "1"}), "--dtype int8 needs --x-scale");
  ExpectError(Args("x.npy", {"--x-scale", "1", "--y-scale", "1"}), "--dtype int8 needs --w-scale");
  ExpectError(Args("x.npy", {"--x-scale", "1", "--w-scale", "1"}), "--y-dtype u8 needs --y-scale");
  ExpectError(Args("x.npy", with({"--y-dtype", "f32"}, ok)), "--y-scale and --y-zero-point apply to --y-dtype u8 or s8");
  ExpectError(Args("x.npy", with({"--y-dtype", "u16"}, ok)), "--y-dtype must be u8, s8 or f32 (got 'u16')");
  ExpectError(Args("xf.npy", ok), "--input: ");
  ExpectError(Args("x.npy", with({"--algo", "gather"}, ok)), "gather does not compute int8");
  ASSERT_TRUE(WriteNpyIntAtomic(dir_ / "x2.npy", Ints(NpyIntType::kUInt8, {2, 4}, 0, 255, 7)).ok());
  ExpectError(Args("x2.npy", with({"--layout", "nhwc"}, ok)),
              "--input has shape (2, 4) of rank 2: expected (N, D1[, D2[, D3]], C) with --layout nhwc");
  ExpectError(Args("x.npy", with({"--tune", "measure"}, ok)), "--tune and --wisdom apply to --dtype f32 only");
  // Weight and bias of the wrong integer types.
  std::vector<std::string> a = Args("x.npy", ok);
  a[6] = dir_ / "x.npy";  // --weight uint8
  ExpectError(a, "--weight must be int8 with --dtype int8 (got uint8)");
  a = Args("x.npy", ok);
  a[8] = dir_ / "w.npy";  // --bias int8
  ExpectError(a, "--bias must be int32 with --dtype int8 (got int8)");
  // int8 flags without --dtype int8.
  a = {"conv-transpose", "--input", dir_ / "xf.npy", "--weight", dir_ / "xf.npy", "--output", out_, "--x-scale", "1"};
  ExpectError(a, "--x-scale applies to --dtype int8 only");
}

TEST(CliInt8Explain, ReportsTheDtypeAndTheRefusals) {
  CliResult r = RunCli({"explain", "--input-shape", "1,16,8,8", "--weight-shape", "16,8,4,4", "--stride", "2",
                        "--pad", "1", "--dtype", "int8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dtype            int8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[refused: gather computes f32 only]"), std::string::npos) << r.out;
  // Cout/g = 8 and 16 x 4 products per output: f32's kernels, exactly (on
  // a CPU with AMX-INT8: the tiles, Int8AmxPays).
  const bool amx = kernels::FindKernel(kernels::KernelOp::kPhaseInt8Amx, DType::kI8) != nullptr;
  EXPECT_NE(r.out.find(amx ? "auto kernel: i8_phase_amx_" : " (int8 widened to f32, exact) + i8_requant__"),
            std::string::npos)
      << r.out;
  // Cin/g = 600 (2400 products per output), Cout/g = 8: the int16 dot kernel
  // (or the tiles).
  r = RunCli({"explain", "--input-shape", "1,600,8,8", "--weight-shape", "600,8,4,4", "--stride", "2", "--pad", "1",
              "--dtype", "int8"});
  EXPECT_NE(r.out.find(amx ? "auto kernel: i8_phase_amx_" : "auto kernel: i8_phase_dot__"), std::string::npos)
      << r.out;
  r = RunCli({"explain", "--op", "conv", "--input-shape", "1,16,8,8", "--weight-shape", "8,16,3,3", "--dtype", "int8"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--dtype int8 applies to --op conv-transpose only"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tconv
