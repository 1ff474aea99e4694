// PixelShuffle / PixelUnshuffle: hand examples, the explicit torch index
// formula for 1-3 axes, inverse of each other, and the shape errors.
#include <gtest/gtest.h>

#include <random>

#include "tconv/pixel_shuffle.h"

namespace tconv {
namespace {

Tensor Random(Shape s, uint32_t seed) {
  Tensor t(std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& v : t.data) v = u(rng);
  return t;
}

Tensor Shuffle(int64_t r, const Tensor& x) {
  Shape s;
  Status st = PixelShuffleShape(x.shape, r, &s);
  EXPECT_TRUE(st.ok()) << st.message();
  Tensor y(s, NAN);
  st = PixelShuffle(r, x.cview(), y.view());
  EXPECT_TRUE(st.ok()) << st.message();
  return y;
}

Tensor Unshuffle(int64_t r, const Tensor& x) {
  Shape s;
  Status st = PixelUnshuffleShape(x.shape, r, &s);
  EXPECT_TRUE(st.ok()) << st.message();
  Tensor y(s, NAN);
  st = PixelUnshuffle(r, x.cview(), y.view());
  EXPECT_TRUE(st.ok()) << st.message();
  return y;
}

TEST(PixelShuffle, HandExample2D) {
  // x (1, 4, 1, 2): channel k holds {10k+0, 10k+1}. r = 2 -> (1, 1, 2, 4):
  // y[h*2+i, w*2+j] = x[i*2+j, h, w].
  Tensor x(Shape{1, 4, 1, 2});
  x.data = {0, 1, 10, 11, 20, 21, 30, 31};
  Tensor y = Shuffle(2, x);
  ASSERT_EQ(y.shape, (Shape{1, 1, 2, 4}));
  EXPECT_EQ(y.data, (std::vector<float>{0, 10, 1, 11, 20, 30, 21, 31}));
  EXPECT_EQ(Unshuffle(2, y).data, x.data);
}

TEST(PixelShuffle, HandExample1D) {
  Tensor x(Shape{1, 6, 2});  // C = 2, r = 3
  x.data = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  Tensor y = Shuffle(3, x);
  ASSERT_EQ(y.shape, (Shape{1, 2, 6}));
  // y[c, w*3+i] = x[c*3+i, w]
  EXPECT_EQ(y.data, (std::vector<float>{0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11}));
}

TEST(PixelShuffle, MatchesTorchIndexFormula2DAnd3D) {
  {
    const int64_t n = 2, c = 3, r = 3, h = 4, w = 5;
    Tensor x = Random({n, c * r * r, h, w}, 3);
    Tensor y = Shuffle(r, x);
    ASSERT_EQ(y.shape, (Shape{n, c, h * r, w * r}));
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < c; ++k)
        for (int64_t i = 0; i < h * r; ++i)
          for (int64_t j = 0; j < w * r; ++j) {
            const int64_t src = ((b * c * r * r + k * r * r + (i % r) * r + (j % r)) * h + i / r) * w + j / r;
            ASSERT_EQ(y.data[((b * c + k) * h * r + i) * w * r + j], x.data[src]);
          }
  }
  {
    const int64_t c = 2, r = 2, d = 3, h = 2, w = 3;
    Tensor x = Random({1, c * 8, d, h, w}, 4);
    Tensor y = Shuffle(r, x);
    ASSERT_EQ(y.shape, (Shape{1, c, d * r, h * r, w * r}));
    for (int64_t k = 0; k < c; ++k)
      for (int64_t a = 0; a < d * r; ++a)
        for (int64_t i = 0; i < h * r; ++i)
          for (int64_t j = 0; j < w * r; ++j) {
            const int64_t ch = k * 8 + ((a % r) * r + i % r) * r + j % r;
            const int64_t src = ((ch * d + a / r) * h + i / r) * w + j / r;
            ASSERT_EQ(y.data[((k * d * r + a) * h * r + i) * w * r + j], x.data[src]);
          }
  }
}

TEST(PixelShuffle, InverseOfEachOther) {
  const std::vector<std::pair<Shape, int64_t>> cases = {
      {{2, 12, 5}, 3}, {{1, 8, 3, 4}, 2}, {{3, 18, 2, 1}, 3}, {{1, 16, 2, 3, 2}, 2}, {{1, 5, 4, 4}, 1}};
  uint32_t seed = 7;
  for (const auto& c : cases) {
    Tensor x = Random(c.first, seed++);
    Tensor back = Unshuffle(c.second, Shuffle(c.second, x));
    EXPECT_EQ(back.shape, x.shape);
    EXPECT_EQ(back.data, x.data) << ShapeString(c.first);
    Shape big;
    ASSERT_TRUE(PixelShuffleShape(c.first, c.second, &big).ok());
    Tensor z = Random(big, seed++);
    EXPECT_EQ(Shuffle(c.second, Unshuffle(c.second, z)).data, z.data);
  }
}

TEST(PixelShuffle, Errors) {
  Shape s;
  EXPECT_FALSE(PixelShuffleShape({1, 6, 4, 4}, 2, &s).ok());    // 6 % 4
  EXPECT_FALSE(PixelShuffleShape({1, 4, 4, 4}, 0, &s).ok());    // r = 0
  EXPECT_FALSE(PixelShuffleShape({1, 4}, 2, &s).ok());          // rank
  EXPECT_FALSE(PixelUnshuffleShape({1, 1, 5, 4}, 2, &s).ok());  // 5 % 2
  Tensor x(Shape{1, 4, 2, 2}), y(Shape{1, 1, 4, 5});
  EXPECT_FALSE(PixelShuffle(2, x.cview(), y.view()).ok());      // wrong output shape
}

}  // namespace
}  // namespace tconv
