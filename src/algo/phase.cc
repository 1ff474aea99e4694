// `phase`: sub-pixel (phase) decomposition of the transposed convolution.
//
// Along one axis write o + pb = q*s + r with 0 <= r < s. The taps reaching
// the outputs of residue r are the k with k*d == r (mod s): none when
// gcd(s, d) does not divide r, else k_0 + j*s' (s' = s/gcd(s, d), k_0 from
// src/algo/tap_math.h). Tap k_j reads input q - c_j with c_j = (k_j*d - r)/s,
// so the outputs of one residue are a dense stride-1 correlation of the input
// with the sub-kernel {k_j}. The phases are the s0*s1*s2 residue triples;
// each output belongs to exactly one, and every tap to exactly one residue
// per axis, so the sub-kernels partition the kernel.
//
// Prepare first offers the geometry to the SIMD fast path (PreparePhaseFast,
// src/kernels/phase_fast.cc) and uses it when it accepts. Otherwise the
// general path below: per-phase sub-kernels packed as (Cout, phase, Cin/g,
// taps); Run fills each output plane with the bias (phases without taps --
// stride > kernel, or residues gcd(s, d) does not divide -- keep just that),
// then accumulates every phase's taps straight into the output with strided
// writes. Each tap's loops are clipped to the inputs that exist, so no
// multiply-add is wasted and there is no column buffer and no workspace.
//
// Threading: the N x Cout output planes are split over OpenMP threads; each
// element is written by one thread in a fixed order (input channel, then the
// taps of axis 0, 1, 2), so results do not depend on the thread count.
#include "src/algo/phase.h"

#include <algorithm>
#include <string>
#include <vector>

#include "src/algo/phase_fast.h"
#include "src/algo/tap_math.h"

namespace tconv {
namespace {

// One residue of one axis.
struct AxisPhase {
  int64_t r = 0;                // (o + pb) mod s
  std::vector<int64_t> k, c;    // taps and their input offsets: ix = q - c
  int64_t qlo = 0, qhi = 0;     // outputs o = q*s + r - pb in [0, out) for q in [qlo, qhi)
};

std::vector<AxisPhase> AnalyzeAxis(const Geom3& g, int ax) {
  const TapAxis t(g.in[ax], g.k[ax], g.s[ax], g.d[ax], g.pb[ax]);
  std::vector<AxisPhase> phases(static_cast<size_t>(g.s[ax]));
  for (int64_t r = 0; r < g.s[ax]; ++r) {
    AxisPhase& p = phases[r];
    p.r = r;
    const int64_t k0 = t.FirstTapOfResidue(r);
    if (k0 >= 0) {
      for (int64_t k = k0; k < g.k[ax]; k += t.kstep) {
        p.k.push_back(k);
        p.c.push_back((k * g.d[ax] - r) / g.s[ax]);  // exact: k*d == r (mod s)
      }
    }
    p.qlo = CeilDivSigned(g.pb[ax] - r, g.s[ax]);
    p.qhi = std::max(p.qlo, CeilDivSigned(g.out[ax] + g.pb[ax] - r, g.s[ax]));
  }
  return phases;
}

struct Phase {
  const AxisPhase* ax[3];
  int64_t taps = 0;    // T0*T1*T2
  int64_t offset = 0;  // of this phase's (Cin/g, taps) block within one output channel
};

class PhaseGeneral : public PreparedAlgo {
 public:
  PhaseGeneral(const Geom3& g, const float* w, const float* bias) : g_(g) {
    for (int ax = 0; ax < 3; ++ax) axes_[ax] = AnalyzeAxis(g, ax);
    int64_t offset = 0;
    for (const AxisPhase& a0 : axes_[0])
      for (const AxisPhase& a1 : axes_[1])
        for (const AxisPhase& a2 : axes_[2]) {
          Phase p;
          p.ax[0] = &a0;
          p.ax[1] = &a1;
          p.ax[2] = &a2;
          p.taps = static_cast<int64_t>(a0.k.size() * a1.k.size() * a2.k.size());
          if (p.taps == 0) continue;  // bias only
          p.offset = offset;
          offset += g.cin_g * p.taps;
          phases_.push_back(p);
        }
    per_cout_ = offset;  // == cin_g * k_sp: the sub-kernels partition the kernel
    wp_.resize(static_cast<size_t>(g.cout * per_cout_));
    for (int64_t co = 0; co < g.cout; ++co) {
      const int64_t grp = co / g.cout_g, cog = co % g.cout_g;
      for (const Phase& p : phases_) {
        float* dst = wp_.data() + co * per_cout_ + p.offset;
        for (int64_t cig = 0; cig < g.cin_g; ++cig) {
          const float* src = w + ((grp * g.cin_g + cig) * g.cout_g + cog) * g.k_sp;
          for (int64_t k0 : p.ax[0]->k)
            for (int64_t k1 : p.ax[1]->k)
              for (int64_t k2 : p.ax[2]->k) *dst++ = src[(k0 * g.k[1] + k1) * g.k[2] + k2];
        }
      }
    }
    bias_.assign(static_cast<size_t>(g.cout), 0.0f);
    if (bias) bias_.assign(bias, bias + g.cout);
  }

  void Run(const float* x, float* y, void*, int threads) const override {
    const Geom3& g = g_;
    const int64_t planes = g.n * g.cout;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (threads > 1 && planes > 1)
    for (int64_t pl = 0; pl < planes; ++pl) {
      const int64_t n = pl / g.cout, co = pl % g.cout, grp = co / g.cout_g;
      float* yp = y + pl * g.out_sp;
      std::fill_n(yp, g.out_sp, bias_[co]);
      const float* xg = x + (n * g.cin + grp * g.cin_g) * g.in_sp;
      const float* wc = wp_.data() + co * per_cout_;
      for (const Phase& p : phases_) AccumulatePhase(p, xg, wc + p.offset, yp);
    }
  }

 private:
  // yp[o(q)] += sum over input channels and taps of w * x[q - c], q clipped
  // so that both the output and the input exist.
  void AccumulatePhase(const Phase& p, const float* xg, const float* w, float* yp) const {
    const Geom3& g = g_;
    const AxisPhase &a0 = *p.ax[0], &a1 = *p.ax[1], &a2 = *p.ax[2];
    if (a0.qlo == a0.qhi || a1.qlo == a1.qhi || a2.qlo == a2.qhi) return;
    const int64_t s1 = g.s[1], s2 = g.s[2];
    for (int64_t cig = 0; cig < g.cin_g; ++cig) {
      const float* xc = xg + cig * g.in_sp;
      const float* wt = w + cig * p.taps;
      for (size_t j0 = 0; j0 < a0.k.size(); ++j0) {
        const int64_t c0 = a0.c[j0];
        const int64_t q0lo = std::max(a0.qlo, c0), q0hi = std::min(a0.qhi, c0 + g.in[0]);
        for (size_t j1 = 0; j1 < a1.k.size(); ++j1) {
          const int64_t c1 = a1.c[j1];
          const int64_t q1lo = std::max(a1.qlo, c1), q1hi = std::min(a1.qhi, c1 + g.in[1]);
          for (size_t j2 = 0; j2 < a2.k.size(); ++j2, ++wt) {
            const int64_t c2 = a2.c[j2];
            const int64_t q2lo = std::max(a2.qlo, c2), q2hi = std::min(a2.qhi, c2 + g.in[2]);
            if (q0lo >= q0hi || q1lo >= q1hi || q2lo >= q2hi) continue;
            const float wv = *wt;
            const int64_t len = q2hi - q2lo;
            for (int64_t q0 = q0lo; q0 < q0hi; ++q0) {
              const int64_t o0 = q0 * g.s[0] + a0.r - g.pb[0], ix0 = q0 - c0;
              for (int64_t q1 = q1lo; q1 < q1hi; ++q1) {
                const int64_t o1 = q1 * s1 + a1.r - g.pb[1], ix1 = q1 - c1;
                float* yr = yp + (o0 * g.out[1] + o1) * g.out[2] + (q2lo * s2 + a2.r - g.pb[2]);
                const float* xr = xc + (ix0 * g.in[1] + ix1) * g.in[2] + (q2lo - c2);
                if (s2 == 1) {
                  for (int64_t q = 0; q < len; ++q) yr[q] += wv * xr[q];
                } else {
                  for (int64_t q = 0; q < len; ++q) yr[q * s2] += wv * xr[q];
                }
              }
            }
          }
        }
      }
    }
  }

  Geom3 g_;
  std::vector<AxisPhase> axes_[3];
  std::vector<Phase> phases_;  // those with taps; point into axes_
  int64_t per_cout_ = 0;
  std::vector<float> wp_;    // (Cout, [phase (Cin/g, taps)])
  std::vector<float> bias_;  // (Cout), zeros without bias
};

AlgoCost PhaseCost(const Geom3& g) {
  // The general path: exactly the useful multiply-adds, no workspace. The
  // fast path, when it takes a geometry, reports its own costs through
  // PreparedAlgo::ActualCost.
  AlgoCost c;
  c.macs = g.n * g.cin * g.cout_g;
  for (int ax = 0; ax < 3; ++ax) c.macs *= UsefulPairs(g.in[ax], g.k[ax], g.s[ax], g.d[ax], g.pb[ax], g.out[ax]);
  c.workspace_bytes = 0;
  c.packed_bytes = g.cin * g.cout_g * g.k_sp * static_cast<int64_t>(sizeof(float));
  return c;
}

std::unique_ptr<PreparedAlgo> PhasePrepare(const Geom3& g, const float* w, const float* bias) {
  AlgoCost fast_cost;
  std::string why;
  if (auto fast = PreparePhaseFast(g, w, bias, &fast_cost, &why)) return fast;
  return PreparePhaseGeneral(g, w, bias);
}

}  // namespace

std::unique_ptr<PreparedAlgo> PreparePhaseGeneral(const Geom3& g, const float* w, const float* bias) {
  return std::make_unique<PhaseGeneral>(g, w, bias);
}

const Algorithm kPhaseAlgorithm = {
    "phase", "sub-pixel decomposition: s^D dense stride-1 sub-convolutions written straight into the output",
    PhaseCost, PhasePrepare};

}  // namespace tconv
