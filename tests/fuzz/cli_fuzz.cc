// libFuzzer target over the command line: argument parsing (CLI11 and
// tconv's list, pad, shape, byte-size and auto_pad parsers), geometry
// validation and pad resolution, and everything `tconv explain` derives
// from them (output shape, flops, each algorithm's estimate, auto's pick
// under a memory limit), through the same tconv::cli::Main the binary runs.
// explain needs no files, so the fuzzer touches none.
//
// Checked on every input:
//  * Main returns 0 or 2, never crashes, never trips ASan/UBSan;
//  * status 2 comes with exactly one line "tconv: error: ..." and no
//    control character in it (a newline or an ESC from argv must be
//    escaped); status 0 with no error line;
//  * it ends quickly (libFuzzer -timeout): describing or refusing a layer
//    must take milliseconds whatever its numbers.
//
// Tokens: each argument is either one of tconv's flags or a value from a
// short list (numbers near the limits, lists, negative pads, units) or raw
// bytes, so that the fuzzer reaches deep into the parsers quickly.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace {

// clang-format off
const char* const kFlags[] = {
    "--input-shape", "--weight-shape", "--op",      "--stride",       "--dilation",     "--pad",
    "--pads",        "--groups",       "--threads", "--max-memory",   "--output-padding", "--output-shape",
    "--auto-pad",    "--target-shape", "--help",    "--stride=",      "--pads=",        "--input-shape=",
};
const char* const kValues[] = {
    "1",           "2",          "3",           "0",          "-1",          "4",         "64",
    "65",          "1,1,3,3",    "1,2,4,4",     "2,3,3",      "1,1,2,2,2",   "0,1,4,4",   "2,4,3,3",
    "300000",      "1073741824", "1073741825",  "2147483647", "4294967296",  "-2147483648",
    "9223372036854775807",       "18446744073709551616",       "1,-1",        "1,1,1,1",   "-3,2,-1,4",
    "same_upper",  "SAME_LOWER", "valid",       "notset",     "conv",        "conv-transpose",
    "4G",          "1K",         "0T",          "99999999T",  "",            " ",         "1,,2",
    "\n",          "\x1b[31m",   "\xff\xfe",    "1e3",        "0x10",        "2,2",       "100000",
};
// clang-format on

std::string Token(FuzzedDataProvider* fdp) {
  switch (fdp->ConsumeIntegralInRange(0, 3)) {
    case 0:
      return fdp->PickValueInArray(kFlags);
    case 1:
    case 2:
      return fdp->PickValueInArray(kValues);
    default:
      return fdp->ConsumeRandomLengthString(24);
  }
}

bool OneErrorLine(const std::string& err) {
  if (err.rfind("tconv: error: ", 0) != 0 || err.back() != '\n') return false;
  for (size_t i = 0; i + 1 < err.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(err[i]);
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (!std::freopen("/dev/null", "w", stdout)) std::abort();  // explain's tables and --help
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  std::vector<std::string> args = {"tconv", "explain"};
  const int n = fdp.ConsumeIntegralInRange(0, 20);
  for (int i = 0; i < n && fdp.remaining_bytes() > 0; ++i) args.push_back(Token(&fdp));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  char* buf = nullptr;
  size_t len = 0;
  std::FILE* errors = open_memstream(&buf, &len);
  if (!errors) std::abort();
  tconv::cli::SetErrorStream(errors);
  const int rc = tconv::cli::Main(static_cast<int>(args.size()), argv.data());
  tconv::cli::SetErrorStream(nullptr);
  std::fclose(errors);
  const std::string err(buf, len);
  std::free(buf);
  const bool ok = (rc == 0 && err.empty()) || (rc == 2 && OneErrorLine(err));
  if (!ok) {
    std::fprintf(stderr, "cli_fuzz: contract broken: exit %d, error output '%s' for:", rc, err.c_str());
    for (const std::string& a : args) std::fprintf(stderr, " [%s]", a.c_str());
    std::fprintf(stderr, "\n");
    std::abort();
  }
  return 0;
}
