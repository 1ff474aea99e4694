// Seeded random bf16 cases for the bf16 plan tests (phase_bf16_sweep_test.cc,
// gemm_col2im_bf16_test.cc): x and w rounded to bf16, the reference
// (ConvTransposeRefBF16) on them, and the f32 accumulation bound of each
// output: (n + 2) * 2^-24 * sum |terms| (n products, the bias, the
// reference's own rounding).
#ifndef TCONV_TESTS_SUPPORT_BF16_CASES_H_
#define TCONV_TESTS_SUPPORT_BF16_CASES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tconv/bfloat16.h"
#include "tconv/plan.h"

namespace tconv {
namespace testing {

struct Bf16Case {
  ConvDesc d;
  std::vector<BFloat16> x, w;
  std::vector<float> wf, b;  // w widened (what Create gets); b empty: no bias
  std::vector<float> ref, bound;
};

std::vector<BFloat16> Round(const std::vector<float>& v);
std::vector<float> RefOf(const ConvDesc& d, const std::vector<BFloat16>& x, const std::vector<BFloat16>& w,
                         const std::vector<float>& b);
// The case of desc d, values from seed (odd seeds have a bias).
Bf16Case MakeBf16CaseOf(const ConvDesc& d, uint64_t seed);
// A geometry from RandomConvTransposeDesc(seed).
Bf16Case MakeBf16Case(uint64_t seed);

// Runs c through a bf16 plan of options o (dtype set here; in o.layout,
// x and y permuted around it) with f32 and bf16 output, at 1 and 2 threads; false when the plan declines the
// geometry. Fails the test where an output is outside the bound (outputs
// start as NaN), bf16 y is not f32 y rounded once, or 2 threads change a
// bit. *y: the f32 output; *kernel: the plan's kernel.
bool RunBf16Case(const Bf16Case& c, PlanOptions o, const std::string& repro, std::vector<float>* y,
                 std::string* kernel);

}  // namespace testing
}  // namespace tconv

#endif  // TCONV_TESTS_SUPPORT_BF16_CASES_H_
