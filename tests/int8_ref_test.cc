// The int8 oracle (ConvTransposeRefInt8) and the rules it shares with the
// kernels (tconv/quant.h): requantization rounding (ties to even) and
// saturation, ValidateQuantParams' messages, hand-computed tiny cases, and
// the integer accumulators against the f32 reference on x - x_zero_point
// and w as floats (exact while every sum stays below 2^24) over a seeded
// random sweep (1-3-D, groups, dilation, pads, output padding).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tconv/quant.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

TEST(Requantize, RoundsHalfToEvenAndSaturates) {
  // m = 0.5: odd accumulators are ties.
  EXPECT_EQ(Requantize(5, 0.5, 0, 0, 255), 2);    // 2.5 -> 2
  EXPECT_EQ(Requantize(7, 0.5, 0, 0, 255), 4);    // 3.5 -> 4
  EXPECT_EQ(Requantize(-5, 0.5, 0, -128, 127), -2);  // -2.5 -> -2
  EXPECT_EQ(Requantize(-7, 0.5, 0, -128, 127), -4);  // -3.5 -> -4
  EXPECT_EQ(Requantize(-1, 0.5, 0, -128, 127), 0);   // -0.5 -> 0
  EXPECT_EQ(Requantize(1, 0.5, 0, -128, 127), 0);    // 0.5 -> 0
  EXPECT_EQ(Requantize(3, 0.5, 0, -128, 127), 2);    // 1.5 -> 2
  EXPECT_EQ(Requantize(10, 0.26, 0, 0, 255), 3);     // 2.6 -> 3
  EXPECT_EQ(Requantize(10, 0.24, 0, 0, 255), 2);     // 2.4 -> 2
  // The zero point is added after rounding, then the range clamps.
  EXPECT_EQ(Requantize(5, 0.5, 128, 0, 255), 130);
  EXPECT_EQ(Requantize(1000, 1.0, 0, 0, 255), 255);
  EXPECT_EQ(Requantize(-1000, 1.0, 255, 0, 255), 0);
  EXPECT_EQ(Requantize(1000, 1.0, 127, -128, 127), 127);
  EXPECT_EQ(Requantize(-1000, 1.0, -128, -128, 127), -128);
  EXPECT_EQ(Requantize(INT64_C(1) << 40, 1e30, 0, -128, 127), 127);  // huge: saturates, no overflow
  EXPECT_EQ(Requantize(-(INT64_C(1) << 40), 1e30, 0, 0, 255), 0);
  EXPECT_EQ(Dequantize(7, 0.25), 1.75f);
}

// Against the textbook formula (std::nearbyint under the default
// round-to-nearest-even mode, then + zp and clamp) on random values.
TEST(Requantize, MatchesNearbyintFormula) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    const int64_t acc = static_cast<int64_t>(rng() % 4000001) - 2000000;
    const double m = std::ldexp(static_cast<double>(rng() % 1000 + 1), -static_cast<int>(rng() % 24));
    const int32_t zp = static_cast<int32_t>(rng() % 256) - 128;
    const double r = std::nearbyint(static_cast<double>(acc) * m) + zp;
    const int32_t want = r < -128 ? -128 : r > 127 ? 127 : static_cast<int32_t>(r);
    ASSERT_EQ(Requantize(acc, m, zp, -128, 127), want) << acc << " * " << m << " + " << zp;
  }
}

TEST(QuantParams, ValidationMessages) {
  QuantParams q;
  EXPECT_TRUE(ValidateQuantParams(q, 4).ok());
  auto msg = [](const QuantParams& p, int64_t cout = 4) { return ValidateQuantParams(p, cout).message(); };
  QuantParams b = q;
  b.x_scale = 0.0f;
  EXPECT_EQ(msg(b), "x_scale must be finite and > 0 (got 0)");
  b.x_scale = -1.0f;
  EXPECT_EQ(msg(b), "x_scale must be finite and > 0 (got -1)");
  b.x_scale = std::nanf("");
  EXPECT_EQ(msg(b), "x_scale must be finite and > 0 (got nan)");
  b = q;
  b.x_zero_point = 256;
  EXPECT_EQ(msg(b), "x_zero_point must be in [0, 255] for u8 x (got 256)");
  b.x_type = QuantType::kInt8;
  b.x_zero_point = -129;
  EXPECT_EQ(msg(b), "x_zero_point must be in [-128, 127] for s8 x (got -129)");
  b = q;
  b.w_scale = {1.0f, 2.0f};
  EXPECT_EQ(msg(b), "w_scale has 2 values: expected 1 (per tensor) or Cout = 4 (per output channel)");
  b.w_scale = {1.0f, 2.0f, 3.0f, -1.0f};
  EXPECT_EQ(msg(b), "w_scale[3] must be finite and > 0 (got -1)");
  b = q;
  b.w_zero_point = 1;
  EXPECT_EQ(msg(b), "w_zero_point must be 0: int8 weights are symmetric (got 1)");
  b = q;
  b.y_scale = INFINITY;
  EXPECT_EQ(msg(b), "y_scale must be finite and > 0 (got inf)");
  b = q;
  b.y_type = QuantType::kInt8;
  b.y_zero_point = 128;
  EXPECT_EQ(msg(b), "y_zero_point must be in [-128, 127] for s8 y (got 128)");
  b.y_type = QuantType::kFloat32;  // y_scale and y_zero_point unused
  b.y_scale = 0.0f;
  EXPECT_TRUE(ValidateQuantParams(b, 4).ok());
  b = q;
  b.x_type = QuantType::kFloat32;
  EXPECT_EQ(msg(b), "x_type must be u8 or s8 (got f32)");
}

// 1-D, Cin = Cout = 1, k = 2, s = 2: y[2i + k] = (x[i] - zp) * w[k] + bias.
TEST(RefInt8, HandComputed1D) {
  ConvDesc d;
  d.ndim = 1, d.batch = 1, d.in_channels = 1, d.out_channels = 1, d.in = {2, 1, 1}, d.kernel = {2, 1, 1};
  d.stride = {2, 1, 1};
  const uint8_t x[] = {10, 20};
  const int8_t w[] = {2, -3};
  const int32_t bias[] = {5};
  QuantParams q;
  q.x_zero_point = 10, q.x_scale = 0.5f, q.w_scale = {0.25f}, q.y_scale = 0.25f, q.y_zero_point = 100;
  std::vector<int64_t> acc;
  ASSERT_TRUE(ConvTransposeAccRefInt8(d, ConstQuantView(x, {1, 1, 2}), ConstI8View(w, {1, 1, 2}),
                                      ConstI32View(bias, {1}), q, &acc)
                  .ok());
  EXPECT_EQ(acc, (std::vector<int64_t>{5, 5, 25, -25}));
  uint8_t y[4];
  // M = 0.5 * 0.25 / 0.25 = 0.5: 2.5, 2.5, 12.5, -12.5 round to 2, 2, 12, -12.
  ASSERT_TRUE(ConvTransposeRefInt8(d, ConstQuantView(x, {1, 1, 2}), ConstI8View(w, {1, 1, 2}),
                                   ConstI32View(bias, {1}), q, QuantView{y, {1, 1, 4}})
                  .ok());
  EXPECT_EQ(std::vector<int>(y, y + 4), (std::vector<int>{102, 102, 112, 88}));
  // s8 y, zero point 120: 122, 122, 132 -> 127 (saturated), 108.
  q.y_type = QuantType::kInt8, q.y_zero_point = 120;
  int8_t ys[4];
  ASSERT_TRUE(ConvTransposeRefInt8(d, ConstQuantView(x, {1, 1, 2}), ConstI8View(w, {1, 1, 2}),
                                   ConstI32View(bias, {1}), q, QuantView{ys, {1, 1, 4}})
                  .ok());
  EXPECT_EQ(std::vector<int>(ys, ys + 4), (std::vector<int>{122, 122, 127, 108}));
  // f32 y: acc * 0.5 * 0.25.
  q.y_type = QuantType::kFloat32;
  float yf[4];
  ASSERT_TRUE(ConvTransposeRefInt8(d, ConstQuantView(x, {1, 1, 2}), ConstI8View(w, {1, 1, 2}),
                                   ConstI32View(bias, {1}), q, QuantView{yf, {1, 1, 4}})
                  .ok());
  EXPECT_EQ(std::vector<float>(yf, yf + 4), (std::vector<float>{0.625f, 0.625f, 3.125f, -3.125f}));
}

// 2-D, 2 groups, per-channel scales, s8 x with zero point -128, pads and
// output padding: each output computed by hand from the definition.
TEST(RefInt8, HandComputedGroupsPerChannel) {
  ConvDesc d;
  d.ndim = 2, d.batch = 1, d.in_channels = 2, d.out_channels = 2, d.groups = 2;
  d.in = {1, 2, 1}, d.kernel = {1, 2, 1}, d.stride = {1, 2, 1};
  d.pad_begin = {0, 1, 0}, d.pad_end = {0, 0, 0}, d.output_padding = {0, 1, 0};
  // out length along axis 1: (2-1)*2 + 2 - 1 - 0 + 1 = 4.
  const int8_t x[] = {-128, -127, 0, 1};  // channel 0: 0, 1; channel 1: 128, 129 (minus zp -128)
  const int8_t w[] = {3, 4, -1, 2};       // (Cin 2, Cout/g 1, 1, 2)
  QuantParams q;
  q.x_type = QuantType::kInt8, q.x_zero_point = -128, q.w_scale = {1.0f, 0.5f}, q.y_type = QuantType::kInt8;
  std::vector<int64_t> acc;
  ASSERT_TRUE(ConvTransposeAccRefInt8(d, ConstQuantView(x, {1, 2, 1, 2}), ConstI8View(w, {2, 1, 1, 2}),
                                      ConstI32View(), q, &acc)
                  .ok());
  // full positions t = 2i + k; output o = t - 1 (pad 1), o in [0, 4):
  // ch0: t=0:0*3, t=1:0*4, t=2:1*3, t=3:1*4 -> o: -, 0, 3, 4 (o=3: t=4 none) -> {0, 3, 4, 0}
  // ch1: t=0:128*-1, t=1:128*2, t=2:129*-1, t=3:129*2 -> {256, -129, 258, 0}
  EXPECT_EQ(acc, (std::vector<int64_t>{0, 3, 4, 0, 256, -129, 258, 0}));
  int8_t y[8];
  ASSERT_TRUE(ConvTransposeRefInt8(d, ConstQuantView(x, {1, 2, 1, 2}), ConstI8View(w, {2, 1, 1, 2}),
                                   ConstI32View(), q, QuantView{y, {1, 2, 1, 4}})
                  .ok());
  // ch1 scale 0.5: 128, -64.5 -> -64, 129, 0 -> saturated at 127.
  EXPECT_EQ(std::vector<int>(y, y + 8), (std::vector<int>{0, 3, 4, 0, 127, -64, 127, 0}));
}

// acc equals the f32 reference on (x - zp) and w as floats, bias as float:
// exact, as every partial sum stays below 2^24 at these sizes.
TEST(RefInt8, AccumulatorsMatchFloatReference) {
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    const ConvDesc d = testing::RandomConvTransposeDesc(seed * 7919);
    std::mt19937_64 rng(seed);
    QuantParams q;
    q.x_type = seed % 2 ? QuantType::kUInt8 : QuantType::kInt8;
    q.x_zero_point = static_cast<int32_t>(rng() % 256) + QuantTypeMin(q.x_type);
    std::vector<uint8_t> x(static_cast<size_t>(NumElements(ConvTransposeInputShape(d))));
    std::vector<int8_t> w(static_cast<size_t>(NumElements(ConvTransposeWeightShape(d))));
    std::vector<int32_t> b(static_cast<size_t>(d.out_channels));
    for (uint8_t& v : x) v = static_cast<uint8_t>(rng());
    for (int8_t& v : w) v = static_cast<int8_t>(rng());
    for (int32_t& v : b) v = static_cast<int32_t>(rng() % 200001) - 100000;
    std::vector<float> xf(x.size()), wf(w.begin(), w.end()), bf(b.begin(), b.end());
    for (size_t i = 0; i < x.size(); ++i) {
      xf[i] = q.x_type == QuantType::kUInt8 ? static_cast<float>(x[i]) - q.x_zero_point
                                            : static_cast<float>(static_cast<int8_t>(x[i])) - q.x_zero_point;
    }
    std::vector<int64_t> acc;
    ASSERT_TRUE(ConvTransposeAccRefInt8(d, ConstQuantView(x.data(), ConvTransposeInputShape(d)),
                                        ConstI8View(w.data(), ConvTransposeWeightShape(d)),
                                        ConstI32View(b.data(), {d.out_channels}), q, &acc)
                    .ok());
    Tensor yf(ConvTransposeOutputShape(d));
    ASSERT_TRUE(ConvTransposeRef(d, ConstTensorView(xf.data(), ConvTransposeInputShape(d)),
                                 ConstTensorView(wf.data(), ConvTransposeWeightShape(d)),
                                 ConstTensorView(bf.data(), {d.out_channels}), yf.view())
                    .ok());
    ASSERT_EQ(acc.size(), yf.data.size());
    for (size_t i = 0; i < acc.size(); ++i) {
      ASSERT_LT(std::llabs(acc[i]), INT64_C(1) << 24) << testing::Repro(d, seed);
      ASSERT_EQ(static_cast<float>(acc[i]), yf.data[i]) << testing::Repro(d, seed) << " at " << i;
    }
  }
}

TEST(RefInt8, RefusesBadParamsAndShapes) {
  ConvDesc d;
  d.ndim = 1, d.batch = 1, d.in_channels = 1, d.out_channels = 1, d.in = {2, 1, 1}, d.kernel = {2, 1, 1};
  const uint8_t x[2] = {};
  const int8_t w[2] = {};
  uint8_t y[3];
  QuantParams q;
  q.y_scale = -2.0f;
  Status st = ConvTransposeRefInt8(d, ConstQuantView(x, {1, 1, 2}), ConstI8View(w, {1, 1, 2}), ConstI32View(), q,
                                   QuantView{y, {1, 1, 3}});
  EXPECT_EQ(st.message(), "y_scale must be finite and > 0 (got -2)");
  q.y_scale = 1.0f;
  st = ConvTransposeRefInt8(d, ConstQuantView(x, {1, 1, 2}), ConstI8View(w, {1, 1, 2}), ConstI32View(), q,
                            QuantView{y, {1, 1, 2}});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("output"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace tconv
