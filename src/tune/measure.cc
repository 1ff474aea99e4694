// Measuring the candidates of a plan (src/tune/measure.h).
#include "src/tune/measure.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <new>

#include "src/algo/algorithm.h"
#include "src/cost_model.h"
#include "src/dispatch/cpu.h"
#include "src/geom3.h"
#include "src/select.h"
#include "src/tune/wisdom_key.h"
#include "tconv/wisdom.h"

namespace tconv {
namespace {

using Clock = std::chrono::steady_clock;

// Rough seconds of one Run, only to skip hopeless candidates: the cost
// model for phase and gemm_col2im; for gather and zero_insert their
// multiply-adds at rates below the slowest measured on the calibration
// layers' (gather 0.3-2.5 GFLOP/s; zero_insert is a GEMM over s^D times the
// work). Unknown: 0 (always measured).
double RoughSeconds(const std::string& name, const Geom3& g, int threads) {
  const CostModelConstants c = ActiveCostModel();
  if (name == "phase") return PredictPhaseSeconds(g, c, threads);
  if (name == "gemm_col2im") return PredictGemmCol2ImSeconds(g, c, threads);
  const Algorithm* a = FindAlgorithm(name);
  if (!a) return 0;
  const double macs = static_cast<double>(a->cost(g).macs);
  if (name == "gather") return macs / (0.5e9 * threads);
  if (name == "zero_insert") return macs / (20e9 * threads);
  return 0;
}

std::string Ms(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g ms", s * 1e3);
  return buf;
}

double TimeOneRun(const Plan& p, const Tensor& x, Tensor* y) {
  const auto t0 = Clock::now();
  (void)p.Run(x.cview(), y->view());
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Best seconds of one Run within about 0.1 s (at least 3 runs when they are
// short), or the better of two runs when the first already lost by 4x.
double TimePlan(const Plan& p, const Tensor& x, Tensor* y, double best_so_far) {
  const double warm = TimeOneRun(p, x, y);
  // (A second run: the first pays for first touches of y and the workspace.)
  if (best_so_far > 0 && warm > 4 * best_so_far) return std::min(warm, TimeOneRun(p, x, y));
  double best = warm, spent = 0;
  for (int runs = 0; runs < 1000 && spent < 0.1 && (runs < 3 || spent < 0.01); ++runs) {
    const double t = TimeOneRun(p, x, y);
    best = std::min(best, t);
    spent += t;
  }
  return best;
}

}  // namespace

Status MeasureFastest(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias, const PlanOptions& options,
                      const std::vector<std::string>& candidates, MeasuredPlan* out) {
  const Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  Tensor x, y;
  std::string skipped;
  for (const std::string& name : candidates) {
    const double rough = RoughSeconds(name, g, options.threads);
    if (out->plan && rough > 8 * out->seconds) {
      out->report += (out->report.empty() ? "" : ", ") + name + " not run (predicted " + Ms(rough) + ")";
      continue;
    }
    PlanOptions o = options;
    o.algo = name;
    o.tune = Tune::kEstimate;
    Status st;
    std::unique_ptr<Plan> p = Plan::Create(desc, weight, bias, o, &st);
    if (!p) {
      skipped += (skipped.empty() ? "" : "; ") + st.message();
      continue;
    }
    try {
      if (x.data.empty()) {
        x = Tensor(p->input_shape());
        for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.125f;
        y = Tensor(p->output_shape());
      }
    } catch (const std::bad_alloc&) {
      return Status::OutOfMemory("tune measure: cannot allocate scratch input and output");
    }
    const double s = TimePlan(*p, x, &y, out->plan ? out->seconds : 0.0);
    out->report += (out->report.empty() ? "" : ", ") + name + " " + Ms(s);
    if (!out->plan || s < out->seconds) {
      out->plan = std::move(p);
      out->seconds = s;
    }
  }
  if (!out->plan) return Status::OutOfMemory("tune measure: no algorithm could be planned: " + skipped);
  return Status::Ok();
}

std::unique_ptr<Plan> CreateTunedPlan(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias,
                                      const PlanOptions& options, std::string* note) {
  Wisdom& wisdom = options.wisdom ? *options.wisdom : Wisdom::Global();
  const std::string key = WisdomKey(desc, options.threads, options.layout, dispatch::ActiveIsaName());
  Wisdom::Entry e;
  if (wisdom.Lookup(key, &e)) {
    PlanOptions o = options;
    o.algo = e.algorithm;
    o.tune = Tune::kEstimate;
    Status st;
    if (std::unique_ptr<Plan> p = Plan::Create(desc, weight, bias, o, &st)) {
      *note = "wisdom: " + e.algorithm + " (measured " + Ms(e.seconds) + ")";
      return p;
    }
    dispatch::LogDispatch("plan: wisdom entry %s cannot be planned (%s): auto decides", e.algorithm.c_str(),
                          st.message().c_str());
  }
  if (options.tune != Tune::kMeasure || desc.batch == 0) return nullptr;
  Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  const Algorithm* pick = SelectAlgorithm(g, options.threads, nullptr);
  std::vector<std::string> candidates = {pick->name};
  for (const char* n : {"phase", "gemm_col2im", "gather", "zero_insert"})
    if (n != candidates[0]) candidates.push_back(n);
  MeasuredPlan m;
  const Status st = MeasureFastest(desc, weight, bias, options, candidates, &m);
  if (!st.ok()) {
    dispatch::LogDispatch("plan: %s: auto decides by the cost model", st.message().c_str());
    return nullptr;
  }
  wisdom.Record(key, Wisdom::Entry{m.plan->algorithm(), m.seconds});
  *note = "tune measure: " + m.report + " -> " + m.plan->algorithm();
  return std::move(m.plan);
}

}  // namespace tconv
