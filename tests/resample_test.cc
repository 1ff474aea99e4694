// Resample (include/tconv/resample.h) against hand-computed values and an
// independent naive implementation written here from the torch formulas in
// double precision (direct multilinear sum over the 2^D corners, no
// per-axis tables), for 1-3-D, nearest and linear, align_corners both ways,
// integer and non-integer scales; plus the MXNet BilinearResize2D rules.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tconv/resample.h"

namespace tconv {
namespace {

Tensor Iota(Shape s, float step = 1.0f) {
  Tensor t(std::move(s));
  for (int64_t i = 0; i < t.numel(); ++i) t.data[i] = step * static_cast<float>(i);
  return t;
}

Tensor Random(Shape s, uint32_t seed) {
  Tensor t(std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& v : t.data) v = u(rng);
  return t;
}

Tensor Interp(const ResampleParams& p, const Tensor& x) {
  Shape out;
  Status st = ResampleOutputShape(x.shape, p, &out);
  EXPECT_TRUE(st.ok()) << st.message();
  Tensor y(out, NAN);
  st = Resample(p, x.cview(), y.view());
  EXPECT_TRUE(st.ok()) << st.message();
  return y;
}

std::vector<float> Vec(const Tensor& t) { return t.data; }

// ---- hand-computed ----

TEST(Resample, NearestX2Hand1D) {
  Tensor x(Shape{1, 1, 3});
  x.data = {5, 7, 9};
  ResampleParams p;
  p.scale = {2};
  EXPECT_EQ(Vec(Interp(p, x)), (std::vector<float>{5, 5, 7, 7, 9, 9}));
}

TEST(Resample, LinearHalfPixelHand1D) {
  Tensor x = Iota({1, 1, 4});  // 0 1 2 3
  ResampleParams p;
  p.mode = ResampleMode::kLinear;
  p.scale = {2};
  // src = max((o+0.5)/2 - 0.5, 0), the last one clamped to x[3].
  EXPECT_EQ(Vec(Interp(p, x)), (std::vector<float>{0, 0.25f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3}));
}

TEST(Resample, LinearAlignCornersHand1D) {
  Tensor x = Iota({1, 1, 4}, 7.0f);  // 0 7 14 21
  ResampleParams p;
  p.mode = ResampleMode::kLinear;
  p.align_corners = true;
  p.scale = {2};
  Tensor y = Interp(p, x);
  ASSERT_EQ(y.shape, (Shape{1, 1, 8}));
  // src = o * 3/7, value 7*src = 3*o.
  for (int o = 0; o < 8; ++o) EXPECT_NEAR(y.data[o], 3.0f * o, 1e-5) << o;
}

TEST(Resample, BilinearX2Hand2D) {
  // 2x2 input [[0, 4], [8, 12]]; torch gives rows
  // [0 1 3 4], [2 3 5 6], [6 7 9 10], [8 9 11 12].
  Tensor x(Shape{1, 1, 2, 2});
  x.data = {0, 4, 8, 12};
  ResampleParams p;
  p.mode = ResampleMode::kLinear;
  p.scale = {2, 2};
  EXPECT_EQ(Vec(Interp(p, x)), (std::vector<float>{0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12}));
}

TEST(Resample, NonIntegerScaleUsesOneOverScale) {
  // in 4, scale 1.7 -> out floor(6.8) = 6. torch maps with 1/1.7, not 4/6.
  Tensor x = Iota({1, 1, 4});
  ResampleParams p;
  p.scale = {1.7};
  EXPECT_EQ(Vec(Interp(p, x)), (std::vector<float>{0, 0, 1, 1, 2, 2}));  // floor(o/1.7)
  p.recompute_scale = true;                                            // floor(o*4/6)
  EXPECT_EQ(Vec(Interp(p, x)), (std::vector<float>{0, 0, 1, 2, 2, 3}));
  // Explicit size: in/out as well.
  ResampleParams q;
  q.size = {6};
  EXPECT_EQ(Vec(Interp(q, x)), (std::vector<float>{0, 0, 1, 2, 2, 3}));
}

TEST(Resample, OutputSizeIsFloor) {
  Shape out;
  ResampleParams p;
  p.scale = {1.5, 2.5, 0.5};
  ASSERT_TRUE(ResampleOutputShape({2, 3, 5, 3, 7}, p, &out).ok());
  EXPECT_EQ(out, (Shape{2, 3, 7, 7, 3}));
}

TEST(Resample, Errors) {
  Shape out;
  ResampleParams p;
  EXPECT_FALSE(ResampleOutputShape({1, 1, 4}, p, &out).ok());  // neither scale nor size
  p.scale = {0};
  EXPECT_FALSE(ResampleOutputShape({1, 1, 4}, p, &out).ok());
  p.scale = {2, 2};
  EXPECT_FALSE(ResampleOutputShape({1, 1, 4}, p, &out).ok());  // 2 values, 1 axis
  p.scale = {0.1};
  EXPECT_FALSE(ResampleOutputShape({1, 1, 4}, p, &out).ok());  // floor(0.4) = 0
  p.scale = {2};
  p.align_corners = true;                                      // nearest + align_corners
  EXPECT_FALSE(ResampleOutputShape({1, 1, 4}, p, &out).ok());
  p.align_corners = false;
  EXPECT_FALSE(ResampleOutputShape({1, 4}, p, &out).ok());     // rank 2
  Tensor x(Shape{1, 1, 4}), y(Shape{1, 1, 7});
  EXPECT_FALSE(Resample(p, x.cview(), y.view()).ok());         // wrong output shape
  ResampleMode m;
  EXPECT_TRUE(ParseResampleMode("BiLinear", &m).ok());
  EXPECT_EQ(m, ResampleMode::kLinear);
  EXPECT_FALSE(ParseResampleMode("cubic", &m).ok());
}

// ---- independent naive oracle ----

// Source coordinate (double) of output index o on one axis, torch rules.
double NaiveSrc(bool linear, int64_t in, int64_t out, double scale, bool align, int64_t o) {
  if (!linear) return std::min<double>(std::floor(o / scale), in - 1);  // floor(o * (1/scale))
  if (align) return out > 1 ? o * (in - 1.0) / (out - 1.0) : 0.0;
  return std::max(0.0, (o + 0.5) / scale - 0.5);
}

Tensor Naive(const Tensor& x, bool linear, const std::vector<double>& scale, bool align) {
  const int nd = static_cast<int>(x.shape.size()) - 2;
  Shape os = x.shape;
  for (int a = 0; a < nd; ++a) os[2 + a] = static_cast<int64_t>(std::floor(x.shape[2 + a] * scale[a]));
  Tensor y(os);
  int64_t in_plane = 1, out_plane = 1;
  for (int a = 0; a < nd; ++a) {
    in_plane *= x.shape[2 + a];
    out_plane *= os[2 + a];
  }
  for (int64_t p = 0; p < x.shape[0] * x.shape[1]; ++p) {
    for (int64_t oi = 0; oi < out_plane; ++oi) {
      int64_t o[3], rem = oi;
      for (int a = nd - 1; a >= 0; --a) {
        o[a] = rem % os[2 + a];
        rem /= os[2 + a];
      }
      double src[3];
      for (int a = 0; a < nd; ++a) src[a] = NaiveSrc(linear, x.shape[2 + a], os[2 + a], scale[a], align, o[a]);
      double acc = 0;
      for (int corner = 0; corner < (1 << nd); ++corner) {
        double wgt = 1;
        int64_t idx = 0;
        for (int a = 0; a < nd; ++a) {
          const int64_t in = x.shape[2 + a];
          const int64_t i0 = static_cast<int64_t>(std::floor(src[a]));
          const double frac = linear ? src[a] - i0 : 0.0;
          const bool hi = (corner >> a) & 1;
          wgt *= hi ? frac : 1.0 - frac;
          idx = idx * in + std::min(hi ? i0 + 1 : i0, in - 1);
        }
        if (wgt != 0) acc += wgt * x.data[p * in_plane + idx];
      }
      y.data[p * out_plane + oi] = static_cast<float>(acc);
    }
  }
  return y;
}

struct NaiveCase {
  Shape shape;
  std::vector<double> scale;
};

TEST(Resample, MatchesNaiveFormula) {
  const std::vector<NaiveCase> cases = {
      {{1, 2, 7}, {2}},          {{2, 1, 5}, {1.5}},          {{1, 1, 9}, {0.6}},
      {{1, 1, 4}, {2.5}},        {{1, 3, 5, 4}, {2, 2}},      {{1, 1, 5, 6}, {3, 1.5}},
      {{1, 2, 7, 5}, {1.7, 2.2}}, {{1, 1, 8, 6}, {0.5, 0.75}}, {{1, 2, 3, 4, 5}, {2, 2, 2}},
      {{1, 1, 4, 3, 5}, {1.5, 3, 0.8}}, {{2, 1, 3, 3, 3}, {2.5, 1, 2}},
  };
  int checked = 0;
  uint32_t seed = 1;
  for (const NaiveCase& c : cases) {
    Tensor x = Random(c.shape, seed++);
    for (int mode = 0; mode < 2; ++mode) {
      for (int align = 0; align < 2; ++align) {
        if (mode == 0 && align) continue;
        ResampleParams p;
        p.mode = mode ? ResampleMode::kLinear : ResampleMode::kNearest;
        p.scale = c.scale;
        p.align_corners = align != 0;
        Tensor y = Interp(p, x);
        Tensor want = Naive(x, mode == 1, c.scale, align != 0);
        ASSERT_EQ(y.shape, want.shape);
        for (int64_t i = 0; i < y.numel(); ++i) {
          ASSERT_NEAR(y.data[i], want.data[i], 2e-6) << "case " << ShapeString(c.shape) << " mode " << mode
                                                     << " align " << align << " at " << i;
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 33);
}

TEST(Resample, TrilinearAlignCornersIsExactOnLinearData) {
  // A linear function of the coordinates is reproduced exactly with
  // align_corners: y = f(src) where src = o*(in-1)/(out-1).
  Tensor x(Shape{1, 1, 3, 4, 2});
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 2; ++c) x.data[(a * 4 + b) * 2 + c] = static_cast<float>(100 * a + 10 * b + c);
  ResampleParams p;
  p.mode = ResampleMode::kLinear;
  p.align_corners = true;
  p.size = {5, 7, 3};
  Tensor y = Interp(p, x);
  for (int a = 0; a < 5; ++a)
    for (int b = 0; b < 7; ++b)
      for (int c = 0; c < 3; ++c) {
        const double want = 100.0 * a * 2 / 4 + 10.0 * b * 3 / 6 + 1.0 * c * 1 / 2;
        EXPECT_NEAR(y.data[(a * 7 + b) * 3 + c], want, 1e-4);
      }
}

// ---- MXNet ----

TEST(Resample, MxnetAlignCornersEqualsTorchAlignCorners) {
  Tensor x = Random({2, 3, 5, 7}, 11);
  MxnetResizeParams m;
  m.height = 9;
  m.width = 12;
  Shape ms;
  ASSERT_TRUE(MxnetBilinearResize2DShape(x.shape, m, &ms).ok());
  ASSERT_EQ(ms, (Shape{2, 3, 9, 12}));
  Tensor ym(ms);
  ASSERT_TRUE(MxnetBilinearResize2D(m, x.cview(), ym.view()).ok());
  ResampleParams p;
  p.mode = ResampleMode::kLinear;
  p.align_corners = true;
  p.size = {9, 12};
  Tensor yt = Interp(p, x);
  EXPECT_EQ(ym.data, yt.data);
}

TEST(Resample, MxnetNonAlignedUsesSizesNotScale) {
  // in 4, scale 1.7: torch maps with 1/1.7, MXNet with 4/6.
  Tensor x = Iota({1, 1, 1, 4}, 10.0f);
  MxnetResizeParams m;
  m.has_scale = true;
  m.scale_height = 1;
  m.scale_width = 1.7;
  m.align_corners = false;
  Shape ms;
  ASSERT_TRUE(MxnetBilinearResize2DShape(x.shape, m, &ms).ok());
  ASSERT_EQ(ms, (Shape{1, 1, 1, 6}));
  Tensor ym(ms);
  ASSERT_TRUE(MxnetBilinearResize2D(m, x.cview(), ym.view()).ok());
  // src = max((o+0.5)*4/6 - 0.5, 0); value 10*src, clamped at 30.
  const double want[6] = {0, 5, 35.0 / 3, 55.0 / 3, 25, 30};
  for (int o = 0; o < 6; ++o) EXPECT_NEAR(ym.data[o], want[o], 1e-5) << o;
  ResampleParams p;
  p.mode = ResampleMode::kLinear;
  p.scale = {1, 1.7};
  Tensor yt = Interp(p, x);
  EXPECT_GT(std::fabs(yt.data[1] - ym.data[1]), 0.1);  // torch: (1.5/1.7-0.5)*10 = 3.82
  EXPECT_NEAR(yt.data[1], (1.5 / 1.7 - 0.5) * 10, 1e-5);
}

TEST(Resample, MxnetOddScaleAndSingleOutput) {
  Shape ms;
  MxnetResizeParams m;
  m.mode = MxnetResizeMode::kOddScale;
  m.has_scale = true;
  m.scale_height = 2;
  m.scale_width = 2;
  ASSERT_TRUE(MxnetBilinearResize2DShape({1, 1, 5, 4}, m, &ms).ok());
  EXPECT_EQ(ms, (Shape{1, 1, 9, 8}));  // odd: (5-1)*2+1, even: 4*2
  // out == 1: MXNet samples index 0; torch (non-aligned) samples the centre.
  Tensor x = Iota({1, 1, 1, 5});
  MxnetResizeParams one;
  one.height = 1;
  one.width = 1;
  one.align_corners = false;
  Tensor ym(Shape{1, 1, 1, 1});
  ASSERT_TRUE(MxnetBilinearResize2D(one, x.cview(), ym.view()).ok());
  EXPECT_EQ(ym.data[0], 0.0f);
  ResampleParams p;
  p.mode = ResampleMode::kLinear;
  p.size = {1, 1};
  EXPECT_EQ(Interp(p, x).data[0], 2.0f);  // src = 5*0.5 - 0.5 = 2
}

}  // namespace
}  // namespace tconv
