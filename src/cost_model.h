// Internal: the cost model `auto` selects with (src/select.cc).
//
// Predicted seconds of one Run at T threads, from the geometry alone:
//   phase:       M / (Rp * e * ch * r / (r + hp) * par(qp, M)) + B / BW + t0
//   gemm_col2im: U / (Rg * sat(m, hm) * sat(n, hn) * sat(k, hk) * par(qg, U)) + C / Rc + B / BW + t0
// M = multiply-adds the SIMD phase path executes, e = its vector-lane
// efficiency, ch = x / (x + hc) with x = Cout/g * k_sp / s_sp (each input
// value a kernel loads serves Cout/g channels x the phase's taps: with few
// of both it is load-bound), r = multiply-adds per output element
// (Cin/g * k_sp / s_sp: a short reduction leaves the kernel load-bound),
// U = N*Cin*Cout/g*k_sp*in_sp (the GEMM's), m, n, k = the GEMM's dimensions
// Cout/g*k_sp, in_sp, Cin/g, sat(x, h) = x / (x + h), C = column-buffer
// elements (col2im's scattered adds), B = input + output bytes, par(q, W) =
// 1 + (T-1) q W / (W + wq) (a second thread's gain, smaller on small work).
// On a one-pixel input (src/algo/gemm_one_pixel.h) gemm_col2im is one GEMM
// over the batch: m, n, k = Cout/g*out_sp, N, Cin/g, and C = 0.
// The constants are fitted on the broad suite at 1 and 2 threads at AVX-512
// (bench/calibration/cv_auto.py: the fit leads with the ratio of the two
// predictions, which decides the pick; the measured cross-validation is in
// bench/RESULTS.md). The phase rate Rp depends on the ISA the kernels run
// at: it is measured at each ISA (bench/calibration/measure_isa_rates.sh),
// so a plan capped at TCONV_ISA=scalar is predicted at scalar speed.
#ifndef TCONV_SRC_COST_MODEL_H_
#define TCONV_SRC_COST_MODEL_H_

#include "src/dispatch/cpu.h"
#include "src/geom3.h"

namespace tconv {

struct CostModelConstants {
  double rp, hp, bw, rg, hm, t0;
  double qp, qg;  // parallel efficiency of a second thread: phase, gemm_col2im
  double wq;      // multiply-adds at which that efficiency is half reached
  double hc;      // phase's input reuse: rate x x / (x + hc), x = Cout/g * k_sp / s_sp
  double rc;      // col2im: column elements added per second
  double hn, hk;  // the GEMM's n and k half-saturation (hm: its m)
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
