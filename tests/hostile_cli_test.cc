// The hostile-input suite (issue #14): every kind of input an attacker or a
// careless user found to crash, hang or surprise the CLI, each asserting the
// exact contract: exit status 2, exactly one stderr line "tconv: error: "
// naming the problem, nothing on stdout, no output file, an existing output
// untouched, no temporary left; or, where the input is valid, the
// documented result. scripts/test_asan.sh runs it again against the
// ASan + UBSan build of the CLI.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "tconv/limits.h"
#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::CliOptions;
using ::tconv::testing::CliResult;
using ::tconv::testing::Describe;
using ::tconv::testing::PathExists;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;
using ::tconv::testing::WriteWholeFile;

Tensor Small(Shape s) {
  Tensor t(std::move(s));
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>(static_cast<int>(i % 5) - 2);
  return t;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "x.npy", Small({1, 2, 4, 4})).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "w.npy", Small({2, 3, 3, 3})).ok());
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "cw.npy", Small({3, 2, 3, 3})).ok());  // a convolution weight
    ASSERT_TRUE(WriteNpyAtomic(dir_ / "b.npy", Small({3})).ok());
    ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
    out_ = dir_ / "y.npy";
  }
  std::vector<std::string> Deconv(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w.npy",
                                  "--output",       out_};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::vector<std::string> Conv(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"conv", "--input", dir_ / "x.npy", "--weight", dir_ / "cw.npy", "--output", out_};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::vector<std::string> Upsample(std::vector<std::string> extra = {}, const std::string& scale = "2") const {
    std::vector<std::string> a = {"upsample-conv", "--input",  dir_ / "x.npy", "--weight",
                                  dir_ / "cw.npy", "--output", out_,           "--mode",
                                  "nearest",       "--scale",  scale};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // The contract, with `needle` in the message; the folder must not change
  // (no output, no temporary) and the run must end within 20 s (a hang
  // fails instead of blocking the suite).
  CliResult ExpectError(const std::vector<std::string>& args, const std::string& needle,
                        CliOptions opts = CliOptions()) {
    std::vector<std::string> before = dir_.List();
    std::sort(before.begin(), before.end());
    opts.timeout_s = std::min(opts.timeout_s, 20.0);
    CliResult r = RunCli(args, opts);
    EXPECT_FALSE(r.timed_out) << Describe(args, r);
    EXPECT_EQ(r.exit_code, 2) << Describe(args, r);
    EXPECT_EQ(r.ErrLines(), 1) << Describe(args, r);
    EXPECT_EQ(r.err.rfind("tconv: error: ", 0), 0u) << Describe(args, r);
    for (size_t i = 0; i + 1 < r.err.size(); ++i) {
      EXPECT_TRUE(static_cast<unsigned char>(r.err[i]) >= 0x20 && r.err[i] != 0x7f)
          << "control character at " << i << ": " << Describe(args, r);
    }
    EXPECT_NE(r.err.find(needle), std::string::npos) << "want '" << needle << "'\n" << Describe(args, r);
    EXPECT_TRUE(r.out.empty()) << Describe(args, r);
    std::vector<std::string> after = dir_.List();
    std::sort(after.begin(), after.end());
    EXPECT_EQ(after, before) << "the folder changed: " << Describe(args, r);
    return r;
  }

  TempDir dir_;
  std::string out_;
};

// ---- crashes and hangs ----

TEST_F(Hostile, FifoInputsDoNotHang) {
  const std::string fifo = dir_ / "fifo";
  ExpectError({"conv-transpose", "--input", fifo, "--weight", dir_ / "w.npy", "--output", out_}, "not a regular file");
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", fifo, "--output", out_}, "not a regular file");
  ExpectError(Deconv({"--bias", fifo}), "--bias: cannot read");
  ExpectError({"conv", "--input", fifo, "--weight", dir_ / "cw.npy", "--output", out_}, "not a regular file");
  ExpectError({"upsample-conv", "--input", dir_ / "x.npy", "--weight", fifo, "--output", out_, "--mode", "nearest",
               "--scale", "2"},
              "not a regular file");
  ExpectError({"pixel-shuffle", "--input", fifo, "--output", out_, "--factor", "2"}, "not a regular file");
  ExpectError({"bench", "--layers", fifo}, "not a regular file");
}

TEST_F(Hostile, ThreadCountsBeyondTheCap) {
  const std::string cap = "must be <= " + std::to_string(MaxThreads());
  for (const char* t : {"100000", "2147483647"}) {
    ExpectError(Deconv({"--threads", t}), cap);
    ExpectError(Conv({"--threads", t}), cap);
    ExpectError(Upsample({"--threads", t}), cap);
    ExpectError({"bench", "--threads", t}, cap);
  }
  ExpectError(Deconv({"--threads", "0"}), "must be >= 1");
  ExpectError(Deconv({"--threads", "99999999999"}), "--threads");  // not an int: CLI11's conversion error
  // The cap itself runs.
  const std::vector<std::string> at_cap = Deconv({"--threads", std::to_string(MaxThreads())});
  CliResult r = RunCli(at_cap);
  EXPECT_EQ(r.exit_code, 0) << Describe(at_cap, r);
}

TEST_F(Hostile, HugeGroupsDoNotOverflow) {
  ExpectError(Deconv({"--groups", "4611686018427387904"}), "overflow");
  ExpectError(Conv({"--groups", "4611686018427387904"}), "--weight dim 1");
  ExpectError({"explain", "--input-shape", "1,2,4,4", "--weight-shape", "2,9223372036854775807,3,3", "--groups", "2"},
              "overflow");
}

TEST_F(Hostile, ExplainPrintsTrueCountsForHugeLayers) {
  // 2^81 flops: x (2^20, 1, 1024, 1024), w (1, 1, 2^20-ish kernel) cropped.
  CliResult r = RunCli(
      {"explain", "--input-shape", "1048576,1,1024,1024", "--weight-shape", "1,1,1048576,1048576", "--pad", "524288"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("flops            > 2^63"), std::string::npos) << r.out;
  // zero_insert's workspace on a huge dilation: never negative.
  r = RunCli({"explain", "--input-shape", "1,1,8,8", "--weight-shape", "1,1,3,3", "--dilation", "1000000000", "--pad",
              "999999999"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t row = r.out.find("\nzero_insert");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row + 1, r.out.find('\n', row + 1) - row - 1);
  EXPECT_NE(line.find("> 2^63 B"), std::string::npos) << line;  // saturated, not a wrapped negative number
  EXPECT_EQ(line.find(" -"), std::string::npos) << line;
}

TEST_F(Hostile, OutputsBeyondMemoryAreRefusedBeforeAllocating) {
  // Each output is terabytes (more than any machine), yet within the 2^40-element limit.
  ExpectError(Deconv({"--output-shape", "500000,500000"}), "more than the memory limit");
  // Large negative pads on a 1-D input: a huge output.
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "x1.npy", Small({1, 2, 4})).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "w1.npy", Small({2, 400, 3})).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "x1.npy", "--weight", dir_ / "w1.npy", "--output", out_,
               "--pads=-1073741824,-1073741824"},
              "more than the memory limit");
  ExpectError(Upsample({}, "100000"), "more than the memory limit");
  ExpectError(Deconv({"--stride", "300000"}), "output shape (1, 3, 900003, 900003) has more than 2^40 elements");
  // --max-memory sets the limit.
  ExpectError(Deconv({"--max-memory", "100"}), "more than the memory limit 100 B");
  ExpectError(Conv({"--max-memory", "16"}), "memory limit");
  ExpectError(Deconv({"--max-memory", "0"}), "--max-memory must be a byte count >= 1");
  ExpectError(Deconv({"--max-memory", "12Q"}), "--max-memory must be a byte count");
  ExpectError(Deconv({"--max-memory", "9999999999T"}), "below 2^63");
  EXPECT_EQ(RunCli(Deconv({"--max-memory", "1M"})).exit_code, 0);
}

TEST_F(Hostile, RefusingAHugeStrideTakesMilliseconds) {
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "x3.npy", Small({1, 1, 4, 4, 4})).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "w3.npy", Small({1, 1, 3, 3, 3})).ok());
  const auto t0 = std::chrono::steady_clock::now();
  ExpectError(
      {"conv-transpose", "--input", dir_ / "x3.npy", "--weight", dir_ / "w3.npy", "--output", out_, "--stride", "3000"},
      "more than the memory limit");
  // Cropped back to a small output: planning must not walk 3000^3 phases.
  CliResult r = RunCli({"conv-transpose", "--input", dir_ / "x3.npy", "--weight", dir_ / "w3.npy", "--output", out_,
                        "--stride", "3000", "--pad", "4499"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"300000", "1000000"}) {
    r = RunCli({"explain", "--input-shape", "1,1,2,2", "--weight-shape", "1,1,3,3", "--stride", s});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  r = RunCli({"explain", "--input-shape", "1,16384,4,4", "--weight-shape", "16384,16384,1,1"});  // a 1 GiB weight
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(s, 15.0) << "six hostile plans took " << s << " s";  // each takes ~0.05 s (busy 2 cores: < 1 s)
}

TEST_F(Hostile, BenchRefusesBadTimingAndHugeLayers) {
  for (const char* v : {"nan", "inf", "-1", "0", "1e9"}) ExpectError({"bench", "--min-batch", v}, "--min-batch");
  ExpectError({"bench", "--reps", "0"}, "--reps");
  WriteWholeFile(dir_ / "huge.json",
                 R"({"layers": [{"name": "huge", "n": 1, "cin": 4096, "cout": 4096, "in": [4096, 4096],)"
                 R"( "kernel": [1, 1], "stride": [1, 1]}]})");
  ExpectError({"bench", "--layers", dir_ / "huge.json"}, "more than the memory limit");
  std::remove((dir_ / "huge.json").c_str());
}

// ---- valid layers and documented results ----

TEST_F(Hostile, AValidLayerWithAHugeWorkspaceRunsAndMatchesTheReference) {
  // x (1,64,8,8), w (64,64,3,3), dilation 100000, pad 99999: output
  // (1,64,10,10); phase's SIMD path would ask for a 10 TB padded input.
  ConvDesc d;
  d.in_channels = d.out_channels = 64;
  d.in = {8, 8, 1};
  d.kernel = {3, 3, 1};
  d.dilation = {100000, 100000, 1};
  d.pad_begin = d.pad_end = {99999, 99999, 0};
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  const Tensor x = Small({1, 64, 8, 8}), w = Small({64, 64, 3, 3});
  Tensor want(ConvTransposeOutputShape(d));
  ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), ConstTensorView(), want.view()).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "xd.npy", x).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "wd.npy", w).ok());
  for (const char* algo : {"auto", "phase", "gemm_col2im", "gather"}) {
    CliResult r = RunCli({"conv-transpose", "--input", dir_ / "xd.npy", "--weight", dir_ / "wd.npy", "--output", out_,
                          "--dilation", "100000", "--pad", "99999", "--algo", algo});
    ASSERT_EQ(r.exit_code, 0) << algo << ": " << r.err;
    Tensor y;
    ASSERT_TRUE(ReadNpy(out_, &y).ok());
    EXPECT_EQ(y.shape, (Shape{1, 64, 10, 10}));
    EXPECT_EQ(y.data, want.data) << algo;
  }
}

TEST_F(Hostile, ZeroBatchGivesAnEmptyOutputAndZeroChannelsAnError) {
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "x0.npy", Tensor(Shape{0, 2, 4, 4})).ok());
  for (const char* algo : {"auto", "phase", "gemm_col2im", "gather", "zero_insert", "ref"}) {
    CliResult r = RunCli({"conv-transpose", "--input", dir_ / "x0.npy", "--weight", dir_ / "w.npy", "--output", out_,
                          "--stride", "2", "--algo", algo});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Tensor y;
    ASSERT_TRUE(ReadNpy(out_, &y).ok());
    EXPECT_EQ(y.shape, (Shape{0, 3, 9, 9})) << algo;
  }
  CliResult r = RunCli({"conv", "--input", dir_ / "x0.npy", "--weight", dir_ / "cw.npy", "--output", out_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::remove(out_.c_str());
  r = RunCli({"explain", "--input-shape", "0,2,4,4", "--weight-shape", "2,3,3,3", "--stride", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(0, 3, 9, 9)"), std::string::npos) << r.out;
  // Zero channels or a zero spatial axis: an error, as torch gives.
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "xc.npy", Tensor(Shape{1, 0, 4, 4})).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "wc.npy", Tensor(Shape{0, 3, 3, 3})).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "xc.npy", "--weight", dir_ / "wc.npy", "--output", out_},
              "input channels must be >= 1");
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "xs.npy", Tensor(Shape{1, 2, 0, 4})).ok());
  ExpectError({"conv-transpose", "--input", dir_ / "xs.npy", "--weight", dir_ / "w.npy", "--output", out_},
              "input size[0] must be >= 1");
}

TEST_F(Hostile, NonFiniteWeightsGiveTheReferenceResult) {
  Tensor x = Small({1, 2, 4, 4}), w = Small({2, 3, 3, 3});
  w.data[4] = INFINITY;  // the centre tap of (0, 0)
  w.data[30] = NAN;
  x.data[5] = -INFINITY;
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "xn.npy", x).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir_ / "wn.npy", w).ok());
  ConvDesc d;
  d.in_channels = 2;
  d.out_channels = 3;
  d.in = {4, 4, 1};
  d.kernel = {3, 3, 1};
  d.stride = {2, 2, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  Tensor want(ConvTransposeOutputShape(d));
  ASSERT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), ConstTensorView(), want.view()).ok());
  for (const char* algo : {"auto", "phase", "gemm_col2im", "gather", "zero_insert", "ref"}) {
    for (const char* layout : {"nchw", "nhwc"}) {
      if (std::string(layout) == "nhwc") continue;  // (the library tests cover channels last)
      CliResult r = RunCli({"conv-transpose", "--input", dir_ / "xn.npy", "--weight", dir_ / "wn.npy", "--output", out_,
                            "--stride", "2", "--pad", "1", "--algo", algo});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      Tensor y;
      ASSERT_TRUE(ReadNpy(out_, &y).ok());
      ASSERT_EQ(y.data.size(), want.data.size());
      for (size_t i = 0; i < y.data.size(); ++i) {
        if (std::isnan(want.data[i])) {
          EXPECT_TRUE(std::isnan(y.data[i])) << algo << " at " << i;
        } else {
          EXPECT_EQ(y.data[i], want.data[i]) << algo << " at " << i;
        }
      }
    }
  }
}

// ---- silent acceptance and broken one-line errors ----

TEST_F(Hostile, EmptyListValuesAreErrors) {
  for (const char* flag : {"--stride", "--dilation", "--pad", "--pads", "--output-padding", "--output-shape",
                           "--target-shape", "--auto-pad", "--algo", "--layout", "--max-memory", "--bias"}) {
    ExpectError(Deconv({flag, ""}), std::string(flag) + ": the value is empty");
  }
  for (const char* flag : {"--stride", "--dilation", "--pad", "--pads"}) {
    ExpectError(Conv({flag, ""}), std::string(flag) + ": the value is empty");
    ExpectError(Upsample({flag, ""}), std::string(flag) + ": the value is empty");
    ExpectError({"explain", "--input-shape", "1,2,4,4", "--weight-shape", "2,3,3,3", flag, ""},
                std::string(flag) + ": the value is empty");
  }
  ExpectError({"explain", "--input-shape", "1,2,4,4", "--weight-shape", "2,3,3,3", "--target-shape", ""},
              "--target-shape: the value is empty");
}

TEST_F(Hostile, ControlCharactersInNamesAreEscaped) {
  CliResult r = ExpectError({"bad\ncmd\r\x1b[31m"}, "unknown command 'bad\\x0acmd\\x0d\\x1b[31m'");
  ExpectError({"conv-transpose", "--input", dir_ / "no\nsuch\r.npy", "--weight", dir_ / "w.npy", "--output", out_},
              "no\\x0asuch\\x0d.npy");
  ExpectError(Deconv({"--algo", "ph\x1b]0;owned\x07"}), "ph\\x1b]0;owned\\x07");
  ExpectError({"bench", "--layer", "line1\nline2"}, "line1\\x0aline2");
  // Invalid UTF-8 and C1 controls are escaped; valid UTF-8 stays.
  ExpectError(Deconv({"--layout", "\xff\xc2\x9b\xc3\xa9"}), "\\xff\\xc2\\x9b\xc3\xa9");
}

TEST_F(Hostile, SeedsMustFit64Bits) {
  ExpectError({"checkerboard", "--out", dir_ / "cb", "--seed", "18446744073709551616"}, "below 2^64");
  ExpectError({"checkerboard", "--out", dir_ / "cb", "--seed=-1"}, "non-negative integer");
  ExpectError({"checkerboard", "--out", dir_ / "cb", "--seed", "1e3"}, "non-negative integer");
}

TEST_F(Hostile, BadTconvIsaIsOneErrorLine) {
  CliOptions opts;
  opts.env = {"TCONV_ISA=avx9000"};
  ExpectError(Deconv(), "TCONV_ISA must be scalar, avx2 or avx512", opts);
}

// ---- signals, special files, names and permissions ----

TEST_F(Hostile, FileSizeLimitIsAWriteErrorAndLeavesNoTemporary) {
  CliOptions opts;
  opts.file_size_limit = 100;  // bytes: the header fits, the data does not
  ExpectError(Deconv(), "File too large", opts);
  // An existing output stays as it was.
  WriteWholeFile(out_, "old");
  ExpectError(Deconv(), "File too large", opts);
  EXPECT_EQ(ReadWholeFile(out_), "old");
}

TEST_F(Hostile, SpecialFilesAtTheOutputPathAreRefused) {
  const std::string fifo = dir_ / "fifo";
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w.npy", "--output", fifo},
              "not a regular file");
  struct stat st;
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w.npy", "--output", "/dev/null"},
              "not a regular file");
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  ExpectError({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w.npy", "--output", dir_.path()},
              "it is a directory");
}

TEST_F(Hostile, LongOutputNamesAndPermissionsAreKept) {
  const std::string name = dir_ / (std::string(246, 'a') + ".npy");  // 250 characters
  CliResult r = RunCli({"conv-transpose", "--input", dir_ / "x.npy", "--weight", dir_ / "w.npy", "--output", name});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(PathExists(name));
  WriteWholeFile(out_, "old");
  ASSERT_EQ(::chmod(out_.c_str(), 0600), 0);
  r = RunCli(Deconv());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st;
  ASSERT_EQ(::stat(out_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(ReadWholeFile(out_), "old");
  for (const std::string& f : dir_.List()) EXPECT_EQ(f.find(".tmp."), std::string::npos) << f;
}

}  // namespace
}  // namespace tconv
