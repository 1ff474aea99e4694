// ConvTransposeBackwardData / ConvTransposeBackwardWeight (the gradients of
// transposed convolution as convolutions of the same geometry) against the
// gradients written straight from the transposed convolution's definition,
// over a seeded random sweep: 1-3-D, groups, dilation, negative pads and
// output padding up to max(s, 2) (so a >= s, the case the adjoint desc's end
// pad exists for). Integer data keeps every sum exact, so any wrong tap or
// channel mapping shows as a mismatch, not a rounding difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tconv/conv_transpose_grad.h"
#include "tconv/desc.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using testing::FillIntegers;
using testing::RandomConvTransposeDesc;
using testing::Repro;

std::vector<float> Zeros(const Shape& s) { return std::vector<float>(static_cast<size_t>(NumElements(s)), 0.0f); }

struct Grads {
  std::vector<double> dx, dw, db;
};

// The definition: y[n,co,o] += x[n,ci,i] * w[ci,co_g,k] for o = i*s + k*d - pb
// inside the output, so each such triple adds dy*w to dx, x*dy to dw.
// Independent of the conv mapping under test (axes padded to three).
Grads DefinitionGrads(const ConvDesc& d, const std::vector<float>& x, const std::vector<float>& w,
                      const std::vector<float>& dy) {
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, dl[3] = {1, 1, 1}, pb[3] = {0, 0, 0},
          out[3] = {1, 1, 1};
  for (int a = 0; a < d.ndim; ++a) {
    in[a] = d.in[a], k[a] = d.kernel[a], s[a] = d.stride[a], dl[a] = d.dilation[a], pb[a] = d.pad_begin[a];
    out[a] = ConvTransposeOutputLength(d, a);
  }
  const int64_t cin_g = d.in_channels / d.groups, cout_g = d.out_channels / d.groups;
  const int64_t in_sp = in[0] * in[1] * in[2], k_sp = k[0] * k[1] * k[2], out_sp = out[0] * out[1] * out[2];
  Grads g;
  g.dx.assign(x.size(), 0.0);
  g.dw.assign(w.size(), 0.0);
  g.db.assign(static_cast<size_t>(d.out_channels), 0.0);
  for (int64_t n = 0; n < d.batch; ++n) {
    for (int64_t ci = 0; ci < d.in_channels; ++ci) {
      for (int64_t cg = 0; cg < cout_g; ++cg) {
        const int64_t co = ci / cin_g * cout_g + cg;
        for (int64_t i = 0; i < in_sp; ++i) {
          const int64_t ii[3] = {i / (in[1] * in[2]), i / in[2] % in[1], i % in[2]};
          for (int64_t t = 0; t < k_sp; ++t) {
            const int64_t kk[3] = {t / (k[1] * k[2]), t / k[2] % k[1], t % k[2]};
            int64_t o = 0;
            bool inside = true;
            for (int a = 0; a < 3; ++a) {
              const int64_t p = ii[a] * s[a] + kk[a] * dl[a] - pb[a];
              inside = inside && p >= 0 && p < out[a];
              o = o * out[a] + p;
            }
            if (!inside) continue;
            const size_t xi = static_cast<size_t>((n * d.in_channels + ci) * in_sp + i);
            const size_t wi = static_cast<size_t>((ci * cout_g + cg) * k_sp + t);
            const size_t yi = static_cast<size_t>((n * d.out_channels + co) * out_sp + o);
            g.dx[xi] += static_cast<double>(dy[yi]) * w[wi];
            g.dw[wi] += static_cast<double>(x[xi]) * dy[yi];
          }
        }
      }
    }
    for (int64_t co = 0; co < d.out_channels; ++co) {
      for (int64_t o = 0; o < out_sp; ++o) g.db[co] += dy[(n * d.out_channels + co) * out_sp + o];
    }
  }
  return g;
}

// "" when equal element for element (the sums are exact in float).
std::string Diff(const std::vector<float>& got, const std::vector<double>& want) {
  if (got.size() != want.size()) return "size " + std::to_string(got.size()) + " vs " + std::to_string(want.size());
  for (size_t e = 0; e < got.size(); ++e) {
    if (static_cast<double>(got[e]) != want[e]) {
      return "at " + std::to_string(e) + ": got " + std::to_string(got[e]) + ", want " + std::to_string(want[e]);
    }
  }
  return "";
}

// Integers in [-2, 2]: the longest sum here (dw over N*in_sp, dx over
// Cout/g*k_sp) has far fewer than 2^24 / 4 terms at these sizes.
void CheckOne(const ConvDesc& d, uint64_t seed, const char* algo) {
  const std::string repro = Repro(d, seed) + " algo=" + algo;
  std::vector<float> x = Zeros(ConvTransposeInputShape(d)), w = Zeros(ConvTransposeWeightShape(d)),
                     dy = Zeros(ConvTransposeOutputShape(d));
  FillIntegers(&x, seed, 2);
  FillIntegers(&w, seed + 1, 2);
  FillIntegers(&dy, seed + 2, 2);
  const Grads want = DefinitionGrads(d, x, w, dy);
  std::vector<float> dx = Zeros(ConvTransposeInputShape(d)), dw = Zeros(ConvTransposeWeightShape(d)),
                     db = Zeros({d.out_channels});
  ConvOptions opts;
  opts.algo = algo;
  Status st = ConvTransposeBackwardData(d, ConstTensorView(dy.data(), ConvTransposeOutputShape(d)),
                                        ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                                        TensorView(dx.data(), ConvTransposeInputShape(d)), opts);
  ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
  st = ConvTransposeBackwardWeight(d, ConstTensorView(x.data(), ConvTransposeInputShape(d)),
                                   ConstTensorView(dy.data(), ConvTransposeOutputShape(d)),
                                   TensorView(dw.data(), ConvTransposeWeightShape(d)),
                                   TensorView(db.data(), {d.out_channels}), opts);
  ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
  EXPECT_EQ(Diff(dx, want.dx), "") << "dx " << repro;
  EXPECT_EQ(Diff(dw, want.dw), "") << "dw " << repro;
  EXPECT_EQ(Diff(db, want.db), "") << "db " << repro;
}

TEST(ConvTransposeGrad, MatchesTheDefinitionOnARandomSweep) {
  int with_big_output_padding = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    const ConvDesc d = RandomConvTransposeDesc(seed);
    for (int a = 0; a < d.ndim; ++a) with_big_output_padding += d.output_padding[a] >= d.stride[a];
    CheckOne(d, seed, "gemm");
    if (seed % 8 == 0) CheckOne(d, seed, "ref");
    if (HasFatalFailure()) return;
  }
  // The sweep must reach the a >= s branch of the adjoint desc.
  EXPECT_GT(with_big_output_padding, 10);
}

// torch's output_padding may reach max(s, d) - 1: stride 1, dilation 3,
// output padding 2 on every axis, where the plain adjoint (end pad kept)
// would give the conv an output two longer than x.
TEST(ConvTransposeGrad, OutputPaddingAtLeastTheStride) {
  ConvDesc d = testing::Square2D(2, 4, 6, 5, 3, 3, 1, 1, 2, 2);
  d.dilation = {3, 3, 1};
  ASSERT_TRUE(ValidateConvTranspose(d).ok());
  const ConvDesc c = ConvTransposeAdjointDesc(d);
  EXPECT_EQ(ConvOutputShape(c), ConvTransposeInputShape(d));
  EXPECT_EQ(ConvInputShape(c), ConvTransposeOutputShape(d));
  CheckOne(d, 7, "gemm");
}

// A batch of 0 is legal (an empty output); its gradients are empty (dx)
// and zero (dw, db), whatever the buffers held before: both algorithms.
TEST(ConvTransposeGrad, EmptyBatchGivesZeroWeightGradient) {
  const ConvDesc d = testing::Square2D(0, 4, 6, 3, 3, 3, 2, 1, 1, 2);
  for (const char* algo : {"gemm", "ref"}) {
    std::vector<float> dw(static_cast<size_t>(NumElements(ConvTransposeWeightShape(d))), 7.0f), db(6, 7.0f);
    ConvOptions opts;
    opts.algo = algo;
    const Status st = ConvTransposeBackwardWeight(d, ConstTensorView(nullptr, ConvTransposeInputShape(d)),
                                                  ConstTensorView(nullptr, ConvTransposeOutputShape(d)),
                                                  TensorView(dw.data(), ConvTransposeWeightShape(d)),
                                                  TensorView(db.data(), {6}), opts);
    ASSERT_TRUE(st.ok()) << st.message() << " " << algo;
    EXPECT_TRUE(std::all_of(dw.begin(), dw.end(), [](float v) { return v == 0.0f; })) << algo;
    EXPECT_TRUE(std::all_of(db.begin(), db.end(), [](float v) { return v == 0.0f; })) << algo;
  }
}

TEST(ConvTransposeGrad, ShapeMismatchNamesTheTensor) {
  const ConvDesc d = testing::Square2D(1, 2, 3, 4, 4, 3, 2, 1, 1);
  std::vector<float> dy = Zeros(ConvTransposeOutputShape(d)), w = Zeros(ConvTransposeWeightShape(d));
  std::vector<float> dx(1000), dw(1000), db(3);
  Status st = ConvTransposeBackwardData(d, ConstTensorView(dy.data(), {1, 3, 7, 8}),
                                        ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                                        TensorView(dx.data(), ConvTransposeInputShape(d)));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("output gradient"), std::string::npos) << st.message();
  st = ConvTransposeBackwardWeight(d, ConstTensorView(dx.data(), ConvTransposeInputShape(d)),
                                   ConstTensorView(dy.data(), ConvTransposeOutputShape(d)),
                                   TensorView(dw.data(), {3, 2, 3, 3}), TensorView(db.data(), {3}));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("weight gradient"), std::string::npos) << st.message();
  st = ConvTransposeBackwardWeight(d, ConstTensorView(dx.data(), ConvTransposeInputShape(d)),
                                   ConstTensorView(dy.data(), ConvTransposeOutputShape(d)),
                                   TensorView(dw.data(), ConvTransposeWeightShape(d)), TensorView(db.data(), {2}));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("bias gradient"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace tconv
