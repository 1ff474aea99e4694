// Internal: the cost model `auto` selects with (src/select.cc).
//
// Predicted seconds of one 1-thread Run, from the geometry alone:
//   phase:       M / (Rp * e * r / (r + hp)) + B / BW + t0
//   gemm_col2im: U / (Rg * sat(m) * sat(n) * sat(k)) + (2 C + B) / BW + t0
// M = multiply-adds the SIMD phase path executes, e = its vector-lane
// efficiency, r = multiply-adds per output element (Cin/g * k_sp / s_sp: a
// short reduction leaves the kernel load-bound), U = N*Cin*Cout/g*k_sp*in_sp
// (the GEMM's), m, n, k = the GEMM's dimensions Cout/g*k_sp, in_sp, Cin/g,
// sat(x) = x / (x + hg), B = input + output bytes, C = column-buffer bytes.
// The six constants are fitted by least squares on log time to measured
// runs (bench/calibration/README.md: the layers, the command, the fit).
#ifndef TCONV_SRC_COST_MODEL_H_
#define TCONV_SRC_COST_MODEL_H_

#include "src/geom3.h"

namespace tconv {

struct CostModelConstants {
  double rp, hp, bw, rg, hg, t0;
};
// The constants in use (fitted on this project's benchmark machine).
const CostModelConstants& FittedCostModel();

double PredictPhaseSeconds(const Geom3& g, const CostModelConstants& c = FittedCostModel());
double PredictGemmCol2ImSeconds(const Geom3& g, const CostModelConstants& c = FittedCostModel());

}  // namespace tconv

#endif  // TCONV_SRC_COST_MODEL_H_
