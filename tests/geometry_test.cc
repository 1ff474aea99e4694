// Geometry: output sizes and every pad rule of DESIGN.md, on hand-checked values.
#include <gtest/gtest.h>

#include "src/base/int_math.h"
#include "tconv/desc.h"

namespace tconv {
namespace {

ConvDesc Desc2(int64_t i0, int64_t i1, int64_t k, int64_t s) {
  ConvDesc d;
  d.ndim = 2;
  d.in = {i0, i1, 1};
  d.kernel = {k, k, 1};
  d.stride = {s, s, 1};
  return d;
}

TEST(Geometry, ArticleExampleK3S2P1A1) {
  ConvDesc d = Desc2(2, 2, 3, 2);
  d.pad_begin = {1, 1, 0};
  d.pad_end = {1, 1, 0};
  d.output_padding = {1, 1, 0};
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  EXPECT_EQ(ConvTransposeOutputShape(d), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(ConvTransposeFlops(d), 2 * 1 * 1 * 9 * 4);
}

TEST(Geometry, FloorDivision) {
  EXPECT_EQ(FloorDiv(-1, 2), -1);
  EXPECT_EQ(FloorDiv(-4, 2), -2);
  EXPECT_EQ(FloorDiv(3, 2), 1);
  EXPECT_EQ(FloorDiv(-3, 2), -2);
  // The rest of the one division family (src/base/int_math.h).
  EXPECT_EQ(CeilDiv(-3, 2), -1);
  EXPECT_EQ(CeilDiv(-4, 2), -2);
  EXPECT_EQ(CeilDiv(5, 2), 3);
  EXPECT_EQ(CeilDiv(0, 7), 0);
  EXPECT_EQ(FloorMod(-1, 3), 2);
  EXPECT_EQ(FloorMod(-3, 3), 0);
  EXPECT_EQ(FloorMod(7, 3), 1);
  EXPECT_EQ(RoundUp(17, 16), 32);
  EXPECT_EQ(RoundUp(32, 16), 32);
}

TEST(Geometry, OnnxOutputShapeNegativeTotalExtendsTheEnd) {
  // test_convtranspose_output_shape: in 3x3, k3, s(3,2), output_shape (10,8).
  ConvDesc d = Desc2(3, 3, 3, 1);
  d.stride = {3, 2, 1};
  PadRequest r;
  r.has_output_shape = true;
  r.output_shape = {10, 8, 0};
  ASSERT_TRUE(ResolvePads(r, &d).ok());
  EXPECT_EQ(d.pad_begin[0], 0);
  EXPECT_EQ(d.pad_end[0], -1);
  EXPECT_EQ(d.pad_begin[1], 0);
  EXPECT_EQ(d.pad_end[1], -1);
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  EXPECT_EQ(ConvTransposeOutputShape(d), (Shape{1, 1, 10, 8}));
}

TEST(Geometry, OnnxSameUpperWithoutOutputShape) {
  ConvDesc d = Desc2(3, 3, 3, 2);
  PadRequest r;
  r.auto_pad = AutoPad::kSameUpper;
  ASSERT_TRUE(ResolvePads(r, &d).ok());
  EXPECT_EQ(d.pad_begin[0], 0);
  EXPECT_EQ(d.pad_end[0], 1);
  EXPECT_EQ(ConvTransposeOutputLength(d, 0), 6);
}

TEST(Geometry, OnnxSameLowerPutsTheLargerHalfFirst) {
  ConvDesc d = Desc2(3, 3, 4, 2);  // total = 2*2 + 4 - 6 = 2 -> 1,1 ; use k=5: 3
  d.kernel = {5, 5, 1};
  PadRequest r;
  r.auto_pad = AutoPad::kSameLower;
  ASSERT_TRUE(ResolvePads(r, &d).ok());
  EXPECT_EQ(d.pad_begin[0], 2);
  EXPECT_EQ(d.pad_end[0], 1);
  r.auto_pad = AutoPad::kSameUpper;
  ASSERT_TRUE(ResolvePads(r, &d).ok());
  EXPECT_EQ(d.pad_begin[0], 1);
  EXPECT_EQ(d.pad_end[0], 2);
}

TEST(Geometry, OnnxValidZeroesPads) {
  ConvDesc d = Desc2(3, 3, 3, 2);
  d.pad_begin = {1, 1, 0};
  PadRequest r;
  r.auto_pad = AutoPad::kValid;
  ASSERT_TRUE(ResolvePads(r, &d).ok());
  EXPECT_EQ(d.pad_begin[0], 0);
  EXPECT_EQ(ConvTransposeOutputLength(d, 0), 7);
}

TEST(Geometry, MxnetTargetShape) {
  // Article examples (b) and (c): in 5, s2, target 10.
  ConvDesc d = Desc2(5, 5, 3, 2);
  PadRequest r;
  r.has_target_shape = true;
  r.target_shape = {10, 10, 0};
  ASSERT_TRUE(ResolvePads(r, &d).ok());
  EXPECT_EQ(d.pad_begin[0], 1);
  EXPECT_EQ(d.pad_end[0], 1);
  EXPECT_EQ(d.output_padding[0], 1);
  EXPECT_EQ(ConvTransposeOutputLength(d, 0), 10);
  ConvDesc d4 = Desc2(5, 5, 4, 2);
  ASSERT_TRUE(ResolvePads(r, &d4).ok());
  EXPECT_EQ(d4.pad_begin[0], 1);
  EXPECT_EQ(d4.output_padding[0], 0);
  EXPECT_EQ(ConvTransposeOutputLength(d4, 0), 10);
  r.target_shape = {13, 13, 0};  // full length is (5-1)*2+4 = 12
  Status st = ResolvePads(r, &d4);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("target_shape[0]"), std::string::npos) << st.message();
}

TEST(Geometry, ParseAutoPadIsCaseInsensitive) {
  AutoPad p;
  ASSERT_TRUE(ParseAutoPad("SAME_UPPER", &p).ok());
  EXPECT_EQ(p, AutoPad::kSameUpper);
  ASSERT_TRUE(ParseAutoPad("same_lower", &p).ok());
  EXPECT_EQ(p, AutoPad::kSameLower);
  ASSERT_TRUE(ParseAutoPad("Valid", &p).ok());
  EXPECT_EQ(p, AutoPad::kValid);
  EXPECT_FALSE(ParseAutoPad("same", &p).ok());
}

TEST(Geometry, ValidationNamesParameterValueAndRule) {
  ConvDesc d = Desc2(3, 3, 3, 2);
  d.stride[1] = 0;
  Status st = ValidateConvTranspose(d);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "stride[1] must be >= 1 (got 0)");
  d = Desc2(3, 3, 3, 2);
  d.pad_begin = {5, 0, 0};
  d.pad_end = {4, 0, 0};
  st = ValidateConvTranspose(d);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("output length of axis 0 is -2"), std::string::npos) << st.message();
  d = Desc2(3, 3, 3, 2);
  d.in_channels = 3;
  d.groups = 2;
  st = ValidateConvTranspose(d);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "input channels 3 must be divisible by groups 2");
  d = Desc2(3, 3, 0, 2);
  EXPECT_EQ(ValidateConvTranspose(d).message(), "kernel[0] must be >= 1 (got 0)");
  d = Desc2(3, 3, 3, 1);
  d.dilation[0] = -1;
  EXPECT_EQ(ValidateConvTranspose(d).message(), "dilation[0] must be >= 1 (got -1)");
}

TEST(Geometry, HugeShapesAreRejectedNotOverflowed) {
  ConvDesc d = Desc2(1 << 20, 1 << 20, 1, 1);
  d.in_channels = 1 << 10;
  Status st = ValidateConvTranspose(d);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("2^40"), std::string::npos) << st.message();
}

TEST(Geometry, ConvOutputUsesFloor) {
  ConvDesc d = Desc2(7, 7, 3, 2);
  d.pad_begin = {1, 1, 0};
  d.pad_end = {1, 1, 0};
  ASSERT_TRUE(ValidateConv(d).ok());
  EXPECT_EQ(ConvOutputLength(d, 0), 4);  // floor((7+2-3)/2)+1
  d.in = {2, 2, 1};
  d.pad_begin = {0, 0, 0};
  d.pad_end = {0, 0, 0};
  EXPECT_FALSE(ValidateConv(d).ok());
}

}  // namespace
}  // namespace tconv
