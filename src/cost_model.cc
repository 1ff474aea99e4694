// The cost model of src/cost_model.h: its constants and its two formulas.
#include "src/cost_model.h"

#include "hwy/targets.h"
#include "src/algo/im2col.h"
#include "src/algo/phase_fast.h"

namespace tconv {
namespace {

// Products in double: a hostile layer's int64 products would overflow.
double D(int64_t v) { return static_cast<double>(v); }

double InOutBytes(const Geom3& g) { return 4.0 * (D(g.n) * D(g.cin) * D(g.in_sp) + D(g.n) * D(g.cout) * D(g.out_sp)); }

}  // namespace

const CostModelConstants& FittedCostModel() {
  // Fitted 2026-11-24 by bench/calibration/fit_cost_model.py on
  // bench/calibration/measured_1t.txt (38 layers x {phase, gemm_col2im}, 1
  // thread, OPENBLAS_NUM_THREADS=1, 2-core Zen 4, AVX-512). RMS error of log
  // time 0.31; the pick is the measured-fastest on 37 of 38 layers, the one
  // miss 0.87x of the best (cout1_k5d2: dilated Cout 1, no row reuse).
  static const CostModelConstants c = {4.96e10, 0.171, 1.88e10, 3.68e10, 4.53, 2.3e-6, 0.9, 0.9, 1e6, 0.0};
  return c;
}

// The phase rate at each ISA relative to AVX-512, measured on the
// calibration layers (bench/calibration/measure_isa_rates.sh, 2 rounds of
// the 5 ISAs interleaved, fit_isa_rates.py: Rp alone fitted per ISA, the
// other constants held; RMS log error 0.23-0.38). NEON (4 lanes, like
// SSE4) is not measured: arm64 runs here only under qemu; it takes SSE4's
// ratio until someone measures it on arm64 hardware.
CostModelConstants CostModelFor(dispatch::Isa isa) {
  struct Rate {
    int64_t target;
    double vs_avx512;
  };
  static constexpr Rate kRates[] = {{HWY_AVX2, 0.483}, {HWY_SSE4, 0.150},   {HWY_SSSE3, 0.142},
                                   {HWY_SCALAR, 0.052}, {HWY_EMU128, 0.052}, {HWY_NEON, 0.150}};
  CostModelConstants c = FittedCostModel();
  for (const Rate& r : kRates)
    if (r.target == isa.target) c.rp *= r.vs_avx512;
  return c;
}

CostModelConstants ActiveCostModel() { return CostModelFor(dispatch::ActiveIsa()); }

namespace {

// The compute part's speed-up at `threads`: 1 + (T-1) q W / (W + wq), W the
// multiply-adds (small layers do not fill a second core).
double Parallel(double q, double work, int threads, const CostModelConstants& c) {
  return 1.0 + (threads - 1) * q * work / (work + c.wq);
}

}  // namespace

double PredictPhaseSeconds(const Geom3& g, const CostModelConstants& c, int threads) {
  const PhaseFastProfile prof = ProfilePhaseFast(g);
  const double r = D(g.cin_g) * D(g.k_sp) / (D(g.s[0]) * D(g.s[1]) * D(g.s[2]));
  const double ch = D(g.cout_g) / (D(g.cout_g) + c.hc);
  const double macs = static_cast<double>(prof.macs);
  const double rate = c.rp * prof.lane_efficiency * ch * r / (r + c.hp) * Parallel(c.qp, macs, threads, c);
  return macs / rate + InOutBytes(g) / c.bw + c.t0;
}

double PredictGemmCol2ImSeconds(const Geom3& g, const CostModelConstants& c, int threads) {
  auto sat = [&c](double x) { return x / (x + c.hg); };
  const double u = D(g.n) * D(g.cin) * D(g.cout_g) * D(g.k_sp) * D(g.in_sp);
  const double col = Im2ColIsIdentity(AsConvGeom(g)) ? 0.0 : 4.0 * D(g.n) * D(g.cout) * D(g.k_sp) * D(g.in_sp);
  const double rate =
      c.rg * sat(D(g.cout_g) * D(g.k_sp)) * sat(D(g.in_sp)) * sat(D(g.cin_g)) * Parallel(c.qg, u, threads, c);
  return u / rate + (2.0 * col + InOutBytes(g)) / c.bw + c.t0;
}

}  // namespace tconv
