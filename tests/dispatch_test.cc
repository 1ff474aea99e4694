// CPU dispatch, the portable ISA layer: TCONV_ISA names, the list of ISAs
// this build has kernels for, and the cap lowering (and lifting) the active
// ISA and with it the kernel table (kernels_test checks every kernel at
// every ISA).
#include <gtest/gtest.h>

#include <string>

#include "hwy/targets.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace dispatch {
namespace {

TEST(Dispatch, NamesAndParsesThisBuildsIsas) {
  const std::vector<Isa> compiled = CompiledIsas();
  ASSERT_FALSE(compiled.empty());
  for (const Isa& isa : compiled) {
    Isa parsed;
    ASSERT_TRUE(ParseIsa(IsaName(isa), &parsed)) << IsaName(isa);
    EXPECT_EQ(parsed, isa) << IsaName(isa);
  }
  EXPECT_STREQ(IsaName(compiled.back()), compiled.back().target == HWY_NEON ? "neon" : "scalar");
  Isa isa;
  EXPECT_FALSE(ParseIsa("sse9", &isa));
#if HWY_ARCH_X86
  ASSERT_TRUE(ParseIsa("AVX2", &isa));
  EXPECT_STREQ(IsaName(isa), "avx2");
  ASSERT_TRUE(ParseIsa("avx3", &isa));  // Highway's name
  EXPECT_STREQ(IsaName(isa), "avx512");
  EXPECT_EQ(compiled.size(), 5u) << "scalar, ssse3, sse4, avx2, avx512";
  EXPECT_FALSE(ParseIsa("neon", &isa));  // not an ISA of this build
#endif
}

TEST(Dispatch, CapLowersAndLiftsTheActiveIsaAndItsKernels) {
  const Isa detected = DetectedIsa();
  const Isa before = ActiveIsa();
  const std::vector<Isa> available = AvailableIsas();
  ASSERT_FALSE(available.empty());
  EXPECT_EQ(available.front(), detected);
  for (const Isa& isa : available) {
    SetIsaCap(isa);
    EXPECT_EQ(ActiveIsa(), isa);
    const std::string suffix = std::string("__") + IsaName(isa);
    for (const kernels::KernelInfo& k : kernels::ActiveKernels())
      EXPECT_EQ(k.name.substr(k.name.size() - suffix.size()), suffix) << k.name;
  }
  SetIsaCap(detected);
  EXPECT_EQ(ActiveIsa(), detected);
  SetIsaCap(before);
}

}  // namespace
}  // namespace dispatch
}  // namespace tconv
