// tools/figure: colour scales and ticks, clipping counts, heatmap and panel
// figures read back pixel by pixel, base64 and the HTML report.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/cli_run.h"
#include "tools/figure/base64.h"
#include "tools/figure/figure.h"
#include "tools/figure/html_report.h"

namespace tconv {
namespace figure {
namespace {

bool Same(const uint8_t* p, Rgb c) { return p[0] == c.r && p[1] == c.g && p[2] == c.b; }

int64_t InkPixels(const Image& img, int y0, int y1, int x0 = 0, int x1 = -1) {
  int64_t n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < (x1 < 0 ? img.width : x1); ++x) n += img.at(x, y)[0] < 128;
  return n;
}

TEST(ColourScale, RangesAndTicks) {
  const std::vector<double> a = {1, 48, 3}, b = {1, 1.4};
  const ColourScale s = SharedScale({&a, &b});
  EXPECT_EQ(s.lo, 0);  // non-negative maps start at 0: colour distance is proportional to value
  EXPECT_EQ(s.hi, 48);
  EXPECT_EQ(ScaleOf(b).hi, 1.4);
  EXPECT_EQ(ScaleOf({-2, 5}).lo, -2);
  EXPECT_EQ(NiceTicks(0, 48, 6), (std::vector<double>{0, 10, 20, 30, 40}));
  EXPECT_EQ(NiceTicks(0, 4, 6), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(NiceTicks(3, 3, 6), (std::vector<double>{3}));
  EXPECT_EQ(NiceTicks(160, 207, 5), (std::vector<double>{160, 180, 200}));  // steps of 1, 2 or 5 x 10^k
  EXPECT_EQ(NiceTicks(160, 207, 6), (std::vector<double>{160, 170, 180, 190, 200}));
  // Index axes (a 3x3 channel map) never get a tick at 0.5.
  EXPECT_EQ(IndexTicks(0, 2, 5), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(IndexTicks(0, 4, 5), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(IndexTicks(0, 5, 5), (std::vector<double>{0, 2, 4}));
  EXPECT_EQ(IndexTicks(0, 31, 5), (std::vector<double>{0, 10, 20, 30}));
  EXPECT_EQ(TickLabel(0.25), "0.25");
  EXPECT_EQ(TickLabel(48), "48");
  EXPECT_EQ(s.At(48).r, ColorMap(1).r);
  EXPECT_EQ(s.At(0).b, ColorMap(0).b);
  EXPECT_DOUBLE_EQ(s.Fraction(12), 0.25);
}

TEST(ColourScale, ClippedFractionIsAnIndependentCount) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-0.5f, 1.5f);
  std::vector<float> v(1000);
  for (float& x : v) x = u(rng);
  v[3] = 0;  // the ends are inside
  v[4] = 1;
  int clipped = 0;
  for (float x : v) clipped += x < 0 || x > 1;
  EXPECT_DOUBLE_EQ(ClippedFraction(v.data(), 1000, 0, 1), clipped / 1000.0);
  EXPECT_EQ(ClippedNote(0.1726, 0, 1), "17.3% of pixel values clipped to [0, 1]");
}

HeatmapSpec Spec(std::vector<double> values, ColourScale scale) {
  HeatmapSpec s;
  s.title = "A title";
  s.scale_note = "a note";
  s.value_label = "value";
  s.values = std::move(values);
  s.rows = 1;
  s.cols = static_cast<int64_t>(s.values.size());
  s.scale = scale;
  s.cell = 20;
  return s;
}

TEST(Figure, SharedScaleGivesEqualValuesEqualColours) {
  // A 48:1 map and a 1.4:1 map, as k3 s2 and k4 s2's constant responses.
  const std::vector<double> strong = {1, 48, 24}, weak = {1, 1.4, 1.2};
  const ColourScale shared = SharedScale({&strong, &weak});
  HeatmapLayout ls, lw;
  const Image is = DrawHeatmap(Spec(strong, shared), &ls), iw = DrawHeatmap(Spec(weak, shared), &lw);
  auto cell = [](const Image& img, const HeatmapLayout& l, int i) {
    return img.at(l.map.x + i * l.cell + l.cell / 2, l.map.y + l.cell / 2);
  };
  EXPECT_TRUE(Same(cell(is, ls, 0), shared.At(1)));  // value 1: one colour in both
  EXPECT_TRUE(Same(cell(iw, lw, 0), shared.At(1)));
  EXPECT_TRUE(Same(cell(is, ls, 1), ColorMap(1)));   // 48: the top colour
  EXPECT_TRUE(Same(cell(iw, lw, 1), ColorMap(1.4 / 48)));  // 1.4: near the bottom, not the top
  // On its own scale the weak map would span the whole colour range.
  HeatmapLayout lo;
  const Image own = DrawHeatmap(Spec(weak, ScaleOf(weak)), &lo);
  EXPECT_TRUE(Same(cell(own, lo, 1), ColorMap(1)));
}

TEST(Figure, ColourBarSpansTheScaleWithTicks) {
  const ColourScale s{0, 48};
  HeatmapLayout l;
  const std::vector<double> values = {1, 48, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  HeatmapSpec titled = Spec(values, s);
  titled.title = "A title long enough to reach over the map";
  titled.scale_note = "and a scale note as long as the title, or longer";
  const Image img = DrawHeatmap(titled, &l);
  ASSERT_GT(l.bar.h, 10);
  const int bx = l.bar.x + l.bar.w / 2;
  EXPECT_TRUE(Same(img.at(bx, l.bar.y), ColorMap(1)));              // top: hi
  EXPECT_TRUE(Same(img.at(bx, l.bar.y + l.bar.h - 1), ColorMap(0)));  // bottom: lo
  EXPECT_EQ(l.bar_ticks, (std::vector<double>{0, 10, 20, 30, 40}));
  // Tick labels to the bar's right and text above the map are real ink.
  int64_t label_ink = 0;
  for (int y = l.bar.y; y < l.bar.y + l.bar.h; ++y)
    for (int x = l.bar.x + l.bar.w + 6; x < img.width; ++x) label_ink += img.at(x, y)[0] < 128;
  EXPECT_GT(label_ink, 20);
  // Above the map (between its left and right edges) only the title and the
  // scale note are drawn: ink with them, none without.
  const int x0 = l.map.x, x1 = l.map.x + l.map.w;
  EXPECT_GT(InkPixels(img, 0, l.map.y, x0, x1), 40);
  HeatmapSpec untitled = Spec(values, s);
  untitled.title.clear();
  untitled.scale_note.clear();
  EXPECT_EQ(InkPixels(DrawHeatmap(untitled), 0, l.map.y - 1, x0, x1), 0);
}

TEST(Figure, HeatmapNotesAndStretchedCells) {
  HeatmapSpec s = Spec({1, 2, 3}, ColourScale{0, 3});
  HeatmapLayout plain, noted;
  const Image a = DrawHeatmap(s, &plain);
  EXPECT_EQ(a.height, plain.notes_y);  // no notes: nothing under the x axis
  s.notes = {"first caption line", "second"};
  const Image b = DrawHeatmap(s, &noted);
  EXPECT_EQ(noted.notes_y, plain.notes_y);
  EXPECT_EQ(b.height, noted.notes_y + 2 * 15 + 8);
  EXPECT_GT(InkPixels(b, noted.notes_y, b.height), 40);
  // min_side 100: a one-row map of three cells is drawn 100 px tall and at least 100 px wide.
  s.min_side = 100;
  HeatmapLayout tall;
  const Image c = DrawHeatmap(s, &tall);
  EXPECT_EQ(tall.cell, 34);  // 3 columns: ceil(100 / 3) > 20
  EXPECT_EQ(tall.cell_y, 100);
  EXPECT_EQ(tall.map.h, 100);
  EXPECT_TRUE(Same(c.at(tall.map.x + 2 * 34 + 5, tall.map.y + 95), ColorMap(1)));
}

TEST(Figure, PanelsKeepPicturesExactAndCaptionThem) {
  Image a(30, 20, 3, 0), b(25, 40, 3, 0);
  for (size_t i = 0; i < a.pixels.size(); ++i) a.pixels[i] = static_cast<uint8_t>(i * 13);
  for (size_t i = 0; i < b.pixels.size(); ++i) b.pixels[i] = static_cast<uint8_t>(i * 7 + 1);
  PanelsLayout l;
  const Image fig = DrawPanels("Title", {{a, "first\n1.0% clipped"}, {b, "second"}}, {"a note"}, &l);
  ASSERT_EQ(l.panels.size(), 2u);
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 25; ++x) {
      ASSERT_TRUE(Same(fig.at(l.panels[1].x + x, l.panels[1].y + y), Rgb{b.at(x, y)[0], b.at(x, y)[1], b.at(x, y)[2]}));
    }
  EXPECT_EQ(l.panels[0].y, l.panels[1].y);
  EXPECT_GE(l.panels[1].x, l.panels[0].x + 30);
  EXPECT_GT(InkPixels(fig, 41 + l.panels[0].y, fig.height), 40);  // captions and the note
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST(HtmlReport, InlinesPicturesAndEscapes) {
  ::tconv::testing::TempDir dir;
  const std::string png("\x89PNG fake bytes", 15);
  ::tconv::testing::WriteWholeFile(dir / "a.png", png);
  const std::string md =
      "# Title <1>\n\nSome *italic* and **bold** and `code`.\n\n| h1 | h2 |\n|---|---|\n| 1 < 2 | ![](a.png) |\n\n"
      "* item\n";
  std::string html;
  ASSERT_TRUE(MarkdownToHtml(md, dir.path(), "t", &html).ok());
  EXPECT_NE(html.find("<h1>Title &lt;1&gt;</h1>"), std::string::npos) << html;
  EXPECT_NE(html.find("<i>italic</i> and <b>bold</b> and <code>code</code>"), std::string::npos) << html;
  EXPECT_NE(html.find("<tr><th>h1 </th><th>h2 </th></tr>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>1 &lt; 2 </td>"), std::string::npos) << html;
  EXPECT_NE(html.find("src=\"data:image/png;base64," + Base64(png) + "\""), std::string::npos);
  EXPECT_NE(html.find("<li>item</li>"), std::string::npos);
  EXPECT_EQ(html.find("---"), std::string::npos);
  // Self-contained: no reference to another file.
  EXPECT_EQ(html.find("src=\"a.png"), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  // A missing picture or one outside the folder is an error naming it.
  Status st = MarkdownToHtml("![](gone.png)\n", dir.path(), "t", &html);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("gone.png"), std::string::npos);
  EXPECT_FALSE(MarkdownToHtml("![](../a.png)\n", dir.path(), "t", &html).ok());
}

}  // namespace
}  // namespace figure
}  // namespace tconv
