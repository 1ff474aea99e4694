// The phase fast path (src/kernels/phase_fast.cc + hwy kernel) against the
// reference, bit for bit on small-integer data, for every geometry it accepts
// (random sweep + the decoder shapes scaled down), at every ISA this CPU
// runs (TCONV_ISA cap via dispatch::SetIsaCap), and threads 1 vs 2 bitwise
// equal. Outputs start as NaN so an unwritten element fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/algo/phase_fast.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/phase_fast_kernels.h"
#include "src/geom3.h"
#include "tconv/reference.h"
#include "tests/support/channels_last.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using dispatch::Isa;

struct Outcome {
  bool accepted = false;
  bool y_channels_last = false;  // channels_last runs: y is (N, *out, Cout)
  std::string why;
};

// Runs the fast path at `threads`, returns false (and why) when declined.
// channels_last: x is (N, *in, Cin), and y channels last when the path
// says so (Outcome::y_channels_last).
Outcome RunFast(const ConvDesc& d, const std::vector<float>& x, const std::vector<float>& w,
                const std::vector<float>& b, int threads, std::vector<float>* y, bool channels_last = false) {
  Outcome o;
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  AlgoCost cost;
  auto algo = PreparePhaseFast(g, w.data(), b.empty() ? nullptr : b.data(), &cost, &o.why, channels_last);
  if (!algo) return o;
  o.accepted = true;
  o.y_channels_last = channels_last && algo->WritesChannelsLast();
  algo->ActualCost(&cost);
  // Exactly the reported workspace, so AddressSanitizer sees any over-read,
  // and NaN, so padding the kernel reads but nobody wrote fails the check.
  std::vector<float> ws(static_cast<size_t>(std::max<int64_t>(1, cost.workspace_bytes / 4)),
                        std::numeric_limits<float>::quiet_NaN());
  y->assign(static_cast<size_t>(NumElements(ConvTransposeOutputShape(d))), std::numeric_limits<float>::quiet_NaN());
  algo->Run(x.data(), y->data(), ws.data(), threads);
  return o;
}

// Channels-last runs CheckDesc made, [0]: y written channels first, [1]:
// y channels last (the sweep asserts both happen).
int64_t g_channels_last_runs[2] = {0, 0};

// Returns true when accepted; checks bitwise vs ref and threads 1 vs 2.
bool CheckDesc(const ConvDesc& d, uint64_t seed, const char* isa) {
  std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d))),
      b(d.out_channels);
  const int bound = testing::SafeIntegerBound(d);
  testing::FillIntegers(&x, seed, bound);
  testing::FillIntegers(&w, seed + 1, bound);
  testing::FillIntegers(&b, seed + 2, bound);
  const bool use_bias = seed % 3 != 0;
  if (!use_bias) b.clear();
  std::vector<float> y1, y2;
  Outcome o = RunFast(d, x, w, b, 1, &y1);
  if (!o.accepted) return false;
  Tensor ref(ConvTransposeOutputShape(d));
  ConstTensorView bv = use_bias ? ConstTensorView(b.data(), Shape{d.out_channels}) : ConstTensorView();
  Status st = ConvTransposeRef(d, ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                               ConstTensorView(w.data(), ConvTransposeWeightShape(d)), bv, ref.view());
  EXPECT_TRUE(st.ok()) << st.message();
  const std::string repro = testing::Repro(d, seed) + " algo=phase_fast isa=" + isa;
  size_t bad = 0;
  for (size_t i = 0; i < y1.size(); ++i) {
    if (!(y1[i] == ref.data[i])) {
      if (bad++ < 3) ADD_FAILURE() << repro << ": y[" << i << "] = " << y1[i] << ", ref " << ref.data[i];
    }
  }
  EXPECT_EQ(bad, 0u) << repro;
  RunFast(d, x, w, b, 2, &y2);
  EXPECT_EQ(std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)), 0) << repro << ": threads 1 vs 2 differ";
  // Channels last (x transposed straight into the padded volumes; y
  // written channels last from the tile in pixel mode): the same values, bit
  // for bit, where the fast path takes it.
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  const std::vector<float> x_cl = testing::ToChannelsLast(x, g.n, g.cin, g.in_sp);
  const std::vector<float> y1_cl = testing::ToChannelsLast(y1, g.n, g.cout, g.out_sp);
  std::vector<float> y3;
  for (int threads : {1, 2}) {
    const Outcome cl = RunFast(d, x_cl, w, b, threads, &y3, /*channels_last=*/true);
    if (!cl.accepted) break;
    ++g_channels_last_runs[cl.y_channels_last ? 1 : 0];
    const std::vector<float>& expected = cl.y_channels_last ? y1_cl : y1;
    EXPECT_EQ(std::memcmp(expected.data(), y3.data(), y1.size() * sizeof(float)), 0)
        << repro << ": channels last (y channels last: " << cl.y_channels_last << "), threads " << threads;
  }
  return true;
}

ConvDesc Grouped(ConvDesc d, int64_t groups) {
  d.groups = groups;
  return d;
}

ConvDesc Desc3(int64_t n, int64_t cin, int64_t cout, Dims in, int64_t k, int64_t s, int64_t p, int64_t a) {
  ConvDesc d;
  d.ndim = 3;
  d.batch = n;
  d.in_channels = cin;
  d.out_channels = cout;
  d.in = in;
  d.kernel = {k, k, k};
  d.stride = {s, s, s};
  d.pad_begin = {p, p, p};
  d.pad_end = {p, p, p};
  d.output_padding = {a, a, a};
  return d;
}

class PhaseFastIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (static_cast<int>(GetParam()) > static_cast<int>(dispatch::DetectedIsa())) GTEST_SKIP() << "ISA not on this CPU";
    saved_ = dispatch::ActiveIsa();
    dispatch::SetIsaCap(GetParam());
    ASSERT_EQ(dispatch::ActiveIsa(), GetParam());
    // The kernel really runs at this ISA: 16 lanes on AVX-512, 8 on AVX2,
    // 1 on Highway's HWY_SCALAR ("scalar").
    const int lanes[] = {1, 8, 16};
    ASSERT_EQ(kernels::PhaseFastLanes(), lanes[static_cast<int>(GetParam())]);
  }
  void TearDown() override { dispatch::SetIsaCap(saved_); }
  Isa saved_ = Isa::kAvx512;
};

// Every kernel variant (W-pixels, channels in lanes, direct) on every
// geometry: TCONV_PHASE_MODE forces one at prepare time. "pixels/cout" also
// forces the Cout-blocks-inner task order (TCONV_PHASE_ORDER), which `auto`
// picks only for inputs larger than the test shapes; "channels/unstaged"
// stores NCHW y directly instead of through the channels-last staging
// buffer (TCONV_PHASE_STAGE_Y=0); "norows" turns the row-reuse kernels of
// the pixel and direct modes off (TCONV_PHASE_ROWS=0), so the general
// per-tap kernels run on the undilated shapes too.
constexpr const char* kModes[] = {"pixels",          "pixels/cout", "pixels/norows", "channels",
                                  "channels/unstaged", "direct",     "direct/norows"};
struct ModeGuard {
  explicit ModeGuard(const std::string& mode) {
    const size_t slash = mode.find('/');
    const std::string variant = slash == std::string::npos ? "" : mode.substr(slash + 1);
    setenv("TCONV_PHASE_MODE", mode.substr(0, slash).c_str(), 1);
    setenv("TCONV_PHASE_ORDER", variant == "cout" ? "cout" : "blocks", 1);
    setenv("TCONV_PHASE_STAGE_Y", variant == "unstaged" ? "0" : "1", 1);
    setenv("TCONV_PHASE_ROWS", variant == "norows" ? "0" : "1", 1);
  }
  ~ModeGuard() {
    for (const char* v : {"TCONV_PHASE_MODE", "TCONV_PHASE_ORDER", "TCONV_PHASE_STAGE_Y", "TCONV_PHASE_ROWS"})
      unsetenv(v);
  }
};

TEST_P(PhaseFastIsa, RandomSweepMatchesReferenceBitwise) {
  for (const char* mode : kModes) {
    ModeGuard guard(mode);
    const std::string isa = std::string(dispatch::IsaName(GetParam())) + " mode=" + mode;
    int accepted = 0, grouped = 0, three_d = 0, dilated = 0;
    g_channels_last_runs[0] = g_channels_last_runs[1] = 0;
    for (uint64_t seed = 1; seed < 20000 && accepted < 1500; ++seed) {
      testing::GeometryOptions opts;
      ConvDesc d = testing::RandomConvTransposeDesc(seed, opts);
      // Every third geometry with 4..8 images: channels mode's
      // batch-interleaved layout needs >= 4 (the generator draws 1..2).
      if (seed % 3 == 0) d.batch = 4 + static_cast<int64_t>(seed / 3 % 5);
      if (CheckDesc(d, seed, isa.c_str())) {
        ++accepted;
        grouped += d.groups > 1;
        three_d += d.ndim == 3;
        dilated += d.dilation[0] > 1 || d.dilation[1] > 1 || d.dilation[2] > 1;
      }
      if (::testing::Test::HasFailure()) return;
    }
    EXPECT_GE(accepted, 100) << isa;
    EXPECT_GE(grouped, 20) << isa;
    EXPECT_GE(three_d, 20) << isa;
    EXPECT_GE(dilated, 100) << isa;
    EXPECT_GT(g_channels_last_runs[0] + g_channels_last_runs[1], 0) << isa;
    std::printf("[ sweep    ] %s: %d accepted geometries (%d grouped, %d 3-D, %d dilated); channels-last runs "
                "%lld with y channels first, %lld channels last\n",
                isa.c_str(), accepted, grouped, three_d, dilated, static_cast<long long>(g_channels_last_runs[0]),
                static_cast<long long>(g_channels_last_runs[1]));
    if (std::string(mode) == "pixels") {
      EXPECT_GT(g_channels_last_runs[1], 0) << isa;
    }
    if (std::string(mode).rfind("direct", 0) == 0) {
      EXPECT_GT(g_channels_last_runs[0], 0) << isa;
    }
    g_channels_last_runs[0] = g_channels_last_runs[1] = 0;
  }
}

TEST_P(PhaseFastIsa, DecoderShapesMatchReferenceBitwise) {
 for (const char* mode : kModes) {
  ModeGuard guard(mode);
  const std::string isa_s = std::string(dispatch::IsaName(GetParam())) + " mode=" + mode;
  const char* isa = isa_s.c_str();
  const ConvDesc cases[] = {
      testing::Square2D(2, 16, 8, 4, 4, 4, 2, 1, 0),    // dcgan-like
      testing::Square2D(1, 8, 3, 9, 7, 4, 2, 1, 0),     // dcgan_g5-like, Cout 3
      testing::Square2D(1, 5, 9, 11, 13, 2, 2, 0, 0),   // unet up-conv, Cout block tail
      testing::Square2D(1, 4, 5, 8, 8, 3, 2, 1, 1),     // k3 s2 p1 adj1
      testing::Square2D(1, 3, 21, 6, 5, 16, 8, 4, 0),   // fcn_up8-like
      testing::Square2D(1, 7, 1, 12, 10, 9, 3, 4, 2),   // fsrcnn-like
      testing::Square2D(1, 2, 2, 5, 5, 3, 5, 2, 4),     // stride > kernel (bias-only phases)
      testing::Square2D(1, 3, 4, 3, 70, 5, 4, -1, 2),   // negative pads, wide rows
      testing::Square2D(1, 2, 3, 2, 300, 4, 3, 1, 0),   // rows longer than the tile budget
      testing::Square2D(1, 3, 17, 7, 7, 1, 1, 0, 0),    // 1x1 stride 1
  };
  uint64_t seed = 100;
  for (const ConvDesc& d : cases) {
    EXPECT_TRUE(CheckDesc(d, seed++, isa)) << DescString(d);
  }
  ConvDesc d1;  // 1-D, wavegan-like
  d1.ndim = 1;
  d1.batch = 2;
  d1.in_channels = 6;
  d1.out_channels = 5;
  d1.in = {37, 1, 1};
  d1.kernel = {25, 1, 1};
  d1.stride = {4, 1, 1};
  d1.pad_begin = {11, 0, 0};
  d1.pad_end = {11, 0, 0};
  d1.output_padding = {1, 0, 0};
  EXPECT_TRUE(CheckDesc(d1, seed++, isa)) << DescString(d1);
  EXPECT_TRUE(CheckDesc(testing::Square2D(3, 6, 70, 4, 4, 4, 2, 1, 0), seed++, isa));  // channel blocks + tail
  // >= 4 images: channels mode's batch-interleaved layout (dcgan-like, odd
  // batch and kernel, stride > kernel, 3-D, grouped).
  EXPECT_TRUE(CheckDesc(testing::Square2D(8, 16, 40, 4, 4, 4, 2, 1, 0), seed++, isa));
  EXPECT_TRUE(CheckDesc(testing::Square2D(5, 8, 33, 5, 6, 3, 2, 1, 1), seed++, isa));
  EXPECT_TRUE(CheckDesc(testing::Square2D(6, 3, 5, 3, 4, 2, 3, 0, 2), seed++, isa));
  EXPECT_TRUE(CheckDesc(Desc3(4, 5, 34, {2, 3, 3}, 3, 2, 1, 0), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(7, 6, 66, 4, 5, 4, 2, 1, 0), 2), seed++, isa));
  // Grouped: dw_k4s2-like depthwise, a channel multiplier, general groups.
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(2, 12, 12, 9, 8, 4, 2, 1, 0), 12), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(1, 4, 8, 7, 7, 3, 2, 1, 1), 4), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(2, 6, 39, 5, 6, 4, 2, 1, 0), 3), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(1, 70, 70, 4, 4, 4, 2, 1, 0), 2), seed++, isa));
  // Depthwise with a k x k grid per phase (the direct mode's MicroDW): k = s,
  // k = 2s at s = 3 and 4, rows wider than two vectors with a tail.
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(1, 6, 6, 9, 7, 2, 2, 0, 0), 6), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(2, 5, 5, 8, 11, 6, 3, 2, 1), 5), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(1, 4, 4, 7, 40, 8, 4, 2, 3), 4), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(testing::Square2D(1, 3, 3, 34, 37, 4, 2, 1, 0), 3), seed++, isa));
  // 3-D: unet3d_up-like k2 s2, and k3 s2 p1 adj1 with padding slices/rows.
  EXPECT_TRUE(CheckDesc(Desc3(1, 8, 5, {4, 5, 6}, 2, 2, 0, 0), seed++, isa));
  EXPECT_TRUE(CheckDesc(Desc3(2, 3, 4, {3, 4, 5}, 3, 2, 1, 1), seed++, isa));
  EXPECT_TRUE(CheckDesc(Grouped(Desc3(1, 4, 6, {3, 3, 4}, 4, 3, 1, 2), 2), seed++, isa));
  // Rows of whole AVX-512 vectors plus a tail (the Cout-block direct
  // kernel's full-vector interleaved stores), 2-D and 3-D.
  EXPECT_TRUE(CheckDesc(testing::Square2D(1, 5, 9, 3, 37, 2, 2, 0, 0), seed++, isa));
  EXPECT_TRUE(CheckDesc(Desc3(1, 6, 7, {2, 3, 32}, 2, 2, 0, 0), seed++, isa));
 }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, PhaseFastIsa, ::testing::Values(Isa::kScalar, Isa::kAvx2, Isa::kAvx512),
                         [](const ::testing::TestParamInfo<Isa>& i) { return std::string(dispatch::IsaName(i.param)); });

TEST(PhaseFast, DeclinesWithReasons) {
  std::string why;
  ConvDesc d = testing::Square2D(1, 2, 2, 3, 3, 70, 65, 1, 0);
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 1.0f);
  AlgoCost cost;
  EXPECT_EQ(PreparePhaseFast(MakeGeom3(d, GeomOp::kConvTranspose), w.data(), nullptr, &cost, &why), nullptr);
  EXPECT_EQ(why, "stride 65 > 64");
}

// The Cout-block direct kernel reads x itself, with no padded copy and no
// workspace, when nothing is padded around the input's rows and rows are
// whole 16-float vectors (ReadsXDirectly): x is exactly sized, so the ASan
// run of these tests catches a read past the last channel.
int64_t DirectWorkspaceBytes(const ConvDesc& d) {
  std::vector<float> w(static_cast<size_t>(NumElements(ConvTransposeWeightShape(d))), 1.0f);
  AlgoCost cost;
  std::string why;
  auto algo = PreparePhaseFast(MakeGeom3(d, GeomOp::kConvTranspose), w.data(), nullptr, &cost, &why);
  EXPECT_NE(algo, nullptr) << DescString(d) << ": " << why;
  if (algo) algo->ActualCost(&cost);
  return cost.workspace_bytes;
}

TEST_P(PhaseFastIsa, DirectCoutBlocksReadXInPlace) {
  ModeGuard guard("direct");
  const std::string isa_s = std::string(dispatch::IsaName(GetParam())) + " mode=direct (x in place)";
  uint64_t seed = 700;
  const ConvDesc in_place[] = {
      testing::Square2D(2, 6, 9, 5, 16, 2, 2, 0, 0),               // 2 images, Cout tail
      Grouped(testing::Square2D(1, 8, 10, 3, 32, 2, 2, 0, 0), 2),  // groups, 2 vectors a row
      Desc3(2, 5, 6, {3, 2, 16}, 2, 2, 0, 0),                      // unet3d_up-like
      testing::Square2D(1, 3, 5, 4, 16, 1, 1, 0, 0),               // 1x1, stride 1
      testing::Square2D(1, 4, 7, 3, 48, 3, 3, 0, 0),               // k = s = 3
      testing::Square2D(1, 2, 5, 2, 320, 2, 2, 0, 0),              // rows longer than the tile budget
  };
  for (const ConvDesc& d : in_place) {
    EXPECT_EQ(DirectWorkspaceBytes(d), 0) << DescString(d);
    EXPECT_TRUE(CheckDesc(d, seed++, isa_s.c_str())) << DescString(d);
  }
  // Rows of 24 floats: a vector would cross into the next row (and past
  // x's end on the last one), so the input is copied into padded volumes.
  const ConvDesc copied = testing::Square2D(1, 4, 6, 5, 24, 2, 2, 0, 0);
  EXPECT_GT(DirectWorkspaceBytes(copied), 0);
  EXPECT_TRUE(CheckDesc(copied, seed++, isa_s.c_str()));
  // Output padding: the last column of each row reads past the input.
  EXPECT_TRUE(CheckDesc(testing::Square2D(1, 4, 6, 5, 16, 2, 2, 0, 1), seed++, isa_s.c_str()));
  setenv("TCONV_PHASE_XDIRECT", "0", 1);
  EXPECT_GT(DirectWorkspaceBytes(in_place[0]), 0);
  EXPECT_TRUE(CheckDesc(in_place[0], seed++, isa_s.c_str()));
  unsetenv("TCONV_PHASE_XDIRECT");
}

// The pixel mode (Micro over flat blocks) reads x itself on the same
// condition, when every block's last vector ends inside x: blocks are then
// whole vectors, not whole rows, so they may start mid-row.
TEST_P(PhaseFastIsa, PixelBlocksReadXInPlace) {
  for (const char* mode : {"pixels", "pixels/cout"}) {
    ModeGuard guard(mode);
    const std::string isa_s = std::string(dispatch::IsaName(GetParam())) + " mode=" + mode + " (x in place)";
    uint64_t seed = 800;
    const ConvDesc in_place[] = {
        testing::Square2D(1, 6, 16, 4, 4, 2, 2, 0, 0),                // unet_up1-like, one block
        testing::Square2D(1, 5, 16, 12, 12, 2, 2, 0, 0),              // 16-float blocks from mid-row
        testing::Square2D(2, 4, 13, 8, 6, 2, 2, 0, 0),                // 2 images, Cout tail
        Grouped(testing::Square2D(1, 8, 32, 4, 8, 2, 2, 0, 0), 2),   // groups
        Desc3(1, 3, 16, {2, 4, 8}, 2, 2, 0, 0),                       // 3-D
        testing::Square2D(1, 4, 16, 4, 4, 1, 2, 0, 0),                // k < s: phases with no taps
        testing::Square2D(1, 3, 16, 4, 4, 1, 1, 0, 0),                // 1x1, stride 1
    };
    for (const ConvDesc& d : in_place) {
      EXPECT_EQ(DirectWorkspaceBytes(d), 0) << DescString(d) << " " << mode;
      EXPECT_TRUE(CheckDesc(d, seed++, isa_s.c_str())) << DescString(d);
    }
    // 25 floats a channel: the last block's last vector would run past x.
    const ConvDesc odd = testing::Square2D(1, 4, 16, 5, 5, 2, 2, 0, 0);
    EXPECT_GT(DirectWorkspaceBytes(odd), 0);
    EXPECT_TRUE(CheckDesc(odd, seed++, isa_s.c_str()));
    // Cout 1 runs MicroR (reads past its rows), padding and output padding
    // read around x: all three are copied.
    for (const ConvDesc& d : {testing::Square2D(1, 3, 1, 4, 4, 2, 2, 0, 0), testing::Square2D(1, 3, 16, 4, 4, 4, 2, 1, 0),
                              testing::Square2D(1, 3, 16, 4, 4, 2, 2, 0, 1)}) {
      EXPECT_GT(DirectWorkspaceBytes(d), 0) << DescString(d);
      EXPECT_TRUE(CheckDesc(d, seed++, isa_s.c_str())) << DescString(d);
    }
  }
}

// Dilation: taps s/gcd(s, d) apart in the kernel read inputs d/gcd(s, d)
// apart; coprime s and d, d > s, d a multiple of s, phases no tap reaches.
TEST_P(PhaseFastIsa, DilatedShapesMatchReferenceBitwise) {
  for (const char* mode : kModes) {
    ModeGuard guard(mode);
    const std::string isa_s = std::string(dispatch::IsaName(GetParam())) + " mode=" + mode;
    auto dil = [](ConvDesc d, Dims dl) {
      d.dilation = dl;
      return d;
    };
    uint64_t seed = 500;
    const ConvDesc cases[] = {
        dil(testing::Square2D(1, 4, 3, 7, 6, 3, 3, 1, 0), {2, 2, 1}),        // coprime s=3, d=2
        dil(testing::Square2D(1, 3, 5, 6, 7, 4, 2, 2, 1), {2, 2, 1}),        // d = s: even phases only
        dil(testing::Square2D(2, 5, 2, 5, 5, 3, 2, 0, 1), {3, 5, 1}),        // d > s, per-axis
        dil(testing::Square2D(1, 2, 1, 9, 9, 9, 3, 4, 2), {2, 2, 1}),        // fsrcnn-like, Cout 1
        dil(testing::Square2D(6, 4, 40, 4, 4, 3, 2, 1, 0), {3, 2, 1}),       // >= 4 images (batch-interleaved)
        dil(Grouped(testing::Square2D(1, 8, 8, 6, 6, 3, 2, 2, 1), 8), {2, 2, 1}),  // depthwise
        dil(Desc3(1, 3, 4, {3, 4, 4}, 2, 2, 0, 1), {3, 2, 2}),   // 3-D
        dil(testing::Square2D(1, 2, 3, 4, 4, 2, 4, 0, 0), {2, 6, 1}),        // stride > dilated kernel, no-tap phases
    };
    for (const ConvDesc& d : cases) EXPECT_TRUE(CheckDesc(d, seed++, isa_s.c_str())) << DescString(d);
  }
}

}  // namespace
}  // namespace tconv
