// Tests that run once per ISA: a parameterized fixture over every ISA this
// build has kernels for (dispatch::CompiledIsas(): scalar, ssse3, sse4, avx2
// and avx512 on x86, neon on arm64), capped with dispatch::SetIsaCap. An ISA
// the CPU lacks is skipped; on AVX-512 hardware every x86 target runs.
#ifndef TCONV_TESTS_SUPPORT_ISA_H_
#define TCONV_TESTS_SUPPORT_ISA_H_

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace dispatch {
inline void PrintTo(const Isa& isa, std::ostream* os) { *os << IsaName(isa); }
}  // namespace dispatch

namespace testing {

class IsaTest : public ::testing::TestWithParam<dispatch::Isa> {
 protected:
  void SetUp() override {
    bool available = false;
    for (const dispatch::Isa& a : dispatch::AvailableIsas()) available = available || a == GetParam();
    if (!available) GTEST_SKIP() << "ISA " << dispatch::IsaName(GetParam()) << " not on this CPU";
    saved_ = dispatch::ActiveIsa();
    dispatch::SetIsaCap(GetParam());
    ASSERT_EQ(dispatch::ActiveIsa(), GetParam());
    // The kernels really are this target's: their names end in its name.
    const std::string suffix = std::string("__") + dispatch::IsaName(GetParam());
    const std::string& name = kernels::ActiveKernels().front().name;
    ASSERT_EQ(name.substr(name.size() - suffix.size()), suffix) << name;
  }
  void TearDown() override {
    if (saved_.target != 0) dispatch::SetIsaCap(saved_);
  }
  const char* isa() const { return dispatch::IsaName(GetParam()); }
  dispatch::Isa saved_;
};

inline std::string IsaParamName(const ::testing::TestParamInfo<dispatch::Isa>& i) {
  return dispatch::IsaName(i.param);
}

}  // namespace testing
}  // namespace tconv

// INSTANTIATE_TEST_SUITE_P over every compiled ISA, named by ISA.
#define TCONV_INSTANTIATE_FOR_EVERY_ISA(Suite) \
  INSTANTIATE_TEST_SUITE_P(AllIsas, Suite, ::testing::ValuesIn(::tconv::dispatch::CompiledIsas()), \
                           ::tconv::testing::IsaParamName)

#endif  // TCONV_TESTS_SUPPORT_ISA_H_
