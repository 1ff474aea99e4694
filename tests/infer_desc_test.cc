// tconv::InferConvDesc (include/tconv/desc.h): shapes of a desc from tensor
// shapes, shared by the CLI (which adds its flag names) and the Python
// module. The CLI tests cover its messages through --input/--weight; these
// check the library function itself, with the caller's names.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tconv/desc.h"

namespace tconv {
namespace {

TEST(InferConvDesc, TransposeTakesCoutFromWeightTimesGroups) {
  ConvDesc d;
  d.stride = {2, 2, 1};  // kept: only the shape fields are set
  ASSERT_TRUE(InferConvDesc(ConvOp::kConvTranspose, {3, 4, 5, 6}, {4, 3, 2, 1}, 2, "x", "weight", &d).ok());
  EXPECT_EQ(d.ndim, 2);
  EXPECT_EQ(d.batch, 3);
  EXPECT_EQ(d.in_channels, 4);
  EXPECT_EQ(d.out_channels, 6);
  EXPECT_EQ(d.groups, 2);
  EXPECT_EQ(d.in, (Dims{5, 6, 1}));
  EXPECT_EQ(d.kernel, (Dims{2, 1, 1}));
  EXPECT_EQ(d.stride, (Dims{2, 2, 1}));
}

TEST(InferConvDesc, ConvTakesCoutFromWeightDim0) {
  ConvDesc d;
  ASSERT_TRUE(InferConvDesc(ConvOp::kConv, {1, 4, 7}, {6, 2, 3}, 2, "x", "weight", &d).ok());
  EXPECT_EQ(d.ndim, 1);
  EXPECT_EQ(d.out_channels, 6);
  EXPECT_EQ(d.kernel[0], 3);
}

TEST(InferConvDesc, ErrorsNameTheCallersTensors) {
  ConvDesc d;
  Status st = InferConvDesc(ConvOp::kConvTranspose, {1, 3, 5, 5}, {4, 2, 3, 3}, 1, "x", "w", &d);
  EXPECT_EQ(st.message(), "w dim 0 is 4 but must equal the input channels 3 "
                          "(transposed weight is (Cin, Cout/groups, *kernel))");
  st = InferConvDesc(ConvOp::kConvTranspose, {1, 3}, {3, 2}, 1, "x", "w", &d);
  EXPECT_EQ(st.message(), "x has shape (1, 3) of rank 2: expected (N, C, D1[, D2[, D3]]), rank 3, 4 or 5");
  st = InferConvDesc(ConvOp::kConv, {1, 4, 5}, {4, 2, 3, 3}, 1, "x", "w", &d);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("w has shape (4, 2, 3, 3) of rank 4 but x has rank 3"), std::string::npos);
  st = InferConvDesc(ConvOp::kConv, {1, 4, 5}, {4, 2, 3}, 0, "x", "w", &d);
  EXPECT_EQ(st.message(), "groups must be >= 1 (got 0)");
  st = InferConvDesc(ConvOp::kConvTranspose, {1, 4, 5}, {4, INT64_MAX / 2, 3}, 4, "x", "w", &d);
  EXPECT_NE(st.message().find("overflow"), std::string::npos);
}

}  // namespace
}  // namespace tconv
