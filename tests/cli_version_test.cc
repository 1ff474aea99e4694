// `tconv --version`: one line "tconv <version>" on stdout, exit 0, where the
// version is CMake's project() version (passed to the tests as well).
#include <gtest/gtest.h>

#include <string>

#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::Describe;
using ::tconv::testing::RunCli;

TEST(CliVersion, PrintsTheProjectVersion) {
  CliResult r = RunCli({"--version"});
  EXPECT_EQ(r.exit_code, 0) << Describe({"--version"}, r);
  EXPECT_EQ(r.out, std::string("tconv ") + TCONV_VERSION + "\n");
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliVersion, IsListedInHelp) {
  CliResult r = RunCli({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--version"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tconv
