// `tconv checkerboard --out DIR` (tools/tconv/cmd_checkerboard.cc): the
// report and every picture it references are written; a bad output folder is
// one error line and exit 2.
#include <gtest/gtest.h>

#include <cstdlib>
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
    if (name.rfind("image_", 0) == 0 && name != "image_input.png") {
      EXPECT_GE(img.width, 384 + 20) << name;  // the 384x384 output, a title above, notes below
      EXPECT_GE(img.height, 384 + 60) << name;
      EXPECT_EQ(img.channels, 3) << name;
    }
    ++pictures;
  }
  EXPECT_EQ(pictures, 20);
  // Clipping is stated: the deconvolutions overshoot [0, 1]; resize-conv
  // and ICNR sub-pixel mix with positive weights summing to 1 and stay inside.
  EXPECT_NE(md.find("| clipped to [0, 1] |"), std::string::npos);
  EXPECT_NE(md.find("| 0.0% | ![](image_resize_conv_x3.png)"), std::string::npos) << md;
  EXPECT_NE(md.find("| 0.0% | ![](image_subpixel_icnr_x3.png)"), std::string::npos) << md;
  EXPECT_EQ(md.find("| 0.0% | ![](image_deconv_k3s2_x3.png)"), std::string::npos) << md;
  EXPECT_NE(md.find("share one colour scale"), std::string::npos);
  EXPECT_FALSE(PathExists(out + "/report.html"));  // only with --html
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

// The --html report is one file: every picture inlined, nothing else referenced.
TEST(CheckerboardCli, HtmlReportIsSelfContained) {
  TempDir tmp;
  const std::string out = tmp / "r";
  CliResult r = RunCli({"checkerboard", "--out", out, "--html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadWholeFile(out + "/report.html");
  size_t images = 0;
  for (size_t pos = html.find("<img "); pos != std::string::npos; pos = html.find("<img ", pos + 1)) {
    EXPECT_EQ(html.compare(html.find("src=\"", pos), 27, "src=\"data:image/png;base64,"), 0);
    ++images;
  }
  EXPECT_EQ(images, 20u);
  EXPECT_EQ(html.find(".png\""), std::string::npos);  // no file reference left
  EXPECT_NE(html.find("<h2>4. A picture through random-weight stacks</h2>"), std::string::npos);
}

// A real headless browser renders the HTML report: the screenshot has the
// requested size, text, and the colour map's yellow and purple from the
// overlap maps of section 1 (on the first screen).
TEST(CheckerboardCli, HtmlReportRendersInChromium) {
  if (std::system("command -v chromium > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "chromium is not installed (Debian package chromium; scripts/setup.sh installs it)";
  }
  TempDir tmp;
  const std::string out = tmp / "r";
  ASSERT_EQ(RunCli({"checkerboard", "--out", out, "--html"}).exit_code, 0);
  const std::string shot = tmp / "shot.png";
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  const std::string cmd = "HOME=" + tmp.path() + " timeout 120 chromium --headless --no-sandbox --disable-gpu " +
                          "--hide-scrollbars --force-device-scale-factor=1 --window-size=1400,1000 --screenshot=" +
                          shot + " file://" + out + "/report.html > " + tmp.path() + "/chromium.log 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadWholeFile(tmp / "chromium.log");
  Image img;
  ASSERT_TRUE(ReadPng(shot, &img).ok()) << ReadWholeFile(tmp / "chromium.log");
  EXPECT_EQ(img.width, 1400);
  EXPECT_EQ(img.height, 1000);
  const Rgb yellow = ColorMap(1), purple = ColorMap(0);
  auto near = [](const uint8_t* p, Rgb c) {
    return std::abs(p[0] - c.r) <= 6 && std::abs(p[1] - c.g) <= 6 && std::abs(p[2] - c.b) <= 6;
  };
  int64_t dark = 0, yellows = 0, purples = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* p = img.at(x, y);
      dark += p[0] < 80 && p[1] < 80 && p[2] < 80;
      yellows += near(p, yellow);
      purples += near(p, purple);
    }
  EXPECT_GT(dark, 2000);    // text
  EXPECT_GT(yellows, 500);  // the k3 s2 map's 4-path cells (top of its colour scale)
  EXPECT_GT(purples, 100);  // the colour bars' bottom
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
