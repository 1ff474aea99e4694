// The phase SIMD path (planner src/algo/phase_fast/, kernels src/kernels/)
// against the reference, bit for bit on small-integer data, for every
// geometry it accepts (random sweep + the decoder shapes scaled down), at
// every ISA this build has (the TCONV_ISA cap via dispatch::SetIsaCap), with
// every path of PhaseTuning, threads 1 vs 2 bitwise equal, and channels-last
// input. Outputs start as NaN so an unwritten element fails.
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
#include "src/geom3.h"
#include "tconv/reference.h"
#include "tests/support/channels_last.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

struct Outcome {
  bool accepted = false;
  bool y_channels_last = false;  // channels_last runs: y is (N, *out, Cout)
  std::string why;
  std::string kernel;
  AlgoCost cost;
};

// Runs the fast path at `threads` with `tuning`, returns false (and why)
// when declined. channels_last: x is (N, *in, Cin), and y channels last when
// the path says so (Outcome::y_channels_last).
Outcome RunFast(const ConvDesc& d, const std::vector<float>& x, const std::vector<float>& w,
                const std::vector<float>& b, int threads, std::vector<float>* y, const PhaseTuning& tuning,
                bool channels_last = false) {
  Outcome o;
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  const PrepareInput in{g, ConstBuffer(w.data()), ConstBuffer(b.empty() ? nullptr : b.data()), tuning, nullptr, threads};
  auto algo = PreparePhaseFast(in, &o.why, channels_last);
  if (!algo) return o;
  o.accepted = true;
  o.y_channels_last = channels_last && algo->WritesChannelsLast();
  o.kernel = algo->Kernel();
  algo->ActualCost(&o.cost);
  // Exactly the reported workspace, so AddressSanitizer sees any over-read,
  // and NaN, so padding the kernel reads but nobody wrote fails the check.
  std::vector<float> ws(static_cast<size_t>(std::max<int64_t>(1, o.cost.workspace_bytes / 4)),
                        std::numeric_limits<float>::quiet_NaN());
  y->assign(static_cast<size_t>(NumElements(ConvTransposeOutputShape(d))), std::numeric_limits<float>::quiet_NaN());
  algo->Run(ConstBuffer(x.data()), Buffer(y->data()), ws.data(), threads);
  return o;
}

// Channels-last runs CheckDesc made, [0]: y written channels first, [1]:
// y channels last (the sweep asserts both happen).
int64_t g_channels_last_runs[2] = {0, 0};

// Returns true when accepted; checks bitwise vs ref and threads 1 vs 2.
bool CheckDesc(const ConvDesc& d, uint64_t seed, const std::string& isa, const PhaseTuning& tuning = PhaseTuning(),
               std::string* kernel = nullptr) {
  std::vector<float> x(NumElements(ConvTransposeInputShape(d))), w(NumElements(ConvTransposeWeightShape(d))),
      b(d.out_channels);
  const int bound = testing::SafeIntegerBound(d);
  testing::FillIntegers(&x, seed, bound);
  testing::FillIntegers(&w, seed + 1, bound);
  testing::FillIntegers(&b, seed + 2, bound);
  const bool use_bias = seed % 3 != 0;
  if (!use_bias) b.clear();
  std::vector<float> y1, y2;
  Outcome o = RunFast(d, x, w, b, 1, &y1, tuning);
  if (!o.accepted) return false;
  if (kernel) *kernel = o.kernel;
  Tensor ref(ConvTransposeOutputShape(d));
  ConstTensorView bv = use_bias ? ConstTensorView(b.data(), Shape{d.out_channels}) : ConstTensorView();
  Status st = ConvTransposeRef(d, ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                               ConstTensorView(w.data(), ConvTransposeWeightShape(d)), bv, ref.view());
  EXPECT_TRUE(st.ok()) << st.message();
  const std::string repro = testing::Repro(d, seed) + " algo=phase_fast isa=" + isa + " kernel=" + o.kernel;
  size_t bad = 0;
  for (size_t i = 0; i < y1.size(); ++i) {
    if (!(y1[i] == ref.data[i])) {
      if (bad++ < 3) ADD_FAILURE() << repro << ": y[" << i << "] = " << y1[i] << ", ref " << ref.data[i];
    }
  }
  EXPECT_EQ(bad, 0u) << repro;
  RunFast(d, x, w, b, 2, &y2, tuning);
  EXPECT_EQ(std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)), 0) << repro << ": threads 1 vs 2 differ";
  // Channels last (x transposed straight into the padded volumes; y
  // written channels last from the tile in pixel mode): the same values, bit
  // for bit, where the fast path takes it.
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  const std::vector<float> x_cl = testing::ToChannelsLast(x, g.n, g.cin, g.in_sp);
  const std::vector<float> y1_cl = testing::ToChannelsLast(y1, g.n, g.cout, g.out_sp);
  std::vector<float> y3;
  for (int threads : {1, 2}) {
    const Outcome cl = RunFast(d, x_cl, w, b, threads, &y3, tuning, /*channels_last=*/true);
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

using testing::Desc1;
using testing::Desc3;
using PhaseFastIsa = testing::IsaTest;

// Every path the planner can take, through PhaseTuning (include/tconv/
// tuning.h): "auto" is the planner's own choice; the others force a kernel
// family (pixels, channels in lanes, direct) with the flat-blocks-inner task
// order, and turn one option off each: "pixels/cout" forces the
// Cout-blocks-inner order, which `auto` picks only for inputs larger than
// the test shapes; "channels/unstaged" stores NCHW y directly instead of
// through the channels-last staging buffer; "channels/nobint" keeps the
// plain layout for >= 4 images; "norows" turns the row-reuse kernels off,
// so the per-tap kernels run on the undilated shapes too; "auto/nopad"
// turns off per-task padding, the pad pass's split by rows (one image on 2
// threads) and the threads' private padded copies, so the shared pad pass
// runs instead; "auto/rowpad" turns off only the private copies, so one
// image on 2 threads takes the pad pass's split by rows.
struct Variant {
  std::string name;
  PhaseTuning tuning;
};

std::vector<Variant> Variants() {
  auto mode = [](PhaseTuning::Mode m) {
    PhaseTuning t;
    t.mode = m;
    t.task_order = PhaseTuning::TaskOrder::kBlocksInner;
    return t;
  };
  using Mode = PhaseTuning::Mode;
  std::vector<Variant> v = {{"auto", PhaseTuning()},
                            {"pixels", mode(Mode::kPixels)},
                            {"pixels/cout", mode(Mode::kPixels)},
                            {"pixels/norows", mode(Mode::kPixels)},
                            {"channels", mode(Mode::kChannels)},
                            {"channels/unstaged", mode(Mode::kChannels)},
                            {"channels/nobint", mode(Mode::kChannels)},
                            {"direct", mode(Mode::kDirect)},
                            {"direct/norows", mode(Mode::kDirect)},
                            {"auto/nopad", PhaseTuning()},
                            {"auto/rowpad", PhaseTuning()}};
  v[2].tuning.task_order = PhaseTuning::TaskOrder::kCoutInner;
  v[3].tuning.row_reuse = false;
  v[5].tuning.stage_y = false;
  v[6].tuning.batch_interleave = false;
  v[8].tuning.row_reuse = false;
  v[9].tuning.local_pad = false;
  v[9].tuning.row_split_pad = false;
  v[9].tuning.private_pad = false;
  v[10].tuning.private_pad = false;
  return v;
}

TEST_P(PhaseFastIsa, RandomSweepMatchesReferenceBitwise) {
  for (const Variant& variant : Variants()) {
    const std::string isa = std::string(this->isa()) + " variant=" + variant.name;
    const std::string mode = variant.name;
    int accepted = 0, grouped = 0, three_d = 0, dilated = 0;
    g_channels_last_runs[0] = g_channels_last_runs[1] = 0;
    for (uint64_t seed = 1; seed < 20000 && accepted < 1500; ++seed) {
      testing::GeometryOptions opts;
      ConvDesc d = testing::RandomConvTransposeDesc(seed, opts);
      // Every third geometry with 4..8 images: channels mode's
      // batch-interleaved layout needs >= 4 (the generator draws 1..2).
      if (seed % 3 == 0) d.batch = 4 + static_cast<int64_t>(seed / 3 % 5);
      if (CheckDesc(d, seed, isa, variant.tuning)) {
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
    if (mode == "pixels") {
      EXPECT_GT(g_channels_last_runs[1], 0) << isa;
    }
    if (mode.rfind("direct", 0) == 0) {
      EXPECT_GT(g_channels_last_runs[0], 0) << isa;
    }
    g_channels_last_runs[0] = g_channels_last_runs[1] = 0;
  }
}

TEST_P(PhaseFastIsa, DecoderShapesMatchReferenceBitwise) {
 for (const Variant& variant : Variants()) {
  const std::string isa = std::string(this->isa()) + " variant=" + variant.name;
  auto CheckDesc = [&variant](const ConvDesc& d, uint64_t seed, const std::string& isa) {
    return tconv::CheckDesc(d, seed, isa, variant.tuning);
  };
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
  const ConvDesc d1 = Desc1(2, 6, 5, 37, 25, 4, 11, 1);  // 1-D, wavegan-like
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

TCONV_INSTANTIATE_FOR_EVERY_ISA(PhaseFastIsa);

// Shapes of the kernels' less common paths, on every variant: 1-D rows
// longer than the tile budget and 3-D layers with one output channel.
TEST_P(PhaseFastIsa, LongRowsAndDepthTapsMatchReferenceBitwise) {
  for (const Variant& variant : Variants()) {
    const std::string isa = std::string(this->isa()) + " variant=" + variant.name;
    uint64_t seed = 300;
    // 1-D rows longer than the tile budget (melgan-like): the row's pieces,
    // and on 2 threads the pad pass split inside the one row. Cout 9 (two
    // Cout blocks, 2102 floats in pieces of at most 1632) and Cout 1 (ten
    // pieces).
    for (const ConvDesc& d : {Desc1(1, 3, 9, 2100, 4, 2, 1, 0), Desc1(1, 5, 1, 20000, 16, 8, 4, 0)})
      EXPECT_TRUE(tconv::CheckDesc(d, seed++, isa, variant.tuning)) << DescString(d);
    // 3-D, one output channel (gan3d_out-like): the pixel rows kernel with
    // taps along depth, k4 s2 (2 x 2 x 2 taps per phase), k3 s2 (1 or 2 per
    // axis), and a dilation along depth only (its taps two slices apart).
    std::string kernel;
    EXPECT_TRUE(tconv::CheckDesc(Desc3(2, 6, 1, {4, 5, 7}, 4, 2, 1, 0), seed++, isa, variant.tuning, &kernel));
    if (variant.name == "auto" || variant.name == "pixels")
      EXPECT_NE(kernel.find("pixel_rows"), std::string::npos) << kernel;
    EXPECT_TRUE(tconv::CheckDesc(Desc3(1, 5, 1, {3, 4, 6}, 3, 2, 1, 1), seed++, isa, variant.tuning));
    ConvDesc dd = Desc3(1, 6, 1, {4, 4, 5}, 3, 2, 1, 0);
    dd.dilation = {2, 1, 1};
    EXPECT_TRUE(tconv::CheckDesc(dd, seed++, isa, variant.tuning));
  }
}

// 1-D, one output channel, Cin > 4 (the audio decoders' last layers): the
// shifts kernel, x read in place with zero-padded ends, partial sums over
// passes of 32 input channels (Cin 70: three passes, the last of 6), rows
// longer than the tile, a kernel shorter than the stride (phases with no
// taps), and strides 2, 3, 4 and 8.
TEST_P(PhaseFastIsa, OneRowOneOutputChannelMatchesReferenceBitwise) {
  for (const Variant& variant : Variants()) {
    const std::string isa = std::string(this->isa()) + " variant=" + variant.name;
    uint64_t seed = 400;
    for (const ConvDesc& d : {Desc1(2, 40, 1, 300, 16, 8, 0, 0),      // tasnet-like
                              Desc1(2, 70, 1, 301, 25, 4, 11, 1),     // wavegan-like
                              Desc1(1, 33, 1, 517, 31, 2, 15, 1),     // segan-like
                              Desc1(1, 8, 1, 9000, 9, 3, 4, 2),       // longer than the tile
                              Desc1(3, 6, 1, 50, 5, 8, 1, 3),         // k < s
                              Grouped(Desc1(1, 12, 2, 64, 8, 4, 2, 0), 2)}) {
      std::string kernel;
      EXPECT_TRUE(tconv::CheckDesc(d, seed++, isa, variant.tuning, &kernel)) << DescString(d);
      if (variant.name == "auto") EXPECT_NE(kernel.find("phase_shifts_s"), std::string::npos) << kernel;
    }
  }
}

TEST(PhaseFast, DeclinesWithReasons) {
  std::string why;
  ConvDesc d = testing::Square2D(1, 2, 2, 3, 3, 70, 65, 1, 0);
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d)), 1.0f);
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  const PhaseTuning tuning;
  EXPECT_EQ(PreparePhaseFast(PrepareInput{g, ConstBuffer(w.data()), ConstBuffer(), tuning}, &why), nullptr);
  EXPECT_EQ(why, "stride 65 > 64");
}

// Cost of the fast path on d with `tuning`, prepared for `threads`
// (nullopt-like: -1 when declined).
AlgoCost FastCost(const ConvDesc& d, const PhaseTuning& tuning = PhaseTuning(), int threads = 1) {
  std::vector<float> w(static_cast<size_t>(NumElements(ConvTransposeWeightShape(d))), 1.0f);
  std::string why;
  const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
  auto algo = PreparePhaseFast(PrepareInput{g, ConstBuffer(w.data()), ConstBuffer(), tuning, nullptr, threads}, &why);
  EXPECT_NE(algo, nullptr) << DescString(d) << ": " << why;
  AlgoCost cost;
  cost.workspace_bytes = -1;
  if (algo) algo->ActualCost(&cost);
  return cost;
}

PhaseTuning ModeTuning(PhaseTuning::Mode mode, PhaseTuning::TaskOrder order = PhaseTuning::TaskOrder::kBlocksInner) {
  PhaseTuning t;
  t.mode = mode;
  t.task_order = order;
  return t;
}

// The Cout-block direct kernel reads x itself, with no padded copy and no
// workspace, when nothing is padded around the input's rows and rows are
// whole 16-float vectors (ReadsXDirectly): x is exactly sized, so the ASan
// run of these tests catches a read past the last channel.
TEST_P(PhaseFastIsa, DirectCoutBlocksReadXInPlace) {
  const PhaseTuning direct = ModeTuning(PhaseTuning::Mode::kDirect);
  const std::string isa = std::string(this->isa()) + " mode=direct (x in place)";
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
    EXPECT_EQ(FastCost(d, direct).workspace_bytes, 0) << DescString(d);
    EXPECT_TRUE(CheckDesc(d, seed++, isa, direct)) << DescString(d);
  }
  // Rows of 24 floats: a vector would cross into the next row (and past
  // x's end on the last one), so the input is copied into padded volumes.
  const ConvDesc copied = testing::Square2D(1, 4, 6, 5, 24, 2, 2, 0, 0);
  EXPECT_GT(FastCost(copied, direct).workspace_bytes, 0);
  EXPECT_TRUE(CheckDesc(copied, seed++, isa, direct));
  // Output padding: the last column of each row reads past the input.
  EXPECT_TRUE(CheckDesc(testing::Square2D(1, 4, 6, 5, 16, 2, 2, 0, 1), seed++, isa, direct));
  // PhaseTuning::read_x_in_place off: the padded copy again.
  PhaseTuning copy = direct;
  copy.read_x_in_place = false;
  EXPECT_GT(FastCost(in_place[0], copy).workspace_bytes, 0);
  EXPECT_TRUE(CheckDesc(in_place[0], seed++, isa, copy));
}

// The pixel mode (Micro over flat blocks) reads x itself on the same
// condition, when every block's last vector ends inside x: blocks are then
// whole vectors, not whole rows, so they may start mid-row.
TEST_P(PhaseFastIsa, PixelBlocksReadXInPlace) {
  for (const PhaseTuning::TaskOrder order : {PhaseTuning::TaskOrder::kBlocksInner, PhaseTuning::TaskOrder::kCoutInner}) {
    const PhaseTuning pixels = ModeTuning(PhaseTuning::Mode::kPixels, order);
    const std::string isa = std::string(this->isa()) + " mode=pixels order=" +
                            (order == PhaseTuning::TaskOrder::kCoutInner ? "cout" : "blocks") + " (x in place)";
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
      EXPECT_EQ(FastCost(d, pixels).workspace_bytes, 0) << DescString(d) << " " << isa;
      EXPECT_TRUE(CheckDesc(d, seed++, isa, pixels)) << DescString(d);
    }
    // 25 floats a channel: the last block's last vector would run past x.
    const ConvDesc odd = testing::Square2D(1, 4, 16, 5, 5, 2, 2, 0, 0);
    EXPECT_GT(FastCost(odd, pixels).workspace_bytes, 0);
    EXPECT_TRUE(CheckDesc(odd, seed++, isa, pixels));
    // Cout 1 runs the rows kernel (reads past its rows), padding and output
    // padding read around x: all three are copied.
    for (const ConvDesc& d : {testing::Square2D(1, 3, 1, 4, 4, 2, 2, 0, 0), testing::Square2D(1, 3, 16, 4, 4, 4, 2, 1, 0),
                              testing::Square2D(1, 3, 16, 4, 4, 2, 2, 0, 1)}) {
      EXPECT_GT(FastCost(d, pixels).workspace_bytes, 0) << DescString(d);
      EXPECT_TRUE(CheckDesc(d, seed++, isa, pixels)) << DescString(d);
    }
  }
}

// Dilation: taps s/gcd(s, d) apart in the kernel read inputs d/gcd(s, d)
// apart; coprime s and d, d > s, d a multiple of s, phases no tap reaches.
TEST_P(PhaseFastIsa, DilatedShapesMatchReferenceBitwise) {
  for (const Variant& variant : Variants()) {
    const std::string isa = std::string(this->isa()) + " variant=" + variant.name;
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
    for (const ConvDesc& d : cases) EXPECT_TRUE(CheckDesc(d, seed++, isa, variant.tuning)) << DescString(d);
  }
}

// The switches of PhaseTuning change the plan as documented (the sweeps
// above check the results): per-task padding needs no workspace, the
// batch-interleaved layout drops the per-channel vector tail.
TEST(PhaseFastTuning, SwitchesChangeThePlan) {
  // dw_k4s2-like: one small plane per task, padded in the task.
  const ConvDesc dw = Grouped(testing::Square2D(1, 16, 16, 16, 16, 4, 2, 1, 0), 16);
  EXPECT_EQ(FastCost(dw).workspace_bytes, 0);
  PhaseTuning no_local;
  no_local.local_pad = false;
  EXPECT_GT(FastCost(dw, no_local).workspace_bytes, 0);
  // dcgan-like, 4 images: channels mode; interleaved [group][ci][f][4]
  // volumes are smaller than plain ones (no per-volume tail).
  const ConvDesc dcgan = testing::Square2D(4, 16, 40, 4, 4, 4, 2, 1, 0);
  PhaseTuning channels = ModeTuning(PhaseTuning::Mode::kChannels);
  channels.stage_y = false;
  PhaseTuning plain = channels;
  plain.batch_interleave = false;
  EXPECT_LT(FastCost(dcgan, channels).workspace_bytes, FastCost(dcgan, plain).workspace_bytes);
  // Staging y adds y's bytes (64-byte aligned after the padded input).
  PhaseTuning staged = channels;
  staged.stage_y = true;
  EXPECT_EQ(FastCost(dcgan, staged).workspace_bytes,
            (FastCost(dcgan, channels).workspace_bytes + 63) / 64 * 64 + 4 * 40 * 8 * 8 * 4);
}

// One image on 2 threads: a private padded copy each (PrivateInputCopies),
// the workspace one per thread; the 2-thread runs (NaN-filled workspaces of
// the reported size) check each copy is written before it is read.
TEST(PhaseFastTuning, PrivatePaddedCopiesPerThread) {
  auto copies = [](const ConvDesc& d, const PhaseTuning& t) {
    const AlgoCost one = FastCost(d, t, 1), two = FastCost(d, t, 2);
    EXPECT_GT(one.workspace_bytes, 0) << DescString(d);
    return static_cast<double>(two.workspace_bytes) / static_cast<double>(one.workspace_bytes);
  };
  PhaseTuning channels = ModeTuning(PhaseTuning::Mode::kChannels);
  channels.stage_y = false;
  const ConvDesc hifigan = Desc1(1, 16, 64, 32, 16, 8, 4, 0);  // channels mode: every task reads all of x
  EXPECT_EQ(copies(hifigan, channels), 2.0);
  // One image, Cout blocks split over the threads (blocks inner).
  const PhaseTuning pixels = ModeTuning(PhaseTuning::Mode::kPixels);
  const ConvDesc seed = testing::Square2D(1, 8, 40, 10, 10, 3, 2, 1, 1);
  EXPECT_EQ(copies(seed, pixels), 2.0);
  // Cout blocks inner with several row blocks (Run's row split otherwise).
  const PhaseTuning rows = ModeTuning(PhaseTuning::Mode::kPixels, PhaseTuning::TaskOrder::kCoutInner);
  EXPECT_EQ(copies(testing::Square2D(1, 8, 40, 64, 64, 3, 2, 1, 1), rows), 2.0);
  // Two images on two threads: each pads and reads its own.
  EXPECT_EQ(copies(testing::Square2D(2, 8, 40, 10, 10, 3, 2, 1, 1), pixels), 1.0);
  PhaseTuning off = channels;
  off.private_pad = false;
  EXPECT_EQ(copies(hifigan, off), 1.0);
  // 2 copies of 64 x 132 x 132 floats pass the 8 MiB of all copies.
  EXPECT_EQ(copies(testing::Square2D(1, 64, 32, 130, 130, 4, 2, 1, 0), channels), 1.0);
  uint64_t s = 900;
  for (const ConvDesc& d : {hifigan, seed}) {
    EXPECT_TRUE(CheckDesc(d, s++, "auto", PhaseTuning())) << DescString(d);
    EXPECT_TRUE(CheckDesc(d, s++, "channels", channels)) << DescString(d);
    EXPECT_TRUE(CheckDesc(d, s++, "pixels", pixels)) << DescString(d);
  }
}

}  // namespace
}  // namespace tconv
