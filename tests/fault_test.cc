// Faults around the CLI's output writing (issue #14): a process killed
// mid-write (SIGKILL, SIGTERM, SIGINT) leaves at the output path the old
// file or the complete new one, never part of one, and no temporary; twenty
// processes writing one path at once leave one complete, valid result.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::SpawnCli;
using ::tconv::testing::TempDir;
using ::tconv::testing::WaitCli;
using ::tconv::testing::WriteWholeFile;

std::string NpyBytes(const Tensor& t) {
  std::string b;
  EXPECT_TRUE(EncodeNpy(t, &b).ok());
  return b;
}

// Files in dir other than `keep`.
std::vector<std::string> Others(const TempDir& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> out;
  for (const std::string& f : dir.List())
    if (std::find(keep.begin(), keep.end(), f) == keep.end()) out.push_back(f);
  return out;
}

// True once `pid` has a file open in `dir` other than its inputs: the
// output's temporary (an unnamed O_TMPFILE shows as "dir/#123 (deleted)").
bool WritingInto(pid_t pid, const std::string& dir) {
  const std::string fds = "/proc/" + std::to_string(pid) + "/fd";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(fds, ec)) {
    std::error_code ec2;
    const std::string target = std::filesystem::read_symlink(e.path(), ec2).string();
    if (!ec2 && target.rfind(dir + "/", 0) == 0 && target.find("/x.npy") == std::string::npos &&
        target.find("/w.npy") == std::string::npos) {
      return true;
    }
  }
  return false;
}

class KillMidWrite : public ::testing::TestWithParam<int> {};

TEST_P(KillMidWrite, LeavesTheOldFileOrTheNewOneAndNoTemporary) {
  const int sig = GetParam();
  TempDir dir, io;
  // A 1x1 kernel over a 1024x1024 input: a 4 MiB output, computed in
  // milliseconds, so most of a run is reading, encoding and writing.
  Tensor x(Shape{1, 1, 1024, 1024}), w(Shape{1, 1, 1, 1}, 2.0f);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<float>(i % 1000);
  ASSERT_TRUE(WriteNpyAtomic(dir / "x.npy", x).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir / "w.npy", w).ok());
  const std::string out = dir / "y.npy";
  const std::vector<std::string> args = {"conv-transpose", "--input", dir / "x.npy", "--weight", dir / "w.npy",
                                         "--output",       out};
  Tensor want(Shape{1, 1, 1024, 1024});
  for (size_t i = 0; i < want.data.size(); ++i) want.data[i] = 2.0f * x.data[i];
  const std::string new_bytes = NpyBytes(want), old_bytes = NpyBytes(Tensor(Shape{2}, 7.0f));
  const std::vector<std::string> keep = {"x.npy", "w.npy", "y.npy"};
  int old_seen = 0, new_seen = 0, mid_write = 0;
  // Four kills the moment the temporary is open (polled every 0.1 ms), two
  // after a while (any phase of the run); then, where no poll caught the
  // temporary, up to eight more polled kills. (A parallel ctest failed this
  // test once, its message not kept, and 60 runs beside a busy core passed:
  // the likeliest cause, a poller starved for a whole write, gets retries.)
  for (int i = 0; i < 6 || (mid_write == 0 && i < 14); ++i) {
    WriteWholeFile(out, old_bytes);
    const pid_t pid = SpawnCli(args, io / "out", io / "err");
    ASSERT_GT(pid, 0);
    const auto t0 = std::chrono::steady_clock::now();
    if (i < 4 || i >= 6) {
      while (!WritingInto(pid, dir.path()) && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20) &&
             ::kill(pid, 0) == 0) {
        ::usleep(100);
      }
      mid_write += WritingInto(pid, dir.path());
    } else {
      ::usleep(20000 * (i - 2));
    }
    ::kill(pid, sig);
    const int status = WaitCli(pid, 60);
    ASSERT_GE(status, 0);
    const std::string now = ReadWholeFile(out);
    EXPECT_TRUE(now == old_bytes || now == new_bytes) << "a partial output of " << now.size() << " bytes, kill " << i;
    old_seen += now == old_bytes;
    new_seen += now == new_bytes;
    EXPECT_EQ(Others(dir, keep), std::vector<std::string>()) << "kill " << i << " left a temporary";
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), sig);
    }
  }
  EXPECT_GE(mid_write, 1) << "no kill landed while the output was being written";
  // (Which of the two each kill leaves depends on timing; both are correct.)
  std::printf("signal %d: %d kills mid-write; old file %d times, new file %d times\n", sig, mid_write, old_seen,
              new_seen);
}

INSTANTIATE_TEST_SUITE_P(Signals, KillMidWrite, ::testing::Values(SIGKILL, SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return p.param == SIGKILL ? "SIGKILL" : p.param == SIGTERM ? "SIGTERM" : "SIGINT";
                         });

TEST(Faults, TwentyConcurrentWritersLeaveOneCompleteResult) {
  TempDir dir, io;
  Tensor x(Shape{1, 2, 128, 128}), w(Shape{2, 1, 1, 1}, 1.0f);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<float>(i % 17);
  ASSERT_TRUE(WriteNpyAtomic(dir / "x.npy", x).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir / "w.npy", w).ok());
  ConvDesc d;
  d.in_channels = 2;
  d.out_channels = 1;
  d.in = {128, 128, 1};
  constexpr int kWriters = 20;
  std::vector<std::string> results;  // writer i adds bias i
  std::vector<std::string> keep = {"x.npy", "w.npy", "y.npy"};
  for (int i = 0; i < kWriters; ++i) {
    const Tensor b(Shape{1}, static_cast<float>(i));
    const std::string name = "b" + std::to_string(i) + ".npy";
    ASSERT_TRUE(WriteNpyAtomic(dir / name, b).ok());
    keep.push_back(name);
    Tensor y(ConvTransposeOutputShape(d));
    ASSERT_TRUE(ConvTranspose(d, x.cview(), w.cview(), b.cview(), y.view()).ok());
    results.push_back(NpyBytes(y));
  }
  std::vector<pid_t> pids;
  for (int i = 0; i < kWriters; ++i) {
    pids.push_back(SpawnCli({"conv-transpose", "--input", dir / "x.npy", "--weight", dir / "w.npy", "--bias",
                             dir / ("b" + std::to_string(i) + ".npy"), "--output", dir / "y.npy"},
                            io / ("out" + std::to_string(i)), io / ("err" + std::to_string(i))));
  }
  for (int i = 0; i < kWriters; ++i) {
    const int status = WaitCli(pids[i], 120);
    EXPECT_TRUE(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "writer " << i << ": " << ReadWholeFile(io / ("err" + std::to_string(i)));
  }
  const std::string final_bytes = ReadWholeFile(dir / "y.npy");
  EXPECT_NE(std::find(results.begin(), results.end(), final_bytes), results.end())
      << "y.npy (" << final_bytes.size() << " bytes) is none of the 20 results";
  EXPECT_EQ(Others(dir, keep), std::vector<std::string>());
}

}  // namespace
}  // namespace tconv
