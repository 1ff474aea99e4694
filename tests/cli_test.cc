// The tconv CLI as a user runs it: successful runs agree with the reference,
// and every bad input gives exit 2, exactly one stderr line
// "tconv: error: ..." naming the problem, and no output file (an existing
// output file is left untouched; no temporary is left behind).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tconv/conv.h"
#include "tconv/layout.h"
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
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::ToChannelsLast;
using ::tconv::testing::TempDir;
using ::tconv::testing::WriteWholeFile;

Tensor Filled(Shape s, float scale) {
  Tensor t(std::move(s));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = scale * static_cast<float>(static_cast<int>(i % 7) - 3);
  return t;
}

std::string NpyBytes(const Tensor& t) {
  std::string b;
  EXPECT_TRUE(EncodeNpy(t, &b).ok());
  return b;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    // x (1, 2, 4, 5), transposed weight (2, 3, 3, 3), bias (3).
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "x.npy", Filled({1, 2, 4, 5}, 0.5f)).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "w.npy", Filled({2, 3, 3, 3}, 0.25f)).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "b.npy", Filled({3}, 1.0f)).ok());
    out_ = dir_ / "y.npy";
  }

  std::vector<std::string> Base() const {
    return {"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w.npy", "--output", out_};
  }

  // Runs args and checks the error contract; `needle` must be in the message.
  void ExpectError(std::vector<std::string> args, const std::string& needle) {
    std::vector<std::string> before = dir_.List();
    std::sort(before.begin(), before.end());
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << Describe(args, r);
    EXPECT_EQ(r.ErrLines(), 1) << Describe(args, r);
    EXPECT_EQ(r.err.rfind("tconv: error: ", 0), 0u) << Describe(args, r);
    EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "'\n" << Describe(args, r);
    EXPECT_TRUE(r.out.empty()) << Describe(args, r);
    std::vector<std::string> after = dir_.List();
    std::sort(after.begin(), after.end());
    EXPECT_EQ(after, before) << "the directory changed: " << Describe(args, r);
    EXPECT_FALSE(PathExists(out_)) << Describe(args, r);
  }

  std::vector<std::string> With(std::vector<std::string> extra) const {
    std::vector<std::string> a = Base();
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  TempDir dir_;
  std::string out_;
};

// ---- success -----------------------------------------------------------

TEST_F(Cli, ConvTransposeMatchesReference) {
  ConvDesc d;
  d.in_channels = 2;
  d.out_channels = 3;
  d.in = {4, 5, 1};
  d.kernel = {3, 3, 1};
  d.stride = {2, 3, 1};
  d.pad_begin = {1, 0, 0};
  d.pad_end = {0, 2, 0};
  d.output_padding = {1, 0, 0};
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  Tensor x, w, b;
  ASSERT_TRUE(ReadNpy(dir_ / "x.npy", &x).ok());
  ASSERT_TRUE(ReadNpy(dir_ / "w.npy", &w).ok());
  ASSERT_TRUE(ReadNpy(dir_ / "b.npy", &b).ok());
  Tensor want(ConvTransposeOutputShape(d));
  ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), b.cview(), want.view()).ok());
  std::vector<std::string> algos = AlgorithmNames();
  algos.push_back("auto");
  for (const std::string& algo : algos) {
    std::vector<std::string> args =
        With({"--bias", dir_ / "b.npy", "--stride", "2,3", "--pads", "1,0,0,2", "--output-padding", "1,0", "--algo",
              algo, "--threads", "2"});
    CliResult r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    EXPECT_TRUE(r.err.empty());
    Tensor y;
    ASSERT_TRUE(ReadNpy(out_, &y).ok());
    ASSERT_EQ(y.shape, want.shape) << algo;
    for (size_t i = 0; i < y.data.size(); ++i) ASSERT_NEAR(y.data[i], want.data[i], 1e-4) << algo << " at " << i;
    std::vector<std::string> names = dir_.List();
    EXPECT_EQ(names.size(), 4u) << "a temporary was left behind";
  }
}

TEST_F(Cli, LayoutNhwcReadsAndWritesChannelsLast) {
  Tensor x;
  ASSERT_TRUE(ReadNpy(dir_ / "x.npy", &x).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "x_nhwc.npy", ToChannelsLast(x)).ok());
  std::vector<std::string> algos = AlgorithmNames();
  algos.push_back("auto");
  for (const std::string& algo : algos) {
    const std::vector<std::string> geo = {"--bias", dir_ / "b.npy", "--stride", "2,3", "--pads", "1,0,0,2",
                                          "--algo", algo, "--threads", "2"};
    std::vector<std::string> args = With(geo);
    CliResult r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    Tensor y_nchw, y_nhwc;
    ASSERT_TRUE(ReadNpy(out_, &y_nchw).ok());
    args = {"conv-transpose", "--input", dir_ / "x_nhwc.npy", "--weight", dir_ / "w.npy", "--output", out_,
            "--layout", "NHWC"};
    args.insert(args.end(), geo.begin(), geo.end());
    r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    ASSERT_TRUE(ReadNpy(out_, &y_nhwc).ok());
    EXPECT_EQ(y_nhwc.shape, (Shape{1, 8, 13, 3})) << algo;
    EXPECT_EQ(y_nhwc.data, ToChannelsLast(y_nchw).data) << algo;  // the same algorithm: bit-equal
  }
}

TEST_F(Cli, LayoutErrors) {
  ExpectError(With({"--layout", "nwhc"}), "--layout must be nchw (channels first) or nhwc (channels last) (got 'nwhc')");
  // x.npy is (1, 2, 4, 5): read channels last, it has 5 channels.
  ExpectError(With({"--layout", "nhwc"}), "--weight dim 0 is 2 but must equal the input channels 5");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "x2.npy", Filled({2, 5}, 1.0f)).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x2.npy", "--weight", dir_ / "w.npy", "--output", out_, "--layout",
               "nhwc"},
              "--input has shape (2, 5) of rank 2: expected (N, D1[, D2[, D3]], C) with --layout nhwc");
}

TEST_F(Cli, AutoPadIsCaseInsensitiveAndOverwritesOutput) {
  WriteWholeFile(out_, "stale");
  for (const char* mode : {"SAME_UPPER", "same_upper", "Same_Upper"}) {
    std::vector<std::string> args = With({"--stride", "2", "--auto-pad", mode});
    CliResult r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
    Tensor y;
    ASSERT_TRUE(ReadNpy(out_, &y).ok());
    EXPECT_EQ(y.shape, (Shape{1, 3, 8, 10}));
  }
}

TEST_F(Cli, PadAndTargetShapeSpellings) {
  // --pad 1 == --pads 1,1,1,1 == --pad 1,1; --target-shape 8,10 gives the requested size.
  std::vector<std::vector<std::string>> spellings = {
      {"--stride", "2", "--pad", "1"}, {"--stride", "2,2", "--pads", "1,1,1,1"}, {"--stride", "2", "--pad", "1,1"}};
  std::string first;
  for (const auto& s : spellings) {
    CliResult r = RunCli(With(s));
    ASSERT_EQ(r.exit_code, 0) << Describe(With(s), r);
    std::string bytes = ReadWholeFile(out_);
    if (first.empty()) first = bytes;
    EXPECT_EQ(bytes, first);
  }
  CliResult r = RunCli(With({"--stride", "2", "--target-shape", "8,10"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Tensor y;
  ASSERT_TRUE(ReadNpy(out_, &y).ok());
  EXPECT_EQ(y.shape, (Shape{1, 3, 8, 10}));
}

TEST_F(Cli, ConvMatchesReference) {
  // Forward conv: weight (Cout=4, Cin/g=1, 2, 3), groups 2.
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "cw.npy", Filled({4, 1, 2, 3}, 0.5f)).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "cb.npy", Filled({4}, 0.5f)).ok());
  std::vector<std::string> args = {"conv",    "--input",  dir_ / "x.npy", "--weight", dir_ / "cw.npy", "--bias",
                                   dir_ / "cb.npy", "--output", out_,       "--groups", "2",  "--stride",
                                   "1,2",   "--pads=1,0,0,1", "--dilation", "1,1"};
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << Describe(args, r);
  ConvDesc d;
  d.in_channels = 2;
  d.out_channels = 4;
  d.groups = 2;
  d.in = {4, 5, 1};
  d.kernel = {2, 3, 1};
  d.stride = {1, 2, 1};
  d.pad_begin = {1, 0, 0};
  d.pad_end = {0, 1, 0};
  Tensor x, w, b;
  ASSERT_TRUE(ReadNpy(dir_ / "x.npy", &x).ok());
  ASSERT_TRUE(ReadNpy(dir_ / "cw.npy", &w).ok());
  ASSERT_TRUE(ReadNpy(dir_ / "cb.npy", &b).ok());
  Tensor want(ConvOutputShape(d));
  ASSERT_TRUE(ConvRef(d, x.cview(), w.cview(), b.cview(), want.view()).ok());
  Tensor y;
  ASSERT_TRUE(ReadNpy(out_, &y).ok());
  ASSERT_EQ(y.shape, want.shape);
  for (size_t i = 0; i < y.data.size(); ++i) EXPECT_NEAR(y.data[i], want.data[i], 1e-4);
}

TEST(CliDemo, PrintsTheArticleExample) {
  CliResult r = RunCli({"demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The 4x4 result rows, as computed by the library.
  for (const char* row : {"     5  10   5   6", "    10  20  10  12", "     8  16   8   9"}) {
    EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("= 4"), std::string::npos);
  EXPECT_NE(r.out.find("kernel 3, stride 2"), std::string::npos);
  EXPECT_NE(r.out.find("   1   2   1   2"), std::string::npos);  // uneven overlap
  EXPECT_NE(r.out.find("   2   4   4   4   4"), std::string::npos);  // k4: even interior
}

TEST(CliHelp, HelpExitsZero) {
  CliResult r = RunCli({"conv-transpose", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--output-shape"), std::string::npos);
}

// ---- bad input -----------------------------------------------------------

TEST_F(Cli, MalformedNpyInputs) {
  const std::string good = NpyBytes(Filled({1, 2, 4, 5}, 1.0f));
  auto with_header = [](const std::string& dict, size_t data_bytes) {
    std::string h = dict;
    size_t total = 10 + h.size() + 1;
    h += std::string((total + 63) / 64 * 64 - total, ' ') + "\n";
    std::string s = std::string("\x93NUMPY\x01\x00", 8);
    s += static_cast<char>(h.size() & 0xff);
    s += static_cast<char>(h.size() >> 8);
    return s + h + std::string(data_bytes, '\0');
  };
  std::string bad_version = good;
  bad_version[6] = 9;
  std::string no_newline = good;
  no_newline[good.find('\n')] = ' ';
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"", "truncated file"},
      {good.substr(0, 40), "truncated header"},
      {"GIF89a not an npy file", "bad magic"},
      {bad_version, "unsupported .npy version 9.0"},
      {no_newline, "unterminated header"},
      {with_header("(1, 2)", 4), "not a dict"},
      {with_header("{'descr': '<f4', 'shape': (1,)}", 4), "missing key 'fortran_order'"},
      {with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2, 4, 5)}", 160), "fortran_order True"},
      {with_header("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2, 4, 5)}", 160), "unsupported dtype '<i4'"},
      {with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2; 4)}", 32), "shape"},
      {with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2, 4, 5)}", 0), "negative"},
      {with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}", 0),
       "overflows"},
      {good.substr(0, good.size() - 4), "truncated data"},
      {good + "junk", "trailing bytes"},
  };
  for (const auto& [bytes, needle] : kinds) {
    WriteWholeFile(dir_ / "bad.npy", bytes);
    SCOPED_TRACE(needle);
    ExpectError({"conv-transpose", "--input", dir_ / "bad.npy", "--weight", dir_ / "w.npy", "--output", out_},
                "--input: '" + (dir_ / "bad.npy") + "' is not a valid .npy file: ");
    ExpectError({"conv-transpose", "--input", dir_ / "bad.npy", "--weight", dir_ / "w.npy", "--output", out_}, needle);
    ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "bad.npy", "--output", out_},
                "--weight: ");
  }
}

TEST_F(Cli, ChannelAndGroupMismatch) {
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "w3.npy", Filled({3, 3, 3, 3}, 1.0f)).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w3.npy", "--output", out_},
              "--weight dim 0 is 3 but must equal the input channels 2");
  ExpectError(With({"--groups", "3"}), "input channels 2 must be divisible by groups 3");
  ExpectError(With({"--groups", "0"}), "--groups must be >= 1 (got 0)");
  ExpectError(With({"--bias", dir_ / "w.npy"}), "--bias has shape (2, 3, 3, 3), expected (3,)");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "w1d.npy", Filled({2, 3, 3}, 1.0f)).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w1d.npy", "--output", out_},
              "--weight has shape (2, 3, 3) of rank 3 but --input has rank 4");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "x2.npy", Filled({2, 5}, 1.0f)).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x2.npy", "--weight", dir_ / "w.npy", "--output", out_},
              "--input has shape (2, 5) of rank 2: expected (N, C, D1[, D2[, D3]])");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "cw.npy", Filled({4, 3, 3, 3}, 1.0f)).ok());
  ExpectError({"conv", "--input", dir_ / "x.npy", "--weight", dir_ / "cw.npy", "--output", out_},
              "--weight dim 1 is 3 and groups is 1: dim1 * groups must equal the input channels 2");
}

TEST_F(Cli, BadStrideDilationKernel) {
  ExpectError(With({"--stride", "0"}), "stride[0] must be >= 1 (got 0)");
  ExpectError(With({"--stride=2,-1"}), "stride[1] must be >= 1 (got -1)");
  ExpectError(With({"--dilation", "1,0"}), "dilation[1] must be >= 1 (got 0)");
  ExpectError(With({"--output-padding=-1"}), "output_padding[0] must be >= 0 (got -1)");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "w0.npy", Tensor(Shape{2, 3, 0, 3})).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w0.npy", "--output", out_},
              "kernel[0] must be >= 1 (got 0)");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "wc0.npy", Tensor(Shape{2, 0, 3, 3})).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "wc0.npy", "--output", out_},
              "output channels must be >= 1 (got 0)");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "x0.npy", Tensor(Shape{1, 2, 0, 5})).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x0.npy", "--weight", dir_ / "w.npy", "--output", out_},
              "input size[0] must be >= 1 (got 0)");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "cw.npy", Filled({4, 2, 3, 3}, 1.0f)).ok());
  ExpectError({"conv", "--input", dir_ / "x.npy", "--weight", dir_ / "cw.npy", "--output", out_, "--stride", "0"},
              "stride[0] must be >= 1 (got 0)");
}

TEST_F(Cli, OutputSizeBelowOne) {
  ExpectError(With({"--pad", "3"}), "output length of axis 0 is 0, must be >= 1");
  ExpectError(With({"--output-shape", "0,4"}), "output_shape[0] must be >= 1 (got 0)");
  ExpectError(With({"--target-shape", "6,100"}), "target_shape[1] = 100 is larger than the full output");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "cw.npy", Filled({4, 2, 3, 3}, 1.0f)).ok());
  ExpectError({"conv", "--input", dir_ / "x.npy", "--weight", dir_ / "cw.npy", "--output", out_, "--dilation", "3"},
              "output length of axis 0 is < 1: padded input i+pb+pe = 4 is shorter than the effective kernel");
}

TEST_F(Cli, WrongListLengthsAndSyntax) {
  ExpectError(With({"--stride", "1,2,3"}), "--stride has 3 values but the input has 2 spatial axes");
  ExpectError(With({"--dilation", "1,1,1"}), "--dilation has 3 values but the input has 2 spatial axes");
  ExpectError(With({"--pads", "1,1,1"}), "--pads has 3 values but the input has 2 spatial axes, so it needs 4");
  ExpectError(With({"--pad", "1,1,1"}), "--pad has 3 values");
  ExpectError(With({"--output-padding", "1,1,1"}), "--output-padding has 3 values");
  ExpectError(With({"--output-shape", "9"}), "--output-shape has 1 value but the input has 2 spatial axes");
  ExpectError(With({"--target-shape", "9,9,9"}), "--target-shape has 3 values");
  ExpectError(With({"--stride", "2,x"}), "--stride '2,x': 'x' is not an integer");
  ExpectError(With({"--stride", "2,,2"}), "--stride '2,,2' has an empty item");
  ExpectError(With({"--stride", "99999999999999999999"}), "out of range");
}

TEST_F(Cli, Conflicts) {
  ExpectError(With({"--pad", "1", "--pads", "1,1,1,1"}), "--pad and --pads cannot both be given");
  ExpectError(With({"--pads", "1,1,1,1", "--auto-pad", "same_upper"}),
              "--pads cannot be combined with --auto-pad SAME_UPPER");
  ExpectError(With({"--pad", "1", "--auto-pad", "VALID"}), "--pad cannot be combined with --auto-pad VALID");
  ExpectError(With({"--target-shape", "8,10", "--output-shape", "8,10"}),
              "--target-shape cannot be combined with --output-shape");
  ExpectError(With({"--target-shape", "8,10", "--auto-pad", "notset"}), "--target-shape cannot be combined with --auto-pad");
  ExpectError(With({"--target-shape", "8,10", "--output-padding", "1"}),
              "--target-shape cannot be combined with --output-padding");
  ExpectError(With({"--output-shape", "8,10", "--pad", "1"}), "--output-shape cannot be combined with --pad");
}

TEST_F(Cli, MissingFiles) {
  ExpectError({"conv-transpose", "--input", dir_ / "nope.npy", "--weight", dir_ / "w.npy", "--output", out_},
              "--input: cannot open '" + (dir_ / "nope.npy") + "': No such file or directory");
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "nope.npy", "--output", out_},
              "--weight: cannot open");
  ExpectError(With({"--bias", dir_ / "nope.npy"}), "--bias: cannot open");
  ExpectError({"conv-transpose", "--input", dir_.path(), "--weight", dir_ / "w.npy", "--output", out_},
              "not a regular file");
}

TEST_F(Cli, UnwritableOutput) {
  const std::vector<std::string> bad_outputs = {dir_ / "no_such_dir/y.npy", dir_ / "x.npy/y.npy", dir_.path()};
  for (const std::string& o : bad_outputs) {
    std::vector<std::string> args = {"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w.npy",
                                     "--output", o};
    ExpectError(args, "--output: ");
    EXPECT_FALSE(PathExists(o + ".tmp")) << o;
  }
  std::vector<std::string> names = dir_.List();
  EXPECT_EQ(names.size(), 3u);  // x, w, b only
}

TEST_F(Cli, UnknownAlgoAndAutoPad) {
  ExpectError(With({"--algo", "fastest"}), "--algo must be auto");
  ExpectError(With({"--algo", "fastest"}), "(got 'fastest')");
  ExpectError(With({"--algo", ""}), "--algo: the value is empty");
  ExpectError(With({"--auto-pad", "same"}),
              "--auto-pad must be one of notset, same_upper, same_lower, valid (got 'same')");
  ExpectError(With({"--threads", "0"}), "--threads must be >= 1 (got 0)");
}

TEST_F(Cli, ParseErrorsAreOneLine) {
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--output", out_}, "--weight");
  ExpectError(With({"--no-such-flag"}), "no-such-flag");
  ExpectError(With({"--groups", "two"}), "groups");
  ExpectError({"frobnicate"}, "unknown command 'frobnicate' (commands: ");
  ExpectError({}, "");
}

TEST_F(Cli, ExistingOutputIsLeftUntouchedOnError) {
  WriteWholeFile(out_, "precious");
  for (const auto& extra : std::vector<std::vector<std::string>>{{"--stride", "0"}, {"--algo", "nope"}, {"--pad", "9"}}) {
    CliResult r = RunCli(With(extra));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.ErrLines(), 1);
    EXPECT_EQ(ReadWholeFile(out_), "precious");
  }
  EXPECT_EQ(dir_.List().size(), 4u);
}

}  // namespace
}  // namespace tconv
