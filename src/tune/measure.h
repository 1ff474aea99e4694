// Internal: PlanOptions::tune = kMeasure (include/tconv/wisdom.h): time the
// candidate algorithms on scratch data and keep the fastest plan.
#ifndef TCONV_SRC_TUNE_MEASURE_H_
#define TCONV_SRC_TUNE_MEASURE_H_

#include <memory>
#include <string>
#include <vector>

#include "tconv/plan.h"

namespace tconv {

struct MeasuredPlan {
  std::unique_ptr<Plan> plan;  // the fastest, ready to run
  double seconds = 0;          // its best time for one Run
  std::string report;          // "phase 0.12 ms, gemm_col2im 0.31 ms, gather skipped (...)"
};

// Plans each of `candidates` (algorithm names, the one expected fastest
// first) with `options` (algo forced, tune kEstimate), runs it on scratch x
// and y (deterministic values) once to warm up and then for at most about
// 0.1 s, and keeps the fastest. Bounded: a candidate the cost model predicts
// 8x slower than the best time measured so far is not run, nor timed beyond
// a second run when its warm-up run took 4x that time. A candidate that cannot be planned
// (memory) is skipped. Fails only when none can be planned or the scratch
// tensors cannot be allocated.
Status MeasureFastest(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias, const PlanOptions& options,
                      const std::vector<std::string>& candidates, MeasuredPlan* out);

// The plan `auto` makes from wisdom or measurement, before the cost model:
// the wisdom entry for the layer's key, if there is one and its algorithm
// can be planned; else, with options.tune == kMeasure, the fastest
// candidate, recorded in the store. nullptr (the cost model decides) when
// neither applies. *note says how the plan was chosen.
std::unique_ptr<Plan> CreateTunedPlan(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias,
                                      const PlanOptions& options, std::string* note);

}  // namespace tconv

#endif  // TCONV_SRC_TUNE_MEASURE_H_
