// Commands that do not benchmark do not load the peers (issue #17): the
// `tconv` binary links neither oneDNN nor XNNPACK (nor the OpenCL loader
// oneDNN pulls in); `tconv bench` dlopens them from libtconv_peers.so. The
// dynamic loader's own trace (LD_DEBUG=files, glibc) lists every library a
// run maps. The bench half also checks the peers end to end: every peer
// configuration runs on small 1-D, 2-D, depthwise and 3-D layers and its
// output matches tconv's (the harness prints WRONG OUTPUT otherwise).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_run.h"

namespace tconv {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::RunCli;

CliOptions TraceLoads() {
  CliOptions o;
  o.env = {"LD_DEBUG=files"};
  return o;
}

// A line of `text` that starts with parts[0] and holds the other parts.
bool HasLine(const std::string& text, const std::vector<std::string>& parts) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(parts[0], 0) != 0) continue;
    bool all = true;
    for (size_t i = 1; i < parts.size(); ++i) all = all && line.find(parts[i]) != std::string::npos;
    if (all) return true;
  }
  return false;
}

TEST(Startup, ExplainLoadsNoPeerLibrary) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"explain", "--input-shape", "8,256,8,8", "--weight-shape", "256,128,4,4", "--stride",
                                 "2", "--pad", "1"},
        std::vector<std::string>{"--help"}}) {
    const CliResult r = RunCli(args, TraceLoads());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The trace works: it names a library tconv does link.
    EXPECT_NE(r.err.find("libopenblas"), std::string::npos) << r.err.substr(0, 2000);
    for (const char* lib : {"libdnnl", "libOpenCL", "libXNNPACK", "libtconv_peers"}) {
      EXPECT_EQ(r.err.find(lib), std::string::npos) << args[0] << " loaded " << lib;
    }
  }
}

TEST(Startup, BenchLoadsThePeersAndTheirOutputsMatch) {
#ifndef TCONV_TEST_HAVE_BENCH
  GTEST_SKIP() << "built with TCONV_BUILD_BENCH=OFF";
#endif
  testing::TempDir dir;
  const std::string layers = dir.path() + "/layers.json";
  testing::WriteWholeFile(layers, R"({"layers": [
    {"name": "t2d", "n": 2, "cin": 6, "cout": 5, "in": [5, 4], "kernel": [3, 3], "stride": [2, 2], "pad": [1, 1],
     "output_padding": [1, 0]},
    {"name": "tdw", "n": 1, "cin": 8, "cout": 8, "groups": 8, "in": [6, 6], "kernel": [4, 4], "stride": [2, 2],
     "pad": [1, 1]},
    {"name": "t1d", "n": 1, "cin": 7, "cout": 3, "in": [9], "kernel": [5], "stride": [3], "pad": [2],
     "dilation": [2]},
    {"name": "t3d", "n": 1, "cin": 4, "cout": 4, "in": [3, 4, 3], "kernel": [2, 3, 2], "stride": [2, 1, 2]}]})");
  const CliResult r = RunCli({"bench", "--layers", layers, "--threads", "1", "--algo", "auto", "--min-batch",
                              "0.001", "--reps", "1"},
                             TraceLoads());
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(r.err.size() > 3000 ? r.err.size() - 3000 : 0);
  EXPECT_NE(r.err.find("libtconv_peers"), std::string::npos);
  EXPECT_EQ(r.out.find("WRONG OUTPUT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# summary, 1 thread, tconv auto vs the best peer, 4 layers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# CPU: "), std::string::npos) << r.out;
#ifdef TCONV_TEST_PEER_ONEDNN
  EXPECT_NE(r.err.find("libdnnl"), std::string::npos);
  for (const char* layer : {"t2d", "tdw", "t1d", "t3d"}) {
    for (const char* cfg : {"onednn:blocked+bias ", "onednn:blocked+biaspass ", "onednn:blocked+reorders+bias ",
                            "onednn:nchw+biaspass ", "onednn:nhwc+bias "}) {
      EXPECT_TRUE(HasLine(r.out, {std::string(layer) + " ", cfg, " peer "})) << layer << " " << cfg << "\n" << r.out;
    }
  }
#endif
#ifdef TCONV_TEST_PEER_XNNPACK
  EXPECT_NE(r.err.find("libXNNPACK"), std::string::npos);
  for (const char* layer : {"t2d", "tdw", "t1d"}) {
    EXPECT_TRUE(HasLine(r.out, {std::string(layer) + " ", "xnnpack:nhwc+bias ", " peer "})) << layer << "\n" << r.out;
  }
  EXPECT_TRUE(HasLine(r.out, {"t3d ", "xnnpack:nhwc+bias", "declined: XNNPACK's deconvolution is 2-D only"}))
      << r.out;
#endif
}

}  // namespace
}  // namespace tconv
