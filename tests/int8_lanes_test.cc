// phase's int8 lanes path (src/algo/phase_int8_lanes.cc, kernels
// i8_phase_vnni_<P>x<V>): every list line, forced through
// PhaseTuning::kernel, against the integer reference bit for bit over a
// seeded sweep of geometries (1-3-D, groups, dilation, pads) with Cout/g
// from 1 to 70 (partial and several blocks of output channels) and Cin/g
// from 1 to 37 (partial quads), u8 and s8 x with zero points at the type's
// limits, u8, s8 and f32 y with saturation and ties, 1 and 2 threads; the
// lines exist exactly on CPUs with AVX512_VNNI at the AVX-512 targets; auto
// takes them from kInt8LanesMinCout output channels; forced kernels and
// routes that cannot run are refused with one line.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <vector>

#include "src/algo/phase_int8.h"
#include "src/geom3.h"
#include "src/kernels/registry.h"
#include "tconv/plan.h"
#include "tests/support/int8_cases.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using kernels::KernelInfo;
using kernels::KernelOp;
using testing::Case;
using testing::MakeCase;
using testing::MakePlan;
using testing::Reference;

bool CpuHasVnni() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

std::vector<const KernelInfo*> LanesKernels() {
  std::vector<const KernelInfo*> out;
  for (const KernelInfo& k : kernels::ActiveKernels())
    if (k.op == KernelOp::kPhaseInt8Vnni || k.op == KernelOp::kPhaseInt8Amx) out.push_back(&k);
  return out;
}

// Runs plan on c twice from different fill patterns; true when both equal ref.
bool RunsToReference(const Plan& plan, const Case& c, const std::vector<uint8_t>& ref) {
  for (uint8_t fill : {0x5A, 0xA5}) {
    std::vector<uint8_t> y(ref.size(), fill);
    if (!plan.Run(ConstQuantView(c.x.data(), plan.input_shape()), QuantView{y.data(), plan.output_shape()}).ok() ||
        y != ref) {
      return false;
    }
  }
  return true;
}

using Int8LanesIsa = testing::IsaTest;

TEST_P(Int8LanesIsa, EveryKernelMatchesTheIntegerReferenceBitForBit) {
  const std::vector<const KernelInfo*> ks = LanesKernels();
  if (std::string(isa()).rfind("avx512", 0) != 0 || !CpuHasVnni()) {
    EXPECT_TRUE(ks.empty()) << ks.front()->name;
    return;
  }
  // V = 4, 3, 2, 1 vectors of 16 channels, and the AMX tiles' on CPUs with
  // AMX-INT8 (and Linux's permission).
  const bool amx = kernels::FindKernel(KernelOp::kPhaseInt8Amx, DType::kI8) != nullptr;
  ASSERT_EQ(ks.size(), amx ? 5u : 4u);
  int64_t ran = 0, declined = 0;
  for (uint64_t seed = 1; seed <= 160; ++seed) {
    const KernelInfo* k = ks[seed % ks.size()];
    const Case c = MakeCase(seed, 1 + static_cast<int64_t>(seed * 7 % 37), 1 + static_cast<int64_t>(seed * 13 % 70));
    const std::vector<uint8_t> ref = Reference(c);
    for (int threads : {1, 2}) {
      Status st;
      auto plan = MakePlan(c, "phase", threads, &st, testing::Kernel(k->name));
      if (!plan) {  // only huge pads or dilations are declined
        EXPECT_NE(st.message().find("the padded input would be"), std::string::npos) << st.message();
        ++declined;
        continue;
      }
      EXPECT_EQ(plan->kernel(), k->name);
      ASSERT_TRUE(RunsToReference(*plan, c, ref))
          << k->name << " threads=" << threads << " x " << QuantTypeName(c.q.x_type) << " zp " << c.q.x_zero_point
          << " y " << QuantTypeName(c.q.y_type) << " " << testing::Repro(c.d, seed);
      ++ran;
    }
  }
  EXPECT_GT(ran, 280);
  EXPECT_LT(declined, 40);
}

// The AMX kernel on channels wide enough for several steps of 16 quads
// (Cin/g 65-200: the sweep above stays below 64), both layouts' planes
// and grouped layers, bit for bit.
TEST_P(Int8LanesIsa, TheAmxKernelOnWideChannelsMatchesTheIntegerReference) {
  const KernelInfo* amx = kernels::FindKernel(KernelOp::kPhaseInt8Amx, DType::kI8);
  if (!amx) GTEST_SKIP() << "no AMX-INT8 kernel at isa " << isa();
  int64_t ran = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const Case c = MakeCase(seed, 65 + static_cast<int64_t>(seed * 37 % 136), 1 + static_cast<int64_t>(seed * 11 % 70),
                            1 + static_cast<int64_t>(seed % 2));
    const std::vector<uint8_t> ref = Reference(c);
    Status st;
    auto plan = MakePlan(c, "phase", 1 + static_cast<int>(seed % 2), &st, testing::Kernel(amx->name));
    if (!plan) {
      EXPECT_NE(st.message().find("the padded input would be"), std::string::npos) << st.message();
      continue;
    }
    ASSERT_TRUE(RunsToReference(*plan, c, ref)) << amx->name << " " << testing::Repro(c.d, seed);
    ++ran;
  }
  EXPECT_GE(ran, 10);
}

// Biases near the int32 limits: a sum plus its bias may leave int32, so the
// kernels take the long epilogue (bias added in double, the value clamped
// before rounding; Int8RowArgs::folded false; the same code for both
// layouts).
TEST_P(Int8LanesIsa, BiasesNearTheInt32LimitsTakeTheLongEpilogue) {
  if (LanesKernels().empty()) GTEST_SKIP() << "no AVX512_VNNI at isa " << isa();
  int64_t ran = 0, unsaturated = 0;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    Case c = MakeCase(seed, 1 + static_cast<int64_t>(seed % 20), 16 + static_cast<int64_t>(seed * 5 % 40));
    c.b.resize(static_cast<size_t>(c.d.out_channels));
    for (size_t i = 0; i < c.b.size(); ++i) c.b[i] = (i + seed) % 2 ? INT32_MAX - static_cast<int32_t>(i) : INT32_MIN + 1;
    // y's scale puts the biased sums around +-100 quanta.
    float w_max = 0;
    for (float s : c.q.w_scale) w_max = std::max(w_max, s);
    c.q.y_scale = c.q.x_scale * w_max * 2.1e7f;
    const std::vector<uint8_t> ref = Reference(c);
    if (c.q.y_type != QuantType::kFloat32)
      for (uint8_t v : ref) unsaturated += v != 0 && v != 255 && v != 127 && v != 128;
    Status st;
    auto plan = MakePlan(c, "phase", 1 + static_cast<int>(seed % 2), &st, testing::Route(PhaseTuning::Int8Compute::kLanes));
    ASSERT_TRUE(plan) << st.message();
    ASSERT_TRUE(RunsToReference(*plan, c, ref)) << testing::Repro(c.d, seed);
    ++ran;
  }
  EXPECT_EQ(ran, 30);
  EXPECT_GT(unsaturated, 100);
}

// 1-D layers with phase rows longer than a task's columns (256): the rows
// are cut into column chunks, and the chunks meet the border boxes; 1 and
// 2 threads, both layouts' kernels (channels first here).
TEST_P(Int8LanesIsa, LongRowsAreCutIntoColumnChunks) {
  if (LanesKernels().empty()) GTEST_SKIP() << "no AVX512_VNNI at isa " << isa();
  int64_t ran = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    Case c = MakeCase(seed, 5 + static_cast<int64_t>(seed), 20);
    c.d.ndim = 1, c.d.batch = 1 + static_cast<int64_t>(seed % 2), c.d.groups = 1;
    c.d.in_channels = 5 + static_cast<int64_t>(seed), c.d.out_channels = 20;
    c.d.in = {1, 1, 600 + 97 * static_cast<int64_t>(seed)};
    c.d.kernel = {1, 1, 2 + static_cast<int64_t>(seed % 5)};
    c.d.stride = {1, 1, 1 + static_cast<int64_t>(seed % 3)};
    c.d.dilation = {1, 1, 1};
    c.d.pad_begin = {0, 0, static_cast<int64_t>(seed % 3)}, c.d.pad_end = {0, 0, static_cast<int64_t>(seed % 2)};
    c.d.output_padding = {0, 0, 0};
    ASSERT_TRUE(ValidateConvTranspose(c.d).ok()) << testing::Repro(c.d, seed);
    std::mt19937_64 rng(seed);
    c.x.resize(static_cast<size_t>(NumElements(ConvTransposeInputShape(c.d))));
    c.w.resize(static_cast<size_t>(NumElements(ConvTransposeWeightShape(c.d))));
    for (uint8_t& v : c.x) v = static_cast<uint8_t>(rng());
    for (int8_t& v : c.w) v = static_cast<int8_t>(rng());
    if (!c.b.empty()) c.b.assign(20, 1234);
    if (c.q.w_scale.size() > 1) c.q.w_scale.assign(20, 0.01f);
    const std::vector<uint8_t> ref = Reference(c);
    for (int threads : {1, 2}) {
      Status st;
      auto plan = MakePlan(c, "phase", threads, &st, testing::Route(PhaseTuning::Int8Compute::kLanes));
      ASSERT_TRUE(plan) << st.message();
      ASSERT_TRUE(RunsToReference(*plan, c, ref)) << "threads=" << threads << " " << testing::Repro(c.d, seed);
      ++ran;
    }
  }
  EXPECT_EQ(ran, 12);
}

// (With the AMX kernel listed, auto takes it wherever Cin/g >= 16, any
// Cout/g: Int8AmxPays.)
TEST_P(Int8LanesIsa, AutoTakesTheLanesWhereCoutFillsAVector) {
  const bool lanes = !LanesKernels().empty();
  const bool amx = kernels::FindKernel(KernelOp::kPhaseInt8Amx, DType::kI8) != nullptr;
  int amx_taken = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const int64_t cout_g = seed % 2 ? kInt8LanesMinCout + static_cast<int64_t>(seed % 50) : 1 + seed % 8;
    const int64_t cin_g = 8 + static_cast<int64_t>(seed % 9) + (seed % 3 == 0 ? 8 : 0);
    const Case c = MakeCase(seed, cin_g, cout_g);
    Status st;
    auto plan = MakePlan(c, "auto", 1, &st);
    ASSERT_TRUE(plan) << st.message();
    const bool vnni = plan->kernel().rfind("i8_phase_vnni", 0) == 0;
    if (amx && cin_g >= kInt8AmxMinCin) {
      EXPECT_EQ(plan->kernel().rfind("i8_phase_amx", 0), 0u) << plan->kernel() << " " << testing::Repro(c.d, seed);
      ++amx_taken;
    } else if (cout_g < kInt8LanesMinCout || !lanes) {
      EXPECT_FALSE(vnni) << plan->kernel();
    } else if (!vnni) {  // only when its padded input would be too large
      EXPECT_EQ(plan->kernel(), std::string("i8_phase_dot__") + isa()) << testing::Repro(c.d, seed);
    }
    ASSERT_TRUE(RunsToReference(*plan, c, Reference(c))) << plan->kernel() << " " << testing::Repro(c.d, seed);
  }
  if (amx) EXPECT_GE(amx_taken, 10);
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(Int8LanesIsa);

TEST(Int8Lanes, ForcedKernelsAndRoutesThatCannotRunAreRefused) {
  using C = PhaseTuning::Int8Compute;
  const std::string isa = dispatch::ActiveIsaName();
  const Case c = MakeCase(3, 4, 20);  // Cin/g = 4: below the dot kernel's 8
  Status st;
  EXPECT_FALSE(MakePlan(c, "phase", 1, &st, testing::Kernel("i8_phase_dot")));
  EXPECT_EQ(st.message(), "phase: i8_phase_dot__" + isa + " needs Cin/groups >= 8 (got 4)");
  EXPECT_FALSE(MakePlan(c, "phase", 1, &st, testing::Kernel("i8_no_such_kernel")));
  EXPECT_EQ(st.message(), "phase: no kernel named 'i8_no_such_kernel' at isa " + isa);
  const std::string bf16 = kernels::FindKernel(KernelOp::kPhaseBf16Widen, DType::kBF16)->name;
  EXPECT_FALSE(MakePlan(c, "phase", 1, &st, testing::Kernel(bf16)));
  EXPECT_EQ(st.message(), "phase: " + bf16 + " computes bf16, the plan int8 (PlanOptions::dtype)");
  PhaseTuning both = testing::Route(C::kLanes);
  both.kernel = "i8_phase_dot";
  EXPECT_FALSE(MakePlan(MakeCase(4, 9, 20), "phase", 1, &st, both));
  EXPECT_EQ(st.message(), "phase: i8_phase_dot__" + isa + " does not run the int8_compute route the tuning asks for");
  // Widening is exact up to kInt8WidenMaxProducts products per output.
  const Case big = MakeCase(5, kInt8WidenMaxProducts + 1, 20);
  ASSERT_EQ(Int8ProductsPerOutput(MakeGeom3(big.d, GeomOp::kConvTranspose)) % (kInt8WidenMaxProducts + 1), 0);
  EXPECT_FALSE(MakePlan(big, "phase", 1, &st, testing::Route(C::kWiden)));
  EXPECT_NE(st.message().find("phase: int8 widened to f32 is exact up to 514 products per output; this layer sums "
                              "up to "),
            std::string::npos)
      << st.message();
  if (LanesKernels().empty()) {
    EXPECT_FALSE(MakePlan(c, "phase", 1, &st, testing::Route(C::kLanes)));
    EXPECT_EQ(st.message(), "phase: int8_compute kLanes needs AVX512_VNNI (isa " + isa + ")");
  }
  // The dot kernel forced where Cin/g allows it: the dot path runs; an f32
  // kernel or i8_requant forced: the widened route.
  const Case d = MakeCase(4, 9, 20);
  auto plan = MakePlan(d, "phase", 1, &st, testing::Kernel("i8_phase_dot"));
  ASSERT_TRUE(plan) << st.message();
  EXPECT_EQ(plan->kernel(), "i8_phase_dot__" + isa);
  EXPECT_TRUE(RunsToReference(*plan, d, Reference(d)));
  plan = MakePlan(d, "phase", 1, &st, testing::Kernel("i8_requant"));
  ASSERT_TRUE(plan) << st.message();
  EXPECT_NE(plan->kernel().find(" (int8 widened to f32, exact) + i8_requant__" + isa), std::string::npos)
      << plan->kernel();
  EXPECT_TRUE(RunsToReference(*plan, d, Reference(d)));
}

}  // namespace
}  // namespace tconv
