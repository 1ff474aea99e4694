// The inspect report's pictures (tconv/inspect.h InspectPicture): what the
// library describes (titles, shapes, values) and hands a renderer, that
// nothing is written when the renderer fails, the plain heatmaps without
// one, and the titled figures of tools/figure/inspect_figures.h, which
// `tconv inspect --output-dir` writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "tconv/image.h"
#include "tconv/inspect.h"
#include "tests/cli_run.h"
#include "tools/figure/colour_scale.h"
#include "tools/figure/inspect_figures.h"

#ifdef TCONV_TEST_HAVE_ONNX
#include "tests/onnx_test_models.h"
#endif

namespace tconv {
namespace {

using ::tconv::testing::CliResult;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::TempDir;
using ::tconv::testing::WriteWholeFile;

bool Same(const uint8_t* p, Rgb c) { return p[0] == c.r && p[1] == c.g && p[2] == c.b; }

int64_t CountColour(const Image& img, Rgb c) {
  int64_t n = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) n += Same(img.at(x, y), c);
  return n;
}

// Dark (text) pixels in rows [y0, y1).
int64_t InkPixels(const Image& img, int y0, int y1) {
  int64_t n = 0;
  for (int y = y0; y < std::min(y1, img.height); ++y)
    for (int x = 0; x < img.width; ++x) n += img.at(x, y)[0] < 128 && img.at(x, y)[1] < 128;
  return n;
}

std::pair<double, double> MinMax(const std::vector<double>& v) {
  const auto mm = std::minmax_element(v.begin(), v.end());
  return {*mm.first, *mm.second};
}

// A picture like the report's overlap maps, for the figure tests without ONNX.
InspectPicture Overlap(const std::string& file, std::vector<double> period, const std::string& group) {
  InspectPicture p;
  p.file = file;
  p.title = "Path 0 (conv_transpose: up1): overlap per output pixel";
  p.x_label = "output column (axis 1)";
  p.y_label = "output row (axis 0)";
  p.value_label = "contributions / mean";
  for (int64_t y = 0; y < 16; ++y)
    for (int64_t x = 0; x < 16; ++x) p.values.push_back(period[y % period.size()] * period[x % period.size()]);
  p.rows = p.cols = 16;
  p.scale_group = group;
  p.caption = {"A caption line."};
  return p;
}

TEST(Inspect, FiguresShareTheOverlapScaleAndFrameTheMap) {
  // Two overlap maps in one group: the chain's (max 9) sets the scale, so
  // the path's brightest cells (4) are drawn at 4/9 of it, not at the top.
  const std::vector<InspectPicture> pics = {Overlap("a.png", {2, 1}, "overlap"), Overlap("b.png", {3, 2, 3, 1}, "overlap"),
                                            Overlap("c.png", {2, 1}, "")};
  std::vector<Image> img;
  ASSERT_TRUE(figure::DrawInspectPictures(pics, &img).ok());
  ASSERT_EQ(img.size(), 3u);
  const figure::ColourScale shared{0, 9};
  const int64_t cells_at_4 = 8 * 8, cell_px = 16 * 16;  // 16 x 16 map, 256 px: 16 px cells
  EXPECT_GE(CountColour(img[0], shared.At(4)), cells_at_4 * cell_px);
  EXPECT_LT(CountColour(img[0], ColorMap(1)), cell_px);  // only the colour bar's top reaches yellow
  // Its own scale (no group): the 4s are yellow.
  EXPECT_GE(CountColour(img[2], ColorMap(1)), cells_at_4 * cell_px);
  for (const Image& f : img) {
    EXPECT_GT(f.width, 256 + 60);   // the map, the y axis and the colour bar
    EXPECT_GT(f.height, 256 + 90);  // the title, the x axis and the caption
    EXPECT_GT(InkPixels(f, 0, 24), 100);  // the title
  }
  // Values over a mean that is not a power of two (1.777...) are all shown:
  // no clipping line (a float copy once rounded the largest past the scale).
  std::vector<InspectPicture> relative = {pics[2]};
  for (double& v : relative[0].values) v /= 2.25;
  std::vector<Image> rel;
  ASSERT_TRUE(figure::DrawInspectPictures(relative, &rel).ok());
  EXPECT_EQ(rel[0].height, img[2].height);
  // A value that the scale cannot show (NaN) adds a line saying so.
  std::vector<InspectPicture> nan = {pics[2]};
  nan[0].values[5] = std::numeric_limits<double>::quiet_NaN();
  std::vector<Image> with_nan;
  ASSERT_TRUE(figure::DrawInspectPictures(nan, &with_nan).ok());
  EXPECT_EQ(with_nan[0].height, img[2].height + 15);
  // A picture whose values do not fill rows x cols is refused.
  nan[0].rows = 17;
  std::vector<Image> none;
  EXPECT_FALSE(figure::DrawInspectPictures(nan, &none).ok());
}

TEST(Inspect, OneRowMapIsStretchedToBeReadable) {
  // A 1-D path's map is one row of 16 values: its cells are drawn 16 px
  // wide and 160 px tall (not a 16 px strip under the colour bar's ticks).
  InspectPicture p = Overlap("a.png", {2, 1}, "");
  p.values.resize(16);
  p.rows = 1;
  std::vector<Image> img;
  ASSERT_TRUE(figure::DrawInspectPictures({p}, &img).ok());
  EXPECT_GE(CountColour(img[0], ColorMap(1)), 8 * 16 * 160);  // the eight 4s
  EXPECT_GT(img[0].height, 160 + 90);
}

TEST(Inspect, WrapTextKeepsWordsAndWidth) {
  EXPECT_EQ(figure::WrapText("aa bb cc dd", 5), (std::vector<std::string>{"aa bb", "cc dd"}));
  EXPECT_EQ(figure::WrapText("abcdefgh ij", 4), (std::vector<std::string>{"abcdefgh", "ij"}));
  EXPECT_TRUE(figure::WrapText("  ", 4).empty());
}

#ifdef TCONV_TEST_HAVE_ONNX

using ::tconv::testing::OnnxBuilder;

// Two k3 s2 deconvs, 4 -> 8 channels and 8 -> 3, with Relu between.
std::string Decoder() {
  OnnxBuilder b;
  b.Input("x", {1, 4, 4, 4});
  b.Output("y");
  Tensor w1({4, 8, 3, 3}), w2({8, 3, 3, 3});
  for (size_t i = 0; i < w1.data.size(); ++i) w1.data[i] = static_cast<float>((i * 37 % 11) - 5) * 0.1f;
  for (size_t i = 0; i < w2.data.size(); ++i) w2.data[i] = static_cast<float>((i * 13 % 7) - 3) * 0.1f;
  b.Init("w1", w1);
  b.Init("w2", w2);
  auto* n = b.Node("ConvTranspose", {"x", "w1"}, {"u"}, "up1");
  OnnxBuilder::Ints(n, "strides", {2, 2});
  b.Node("Relu", {"u"}, {"r"}, "relu");
  n = b.Node("ConvTranspose", {"r", "w2"}, {"y"}, "up2");
  OnnxBuilder::Ints(n, "strides", {2, 2});
  OnnxBuilder::Ints(n, "pads", {1, 1, 1, 1});
  OnnxBuilder::Ints(n, "output_padding", {1, 1});
  return b.Bytes();
}

InspectReport Inspect(const std::string& bytes) {
  ModelGraph g;
  EXPECT_TRUE(LoadOnnxBytes(bytes.data(), bytes.size(), "dec.onnx", &g).ok());
  InspectReport r;
  EXPECT_TRUE(InspectGraph(g, "dec.onnx", &r).ok());
  return r;
}

TEST(Inspect, PicturesDescribeEachMapForTheRenderer) {
  const InspectReport r = Inspect(Decoder());
  std::vector<InspectPicture> seen;
  TempDir tmp;
  // A fake renderer: records what it is given, draws (cols + 1) x (rows + 2) gray images.
  auto fake = [&](const std::vector<InspectPicture>& pics, std::vector<Image>* out) {
    seen = pics;
    for (const InspectPicture& p : pics) out->push_back(Image(static_cast<int>(p.cols) + 1, static_cast<int>(p.rows) + 2, 1, 200));
    return Status::Ok();
  };
  ASSERT_TRUE(WriteInspectReport(r, tmp.path(), fake).ok());
  ASSERT_EQ(seen.size(), 5u);
  std::vector<std::string> files;
  for (const InspectPicture& p : seen) files.push_back(p.file);
  EXPECT_EQ(files, (std::vector<std::string>{"path0_overlap.png", "path0_spread.png", "path1_overlap.png",
                                             "path1_spread.png", "chain0_overlap.png"}));
  EXPECT_EQ(seen[0].title, "Path 0 (conv_transpose: up1): overlap per output pixel");
  EXPECT_EQ(seen[1].title, "Path 0 (conv_transpose: up1): weights' phase-sum spread per channel pair");
  EXPECT_EQ(seen[4].title, "Chain 0 (paths 0 -> 1, 0 convs between): stacked overlap per output pixel");
  // k3 s2: a period of 2 per axis tiled to 16; values over their mean
  // (counts 1, 2, 2, 4: mean 2.25), max / min = the score 4; the chain 9.
  EXPECT_EQ(seen[0].rows, 16);
  EXPECT_EQ(seen[0].cols, 16);
  EXPECT_EQ(seen[0].values.size(), 256u);
  EXPECT_DOUBLE_EQ(MinMax(seen[0].values).first, 1 / 2.25);
  EXPECT_DOUBLE_EQ(MinMax(seen[0].values).second, 4 / 2.25);
  EXPECT_NEAR(MinMax(seen[4].values).second / MinMax(seen[4].values).first, 9.0, 1e-12);
  EXPECT_EQ(seen[0].scale_group, "overlap");
  EXPECT_EQ(seen[4].scale_group, "overlap");
  EXPECT_EQ(seen[0].y_label, "output row (axis 0)");
  EXPECT_EQ(seen[0].value_label, "contributions / mean");
  EXPECT_NE(seen[0].caption[0].find("k3x3 s2x2"), std::string::npos) << seen[0].caption[0];
  // The spread map: (input, output channel) pairs, the report's own values, own scale.
  EXPECT_EQ(seen[1].rows, 4);
  EXPECT_EQ(seen[1].cols, 8);
  EXPECT_EQ(seen[1].values, r.paths[0].weights.spread);
  EXPECT_EQ(seen[1].scale_group, "");
  EXPECT_EQ(seen[3].rows, 8);
  EXPECT_EQ(seen[3].cols, 3);
  // Each file holds the renderer's image, and the Markdown refers to each.
  const std::string md = ReadWholeFile(tmp / "inspect.md");
  for (const InspectPicture& p : seen) {
    Image img;
    ASSERT_TRUE(ReadPng(tmp / p.file, &img).ok()) << p.file;
    EXPECT_EQ(img.width, p.cols + 1);
    EXPECT_EQ(img.height, p.rows + 2);
    EXPECT_NE(md.find("](" + p.file + ")"), std::string::npos) << p.file;
  }
  EXPECT_EQ(InspectPictures(r).size(), 5u);
}

TEST(Inspect, RendererFailureWritesNothing) {
  const InspectReport r = Inspect(Decoder());
  TempDir tmp;
  auto failing = [](const std::vector<InspectPicture>&, std::vector<Image>* out) {
    out->push_back(Image(4, 4, 3));
    return Status::Io("cannot draw");
  };
  Status st = WriteInspectReport(r, tmp.path(), failing);
  EXPECT_EQ(st.message(), "cannot draw");
  EXPECT_TRUE(tmp.List().empty());
  auto short_by_one = [](const std::vector<InspectPicture>& pics, std::vector<Image>* out) {
    for (size_t i = 1; i < pics.size(); ++i) out->push_back(Image(4, 4, 3));
    return Status::Ok();
  };
  st = WriteInspectReport(r, tmp.path(), short_by_one);
  EXPECT_EQ(st.message(), "inspect: the renderer drew 4 images for 5 pictures");
  EXPECT_TRUE(tmp.List().empty());
}

TEST(Inspect, WithoutRendererThePicturesArePlainHeatmaps) {
  const InspectReport r = Inspect(Decoder());
  TempDir tmp;
  ASSERT_TRUE(WriteInspectReport(r, tmp.path()).ok());
  for (const InspectPicture& p : InspectPictures(r)) {
    const Image bare = Heatmap(p.values, p.rows, p.cols, HeatmapOptions());
    Image img;
    ASSERT_TRUE(ReadPng(tmp / p.file, &img).ok()) << p.file;
    EXPECT_EQ(img.width, bare.width);
    EXPECT_EQ(img.height, bare.height);
    EXPECT_EQ(img.pixels, bare.pixels) << p.file;
  }
}

TEST(InspectCli, ReportFolderHasTitledFigures) {
  TempDir tmp;
  WriteWholeFile(tmp / "dec.onnx", Decoder());
  const std::string out = tmp / "report";
  CliResult w = RunCli({"inspect", tmp / "dec.onnx", "--output-dir", out});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const std::vector<InspectPicture> pics = InspectPictures(Inspect(Decoder()));
  std::vector<Image> expected;
  ASSERT_TRUE(figure::DrawInspectPictures(pics, &expected).ok());
  // Every picture the Markdown refers to exists, and every PNG is referred to.
  const std::string md = ReadWholeFile(out + "/inspect.md");
  std::set<std::string> referenced, written;
  for (size_t pos = md.find("]("); pos != std::string::npos; pos = md.find("](", pos + 1))
    referenced.insert(md.substr(pos + 2, md.find(')', pos) - pos - 2));
  for (const auto& e : std::filesystem::directory_iterator(out))
    if (e.path().extension() == ".png") written.insert(e.path().filename().string());
  EXPECT_EQ(referenced, written);
  EXPECT_EQ(written.size(), pics.size());
  for (size_t i = 0; i < pics.size(); ++i) {
    Image img;
    ASSERT_TRUE(ReadPng(out + "/" + pics[i].file, &img).ok()) << pics[i].file;
    const Image bare = Heatmap(pics[i].values, pics[i].rows, pics[i].cols, HeatmapOptions());
    EXPECT_GT(img.width, bare.width + 60) << pics[i].file;  // y axis, colour bar
    EXPECT_GT(img.height, bare.height + 90) << pics[i].file;  // title, scale note, x axis, caption
    EXPECT_GT(InkPixels(img, 0, 24), 100) << pics[i].file;  // the title band has text
    EXPECT_EQ(img.width, expected[i].width);
    EXPECT_EQ(img.pixels, expected[i].pixels) << pics[i].file;  // the CLI draws with tools/figure
  }
}

#endif  // TCONV_TEST_HAVE_ONNX

}  // namespace
}  // namespace tconv
