// `tconv checkerboard --out DIR` (tools/tconv/cmd_checkerboard.cc): the
// report and every picture it references are written; a bad output folder is
// one error line and exit 2.
#include <gtest/gtest.h>

#include <string>

#include "tconv/image.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::PathExists;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;

TEST(CheckerboardCli, WritesReportAndEveryPictureItReferences) {
  TempDir tmp;
  const std::string out = tmp / "report";
  CliResult r = RunCli({"checkerboard", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(PathExists(out + "/report.md"));
  const std::string md = ReadWholeFile(out + "/report.md");
  // Scores from the library: 2-D k3 s2 one layer 4, three layers 25; k4 s2 1.
  EXPECT_NE(md.find("| deconv k3 s2 | 16x16 | 1 / 4 | 1 / 4 | **4** |"), std::string::npos) << md;
  EXPECT_NE(md.find("| deconv k4 s2 | 16x16 | 4 / 4 | 4 / 4 | **1** |"), std::string::npos);
  EXPECT_NE(md.find("| deconv k3 s2 x3 | 64x64 | 1 / 25 | 1 / 25 | **25** |"), std::string::npos);
  EXPECT_NE(md.find("| deconv k4 s2 x3 | 64x64 | 64 / 64 | 64 / 64 | **1** |"), std::string::npos);
  EXPECT_NE(md.find("| bilinear x2 + conv3x3 | 16x16 | 9 / 9 | **1** |"), std::string::npos);
  EXPECT_EQ(md.find("| NO |"), std::string::npos);  // counted == run everywhere
  // Every referenced picture exists and decodes.
  int pictures = 0;
  for (size_t pos = md.find("![]("); pos != std::string::npos; pos = md.find("![](", pos + 1)) {
    const size_t end = md.find(')', pos);
    const std::string name = md.substr(pos + 4, end - pos - 4);
    Image img;
    Status st = ReadPng(out + "/" + name, &img);
    ASSERT_TRUE(st.ok()) << name << ": " << st.message();
    EXPECT_GT(img.width, 16) << name;
    EXPECT_GT(img.height, 16) << name;
    if (name.rfind("image_", 0) == 0) {
      EXPECT_EQ(img.width, 384) << name;
      EXPECT_EQ(img.height, 384) << name;
      EXPECT_EQ(img.channels, 3) << name;
    }
    ++pictures;
  }
  EXPECT_EQ(pictures, 20);
  // Deterministic: a second run writes the same bytes.
  const std::string out2 = tmp / "again";
  ASSERT_EQ(RunCli({"checkerboard", "--out", out2}).exit_code, 0);
  EXPECT_EQ(ReadWholeFile(out2 + "/report.md"), md);
  EXPECT_EQ(ReadWholeFile(out2 + "/image_deconv_k4s2_x3.png"), ReadWholeFile(out + "/image_deconv_k4s2_x3.png"));
  // A different seed changes the random stacks but not the ones analysis.
  const std::string out3 = tmp / "seed7";
  ASSERT_EQ(RunCli({"checkerboard", "--out", out3, "--seed", "7"}).exit_code, 0);
  const std::string md3 = ReadWholeFile(out3 + "/report.md");
  EXPECT_NE(md3, md);
  EXPECT_NE(md3.find("**25**"), std::string::npos);
}

TEST(CheckerboardCli, BadOutFolder) {
  TempDir tmp;
  ::tconv::testing::WriteWholeFile(tmp / "file", "x");
  CliResult r = RunCli({"checkerboard", "--out", tmp / "file"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.ErrLines(), 1);
  EXPECT_EQ(r.err.rfind("tconv: error: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace tconv
