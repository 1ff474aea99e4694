// CPU dispatch: TCONV_ISA names, the cap lowering (and lifting) the active
// ISA (phase_fast_test checks that the kernels' lane count follows it).
#include <gtest/gtest.h>

#include "src/dispatch/cpu.h"

namespace tconv {
namespace dispatch {
namespace {

TEST(Dispatch, ParsesIsaNames) {
  Isa isa;
  ASSERT_TRUE(ParseIsa("scalar", &isa));
  EXPECT_EQ(isa, Isa::kScalar);
  ASSERT_TRUE(ParseIsa("AVX2", &isa));
  EXPECT_EQ(isa, Isa::kAvx2);
  ASSERT_TRUE(ParseIsa("avx512", &isa));
  EXPECT_EQ(isa, Isa::kAvx512);
  EXPECT_FALSE(ParseIsa("sse9", &isa));
  EXPECT_STREQ(IsaName(Isa::kAvx2), "avx2");
}

TEST(Dispatch, CapLowersAndLiftsTheActiveIsa) {
  const Isa detected = DetectedIsa();
  const Isa before = ActiveIsa();
  EXPECT_LE(static_cast<int>(before), static_cast<int>(detected));

  SetIsaCap(Isa::kScalar);
  EXPECT_EQ(ActiveIsa(), Isa::kScalar);

  SetIsaCap(Isa::kAvx2);
  EXPECT_EQ(static_cast<int>(ActiveIsa()), std::min(static_cast<int>(Isa::kAvx2), static_cast<int>(detected)));

  SetIsaCap(Isa::kAvx512);
  EXPECT_EQ(ActiveIsa(), detected);
  SetIsaCap(before);
}

}  // namespace
}  // namespace dispatch
}  // namespace tconv
