// gemm_col2im in bf16 (src/algo/gemm_col2im_bf16.h), at every ISA: over
// seeded random geometries (1-3-D, groups incl. depthwise, dilation,
// negative pads, output padding) and geometries that cut the GEMM into
// several calls, both routes (the AMX tiles where the list has
// bf16_gemm_amx, and widening) within the reference's f32 accumulation
// bound, every output written, bf16 y the f32 y rounded once, 2 threads
// the same bits. And the GEMM kernel alone, bit for bit on exact sums.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "src/base/bf16.h"
#include "src/kernels/amx_kernels.h"
#include "src/kernels/registry.h"
#include "tconv/plan.h"
#include "tests/support/bf16_cases.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

const kernels::KernelInfo* GemmKernel() {
  return kernels::FindKernel(kernels::KernelOp::kGemmBf16Amx, DType::kBF16);
}

// Runs c through gemm_col2im with bf16_compute `how`; checks the route the
// plan names (the tiles from 32 input channels per group and 16 input
// pixels). Returns false where the plan declined; *tiles: the tiles ran.
bool RunRoute(const testing::Bf16Case& c, PhaseTuning::Bf16Compute how, const std::string& repro,
              bool* tiles = nullptr) {
  PlanOptions o;
  o.algo = "gemm_col2im";
  o.phase.bf16_compute = how;
  std::vector<float> y;
  std::string kernel;
  if (!testing::RunBf16Case(c, o, repro, &y, &kernel)) return false;
  const bool amx = GemmKernel() && how != PhaseTuning::Bf16Compute::kWiden && c.d.in[0] * c.d.in[1] * c.d.in[2] >= 16 &&
                   c.d.in_channels / c.d.groups >= 32;
  if (tiles) *tiles = amx;
  if (amx) {
    EXPECT_EQ(kernel, "gemm_col2im (bf16): " + GemmKernel()->name + " + col2im") << repro;
  } else {
    EXPECT_NE(kernel.find("(bf16 widened to f32)"), std::string::npos) << repro << ": " << kernel;
  }
  return true;
}

using GemmCol2ImBf16 = testing::IsaTest;

// (Odd seeds get 32-38 input channels per group and >= 16 input pixels, so
// the tiles run on random geometries too where the list has them.)
TEST_P(GemmCol2ImBf16, BothRoutesMatchTheReference) {
  for (PhaseTuning::Bf16Compute how : {PhaseTuning::Bf16Compute::kAuto, PhaseTuning::Bf16Compute::kWiden}) {
    int ran = 0, tiled = 0;
    for (uint64_t seed = 1; seed <= 60; ++seed) {
      ConvDesc d = testing::RandomConvTransposeDesc(seed * 7907);
      if (seed % 2) {
        d.in_channels = d.groups * static_cast<int64_t>(32 + seed % 7);
        const int64_t sp = d.in[0] * d.in[1] * d.in[2];
        d.in[d.ndim - 1] *= (16 + sp - 1) / sp;  // >= 16 pixels
      }
      const testing::Bf16Case c = testing::MakeBf16CaseOf(d, seed * 7907);
      const std::string repro = testing::Repro(c.d, seed * 7907) + " isa=" + isa() +
                                (how == PhaseTuning::Bf16Compute::kWiden ? " widen" : " auto");
      bool tiles = false;
      ran += RunRoute(c, how, repro, &tiles);
      tiled += tiles;
      if (::testing::Test::HasFailure()) return;
    }
    EXPECT_EQ(ran, 60);
    if (GemmKernel() && how == PhaseTuning::Bf16Compute::kAuto) EXPECT_GE(tiled, 10);
    std::printf("[ gemm     ] %s: the tiles on %d of 60 geometries\n", isa(), tiled);
  }
}

// Geometries that cut the AMX route's GEMM into several calls (more than
// 128 rows of Cout/g x k_sp, more than 512 pixels), take several images
// at once, pad odd channel counts (a pair's high half zero) and sum more
// than 16 channel pairs; 1-D and 3-D; a 1 x 1 stride-1 layer (col2im the
// identity).
TEST_P(GemmCol2ImBf16, ManyCallsAndPaddedSizesMatchTheReference) {
  const std::vector<ConvDesc> descs = {
      testing::Square2D(3, 64, 3, 24, 25, 4, 2, 1),       // dcgan_g5-like: 48 rows, 600 pixels
      testing::Square2D(2, 37, 40, 9, 7, 4, 2, 1, 1),     // 640 rows, odd Cin, output padding
      testing::Square2D(1, 70, 6, 5, 5, 3, 3, 2, 0, 2),  // groups: 35 channels each
      testing::Square2D(2, 33, 17, 6, 6, 1, 1, 0),        // 1 x 1, stride 1
      testing::Desc1(2, 40, 1, 700, 25, 4, 11, 3),        // 1-D, one output channel
      testing::Desc3(1, 40, 5, {5, 4, 6}, 3, 2, 1),       // 3-D
  };
  for (size_t i = 0; i < descs.size(); ++i) {
    const testing::Bf16Case c = testing::MakeBf16CaseOf(descs[i], 300 + i);
    for (PhaseTuning::Bf16Compute how : {PhaseTuning::Bf16Compute::kAuto, PhaseTuning::Bf16Compute::kWiden}) {
      const std::string repro = testing::Repro(c.d, 300 + i) + " isa=" + isa();
      ASSERT_TRUE(RunRoute(c, how, repro)) << repro;
    }
  }
}

// auto (Bf16GemmPays): a 1 x 1 input (DCGAN's latent layer) takes
// gemm_col2im's one-GEMM route on widened values at every ISA; one output
// channel of 64 input channels takes the tiles where the list has them.
TEST_P(GemmCol2ImBf16, AutoTakesItWhereItPays) {
  const std::vector<ConvDesc> descs = {testing::Square2D(3, 100, 64, 1, 1, 4, 1, 0),
                                       testing::Square2D(1, 64, 1, 20, 20, 4, 2, 1)};
  for (size_t i = 0; i < descs.size(); ++i) {
    const testing::Bf16Case c = testing::MakeBf16CaseOf(descs[i], 400 + i);
    const std::string repro = testing::Repro(c.d, 400 + i) + " isa=" + isa();
    std::vector<float> y;
    std::string kernel;
    ASSERT_TRUE(testing::RunBf16Case(c, PlanOptions(), repro, &y, &kernel)) << repro;
    if (i == 0) {
      EXPECT_EQ(kernel.rfind("gemm_col2im: one input pixel, ", 0), 0u) << repro << ": " << kernel;
      EXPECT_NE(kernel.find("(bf16 widened to f32)"), std::string::npos) << repro << ": " << kernel;
    } else {
      EXPECT_EQ(kernel.rfind("gemm_col2im", 0) == 0, GemmKernel() != nullptr) << repro << ": " << kernel;
    }
  }
}

// Tuning: a named phase kernel makes gemm_col2im decline (auto goes on to
// phase and runs it); kDot asks for the tiles and is declined where they do
// not run; kWiden widens.
TEST_P(GemmCol2ImBf16, TuningIsHonouredOrDeclined) {
  const ConvDesc d = testing::Square2D(1, 64, 1, 20, 20, 4, 2, 1);  // auto: gemm_col2im where the tiles run
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 0.25f);
  const ConstTensorView wv(w.data(), ConvTransposeWeightShape(d));
  PlanOptions o;
  o.dtype = DataType::kBFloat16;
  o.phase.kernel = kernels::FindKernel(kernels::KernelOp::kPhaseBf16Widen, DType::kBF16)->name;
  Status st;
  auto plan = Plan::Create(d, wv, ConstTensorView(), o, &st);
  ASSERT_TRUE(plan) << st.message();
  EXPECT_EQ(plan->algorithm(), "phase");
  EXPECT_EQ(plan->kernel(), o.phase.kernel);
  o.algo = "gemm_col2im";
  EXPECT_EQ(Plan::Create(d, wv, ConstTensorView(), o, &st), nullptr);
  EXPECT_NE(st.message().find("gemm_col2im does not run"), std::string::npos) << st.message();
  o.phase.kernel.clear();
  o.phase.bf16_compute = PhaseTuning::Bf16Compute::kDot;
  plan = Plan::Create(d, wv, ConstTensorView(), o, &st);
  EXPECT_EQ(plan != nullptr, GemmKernel() != nullptr) << st.message();
  if (!plan) EXPECT_NE(st.message().find("kDot needs the AMX tiles"), std::string::npos) << st.message();
  o.phase.bf16_compute = PhaseTuning::Bf16Compute::kWiden;
  plan = Plan::Create(d, wv, ConstTensorView(), o, &st);
  ASSERT_TRUE(plan) << st.message();
  EXPECT_NE(plan->kernel().find("(bf16 widened to f32)"), std::string::npos) << plan->kernel();
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(GemmCol2ImBf16);

// The kernel alone on small integers (every product and sum exact in f32,
// so the tiles' rounding cannot hide an operand read from the wrong place),
// strides wider than the sizes, and a guard band of C left untouched.
TEST(GemmBf16Amx, RandomCallsMatchThePlainLoopBitwise) {
  const kernels::KernelInfo* k = GemmKernel();
  if (!k) GTEST_SKIP() << "no bf16_gemm_amx in this CPU's list";
  std::mt19937_64 rng(11);
  auto pick = [&rng](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng() % (hi - lo + 1)); };
  for (int call = 0; call < 60; ++call) {
    kernels::Bf16GemmArgs a;
    a.m = 16 * pick(1, 5), a.n = 16 * pick(1, 5), a.k2 = 16 * pick(1, 4);
    a.lda = 2 * a.k2 + 2 * pick(0, 8);
    a.ldb = a.n + pick(0, 20);
    a.ldc = a.n + pick(0, 20);
    std::vector<uint16_t> av(static_cast<size_t>(a.m * a.lda));
    std::vector<uint32_t> bv(static_cast<size_t>(a.k2 * a.ldb));
    for (uint16_t& v : av) v = Bf16Bits(static_cast<float>(pick(-8, 8)));
    for (uint32_t& v : bv) v = Bf16Bits(static_cast<float>(pick(-8, 8))) | uint32_t{Bf16Bits(static_cast<float>(pick(-8, 8)))} << 16;
    std::vector<float> c(static_cast<size_t>(a.m * a.ldc + 64), -7.0f);
    a.a = av.data(), a.b = bv.data(), a.c = c.data();
    k->As<kernels::Bf16GemmFn>()(a);
    for (int64_t i = 0; i < a.m; ++i)
      for (int64_t j = 0; j < a.ldc; ++j) {
        float want = -7.0f;  // past column n: untouched
        if (j < a.n) {
          int64_t sum = 0;
          for (int64_t p = 0; p < a.k2; ++p) {
            const uint32_t b = bv[static_cast<size_t>(p * a.ldb + j)];
            sum += static_cast<int64_t>(Bf16ToF32(av[static_cast<size_t>(i * a.lda + 2 * p)]) *
                                        Bf16ToF32(static_cast<uint16_t>(b & 0xFFFF)));
            sum += static_cast<int64_t>(Bf16ToF32(av[static_cast<size_t>(i * a.lda + 2 * p + 1)]) *
                                        Bf16ToF32(static_cast<uint16_t>(b >> 16)));
          }
          want = static_cast<float>(sum);
        }
        ASSERT_EQ(c[static_cast<size_t>(i * a.ldc + j)], want)
            << "call " << call << " m " << a.m << " n " << a.n << " k2 " << a.k2 << " at " << i << "," << j;
      }
    for (size_t e = static_cast<size_t>(a.m * a.ldc); e < c.size(); ++e) ASSERT_EQ(c[e], -7.0f) << "past C, call " << call;
  }
}

}  // namespace
}  // namespace tconv
