// Layout::kNHWC: shape helpers, the channels-last <-> channels-first copies,
// and plans that take and return channels-last tensors.
//   - every algorithm over 400 seeded random geometries (1-3-D, groups,
//     dilation, pads, output padding, size-1 axes), exact integer data:
//     the NHWC plan's output is bit-equal to the reference permuted to NHWC,
//     at 1 and 2 threads, outputs pre-filled with NaN;
//   - geometries where channels or spatial size is 1 (no conversion needed)
//     and ones large enough that the copies split an image across threads;
//   - errors name the expected channels-last shape; workspace_bytes counts
//     the conversion buffers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/dispatch/cpu.h"
#include "src/layout_convert.h"
#include "tconv/layout.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/support/channels_last.h"
#include "tests/support/isa.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using testing::ToChannelsLast;

int64_t Spatial(const Shape& nchw) { return NumElements(nchw) / (nchw[0] * nchw[1]); }

TEST(Layout, NamesParseAndShapes) {
  EXPECT_STREQ(LayoutName(Layout::kNCHW), "nchw");
  EXPECT_STREQ(LayoutName(Layout::kNHWC), "nhwc");
  Layout l = Layout::kNCHW;
  EXPECT_TRUE(ParseLayout("--layout", "NHWC", &l).ok());
  EXPECT_EQ(l, Layout::kNHWC);
  EXPECT_TRUE(ParseLayout("--layout", "nchw", &l).ok());
  EXPECT_EQ(l, Layout::kNCHW);
  const Status st = ParseLayout("--layout", "nwhc", &l);
  EXPECT_EQ(st.message(), "--layout must be nchw (channels first) or nhwc (channels last) (got 'nwhc')");
  EXPECT_EQ(l, Layout::kNCHW);

  EXPECT_EQ(ShapeInLayout({2, 3, 5}, Layout::kNHWC), (Shape{2, 5, 3}));
  EXPECT_EQ(ShapeInLayout({2, 3, 5, 7}, Layout::kNHWC), (Shape{2, 5, 7, 3}));
  EXPECT_EQ(ShapeInLayout({2, 3, 4, 5, 7}, Layout::kNHWC), (Shape{2, 4, 5, 7, 3}));
  EXPECT_EQ(ShapeInLayout({2, 3, 5, 7}, Layout::kNCHW), (Shape{2, 3, 5, 7}));
  EXPECT_EQ(ShapeToNCHW({2, 4, 5, 7, 3}, Layout::kNHWC), (Shape{2, 3, 4, 5, 7}));
  EXPECT_EQ(ShapeToNCHW({2, 5, 3}, Layout::kNHWC), (Shape{2, 3, 5}));
  EXPECT_EQ(ShapeToNCHW({6}, Layout::kNHWC), (Shape{6}));
}

TEST(Layout, ConversionsMatchPlainLoopsForAnyThreadCount) {
  struct Case {
    int64_t n, c, p;
  };
  // c or p of 1, odd sizes, and images large enough to split across items.
  const Case cases[] = {{1, 1, 1}, {1, 1, 37}, {3, 5, 1}, {2, 3, 7}, {1, 21, 4099}, {3, 64, 333}, {2, 513, 129}};
  for (const Case& k : cases) {
    std::vector<float> first(static_cast<size_t>(k.n * k.c * k.p));
    testing::FillUniform(&first, 5);
    const std::vector<float> last = ToChannelsLast(first, k.n, k.c, k.p);
    for (int threads : {1, 2, 3}) {
      std::vector<float> got(first.size(), NAN);
      ChannelsFirstToLast(first.data(), got.data(), k.n, k.c, k.p, threads);
      EXPECT_EQ(got, last) << "to last n=" << k.n << " c=" << k.c << " p=" << k.p << " threads=" << threads;
      std::fill(got.begin(), got.end(), NAN);
      ChannelsLastToFirst(last.data(), got.data(), k.n, k.c, k.p, threads);
      EXPECT_EQ(got, first) << "to first n=" << k.n << " c=" << k.c << " p=" << k.p << " threads=" << threads;
    }
  }
}

// The byte and bf16 copies (int8 and bf16 plans), at every ISA (the
// AVX-512 targets' planes_to_words / words_to_planes where a pixel's
// channels are whole words, TransposeSmall elsewhere): against plain loops,
// for 1-3 threads, pixel counts off the kernels' 16-pixel blocks.
using LayoutIsa = testing::IsaTest;

TEST_P(LayoutIsa, ByteAndBf16ConversionsMatchPlainLoops) {
  struct Case {
    int64_t n, c, p;
  };
  const Case cases[] = {{1, 1, 37}, {2, 3, 7}, {1, 4, 1}, {3, 8, 33}, {2, 6, 70001}, {1, 64, 1000}, {2, 256, 37},
                        {1, 12, 5}, {2, 18, 129}};
  for (size_t elem : {size_t{1}, size_t{2}})
    for (const Case& k : cases) {
      std::vector<uint8_t> first(static_cast<size_t>(k.n * k.c * k.p) * elem), last(first.size());
      for (size_t i = 0; i < first.size(); ++i) first[i] = static_cast<uint8_t>(i * 2654435761u >> 13);
      for (int64_t i = 0; i < k.n; ++i)
        for (int64_t ch = 0; ch < k.c; ++ch)
          for (int64_t q = 0; q < k.p; ++q)
            std::memcpy(&last[static_cast<size_t>((i * k.p + q) * k.c + ch) * elem],
                        &first[static_cast<size_t>((i * k.c + ch) * k.p + q) * elem], elem);
      for (int threads : {1, 2, 3}) {
        const std::string what = "elem=" + std::to_string(elem) + " n=" + std::to_string(k.n) + " c=" +
                                 std::to_string(k.c) + " p=" + std::to_string(k.p) + " threads=" +
                                 std::to_string(threads) + " isa=" + isa();
        std::vector<uint8_t> got(first.size(), 0xA5);
        ChannelsFirstToLast(first.data(), got.data(), elem, k.n, k.c, k.p, threads);
        ASSERT_EQ(got, last) << "to last " << what;
        std::fill(got.begin(), got.end(), 0xA5);
        ChannelsLastToFirst(last.data(), got.data(), elem, k.n, k.c, k.p, threads);
        ASSERT_EQ(got, first) << "to first " << what;
      }
    }
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(LayoutIsa);

// The NHWC plan of `algo` against the reference, permuted (fatal failures
// return early). want_native: the plan must run without conversion buffers
// (workspace 0: the algorithm's channels-last path took the geometry).
void CheckNhwc(const ConvDesc& d, const std::string& algo, uint64_t seed, int threads, bool want_native = false) {
  const std::string repro = testing::Repro(d, seed) + " algo=" + algo + " threads=" + std::to_string(threads);
  const Shape xs = ConvTransposeInputShape(d), ys = ConvTransposeOutputShape(d);
  std::vector<float> x(NumElements(xs)), w(NumElements(ConvTransposeWeightShape(d))), b(d.out_channels);
  const int bound = testing::SafeIntegerBound(d);
  testing::FillIntegers(&x, seed, bound);
  testing::FillIntegers(&w, seed + 1, bound);
  testing::FillIntegers(&b, seed + 2, bound);
  Tensor want(ys);
  ASSERT_TRUE(ConvTransposeRef(d, ConstTensorView(x.data(), xs), ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                               ConstTensorView(b.data(), Shape{d.out_channels}), want.view())
                  .ok())
      << repro;
  const std::vector<float> x_last = ToChannelsLast(x, d.batch, d.in_channels, Spatial(xs));
  const std::vector<float> want_last = ToChannelsLast(want.data, d.batch, d.out_channels, Spatial(ys));

  PlanOptions opts;
  opts.algo = algo;
  opts.threads = threads;
  opts.layout = Layout::kNHWC;
  Status st;
  auto plan = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                           ConstTensorView(b.data(), Shape{d.out_channels}), opts, &st);
  ASSERT_NE(plan, nullptr) << repro << ": " << st.message();
  EXPECT_EQ(plan->layout(), Layout::kNHWC);
  if (want_native) {
    EXPECT_EQ(plan->workspace_bytes(), 0) << repro;
  }
  ASSERT_EQ(plan->input_shape(), ShapeInLayout(xs, Layout::kNHWC)) << repro;
  ASSERT_EQ(plan->output_shape(), ShapeInLayout(ys, Layout::kNHWC)) << repro;
  std::vector<float> y(want_last.size(), NAN);
  st = plan->Run(ConstTensorView(x_last.data(), plan->input_shape()), TensorView(y.data(), plan->output_shape()));
  ASSERT_TRUE(st.ok()) << repro << ": " << st.message();
  ASSERT_EQ(y, want_last) << repro;
}

TEST(Layout, NhwcPlansOfEveryAlgorithmMatchTheReferenceOnARandomSweep) {
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    const ConvDesc d = testing::RandomConvTransposeDesc(seed * 7919);
    for (const std::string& algo : AlgorithmNames()) {
      for (int threads : {1, 2}) {
        CheckNhwc(d, algo, seed * 7919, threads);
        if (::testing::Test::HasFailure()) return;  // one repro line is enough
      }
    }
  }
}

TEST(Layout, NhwcPlansOnTargetedGeometries) {
  std::vector<ConvDesc> descs = {
      testing::Square2D(2, 1, 5, 6, 7, 3, 2, 1, 0, 1),     // Cin 1: x needs no conversion
      testing::Square2D(2, 6, 1, 6, 7, 4, 2, 1, 0, 1),     // Cout 1 (FSRCNN-like): y needs none
      testing::Square2D(1, 8, 8, 9, 11, 4, 2, 1, 0, 8),    // depthwise
      testing::Square2D(3, 40, 24, 13, 17, 4, 2, 1, 0, 1), // multi-item copies per image
      testing::Square2D(2, 7, 6, 1, 1, 3, 2, 0, 0, 1),     // 1x1 input: x needs none
  };
  ConvDesc d3 = testing::Square2D(2, 6, 4, 3, 4, 3, 2, 1, 0, 2);  // 3-D, groups, dilation
  d3.ndim = 3;
  d3.in = {3, 4, 5};
  d3.kernel = {2, 3, 3};
  d3.stride = {2, 1, 3};
  d3.dilation = {1, 2, 1};
  d3.pad_begin = {0, 1, 1};
  d3.pad_end = {1, 0, 2};
  d3.output_padding = {1, 0, 0};
  descs.push_back(d3);
  ConvDesc d1 = testing::Square2D(3, 5, 4, 9, 1, 5, 3, 2, 0, 1);  // 1-D
  d1.ndim = 1;
  d1.in = {9, 1, 1};
  d1.kernel = {5, 1, 1};
  d1.stride = {3, 1, 1};
  d1.pad_begin = d1.pad_end = {2, 0, 0};
  descs.push_back(d1);
  for (size_t i = 0; i < descs.size(); ++i) {
    for (const std::string& algo : AlgorithmNames()) {
      for (int threads : {1, 2, 3}) CheckNhwc(descs[i], algo, 100 + i, threads);
    }
  }
}

// phase's native channels-last depthwise path (src/algo/depthwise_nhwc.cc)
// at every ISA: channel counts around the vector widths (tails of 1..15
// channels, 1-, 4- and 8/16-vector blocks: 256 and 300 channels reach the
// 16-vector block of AVX-512), random depthwise geometries
// (1-3-D, dilation, pads, output padding, stride > kernel), threads 1-3.
using DepthwiseNhwcIsa = testing::IsaTest;

TEST_P(DepthwiseNhwcIsa, MatchesTheReferenceBitwise) {
  const int64_t channels[] = {1, 3, 4, 8, 15, 16, 17, 37, 64, 65, 100, 129, 256, 300};
  uint64_t seed = 1;
  for (int64_t c : channels) {
    for (int rep = 0; rep < 12; ++rep, ++seed) {
      ConvDesc d = testing::RandomConvTransposeDesc(seed * 104729);
      d.in_channels = d.out_channels = d.groups = c;
      d.batch = 1 + static_cast<int64_t>(seed % 2);
      ASSERT_TRUE(ValidateConvTranspose(d).ok()) << testing::Repro(d, seed);
      for (int threads : {1, 2, 3}) {
        CheckNhwc(d, "phase", seed, threads, /*want_native=*/true);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
  // The benchmark layer's shape (dw_k4s2, smaller), 3-D, and a 1-D case.
  ConvDesc dw = testing::Square2D(2, 48, 48, 9, 10, 4, 2, 1, 0, 48);
  CheckNhwc(dw, "phase", 7, 2, true);
  ConvDesc d3 = testing::Square2D(1, 20, 20, 3, 4, 3, 2, 1, 0, 20);
  d3.ndim = 3;
  d3.in = {3, 4, 5};
  d3.kernel = {3, 2, 3};
  d3.stride = {2, 3, 1};
  d3.dilation = {2, 1, 2};
  d3.pad_begin = {1, 0, 2};
  d3.pad_end = {0, 1, 1};
  CheckNhwc(d3, "phase", 8, 2, true);
}

TCONV_INSTANTIATE_FOR_EVERY_ISA(DepthwiseNhwcIsa);

TEST(Layout, NhwcErrorsNameChannelsLastShapesAndWorkspaceCountsTheCopies) {
  const ConvDesc d = testing::Square2D(2, 4, 6, 5, 4, 3, 2, 1, 0, 2);
  Tensor w(ConvTransposeWeightShape(d));
  PlanOptions nchw_opts, nhwc_opts;
  nchw_opts.algo = nhwc_opts.algo = "phase";
  nhwc_opts.layout = Layout::kNHWC;
  Status st;
  auto nchw = Plan::Create(d, w.cview(), ConstTensorView(), nchw_opts, &st);
  auto nhwc = Plan::Create(d, w.cview(), ConstTensorView(), nhwc_opts, &st);
  ASSERT_NE(nchw, nullptr);
  ASSERT_NE(nhwc, nullptr) << st.message();
  EXPECT_EQ(nchw->layout(), Layout::kNCHW);
  EXPECT_EQ(nchw->input_shape(), (Shape{2, 4, 5, 4}));
  EXPECT_EQ(nhwc->input_shape(), (Shape{2, 5, 4, 4}));
  EXPECT_EQ(nhwc->output_shape(), (Shape{2, 9, 7, 6}));
  // Each buffer rounded up to 64 bytes after the algorithm's own scratch.
  // phase's SIMD path (pixel mode here) reads x channels last into its padded
  // volumes and writes y channels last from its tile: no copies.
  const int64_t x_copy = (2 * 4 * 5 * 4 * 4 + 63) / 64 * 64, y_copy = (2 * 6 * 9 * 7 * 4 + 63) / 64 * 64;
  EXPECT_EQ(nhwc->workspace_bytes(), nchw->workspace_bytes());
  EXPECT_EQ(LayoutConversionBytes(d, Layout::kNHWC), x_copy + y_copy);
  EXPECT_EQ(LayoutConversionBytes(d, Layout::kNCHW), 0);
  // An algorithm that computes channels first only: both copies.
  PlanOptions gemm_nchw = nchw_opts, gemm_nhwc = nhwc_opts;
  gemm_nchw.algo = gemm_nhwc.algo = "gemm_col2im";
  auto g_nchw = Plan::Create(d, w.cview(), ConstTensorView(), gemm_nchw, &st);
  auto g_nhwc = Plan::Create(d, w.cview(), ConstTensorView(), gemm_nhwc, &st);
  ASSERT_NE(g_nhwc, nullptr) << st.message();
  EXPECT_EQ(g_nhwc->workspace_bytes(), (g_nchw->workspace_bytes() + 63) / 64 * 64 + x_copy + y_copy);
  // phase in its channels mode reads and writes channels last too: no copies.
  // Its NCHW plan is the larger one: it stages y channels last (y's bytes
  // after the 64-byte-rounded padded input) and transposes it into y.
  PlanOptions channels_nchw = nchw_opts, channels_nhwc = nhwc_opts;
  channels_nchw.phase.mode = channels_nhwc.phase.mode = PhaseTuning::Mode::kChannels;
  auto c_nchw = Plan::Create(d, w.cview(), ConstTensorView(), channels_nchw, &st);
  auto c_nhwc = Plan::Create(d, w.cview(), ConstTensorView(), channels_nhwc, &st);
  ASSERT_NE(c_nhwc, nullptr) << st.message();
  EXPECT_EQ(c_nchw->workspace_bytes(), (c_nhwc->workspace_bytes() + 63) / 64 * 64 + 2 * 6 * 9 * 7 * 4);
  // Its direct kernel (one output channel per group, here 2 groups of 2 -> 1)
  // reads x channels last but writes y channels first: the y copy only.
  const ConvDesc one = testing::Square2D(2, 4, 2, 5, 4, 3, 2, 1, 0, 2);
  Tensor w1(ConvTransposeWeightShape(one));
  auto d_nchw = Plan::Create(one, w1.cview(), ConstTensorView(), nchw_opts, &st);
  auto d_nhwc = Plan::Create(one, w1.cview(), ConstTensorView(), nhwc_opts, &st);
  ASSERT_NE(d_nhwc, nullptr) << st.message();
  EXPECT_EQ(d_nhwc->workspace_bytes(), (d_nchw->workspace_bytes() + 63) / 64 * 64 + (2 * 2 * 9 * 7 * 4 + 63) / 64 * 64);

  Tensor x_nchw(Shape{2, 4, 5, 4}), y_nhwc(Shape{2, 9, 7, 6}), x_nhwc(Shape{2, 5, 4, 4}), y_nchw(Shape{2, 6, 9, 7});
  st = nhwc->Run(x_nchw.cview(), y_nhwc.view());
  EXPECT_EQ(st.message(), "input has shape (2, 4, 5, 4), expected (2, 5, 4, 4)");
  st = nhwc->Run(x_nhwc.cview(), y_nchw.view());
  EXPECT_EQ(st.message(), "output has shape (2, 6, 9, 7), expected (2, 9, 7, 6)");

  // Cout 1 and Cin 1: no conversion buffers at all (gemm_col2im: phase
  // takes this depthwise geometry channels last natively anyway).
  const ConvDesc thin = testing::Square2D(1, 1, 1, 5, 4, 3, 2, 1, 0, 1);
  Tensor wt(ConvTransposeWeightShape(thin));
  nchw_opts.algo = nhwc_opts.algo = "gemm_col2im";
  nchw = Plan::Create(thin, wt.cview(), ConstTensorView(), nchw_opts, &st);
  nhwc = Plan::Create(thin, wt.cview(), ConstTensorView(), nhwc_opts, &st);
  ASSERT_NE(nhwc, nullptr);
  EXPECT_EQ(nhwc->workspace_bytes(), nchw->workspace_bytes());
  EXPECT_EQ(LayoutConversionBytes(thin, Layout::kNHWC), 0);
}

}  // namespace
}  // namespace tconv
