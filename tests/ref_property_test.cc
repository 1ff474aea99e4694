// Property tests of the reference kernels: DESIGN.md's "Relations every
// implementation must satisfy", checked between independently written
// reference loops over a seeded random sweep of small geometries (1-3-D,
// groups incl. depthwise, dilation, asymmetric and negative pads, output
// padding, stride > kernel, size-1 inputs).
//
// Data are small integers (FillIntegers with a bound that keeps every float
// sum below 2^24, and every double inner product far below 2^53), so every
// relation is required to hold EXACTLY, not within a tolerance.
//
// Notation: t is a transposed desc (x: (N, Cin_t, i), w: (Cin_t, Cout_t/g, k),
// y: (N, Cout_t, o)); c = ConvOf(t) is the convolution it is the adjoint of:
// input (N, Cin_c = Cout_t, o), weight (Cout_c = Cin_t, Cin_c/g = Cout_t/g, k)
// -- the very same tensor as the transposed weight -- and, when
// output_padding < stride, output (N, Cout_c = Cin_t, i).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "src/geom3.h"
#include "tconv/desc.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using testing::FillIntegers;
using testing::GeometryOptions;
using testing::RandomConvTransposeDesc;
using testing::Repro;
using testing::SafeIntegerBound;

constexpr uint64_t kCases = 3000;

ConvDesc ConvOf(const ConvDesc& t) { return testing::AdjointConvDesc(t); }

// Random transposed desc whose output_padding < stride, so that ConvOf(t)
// has output length i on every axis (the adjoint relations need that).
ConvDesc AdjointableDesc(uint64_t seed) {
  GeometryOptions opts;
  opts.output_padding_below_stride = true;  // pads may be negative: the refs handle it
  return RandomConvTransposeDesc(seed, opts);
}

// An integer bound safe for the transposed desc and its convolution (their
// per-output term counts differ: Cin_t/g * prod(k) vs Cout_t/g * prod(k)).
int Bound(const ConvDesc& t) { return std::min(SafeIntegerBound(t), SafeIntegerBound(ConvOf(t))); }

std::vector<float> Zeros(const Shape& s) { return std::vector<float>(static_cast<size_t>(NumElements(s)), 0.0f); }

std::vector<float> Ints(const Shape& s, uint64_t seed, int bound) {
  std::vector<float> v = Zeros(s);
  FillIntegers(&v, seed, bound);
  return v;
}

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double acc = 0.0;
  for (size_t e = 0; e < a.size(); ++e) acc += static_cast<double>(a[e]) * b[e];
  return acc;
}

// "" when bitwise equal, else the first differing index and the count.
std::string ExactDiff(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return "size " + std::to_string(got.size()) + " vs " + std::to_string(want.size());
  size_t bad = 0, first = 0;
  for (size_t e = 0; e < got.size(); ++e) {
    if (std::memcmp(&got[e], &want[e], sizeof(float)) != 0 && bad++ == 0) first = e;
  }
  if (bad == 0) return "";
  return std::to_string(bad) + " of " + std::to_string(got.size()) + " differ, first at " + std::to_string(first) +
         ": got " + std::to_string(got[first]) + ", want " + std::to_string(want[first]);
}

ConstTensorView CV(const std::vector<float>& v, const Shape& s) { return ConstTensorView(v.data(), s); }
TensorView MV(std::vector<float>& v, const Shape& s) { return TensorView(v.data(), s); }

// The mapped conv really is the adjoint's shape: output (N, Cin_t, i).
TEST(RefProperty, ConvOfTransposedHasMatchingShapes) {
  for (uint64_t seed = 1; seed <= kCases; ++seed) {
    const ConvDesc t = AdjointableDesc(seed);
    const ConvDesc c = ConvOf(t);
    const Status st = ValidateConv(c);
    ASSERT_TRUE(st.ok()) << st.message() << " " << Repro(t, seed);
    ASSERT_EQ(ConvOutputShape(c), ConvTransposeInputShape(t)) << Repro(t, seed);
    ASSERT_EQ(ConvInputShape(c), ConvTransposeOutputShape(t)) << Repro(t, seed);
    ASSERT_EQ(ConvWeightShape(c), ConvTransposeWeightShape(t)) << Repro(t, seed);
  }
}

// conv_transpose(x) == input-gradient of the convolution c fed x as dy.
TEST(RefProperty, ConvTransposeEqualsConvBackwardData) {
  for (uint64_t seed = 1; seed <= kCases; ++seed) {
    const ConvDesc t = AdjointableDesc(seed);
    const ConvDesc c = ConvOf(t);
    const std::string repro = Repro(t, seed);
    const int b = Bound(t);
    const std::vector<float> x = Ints(ConvTransposeInputShape(t), seed * 3 + 0, b);
    const std::vector<float> w = Ints(ConvTransposeWeightShape(t), seed * 3 + 1, b);
    std::vector<float> y = Zeros(ConvTransposeOutputShape(t)), dx = Zeros(ConvInputShape(c));
    Status st = ConvTransposeRef(t, CV(x, ConvTransposeInputShape(t)), CV(w, ConvTransposeWeightShape(t)),
                                 ConstTensorView(), MV(y, ConvTransposeOutputShape(t)));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
    st = ConvBackwardDataRef(c, CV(x, ConvOutputShape(c)), CV(w, ConvWeightShape(c)), MV(dx, ConvInputShape(c)));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
    const std::string diff = ExactDiff(y, dx);
    ASSERT_EQ(diff, "") << repro;
  }
}

// <conv(u), v> == <u, conv_transpose(v)>, same weight tensor, no bias.
TEST(RefProperty, ConvAndConvTransposeAreAdjoint) {
  for (uint64_t seed = 1; seed <= kCases; ++seed) {
    const ConvDesc t = AdjointableDesc(seed);
    const ConvDesc c = ConvOf(t);
    const std::string repro = Repro(t, seed);
    const int b = Bound(t);
    const std::vector<float> u = Ints(ConvInputShape(c), seed * 5 + 0, b);
    const std::vector<float> v = Ints(ConvOutputShape(c), seed * 5 + 1, b);
    const std::vector<float> w = Ints(ConvWeightShape(c), seed * 5 + 2, b);
    std::vector<float> cu = Zeros(ConvOutputShape(c)), tv = Zeros(ConvTransposeOutputShape(t));
    Status st = ConvRef(c, CV(u, ConvInputShape(c)), CV(w, ConvWeightShape(c)), ConstTensorView(),
                        MV(cu, ConvOutputShape(c)));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
    st = ConvTransposeRef(t, CV(v, ConvTransposeInputShape(t)), CV(w, ConvTransposeWeightShape(t)),
                          ConstTensorView(), MV(tv, ConvTransposeOutputShape(t)));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
    const double lhs = Dot(cu, v), rhs = Dot(u, tv);
    ASSERT_EQ(lhs, rhs) << repro;
  }
}

// conv_transpose(x) == stride-1 conv of x dilated by s, padded ke-1-pb at the
// begin and ke-1-pe+a at the end (negative = crop), kernel flipped on every
// axis with in/out channels swapped per group. Any output padding (also >= s).
TEST(RefProperty, ConvTransposeEqualsZeroInsertionConv) {
  for (uint64_t seed = 1; seed <= kCases; ++seed) {
    const ConvDesc t = RandomConvTransposeDesc(seed);
    const std::string repro = Repro(t, seed);
    const Geom3 g = MakeGeom3(t, GeomOp::kConvTranspose);
    const int b = SafeIntegerBound(t);  // the zero-insertion conv has the same terms per output, plus zeros

    ConvDesc z = t;  // in_channels = Cin_t, out_channels = Cout_t, same groups
    for (int a = 0; a < t.ndim; ++a) {
      const int64_t ke = EffectiveKernel(t, a);
      z.in[a] = (t.in[a] - 1) * t.stride[a] + 1;
      z.stride[a] = 1;
      z.pad_begin[a] = ke - 1 - t.pad_begin[a];
      z.pad_end[a] = ke - 1 - t.pad_end[a] + t.output_padding[a];
      z.output_padding[a] = 0;
    }
    const Status vst = ValidateConv(z);
    ASSERT_TRUE(vst.ok()) << vst.message() << " " << repro;
    ASSERT_EQ(ConvOutputShape(z), ConvTransposeOutputShape(t)) << repro;

    const std::vector<float> x = Ints(ConvTransposeInputShape(t), seed * 7 + 0, b);
    const std::vector<float> w = Ints(ConvTransposeWeightShape(t), seed * 7 + 1, b);
    const std::vector<float> bias = Ints({t.out_channels}, seed * 7 + 2, b);

    // x dilated by s (zeros between samples), same (N, C) layout.
    const int64_t zi[3] = {(g.in[0] - 1) * g.s[0] + 1, (g.in[1] - 1) * g.s[1] + 1, (g.in[2] - 1) * g.s[2] + 1};
    std::vector<float> xz = Zeros(ConvInputShape(z));
    for (int64_t nc = 0; nc < g.n * g.cin; ++nc)
      for (int64_t i0 = 0; i0 < g.in[0]; ++i0)
        for (int64_t i1 = 0; i1 < g.in[1]; ++i1)
          for (int64_t i2 = 0; i2 < g.in[2]; ++i2)
            xz[((nc * zi[0] + i0 * g.s[0]) * zi[1] + i1 * g.s[1]) * zi[2] + i2 * g.s[2]] =
                x[((nc * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2];

    // wz[co, ci_g, k'] = w[ci, co_g, K-1-k'] per group, every axis flipped.
    std::vector<float> wz = Zeros(ConvWeightShape(z));
    for (int64_t grp = 0; grp < g.groups; ++grp)
      for (int64_t ci_g = 0; ci_g < g.cin_g; ++ci_g)
        for (int64_t co_g = 0; co_g < g.cout_g; ++co_g) {
          const int64_t ci = grp * g.cin_g + ci_g, co = grp * g.cout_g + co_g;
          for (int64_t k0 = 0; k0 < g.k[0]; ++k0)
            for (int64_t k1 = 0; k1 < g.k[1]; ++k1)
              for (int64_t k2 = 0; k2 < g.k[2]; ++k2)
                wz[(((co * g.cin_g + ci_g) * g.k[0] + (g.k[0] - 1 - k0)) * g.k[1] + (g.k[1] - 1 - k1)) * g.k[2] +
                   (g.k[2] - 1 - k2)] = w[(((ci * g.cout_g + co_g) * g.k[0] + k0) * g.k[1] + k1) * g.k[2] + k2];
        }

    std::vector<float> y = Zeros(ConvTransposeOutputShape(t)), yz = Zeros(ConvOutputShape(z));
    Status st = ConvTransposeRef(t, CV(x, ConvTransposeInputShape(t)), CV(w, ConvTransposeWeightShape(t)),
                                 CV(bias, {t.out_channels}), MV(y, ConvTransposeOutputShape(t)));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
    st = ConvRef(z, CV(xz, ConvInputShape(z)), CV(wz, ConvWeightShape(z)), CV(bias, {z.out_channels}),
                 MV(yz, ConvOutputShape(z)));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
    const std::string diff = ExactDiff(yz, y);
    ASSERT_EQ(diff, "") << "zero-insertion conv " << DescString(z) << " " << repro;
  }
}

// Backward-weight vs finite differences of the forward. With integer data,
// L(w) = <ConvRef(x, w, bias), v> is linear in w and exact in double, so
// L(w + e_j) - L(w) IS dL/dw_j; likewise for the bias. Exact comparison.
TEST(RefProperty, ConvBackwardWeightEqualsFiniteDifferences) {
  int64_t weights_checked = 0;
  for (uint64_t seed = 1; seed <= kCases; ++seed) {
    const ConvDesc c = ConvOf(AdjointableDesc(seed));
    const std::string repro = Repro(c, seed) + " (conv desc)";
    // +1 on one weight keeps every forward sum exact with bound - 1 data.
    const int b = std::max(1, std::min(SafeIntegerBound(c), 4) - 1);
    const Shape xs = ConvInputShape(c), ws = ConvWeightShape(c), ys = ConvOutputShape(c), bs = {c.out_channels};
    const std::vector<float> x = Ints(xs, seed * 11 + 0, b);
    const std::vector<float> v = Ints(ys, seed * 11 + 1, b);
    std::vector<float> w = Ints(ws, seed * 11 + 2, b);
    std::vector<float> bias = Ints(bs, seed * 11 + 3, b);

    std::vector<float> dw = Zeros(ws), db = Zeros(bs);
    Status st = ConvBackwardWeightRef(c, CV(x, xs), CV(v, ys), MV(dw, ws), MV(db, bs));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;

    std::vector<float> y = Zeros(ys);
    auto loss = [&]() {
      const Status s = ConvRef(c, CV(x, xs), CV(w, ws), CV(bias, bs), MV(y, ys));
      EXPECT_TRUE(s.ok()) << s.message() << " " << repro;
      return Dot(y, v);
    };
    const double l0 = loss();
    for (size_t j = 0; j < w.size(); ++j) {
      w[j] += 1.0f;
      const double fd = loss() - l0;
      w[j] -= 1.0f;
      ASSERT_EQ(fd, static_cast<double>(dw[j])) << "weight element " << j << " " << repro;
      ++weights_checked;
    }
    for (size_t co = 0; co < bias.size(); ++co) {
      bias[co] += 1.0f;
      const double fd = loss() - l0;
      bias[co] -= 1.0f;
      ASSERT_EQ(fd, static_cast<double>(db[co])) << "bias element " << co << " " << repro;
    }
  }
  RecordProperty("weights_checked", static_cast<int>(weights_checked));
}

}  // namespace
}  // namespace tconv
