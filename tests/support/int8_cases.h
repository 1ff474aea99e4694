// Seeded random int8 cases for the int8 plan tests (int8_plan_test.cc,
// int8_lanes_test.cc): a geometry from RandomConvTransposeDesc, random
// QuantParams (u8 / s8 x, u8 / s8 / f32 y, per-tensor and per-channel
// scales, zero points often at the type's limits, y scales that saturate
// both ends or make exact ties), bytes, and the integer reference's output.
#ifndef TCONV_TESTS_SUPPORT_INT8_CASES_H_
#define TCONV_TESTS_SUPPORT_INT8_CASES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tconv/plan.h"
#include "tconv/quant.h"

namespace tconv {
namespace testing {

struct Case {
  ConvDesc d;
  QuantParams q;
  std::vector<uint8_t> x;  // bytes of x_type elements
  std::vector<int8_t> w;
  std::vector<int32_t> b;  // empty: no bias
};

// Half the seeds (even ones) get 8-12 input channels per group; cin_g and
// cout_g > 0 set the channels per group instead, groups > 0 the groups.
Case MakeCase(uint64_t seed, int64_t cin_g = 0, int64_t cout_g = 0, int64_t groups = 0);
size_t YBytes(const Case& c);
ConstI32View BiasOf(const Case& c);
std::vector<uint8_t> Reference(const Case& c);
// A plan of algorithm algo with phase's tuning, in `layout`.
std::unique_ptr<Plan> MakePlan(const Case& c, const std::string& algo, int threads, Status* st,
                               const PhaseTuning& tuning = PhaseTuning(), Layout layout = Layout::kNCHW);
// (n, c, p) elements of `elem` bytes -> (n, p, c).
std::vector<uint8_t> BytesToChannelsLast(const std::vector<uint8_t>& v, int64_t n, int64_t c, size_t elem);
// Tuning that forces a kernel, or a route.
PhaseTuning Kernel(const std::string& name);
PhaseTuning Route(PhaseTuning::Int8Compute route);

}  // namespace testing
}  // namespace tconv

#endif  // TCONV_TESTS_SUPPORT_INT8_CASES_H_
