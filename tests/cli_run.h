// Test helpers for driving the `tconv` binary (TCONV_CLI_PATH) as a user
// would: fork/exec with captured stdout/stderr and exit status, plus a
// scratch directory that removes itself.
#ifndef TCONV_TESTS_CLI_RUN_H_
#define TCONV_TESTS_CLI_RUN_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tconv {
namespace testing {

struct CliResult {
  int exit_code = -1;  // -1: did not exit normally (signal, or killed after the timeout)
  int signal = 0;      // the signal that ended it, if any
  bool timed_out = false;
  std::string out, err;
  // Lines of stderr (a trailing newline does not start a new line).
  int ErrLines() const {
    int n = 0;
    for (char c : err) n += c == '\n';
    if (!err.empty() && err.back() != '\n') ++n;
    return n;
  }
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tconv_test_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data())) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Names of the entries in the directory (to check no temp files are left).
  std::vector<std::string> List() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path_, ec)) names.push_back(e.path().filename().string());
    return names;
  }

 private:
  std::string path_;
};

inline void WriteWholeFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// How to run the CLI beyond its arguments.
struct CliOptions {
  double timeout_s = 120;        // SIGKILL after this; exit_code -1, timed_out set
  std::vector<std::string> env;  // extra "NAME=value" entries
  long file_size_limit = -1;     // RLIMIT_FSIZE in bytes (-1: unchanged)
};

// Starts TCONV_CLI_PATH with args, stdout/stderr to the given files; returns
// the pid (-1 on failure).
inline pid_t SpawnCli(const std::vector<std::string>& args, const std::string& out_path, const std::string& err_path,
                      const CliOptions& opts = CliOptions()) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (opts.file_size_limit >= 0) {
      struct rlimit rl;
      rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(opts.file_size_limit);
      ::setrlimit(RLIMIT_FSIZE, &rl);
    }
    for (const std::string& e : opts.env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    std::string exe = TCONV_CLI_PATH;
    argv.push_back(exe.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for pid (killing it after timeout_s); the wait status, or -1.
inline int WaitCli(pid_t pid, double timeout_s, bool* timed_out = nullptr) {
  if (timed_out) *timed_out = false;
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return -1;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      if (timed_out) *timed_out = true;
      return -1;
    }
    ::usleep(2000);
  }
}

// Runs TCONV_CLI_PATH with args; stdout/stderr go through temp files.
inline CliResult RunCli(const std::vector<std::string>& args, const CliOptions& opts = CliOptions()) {
  CliResult r;
  TempDir io;
  const std::string out_path = io / "stdout", err_path = io / "stderr";
  const pid_t pid = SpawnCli(args, out_path, err_path, opts);
  if (pid < 0) return r;
  const int status = WaitCli(pid, opts.timeout_s, &r.timed_out);
  r.exit_code = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.signal = status >= 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  r.out = ReadWholeFile(out_path);
  r.err = ReadWholeFile(err_path);
  return r;
}

inline std::string Describe(const std::vector<std::string>& args, const CliResult& r) {
  std::string s = "tconv";
  for (const std::string& a : args) s += " " + a;
  return s + "\n  exit " + std::to_string(r.exit_code) + (r.signal ? " signal " + std::to_string(r.signal) : "") +
         (r.timed_out ? " (timed out)" : "") + "\n  stderr: " + r.err + "\n  stdout: " + r.out.substr(0, 2000);
}

}  // namespace testing
}  // namespace tconv

#endif  // TCONV_TESTS_CLI_RUN_H_
