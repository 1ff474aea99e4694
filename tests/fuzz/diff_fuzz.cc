// Structure-aware differential fuzzer (as oneDNN's benchdnn checks every
// implementation against its reference): the input bytes choose a tiny
// transposed convolution (1-3-D, batch 0-3, groups, dilation, asymmetric and
// negative pads, output padding, stride > kernel) and its values, small
// integers mixed with NaN, +Inf and -Inf in x, w and the bias. Every
// algorithm (auto, each named one, phase's general path on its own), both
// layouts, 1 or 2 threads and every ISA cap run it, and each result must be
// the reference's (tconv::ConvTransposeRef, double accumulation), element
// for element: the same NaNs, the same infinities, equal finite values
// (small integers keep every float sum exact). A mismatch prints a repro
// line and aborts, which libFuzzer records as a crash.
//
//   build-asan/tests/fuzz/tconv_diff_fuzz CORPUS_DIR [-max_total_time=S]
//   (scripts/fuzz.sh runs it; tests/fuzz/corpus/diff/ is the seed corpus)
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "src/algo/phase.h"
#include "src/dispatch/cpu.h"
#include "src/geom3.h"
#include "tconv/layout.h"
#include "tconv/plan.h"
#include "tconv/reference.h"

namespace {

using namespace tconv;  // NOLINT

bool Same(float got, float want) {
  if (std::isnan(want)) return std::isnan(got);
  return got == want;  // infinities by sign; -0 == +0
}

// One value: mostly small integers, non-finite with the odds the input asks.
float Value(FuzzedDataProvider* fdp, uint8_t nonfinite_per_256) {
  const uint8_t b = fdp->ConsumeIntegral<uint8_t>();
  if (b < nonfinite_per_256) {
    switch (b % 3) {
      case 0:
        return std::numeric_limits<float>::quiet_NaN();
      case 1:
        return std::numeric_limits<float>::infinity();
      default:
        return -std::numeric_limits<float>::infinity();
    }
  }
  return static_cast<float>(static_cast<int>(b % 7) - 3);
}

bool MakeDesc(FuzzedDataProvider* fdp, ConvDesc* d) {
  d->ndim = fdp->ConsumeIntegralInRange(1, 3);
  d->batch = fdp->ConsumeIntegralInRange(0, 3);
  d->groups = fdp->ConsumeIntegralInRange(1, 3);
  d->in_channels = d->groups * fdp->ConsumeIntegralInRange(1, 3);
  d->out_channels = d->groups * fdp->ConsumeIntegralInRange(1, 3);
  for (int a = 0; a < d->ndim; ++a) {
    d->in[a] = fdp->ConsumeIntegralInRange(1, 6);
    d->kernel[a] = fdp->ConsumeIntegralInRange(1, 4);
    d->stride[a] = fdp->ConsumeIntegralInRange(1, 5);
    d->dilation[a] = fdp->ConsumeIntegralInRange(1, 3);
    d->pad_begin[a] = fdp->ConsumeIntegralInRange(-3, 4);
    d->pad_end[a] = fdp->ConsumeIntegralInRange(-3, 4);
    d->output_padding[a] = fdp->ConsumeIntegralInRange(0, 3);
  }
  if (!ValidateConvTranspose(*d).ok()) return false;
  // Tiny: every algorithm, layout, thread count and ISA per input.
  return NumElements(ConvTransposeOutputShape(*d)) <= 4096 && NumElements(ConvTransposeInputShape(*d)) <= 1024;
}

[[noreturn]] void Mismatch(const ConvDesc& d, const std::string& what, int64_t i, float got, float want) {
  std::fprintf(stderr, "diff_fuzz: MISMATCH desc=%s %s: element %lld is %g, ref %g\n", DescString(d).c_str(),
               what.c_str(), static_cast<long long>(i), got, want);
  std::abort();
}

void Check(const ConvDesc& d, const std::string& what, const std::vector<float>& got, const std::vector<float>& want) {
  if (got.size() != want.size()) Mismatch(d, what + " (size)", -1, 0, 0);
  for (size_t i = 0; i < got.size(); ++i)
    if (!Same(got[i], want[i])) Mismatch(d, what, static_cast<int64_t>(i), got[i], want[i]);
}

// (N, C, *sp) -> (N, *sp, C).
std::vector<float> ToLast(const std::vector<float>& v, const Shape& nchw) {
  const int64_t n = nchw[0], c = nchw[1], p = NumElements(nchw) / std::max<int64_t>(1, n * c);
  std::vector<float> out(v.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t q = 0; q < p; ++q) out[(b * p + q) * c + ch] = v[(b * c + ch) * p + q];
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  ConvDesc d;
  if (!MakeDesc(&fdp, &d)) return 0;
  const bool has_bias = fdp.ConsumeBool();
  const int threads = fdp.ConsumeIntegralInRange(1, 2);
  const std::vector<dispatch::Isa> isas = dispatch::AvailableIsas();  // most capable first
  const dispatch::Isa isa = isas[fdp.ConsumeIntegralInRange<size_t>(0, isas.size() - 1)];
  const uint8_t odds = fdp.ConsumeIntegral<uint8_t>() % 64;  // up to 1/4 non-finite
  const Shape xs = ConvTransposeInputShape(d), ws = ConvTransposeWeightShape(d), ys = ConvTransposeOutputShape(d);
  std::vector<float> x(static_cast<size_t>(NumElements(xs))), w(static_cast<size_t>(NumElements(ws)));
  std::vector<float> b(static_cast<size_t>(d.out_channels));
  for (float& v : w) v = Value(&fdp, odds);
  for (float& v : b) v = has_bias ? Value(&fdp, odds) : 0.0f;
  for (float& v : x) v = Value(&fdp, odds);
  const ConstTensorView bias = has_bias ? ConstTensorView(b.data(), {d.out_channels}) : ConstTensorView();

  std::vector<float> want(static_cast<size_t>(NumElements(ys)));
  if (!ConvTransposeRef(d, ConstTensorView(x.data(), xs), ConstTensorView(w.data(), ws), bias,
                        TensorView(want.data(), ys))
           .ok()) {
    std::abort();  // a valid desc: the reference must run
  }
  dispatch::SetIsaCap(isa);
  const std::string where = std::string(" isa=") + dispatch::IsaName(isa) + " threads=" + std::to_string(threads);
  std::vector<std::string> algos = AlgorithmNames();
  algos.push_back("auto");
  for (const Layout layout : {Layout::kNCHW, Layout::kNHWC}) {
    const std::vector<float> x_in = layout == Layout::kNCHW ? x : ToLast(x, xs);
    const std::vector<float> y_want = layout == Layout::kNCHW ? want : ToLast(want, ys);
    for (const std::string& algo : algos) {
      PlanOptions opts;
      opts.algo = algo;
      opts.threads = threads;
      opts.layout = layout;
      Status st;
      auto plan = Plan::Create(d, ConstTensorView(w.data(), ws), bias, opts, &st);
      if (!plan) {
        std::fprintf(stderr, "diff_fuzz: Create failed: %s\n", st.message().c_str());
        Mismatch(d, algo + where, -1, 0, 0);
      }
      std::vector<float> y(want.size(), std::numeric_limits<float>::quiet_NaN());  // unwritten outputs show
      if (!plan->Run(ConstTensorView(x_in.data(), plan->input_shape()), TensorView(y.data(), plan->output_shape()))
               .ok()) {
        Mismatch(d, algo + where + " (Run)", -1, 0, 0);
      }
      Check(d, algo + where + " layout=" + LayoutName(layout) + " ran " + plan->algorithm(), y, y_want);
    }
  }
  if (d.batch > 0) {  // phase's general path on geometries its SIMD path takes
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
    std::vector<float> y(want.size(), std::numeric_limits<float>::quiet_NaN());
    PreparePhaseGeneral(g, w.data(), has_bias ? b.data() : nullptr)->Run(ConstBuffer(x.data()), Buffer(y.data()), nullptr, threads);
    Check(d, "phase general" + where, y, want);
  }
  return 0;
}
