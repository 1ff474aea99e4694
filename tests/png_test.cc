// PNG writing/reading round trips, the colour map, heatmap geometry and the
// atomic-write error contract.
#include <gtest/gtest.h>

#include <cmath>

#include "tconv/image.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::PathExists;
using ::tconv::testing::TempDir;

TEST(Png, RoundTripGrayAndRgb) {
  TempDir dir;
  Image g(13, 7, 1);
  for (int y = 0; y < 7; ++y)
    for (int x = 0; x < 13; ++x) g.at(x, y)[0] = static_cast<uint8_t>(x * 19 + y * 3);
  ASSERT_TRUE(WritePng(dir / "g.png", g).ok());
  Image back;
  ASSERT_TRUE(ReadPng(dir / "g.png", &back).ok());
  EXPECT_EQ(back.width, 13);
  EXPECT_EQ(back.height, 7);
  EXPECT_EQ(back.channels, 1);
  EXPECT_EQ(back.pixels, g.pixels);

  Image c(5, 9, 3);
  for (size_t i = 0; i < c.pixels.size(); ++i) c.pixels[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(WritePng(dir / "c.png", c).ok());
  ASSERT_TRUE(ReadPng(dir / "c.png", &back).ok());
  EXPECT_EQ(back.width, 5);
  EXPECT_EQ(back.height, 9);
  EXPECT_EQ(back.channels, 3);
  EXPECT_EQ(back.pixels, c.pixels);
  // Only the two files: no temporaries left.
  EXPECT_EQ(dir.List().size(), 2u);
}

TEST(Png, Errors) {
  TempDir dir;
  Image c(4, 4, 3);
  Status st = WritePng(dir / "missing/x.png", c);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing/x.png"), std::string::npos);
  Image bad(4, 4, 2);
  EXPECT_FALSE(WritePng(dir / "bad.png", bad).ok());
  EXPECT_FALSE(PathExists(dir / "bad.png"));
  EXPECT_TRUE(dir.List().empty());
  ::tconv::testing::WriteWholeFile(dir / "notpng.png", "hello, not a png");
  Image out;
  EXPECT_FALSE(ReadPng(dir / "notpng.png", &out).ok());
  EXPECT_FALSE(ReadPng(dir / "nope.png", &out).ok());
}

TEST(Png, ColorMapIsViridisLike) {
  const Rgb lo = ColorMap(0), hi = ColorMap(1), mid = ColorMap(0.5);
  // Dark purple, teal, yellow (matplotlib viridis: #440154, #21918c, #fde725).
  EXPECT_NEAR(lo.r, 0x44, 2);
  EXPECT_NEAR(lo.g, 0x01, 2);
  EXPECT_NEAR(lo.b, 0x54, 2);
  EXPECT_NEAR(mid.r, 0x21, 3);
  EXPECT_NEAR(mid.g, 0x91, 3);
  EXPECT_NEAR(mid.b, 0x8c, 3);
  EXPECT_NEAR(hi.r, 0xfd, 2);
  EXPECT_NEAR(hi.g, 0xe7, 2);
  EXPECT_NEAR(hi.b, 0x24, 2);
  // Luminance increases monotonically (perceptually ordered).
  double prev = -1;
  for (int i = 0; i <= 100; ++i) {
    const Rgb c = ColorMap(i / 100.0);
    const double l = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    EXPECT_GE(l, prev - 0.5) << i;
    prev = l;
  }
  // Out of range and NaN clamp.
  EXPECT_EQ(ColorMap(-3).r, lo.r);
  EXPECT_EQ(ColorMap(7).g, hi.g);
  EXPECT_EQ(ColorMap(NAN).b, lo.b);
}

TEST(Png, HeatmapMagnifies) {
  std::vector<double> v = {1, 2, 1, 2, 4, 2, 1, 2, 1};
  HeatmapOptions o;
  o.magnify = 10;
  double lo, hi;
  Image m = Heatmap(v, 3, 3, o, &lo, &hi);
  EXPECT_EQ(m.width, 30);
  EXPECT_EQ(m.height, 30);
  EXPECT_EQ(lo, 1);
  EXPECT_EQ(hi, 4);
  // Centre cell is the max colour, corners the min colour.
  const Rgb top = ColorMap(1), bottom = ColorMap(0);
  EXPECT_EQ(m.at(15, 15)[0], top.r);
  EXPECT_EQ(m.at(15, 15)[1], top.g);
  EXPECT_EQ(m.at(0, 29)[2], bottom.b);
  EXPECT_EQ(m.at(9, 9)[1], bottom.g);
  // Auto magnification: about 256 px.
  HeatmapOptions a;
  EXPECT_EQ(Heatmap(v, 3, 3, a).width, 3 * 85);
}

TEST(Png, TensorToImageAndHStack) {
  Tensor t(Shape{3, 2, 2});
  t.data = {0, 1, 0.5f, 2, 0, 0, 0, 0, -1, 1, 1, 1};
  Image img;
  ASSERT_TRUE(TensorToImage(t.cview(), 0, 1, &img).ok());
  EXPECT_EQ(img.channels, 3);
  EXPECT_EQ(img.at(1, 0)[0], 255);
  EXPECT_EQ(img.at(0, 1)[0], 128);
  EXPECT_EQ(img.at(1, 1)[0], 255);  // clamped
  EXPECT_EQ(img.at(0, 0)[2], 0);    // -1 clamped
  Tensor bad(Shape{2, 2, 2});
  EXPECT_FALSE(TensorToImage(bad.cview(), 0, 1, &img).ok());
  Image a(3, 4, 1, 10), b(5, 2, 3, 20);
  Image s = HStack({a, b}, 2, Rgb{255, 255, 255});
  EXPECT_EQ(s.width, 10);
  EXPECT_EQ(s.height, 4);
  EXPECT_EQ(s.at(0, 3)[1], 10);
  EXPECT_EQ(s.at(3, 0)[0], 255);
  EXPECT_EQ(s.at(5, 1)[2], 20);
  EXPECT_EQ(s.at(5, 3)[2], 255);
}

}  // namespace
}  // namespace tconv
