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
// runs at AVX-512 (bench/calibration/README.md: the layers, the command, the
// fit). The phase rate Rp depends on the ISA the kernels run at: it is
// measured at each ISA (bench/calibration/measure_isa_rates.sh), so a plan
// capped at TCONV_ISA=scalar is predicted at scalar speed.
#ifndef TCONV_SRC_COST_MODEL_H_
#define TCONV_SRC_COST_MODEL_H_

#include "src/dispatch/cpu.h"
#include "src/geom3.h"

namespace tconv {

struct CostModelConstants {
  double rp, hp, bw, rg, hg, t0;
  double qp, qg;  // parallel efficiency of a second thread: phase, gemm_col2im
  double wq;      // multiply-adds at which that efficiency is half reached
  double hc;      // phase's channel tile: rate x Cout/g / (Cout/g + hc)
};
// The constants fitted at AVX-512 on this project's benchmark machine.
const CostModelConstants& FittedCostModel();
// The constants for kernels running at `isa`: the fit with its phase rate
// scaled by the rate measured at that ISA.
CostModelConstants CostModelFor(dispatch::Isa isa);
// CostModelFor(dispatch::ActiveIsa()).
CostModelConstants ActiveCostModel();

// Seconds of one Run at `threads` threads.
double PredictPhaseSeconds(const Geom3& g, const CostModelConstants& c, int threads = 1);
double PredictGemmCol2ImSeconds(const Geom3& g, const CostModelConstants& c, int threads = 1);

}  // namespace tconv

#endif  // TCONV_SRC_COST_MODEL_H_
