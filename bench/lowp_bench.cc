// tconv_lowp_bench: the layer suite in bf16 beside f32, tconv beside
// oneDNN, all in one process: per layer and thread count, six runners
// (tconv f32 `auto`, tconv bf16 `auto` NCHW and NHWC, oneDNN f32 (the
// peers module's onednn:blocked+bias; `tconv bench` has every f32
// configuration) and oneDNN bf16 with the bias argument and with a bias
// pass instead, at their best layouts with nothing reordered in the time)
// are timed in alternation, `--rounds` times (each time: the harness
// timer's fastest of 3 batches of >= 30 ms); the table shows medians of
// GFLOP/s (nominal flops) with the range, and the ratios of the medians
// (tconv's bf16: its faster layout's). bf16 runs take x
// and give y in bf16 (tconv: NCHW and NHWC; oneDNN: its chosen layout),
// f32 bias.
//
//   build/bench/tconv_lowp_bench [--filter SUBSTR] [--threads 1,2] [--rounds 5] [--layers PATH]
//       [--kernel bf16_phase_dpbf16_13x2]   (force one bf16 kernel)
//       [--int8 1]     (instead: int8, NCHW and NHWC, beside f32 and beside oneDNN's int8
//                       deconvolution, u8+zp and s8 src (onednn_int8.h), with
//                       the max |y difference| against tconv's int8 y; exit
//                       status 1 when it is over 1 for a same-y configuration)
//       [--routes 1]   (instead: bf16 by the dot kernels beside bf16 widened to
//                       f32, bf16 gemm_col2im and f32, and which one auto picks)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "bench/onednn_int8.h"
#include "bench/onednn_lowp.h"
#include "tconv/bfloat16.h"
#include "tconv/plan.h"
#include "tconv/quant.h"

namespace tconv {
namespace bench {
namespace {

class TconvBf16Runner : public Runner {
 public:
  std::unique_ptr<Plan> plan;
  std::vector<BFloat16> x, y;
  void Run() override {
    const Status st = plan->Run(ConstBF16View(x.data(), plan->input_shape()), BF16View(y.data(), plan->output_shape()));
    if (!st.ok()) std::abort();
  }
  std::string Impl() const override { return plan->algorithm() + " " + plan->kernel(); }
};

std::unique_ptr<Runner> MakeTconvBf16Runner(const Layer& layer, int threads, const std::string& kernel,
                                            std::string* why,
                                            PhaseTuning::Bf16Compute route = PhaseTuning::Bf16Compute::kAuto,
                                            Layout layout = Layout::kNCHW, const char* algo = "auto") {
  const ConvDesc& d = layer.desc;
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(NumElements(ConvTransposeWeightShape(d))), b(d.out_channels);
  for (float& v : w) v = u(rng);
  for (float& v : b) v = u(rng);
  PlanOptions o;
  o.threads = threads;
  o.dtype = DataType::kBFloat16;
  o.phase.kernel = kernel;
  o.phase.bf16_compute = route;
  o.layout = layout;
  o.algo = algo;
  Status st;
  auto r = std::make_unique<TconvBf16Runner>();
  r->plan = Plan::Create(d, ConstTensorView(w.data(), ConvTransposeWeightShape(d)),
                         ConstTensorView(b.data(), {d.out_channels}), o, &st);
  if (!r->plan) {
    *why = st.message();
    return nullptr;
  }
  r->x.resize(NumElements(r->plan->input_shape()));
  for (BFloat16& v : r->x) v = ToBFloat16(u(rng));
  r->y.resize(NumElements(r->plan->output_shape()));
  return r;
}

// int8: u8 x (zero point 128), s8 w per-tensor, s32 bias, u8 y; the
// products counted as the f32 layer's flops (GOP/s).
Int8Data MakeInt8Data(const Layer& layer) {
  const ConvDesc& d = layer.desc;
  Int8Data t;
  std::mt19937 rng(3);
  t.w.resize(NumElements(ConvTransposeWeightShape(d)));
  t.b.resize(d.out_channels);
  for (int8_t& v : t.w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  for (int32_t& v : t.b) v = static_cast<int32_t>(rng() % 2001) - 1000;
  t.x.resize(NumElements(ConvTransposeInputShape(d)));
  for (uint8_t& v : t.x) v = static_cast<uint8_t>(rng());
  t.q.x_zero_point = 128;
  t.q.x_scale = 0.02f;
  t.q.w_scale = {0.01f};
  // y_scale puts one standard deviation of the accumulator at 40 (y zero
  // point 128), so most of y is unsaturated and the comparison with oneDNN
  // sees real values (the time does not depend on them).
  double products = static_cast<double>(d.in_channels / d.groups);
  for (int a = 0; a < d.ndim; ++a) products *= static_cast<double>(d.kernel[a]) / d.stride[a];
  const double acc_sd = std::sqrt(std::max(1.0, products)) * 74.0 * 73.0;  // sd of x - 128, of w
  t.q.y_scale = static_cast<float>(t.q.x_scale * t.q.w_scale[0] * acc_sd / 40.0);
  t.q.y_zero_point = 128;
  return t;
}

// tconv's int8 plan in NCHW or NHWC (x transposed once, outside the time,
// as oneDNN's reorders are).
class TconvInt8Runner : public Runner {
 public:
  std::unique_ptr<Plan> plan;
  std::vector<uint8_t> x, y;
  int64_t n = 1, cout = 1;  // y (n, cout, p) or (n, p, cout)
  void Run() override {
    const Status st =
        plan->Run(ConstQuantView(x.data(), plan->input_shape()), QuantView{y.data(), plan->output_shape()});
    if (!st.ok()) std::abort();
  }
  std::string Impl() const override { return plan->algorithm() + " " + plan->kernel(); }
  bool ReadOutputNchw(float* out) override {
    const int64_t p = static_cast<int64_t>(y.size()) / (n * cout);
    const bool last = plan->layout() == Layout::kNHWC;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t c = 0; c < cout; ++c)
        for (int64_t q = 0; q < p; ++q)
          out[(i * cout + c) * p + q] =
              static_cast<float>(y[static_cast<size_t>(last ? (i * p + q) * cout + c : (i * cout + c) * p + q)]);
    return true;
  }
};

std::unique_ptr<Runner> MakeTconvInt8Runner(const Layer& layer, const Int8Data& t, int threads, Layout layout,
                                            std::string* why) {
  const ConvDesc& d = layer.desc;
  PlanOptions o;
  o.threads = threads;
  o.dtype = DataType::kInt8;
  o.layout = layout;
  Status st;
  auto r = std::make_unique<TconvInt8Runner>();
  r->plan = Plan::Create(d, ConstI8View(t.w.data(), ConvTransposeWeightShape(d)),
                         ConstI32View(t.b.data(), {d.out_channels}), t.q, o, &st);
  if (!r->plan) {
    *why = st.message();
    return nullptr;
  }
  r->x = t.x;
  r->n = d.batch, r->cout = d.out_channels;
  if (layout == Layout::kNHWC) {  // (n, c, p) -> (n, p, c)
    const int64_t c = d.in_channels, p = static_cast<int64_t>(t.x.size()) / (d.batch * c);
    for (int64_t i = 0; i < d.batch; ++i)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t q = 0; q < p; ++q)
          r->x[static_cast<size_t>((i * p + q) * c + ch)] = t.x[static_cast<size_t>((i * c + ch) * p + q)];
  }
  r->y.resize(NumElements(r->plan->output_shape()));
  return r;
}

struct Args {
  std::string filter, layers = DefaultLayersPath();
  std::string kernel;  // --kernel: the bf16 kernel forced (PhaseTuning::kernel)
  std::vector<int> threads = {1, 2};
  int rounds = 5;
  bool routes = false;  // --routes 1
  bool int8 = false;    // --int8 1
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--filter") {
      a->filter = v;
    } else if (k == "--kernel") {
      a->kernel = v;
    } else if (k == "--layers") {
      a->layers = v;
    } else if (k == "--int8") {
      a->int8 = v == "1";
    } else if (k == "--routes") {
      a->routes = v == "1";
    } else if (k == "--rounds") {
      a->rounds = std::max(1, std::atoi(v.c_str()));
    } else if (k == "--threads") {
      a->threads.clear();
      for (size_t p = 0; p < v.size(); p = v.find(',', p) == std::string::npos ? v.size() : v.find(',', p) + 1)
        a->threads.push_back(std::max(1, std::atoi(v.c_str() + p)));
    } else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      return false;
    }
  }
  return (argc % 2) == 1;
}

struct Stat {
  double med = 0, lo = 0, hi = 0;
};
Stat Summarize(std::vector<double> v) {
  Stat s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.med = v[v.size() / 2];
  s.lo = v.front();
  s.hi = v.back();
  return s;
}

std::string Cell(const Stat& s) {
  char b[64];
  if (s.med <= 0) return "-";
  std::snprintf(b, sizeof b, "%.1f (%.1f-%.1f)", s.med, s.lo, s.hi);
  return b;
}

std::string Ratio(double a, double b) {
  char r[32];
  if (a <= 0 || b <= 0) return "-";
  std::snprintf(r, sizeof r, "%.2fx", a / b);
  return r;
}

// oneDNN's bf16 runs with the bias argument and without it (a bias pass);
// each round's faster one is the round's oneDNN bf16 time, and the table
// names the configuration that won the most rounds. tconv's bf16 runs in
// both layouts (NHWC: x already channels last, as oneDNN's layouts are its
// own), and its faster median is the one compared.
void BenchLayer(const Layer& l, int t, int rounds, const std::string& kernel) {
  std::string why;
  using C = PhaseTuning::Bf16Compute;
  constexpr int kRunners = 6;
  std::unique_ptr<Runner> run[kRunners] = {MakeTconvRunner(l, "auto", t, &why),
                                           MakeTconvBf16Runner(l, t, kernel, &why),
                                           MakeTconvBf16Runner(l, t, kernel, &why, C::kAuto, Layout::kNHWC),
                                           MakePeerRunner(l, "onednn:blocked+bias", t, &why),
                                           MakeOnednnBf16Runner(l, t, true, false, &why),
                                           MakeOnednnBf16Runner(l, t, true, true, &why)};
  std::vector<double> gf[5];
  int pass_wins = 0;
  for (int r = 0; r < rounds; ++r) {
    double round[kRunners] = {};
    for (int i = 0; i < kRunners; ++i) {
      const int k = (i + r) % kRunners;  // rotate the order between rounds
      if (run[k]) round[k] = Gflops(l, TimeRunner(run[k].get(), 0.03, 3));
    }
    for (int k = 0; k < 4; ++k)
      if (run[k]) gf[k].push_back(round[k]);
    if (run[4] || run[5]) gf[4].push_back(std::max(round[4], round[5]));
    pass_wins += round[5] > round[4];
  }
  const Runner* onednn_bf16 = 2 * pass_wins > rounds ? run[5].get() : run[4].get();
  Stat s[5];
  for (int i = 0; i < 5; ++i) s[i] = Summarize(gf[i]);
  const bool nhwc = s[2].med > s[1].med;
  const double best = std::max(s[1].med, s[2].med);
  std::printf("| %s | %d | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s |\n", l.name.c_str(), t, Cell(s[0]).c_str(),
              Cell(s[1]).c_str(), Cell(s[2]).c_str(), Ratio(best, s[0].med).c_str(), Cell(s[3]).c_str(),
              Cell(s[4]).c_str(), Ratio(best, s[4].med).c_str(), nhwc ? "nhwc" : "nchw",
              run[nhwc ? 2 : 1] ? run[nhwc ? 2 : 1]->Impl().c_str() : why.c_str(),
              onednn_bf16 ? onednn_bf16->Impl().c_str() : "-");
  std::fflush(stdout);
}

// max |a - b| over the two runners' outputs (u8 values as floats) and the
// share of outputs that differ, as "1 (0.02%)"; "-" when either cannot give
// them. *bad is set when the max exceeds 1 (same_y: b should give a's y).
std::string Diff(const Layer& l, Runner* a, Runner* b, bool same_y, bool* bad) {
  std::vector<float> ya(NumElements(ConvTransposeOutputShape(l.desc))), yb(ya.size());
  if (!a || !b || !a->ReadOutputNchw(ya.data()) || !b->ReadOutputNchw(yb.data())) return "-";
  double m = 0;
  size_t n = 0;
  for (size_t i = 0; i < ya.size(); ++i) {
    m = std::max(m, static_cast<double>(std::fabs(ya[i] - yb[i])));
    n += ya[i] != yb[i];
  }
  char s[64];
  if (same_y && m > 1) *bad = true;
  std::snprintf(s, sizeof s, "%.0f%s (%.3g%%)", m, same_y && m > 1 ? " (> 1!)" : "",
                100.0 * n / std::max<size_t>(1, ya.size()));
  return s;
}

// The share of tconv's y strictly inside (0, 255): how much of y the
// comparison sees unsaturated.
std::string Unsaturated(Runner* tconv_int8, const Layer& l) {
  std::vector<float> y(NumElements(ConvTransposeOutputShape(l.desc)));
  if (!tconv_int8->ReadOutputNchw(y.data())) return "-";
  size_t n = 0;
  for (float v : y) n += v > 0 && v < 255;
  char s[32];
  std::snprintf(s, sizeof s, "%.0f%%", 100.0 * n / std::max<size_t>(1, y.size()));
  return s;
}

// --int8: tconv's int8 plan (NCHW and NHWC) beside its f32 one (`auto`
// all) and beside oneDNN's int8 deconvolution in the configurations of
// onednn_int8.h (each in the layout oneDNN picks): u8 with the src zero
// point, s8, u8 with a compensation post-op, and that post-op carrying the
// bias instead of the bias argument (all the same result as tconv), and u8
// without the zero point (a different result, a timing reference). The
// ratio is tconv's faster layout over the fastest of the four same-result
// oneDNN ones; the diff columns are over y (u8 units)
// against tconv's NCHW y (the NHWC one must equal it). False when tconv
// cannot run the layer, its layouts disagree, or a same-result
// configuration's y is more than 1 off tconv's.
bool BenchInt8(const Layer& l, int t, int rounds) {
  using S = OnednnInt8Src;
  std::string why, why_dnnl;
  const Int8Data data = MakeInt8Data(l);
  constexpr int kN = 8, kDnnl = 3;  // tconv f32, int8 NCHW, int8 NHWC, then oneDNN's
  std::unique_ptr<Runner> run[kN] = {MakeTconvRunner(l, "auto", t, &why),
                                     MakeTconvInt8Runner(l, data, t, Layout::kNCHW, &why),
                                     MakeTconvInt8Runner(l, data, t, Layout::kNHWC, &why)};
  for (int i = kDnnl; i < kN; ++i) {
    std::string w;
    run[i] = MakeOnednnInt8Runner(l, data, t, static_cast<S>(i - kDnnl), &w);
    if (!run[i]) why_dnnl += w + "; ";
  }
  if (!run[0] || !run[1] || !run[2]) {
    std::printf("| %s | %d | %s |\n", l.name.c_str(), t, why.c_str());
    return false;
  }
  std::vector<double> gf[kN];
  for (int r = 0; r < rounds; ++r)
    for (int i = 0; i < kN; ++i) {
      const int k = (i + r) % kN;  // rotate the order between rounds
      if (run[k]) gf[k].push_back(Gflops(l, TimeRunner(run[k].get(), 0.03, 3)));
    }
  Stat s[kN];
  for (int i = 0; i < kN; ++i) s[i] = Summarize(gf[i]);
  int best = kDnnl;
  for (int i = kDnnl + 1; i < kN - 1; ++i)
    if (s[i].med > s[best].med) best = i;
  const int mine = s[2].med > s[1].med ? 2 : 1;
  std::string cells, impls;
  bool bad = false;
  if (Diff(l, run[1].get(), run[2].get(), true, &bad).rfind("0 ", 0) != 0) bad = true;  // the layouts agree exactly
  for (int i = kDnnl; i < kN; ++i) {
    cells += Cell(s[i]) + " | " +
             Diff(l, run[1].get(), run[i].get(), static_cast<S>(i - kDnnl) != S::kNoZeroPoint, &bad) + " | ";
    if (run[i])
      impls +=
          std::string(impls.empty() ? "" : "; ") + OnednnInt8SrcName(static_cast<S>(i - kDnnl)) + ": " + run[i]->Impl();
  }
  std::printf("| %s | %d | %s | %s | %s | %s | %s%s (%s / %s) | %s | %s | %s%s |\n", l.name.c_str(), t,
              Cell(s[0]).c_str(), Cell(s[1]).c_str(), Cell(s[2]).c_str(), Ratio(s[mine].med, s[0].med).c_str(),
              cells.c_str(), Ratio(s[mine].med, s[best].med).c_str(), mine == 2 ? "nhwc" : "nchw",
              OnednnInt8SrcName(static_cast<S>(best - kDnnl)), Unsaturated(run[1].get(), l).c_str(),
              run[2]->Impl().c_str(), impls.c_str(), why_dnnl.empty() ? "" : (" refused: " + why_dnnl).c_str());
  std::fflush(stdout);
  return !bad;
}

// --routes: the ways to compute bf16 (phase's PhaseTuning::Bf16Compute
// routes, and gemm_col2im: on the AMX tiles where the list has them),
// beside f32, and auto's pick: its loss is the fastest route's GFLOP/s
// over the picked one's.
void BenchRoutes(const Layer& l, int t, int rounds) {
  using C = PhaseTuning::Bf16Compute;
  std::string why;
  constexpr int kRuns = 4;
  std::unique_ptr<Runner> run[kRuns] = {
      MakeTconvRunner(l, "auto", t, &why), MakeTconvBf16Runner(l, t, "", &why, C::kDot, Layout::kNCHW, "phase"),
      MakeTconvBf16Runner(l, t, "", &why, C::kWiden, Layout::kNCHW, "phase"),
      MakeTconvBf16Runner(l, t, "", &why, C::kAuto, Layout::kNCHW, "gemm_col2im")};
  std::unique_ptr<Runner> pick = MakeTconvBf16Runner(l, t, "", &why, C::kAuto);
  if (!run[0] || !run[1] || !run[2] || !run[3] || !pick) {
    std::printf("| %s | %d | %s |\n", l.name.c_str(), t, why.c_str());
    return;
  }
  std::vector<double> gf[kRuns];
  for (int r = 0; r < rounds; ++r)
    for (int i = 0; i < kRuns; ++i) {
      const int k = (i + r) % kRuns;
      gf[k].push_back(Gflops(l, TimeRunner(run[k].get(), 0.03, 3)));
    }
  Stat s[kRuns];
  for (int i = 0; i < kRuns; ++i) s[i] = Summarize(gf[i]);
  const std::string impl = pick->Impl();
  const int picked_run = impl.rfind("gemm_col2im", 0) == 0          ? 3
                         : impl.find("widened") != std::string::npos ? 2
                                                                     : 1;
  const char* names[kRuns] = {"f32", "dot", "widen", "gemm"};
  const double best = std::max({s[1].med, s[2].med, s[3].med}), picked = s[picked_run].med;
  std::printf("| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", l.name.c_str(), t, Cell(s[0]).c_str(),
              Cell(s[1]).c_str(), Cell(s[2]).c_str(), Cell(s[3]).c_str(), names[picked_run],
              Ratio(best, picked).c_str(), Ratio(picked, s[0].med).c_str());
  std::fflush(stdout);
}

}  // namespace
}  // namespace bench
}  // namespace tconv

int main(int argc, char** argv) {
  using namespace tconv::bench;  // NOLINT(build/namespaces)
  Args a;
  if (!ParseArgs(argc, argv, &a)) return 2;
  std::vector<Layer> layers;
  const tconv::Status st = LoadLayers(a.layers, &layers);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 2;
  }
  std::printf("GFLOP/s (nominal), median (min-max) of %d alternated rounds\n\n", a.rounds);
  bool failed = false;
  if (a.int8) {
    std::printf(
        "| layer | threads | tconv f32 | tconv int8 nchw (GOP/s) | tconv int8 nhwc | int8 (faster)/f32 | oneDNN "
        "u8+zp | diff | oneDNN s8 | diff | oneDNN u8+comp | diff | oneDNN u8+comp+bias | diff | oneDNN u8 no zp "
        "(other y) | diff | tconv "
        "int8/oneDNN int8 (faster tconv layout / best same-y config) | tconv y unsaturated | tconv int8 nhwc "
        "kernel | oneDNN impls |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  } else if (a.routes) {
    std::printf(
        "| layer | threads | tconv f32 | bf16 dot | bf16 widen | bf16 gemm_col2im | auto picks | auto's loss | "
        "picked/f32 |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
  } else {
    std::printf(
        "| layer | threads | tconv f32 | tconv bf16 nchw | tconv bf16 nhwc | bf16 (faster)/f32 | oneDNN f32 | oneDNN "
        "bf16 | tconv/oneDNN bf16 (faster tconv layout) | tconv bf16 kernel (faster layout) | oneDNN bf16 impl |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  }
  for (const Layer& l : layers) {
    if (!a.filter.empty() && l.name.find(a.filter) == std::string::npos) continue;
    for (int t : a.threads) {
      if (a.int8) {
        if (!BenchInt8(l, t, a.rounds)) failed = true;
      } else if (a.routes) {
        BenchRoutes(l, t, a.rounds);
      } else {
        BenchLayer(l, t, a.rounds, a.kernel);
      }
    }
  }
  if (failed) std::fprintf(stderr, "tconv_lowp_bench: int8 layer refused by tconv, or oneDNN's y more than 1 off\n");
  return failed ? 1 : 0;
}
