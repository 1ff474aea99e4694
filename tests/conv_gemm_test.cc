// The GEMM forms of convolution (src/algo/conv_gemm.cc) against the
// reference: forward, backward-data and backward-weight (+ bias gradient)
// over a seeded random sweep, exact on integer data and within a rounding
// bound on real data; thread-count independence; option and shape errors.
#include <cblas.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/algo/im2col.h"
#include "src/geom3.h"
#include "tconv/conv.h"
#include "tconv/desc.h"
#include "tconv/reference.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using testing::FillIntegers;
using testing::FillUniform;
using testing::GeometryOptions;
using testing::RandomConvTransposeDesc;
using testing::Repro;

// The convolution a transposed desc is the adjoint of: input length = the
// transposed output length, channels swapped, same k, s, d, pads. With
// output_padding < stride its output length is the transposed input length.
// Random conv geometries come from here (all remainders of (i+pb+pe-ke)/s
// occur, since output_padding ranges over [0, s)).
ConvDesc ConvOf(const ConvDesc& t) { return testing::AdjointConvDesc(t); }

ConvDesc RandomConvDesc(uint64_t seed) {
  GeometryOptions opts;
  opts.output_padding_below_stride = true;
  return ConvOf(RandomConvTransposeDesc(seed, opts));
}

int64_t KernelVolume(const ConvDesc& c) {
  int64_t v = 1;
  for (int a = 0; a < c.ndim; ++a) v *= c.kernel[a];
  return v;
}
int64_t OutVolume(const ConvDesc& c) {
  int64_t v = 1;
  for (int a = 0; a < c.ndim; ++a) v *= ConvOutputLength(c, a);
  return v;
}

// Largest b <= 4 such that sums of `terms` products of integers in [-b, b]
// (plus one bias term) stay below 2^24, so float GEMM is exact.
int IntBound(int64_t terms) {
  int b = 4;
  while (b > 1 && static_cast<double>(terms + 1) * b * b >= (1 << 24)) --b;
  return b;
}

// Terms per output element of forward, backward-data, backward-weight.
int64_t ForwardDepth(const ConvDesc& c) { return c.in_channels / c.groups * KernelVolume(c); }
int64_t BackwardDataDepth(const ConvDesc& c) { return c.out_channels / c.groups * KernelVolume(c); }
int64_t BackwardWeightDepth(const ConvDesc& c) { return c.batch * OutVolume(c); }

std::vector<float> Zeros(const Shape& s) { return std::vector<float>(static_cast<size_t>(NumElements(s)), 0.0f); }

// "" when bitwise equal, else the first differing index and the count.
std::string ExactDiff(const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) return "size " + std::to_string(got.size()) + " vs " + std::to_string(want.size());
  size_t bad = 0, first = 0;
  for (size_t e = 0; e < got.size(); ++e) {
    if (std::memcmp(&got[e], &want[e], sizeof(float)) != 0) {
      if (bad++ == 0) first = e;
    }
  }
  if (bad == 0) return "";
  return std::to_string(bad) + " of " + std::to_string(got.size()) + " differ, first at " + std::to_string(first) +
         ": got " + std::to_string(got[first]) + ", want " + std::to_string(want[first]);
}

// "" when |got - want| <= 64 * eps * sqrt(depth) * max|want| everywhere.
std::string TolDiff(const std::vector<float>& got, const std::vector<float>& want, int64_t depth) {
  float maxabs = 0.0f;
  for (float v : want) maxabs = std::max(maxabs, std::fabs(v));
  const double tol = 64.0 * std::numeric_limits<float>::epsilon() * std::sqrt(static_cast<double>(depth)) * maxabs;
  for (size_t e = 0; e < got.size(); ++e) {
    const double err = std::fabs(static_cast<double>(got[e]) - want[e]);
    if (!(err <= tol)) {
      return "at " + std::to_string(e) + ": got " + std::to_string(got[e]) + ", want " + std::to_string(want[e]) +
             ", |err| " + std::to_string(err) + " > tol " + std::to_string(tol);
    }
  }
  return "";
}

ConvOptions Gemm(int threads = 1) {
  ConvOptions o;
  o.algo = "gemm";
  o.threads = threads;
  return o;
}

struct Results {
  std::vector<float> y, dx, dw, db;
};

// Runs the three ops with `opts` on the given data; bias / db optional.
Results RunAll(const ConvDesc& c, const std::vector<float>& x, const std::vector<float>& w,
               const std::vector<float>* bias, const std::vector<float>& dy, bool with_db, const ConvOptions& opts,
               const std::string& repro) {
  Results r;
  r.y = Zeros(ConvOutputShape(c));
  r.dx = Zeros(ConvInputShape(c));
  r.dw = Zeros(ConvWeightShape(c));
  r.db = with_db ? Zeros({c.out_channels}) : std::vector<float>();
  ConstTensorView bv = bias ? ConstTensorView(bias->data(), {c.out_channels}) : ConstTensorView();
  TensorView dbv = with_db ? TensorView(r.db.data(), {c.out_channels}) : TensorView();
  Status st = Conv(c, ConstTensorView(x.data(), ConvInputShape(c)), ConstTensorView(w.data(), ConvWeightShape(c)), bv,
                   TensorView(r.y.data(), ConvOutputShape(c)), opts);
  EXPECT_TRUE(st.ok()) << st.message() << " " << repro;
  st = ConvBackwardData(c, ConstTensorView(dy.data(), ConvOutputShape(c)),
                        ConstTensorView(w.data(), ConvWeightShape(c)), TensorView(r.dx.data(), ConvInputShape(c)),
                        opts);
  EXPECT_TRUE(st.ok()) << st.message() << " " << repro;
  st = ConvBackwardWeight(c, ConstTensorView(x.data(), ConvInputShape(c)),
                          ConstTensorView(dy.data(), ConvOutputShape(c)), TensorView(r.dw.data(), ConvWeightShape(c)),
                          dbv, opts);
  EXPECT_TRUE(st.ok()) << st.message() << " " << repro;
  return r;
}

struct Data {
  std::vector<float> x, w, bias, dy;
};

Data MakeData(const ConvDesc& c, uint64_t seed, bool integers) {
  Data d;
  d.x = Zeros(ConvInputShape(c));
  d.w = Zeros(ConvWeightShape(c));
  d.bias = Zeros({c.out_channels});
  d.dy = Zeros(ConvOutputShape(c));
  if (integers) {
    const int b = IntBound(std::max({ForwardDepth(c), BackwardDataDepth(c), BackwardWeightDepth(c)}));
    FillIntegers(&d.x, seed * 4 + 0, b);
    FillIntegers(&d.w, seed * 4 + 1, b);
    FillIntegers(&d.bias, seed * 4 + 2, b);
    FillIntegers(&d.dy, seed * 4 + 3, b);
  } else {
    FillUniform(&d.x, seed * 4 + 0);
    FillUniform(&d.w, seed * 4 + 1);
    FillUniform(&d.bias, seed * 4 + 2);
    FillUniform(&d.dy, seed * 4 + 3);
  }
  return d;
}

constexpr int kExactCases = 2000;
constexpr int kRealCases = 600;

TEST(ConvGemm, MatchesReferenceExactlyOnIntegers) {
  int checked = 0;
  for (uint64_t seed = 1; seed <= kExactCases; ++seed) {
    const ConvDesc c = RandomConvDesc(seed);
    const std::string repro = Repro(c, seed);
    ASSERT_TRUE(ValidateConv(c).ok()) << ValidateConv(c).message() << " " << repro;
    const Data d = MakeData(c, seed, /*integers=*/true);
    const bool with_bias = seed % 2 == 0, with_db = seed % 3 != 0;
    ConvOptions ref;
    ref.algo = "ref";
    const Results want = RunAll(c, d.x, d.w, with_bias ? &d.bias : nullptr, d.dy, with_db, ref, repro);
    const Results got = RunAll(c, d.x, d.w, with_bias ? &d.bias : nullptr, d.dy, with_db, Gemm(1 + seed % 2), repro);
    std::string diff;
    diff = ExactDiff(got.y, want.y);
    ASSERT_EQ(diff, "") << "forward " << repro;
    diff = ExactDiff(got.dx, want.dx);
    ASSERT_EQ(diff, "") << "backward-data " << repro;
    diff = ExactDiff(got.dw, want.dw);
    ASSERT_EQ(diff, "") << "backward-weight " << repro;
    diff = ExactDiff(got.db, want.db);
    ASSERT_EQ(diff, "") << "bias gradient " << repro;
    ++checked;
  }
  EXPECT_EQ(checked, kExactCases);
}

TEST(ConvGemm, MatchesReferenceWithinRoundingOnReals) {
  for (uint64_t seed = 100001; seed < 100001 + kRealCases; ++seed) {
    const ConvDesc c = RandomConvDesc(seed);
    const std::string repro = Repro(c, seed);
    const Data d = MakeData(c, seed, /*integers=*/false);
    ConvOptions ref;
    ref.algo = "ref";
    const Results want = RunAll(c, d.x, d.w, &d.bias, d.dy, true, ref, repro);
    const Results got = RunAll(c, d.x, d.w, &d.bias, d.dy, true, Gemm(2), repro);
    std::string diff;
    diff = TolDiff(got.y, want.y, ForwardDepth(c) + 1);
    ASSERT_EQ(diff, "") << "forward " << repro;
    diff = TolDiff(got.dx, want.dx, BackwardDataDepth(c));
    ASSERT_EQ(diff, "") << "backward-data " << repro;
    diff = TolDiff(got.dw, want.dw, BackwardWeightDepth(c));
    ASSERT_EQ(diff, "") << "backward-weight " << repro;
    diff = TolDiff(got.db, want.db, BackwardWeightDepth(c));
    ASSERT_EQ(diff, "") << "bias gradient " << repro;
  }
}

// Sizes where OpenBLAS blocks the GEMM (K and N beyond one panel), real data.
TEST(ConvGemm, MediumLayersWithinRounding) {
  struct Case {
    int ndim;
    int64_t n, cin, cout, groups, in, k, s, d, pb, pe;
  };
  const Case cases[] = {
      {2, 2, 32, 48, 1, 20, 3, 1, 1, 1, 1},  {2, 1, 64, 16, 4, 17, 5, 2, 1, 2, 1},
      {1, 3, 40, 40, 40, 300, 7, 3, 2, 3, 0}, {3, 1, 8, 12, 2, 9, 3, 2, 1, 1, 1},
      {2, 2, 96, 32, 1, 12, 1, 1, 1, 0, 0},  // pointwise: the identity im2col path
  };
  uint64_t seed = 7000;
  for (const Case& k : cases) {
    ConvDesc c;
    c.ndim = k.ndim;
    c.batch = k.n;
    c.in_channels = k.cin;
    c.out_channels = k.cout;
    c.groups = k.groups;
    for (int a = 0; a < k.ndim; ++a) {
      c.in[a] = k.in;
      c.kernel[a] = k.k;
      c.stride[a] = k.s;
      c.dilation[a] = k.d;
      c.pad_begin[a] = k.pb;
      c.pad_end[a] = k.pe;
    }
    ++seed;
    const std::string repro = Repro(c, seed);
    ASSERT_TRUE(ValidateConv(c).ok()) << ValidateConv(c).message() << " " << repro;
    const Data d = MakeData(c, seed, false);
    ConvOptions ref;
    ref.algo = "ref";
    const Results want = RunAll(c, d.x, d.w, &d.bias, d.dy, true, ref, repro);
    const Results got1 = RunAll(c, d.x, d.w, &d.bias, d.dy, true, Gemm(1), repro);
    const Results got2 = RunAll(c, d.x, d.w, &d.bias, d.dy, true, Gemm(2), repro);
    EXPECT_EQ(TolDiff(got1.y, want.y, ForwardDepth(c) + 1), "") << "forward " << repro;
    EXPECT_EQ(TolDiff(got1.dx, want.dx, BackwardDataDepth(c)), "") << "backward-data " << repro;
    EXPECT_EQ(TolDiff(got1.dw, want.dw, BackwardWeightDepth(c)), "") << "backward-weight " << repro;
    EXPECT_EQ(TolDiff(got1.db, want.db, BackwardWeightDepth(c)), "") << "bias gradient " << repro;
    EXPECT_EQ(ExactDiff(got2.y, got1.y), "") << "forward threads 2 vs 1 " << repro;
    EXPECT_EQ(ExactDiff(got2.dx, got1.dx), "") << "backward-data threads 2 vs 1 " << repro;
    EXPECT_EQ(ExactDiff(got2.dw, got1.dw), "") << "backward-weight threads 2 vs 1 " << repro;
    EXPECT_EQ(ExactDiff(got2.db, got1.db), "") << "bias gradient threads 2 vs 1 " << repro;
  }
}

TEST(ConvGemm, ThreadCountDoesNotChangeBits) {
  for (uint64_t seed = 200001; seed < 200601; ++seed) {
    ConvDesc c = RandomConvDesc(seed);
    c.batch = 4;  // several (n, group) slices, and enough work to run in parallel
    c.in_channels *= 4;
    c.out_channels *= 4;
    const std::string repro = Repro(c, seed);
    const Data d = MakeData(c, seed, /*integers=*/false);
    const Results r1 = RunAll(c, d.x, d.w, &d.bias, d.dy, true, Gemm(1), repro);
    for (int threads : {2, 3}) {
      const Results r = RunAll(c, d.x, d.w, &d.bias, d.dy, true, Gemm(threads), repro);
      ASSERT_EQ(ExactDiff(r.y, r1.y), "") << "forward threads " << threads << " " << repro;
      ASSERT_EQ(ExactDiff(r.dx, r1.dx), "") << "backward-data threads " << threads << " " << repro;
      ASSERT_EQ(ExactDiff(r.dw, r1.dw), "") << "backward-weight threads " << threads << " " << repro;
      ASSERT_EQ(ExactDiff(r.db, r1.db), "") << "bias gradient threads " << threads << " " << repro;
    }
  }
}

// The im2col helpers as the transposed algorithms use them: the transposed
// desc read through AsConvGeom, y = bias + Col2ImAdd(W^T * x), must equal
// ConvTransposeRef exactly on integers, for any output padding (also >= s).
// Also checks Im2Col and Col2ImAdd are adjoint: <Im2Col(u), v> = <u, Col2Im(v)>.
TEST(Im2Col, ServesTheTransposedViewAndIsAdjoint) {
  for (uint64_t seed = 300001; seed < 302001; ++seed) {
    const ConvDesc t = RandomConvTransposeDesc(seed);
    const std::string repro = Repro(t, seed);
    const Geom3 g = AsConvGeom(MakeGeom3(t, GeomOp::kConvTranspose));
    const int b = testing::SafeIntegerBound(t);
    std::vector<float> x = Zeros(ConvTransposeInputShape(t)), w = Zeros(ConvTransposeWeightShape(t));
    std::vector<float> bias = Zeros({t.out_channels});
    FillIntegers(&x, seed * 3, b);
    FillIntegers(&w, seed * 3 + 1, b);
    FillIntegers(&bias, seed * 3 + 2, b);
    std::vector<float> want = Zeros(ConvTransposeOutputShape(t)), got = want;
    const Status st = ConvTransposeRef(t, ConstTensorView(x.data(), ConvTransposeInputShape(t)),
                                       ConstTensorView(w.data(), ConvTransposeWeightShape(t)),
                                       ConstTensorView(bias.data(), {t.out_channels}),
                                       TensorView(want.data(), ConvTransposeOutputShape(t)));
    ASSERT_TRUE(st.ok()) << st.message() << " " << repro;
    const int rows = static_cast<int>(g.cin_g * g.k_sp), cols = static_cast<int>(g.out_sp);
    const int depth = static_cast<int>(g.cout_g);  // = Cin_t / groups
    std::vector<float> col(static_cast<size_t>(rows) * cols);
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const float* xg = x.data() + (n * g.cout + grp * g.cout_g) * g.out_sp;  // transposed input slice
        const float* wg = w.data() + grp * g.cout_g * rows;
        float* yg = got.data() + (n * g.cin + grp * g.cin_g) * g.in_sp;  // transposed output slice
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, rows, cols, depth, 1.0f, wg, rows, xg, cols, 0.0f,
                    col.data(), cols);
        for (int64_t c = 0; c < g.cin_g; ++c) std::fill_n(yg + c * g.in_sp, g.in_sp, bias[grp * g.cin_g + c]);
        Col2ImAdd(g, col.data(), yg);
      }
    const std::string diff = ExactDiff(got, want);
    ASSERT_EQ(diff, "") << "gemm + col2im via AsConvGeom " << repro;

    // Adjointness of the pair on one slice, in double (exact on integers).
    std::vector<float> u(static_cast<size_t>(g.cin_g * g.in_sp)), v(col.size()), iu(col.size()), cv(u.size(), 0.0f);
    FillIntegers(&u, seed * 5, 3);
    FillIntegers(&v, seed * 5 + 1, 3);
    Im2Col(g, u.data(), iu.data());
    Col2ImAdd(g, v.data(), cv.data());
    double lhs = 0.0, rhs = 0.0;
    for (size_t e = 0; e < v.size(); ++e) lhs += static_cast<double>(iu[e]) * v[e];
    for (size_t e = 0; e < u.size(); ++e) rhs += static_cast<double>(u[e]) * cv[e];
    ASSERT_EQ(lhs, rhs) << "Im2Col / Col2ImAdd adjointness " << repro;
  }
}

// A fixed small conv for the error tests.
ConvDesc SmallConv() {
  ConvDesc c;
  c.ndim = 2;
  c.batch = 2;
  c.in_channels = 4;
  c.out_channels = 6;
  c.groups = 2;
  c.in = {5, 6, 1};
  c.kernel = {3, 2, 1};
  c.pad_begin = {1, 0, 0};
  return c;
}

TEST(ConvGemm, RejectsUnknownAlgoNamingIt) {
  const ConvDesc c = SmallConv();
  std::vector<float> x = Zeros(ConvInputShape(c)), w = Zeros(ConvWeightShape(c)), y = Zeros(ConvOutputShape(c));
  ConvOptions o;
  o.algo = "winograd";
  Status st = Conv(c, ConstTensorView(x.data(), ConvInputShape(c)), ConstTensorView(w.data(), ConvWeightShape(c)),
                   ConstTensorView(), TensorView(y.data(), ConvOutputShape(c)), o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("winograd"), std::string::npos) << st.message();
  st = ConvBackwardData(c, ConstTensorView(y.data(), ConvOutputShape(c)), ConstTensorView(w.data(), ConvWeightShape(c)),
                        TensorView(x.data(), ConvInputShape(c)), o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("winograd"), std::string::npos) << st.message();
  st = ConvBackwardWeight(c, ConstTensorView(x.data(), ConvInputShape(c)),
                          ConstTensorView(y.data(), ConvOutputShape(c)), TensorView(w.data(), ConvWeightShape(c)),
                          TensorView(), o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("winograd"), std::string::npos) << st.message();

  o.algo = "gemm";
  o.threads = 0;
  st = Conv(c, ConstTensorView(x.data(), ConvInputShape(c)), ConstTensorView(w.data(), ConvWeightShape(c)),
            ConstTensorView(), TensorView(y.data(), ConvOutputShape(c)), o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("threads"), std::string::npos) << st.message();
}

TEST(ConvGemm, ShapeMismatchNamesTheTensor) {
  const ConvDesc c = SmallConv();
  const Shape xs = ConvInputShape(c), ws = ConvWeightShape(c), ys = ConvOutputShape(c);
  std::vector<float> buf(4096, 0.0f);
  float* p = buf.data();
  auto bad = [](Shape s) {
    s.back() += 1;
    return s;
  };
  struct Expect {
    Status st;
    const char* name;
  };
  for (const char* algo : {"gemm", "auto", "ref"}) {
    ConvOptions o;
    o.algo = algo;
    const Expect cases[] = {
        {Conv(c, {p, bad(xs)}, {p, ws}, {}, {p, ys}, o), "input has shape"},
        {Conv(c, {p, xs}, {p, bad(ws)}, {}, {p, ys}, o), "weight has shape"},
        {Conv(c, {p, xs}, {p, ws}, {}, {p, bad(ys)}, o), "output has shape"},
        {Conv(c, {p, xs}, {p, ws}, {p, {5}}, {p, ys}, o), "bias has shape"},
        {ConvBackwardData(c, {p, bad(ys)}, {p, ws}, {p, xs}, o), "output gradient has shape"},
        {ConvBackwardData(c, {p, ys}, {p, bad(ws)}, {p, xs}, o), "weight has shape"},
        {ConvBackwardData(c, {p, ys}, {p, ws}, {p, bad(xs)}, o), "input gradient has shape"},
        {ConvBackwardWeight(c, {p, bad(xs)}, {p, ys}, {p, ws}, {}, o), "input has shape"},
        {ConvBackwardWeight(c, {p, xs}, {p, bad(ys)}, {p, ws}, {}, o), "output gradient has shape"},
        {ConvBackwardWeight(c, {p, xs}, {p, ys}, {p, bad(ws)}, {}, o), "weight gradient has shape"},
        {ConvBackwardWeight(c, {p, xs}, {p, ys}, {p, ws}, {p, {7}}, o), "bias gradient has shape"},
    };
    for (const Expect& e : cases) {
      EXPECT_EQ(e.st.code(), StatusCode::kInvalidArgument) << algo << ": " << e.name;
      EXPECT_EQ(e.st.message().rfind(e.name, 0), 0u) << algo << ": " << e.st.message();
    }
  }
  // An invalid desc is rejected before any shape is looked at.
  ConvDesc bad_desc = c;
  bad_desc.stride[1] = 0;
  const Status st = Conv(bad_desc, {p, xs}, {p, ws}, {}, {p, ys}, Gemm());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("stride[1]"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace tconv
