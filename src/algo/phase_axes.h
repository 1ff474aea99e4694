// Internal: the axis analysis of `phase` (src/algo/phase.cc) and its scalar
// accumulation, shared by its general path, its int8 path
// (src/algo/phase_int8.cc) and the bf16 path's residues (phase_bf16.cc). Along one
// axis o + pb = q*s + r with 0 <= r < s; see the top of phase.cc.
#ifndef TCONV_SRC_ALGO_PHASE_AXES_H_
#define TCONV_SRC_ALGO_PHASE_AXES_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "src/geom3.h"

namespace tconv {

// One residue of one axis.
struct AxisPhase {
  int64_t r = 0;                // (o + pb) mod s
  std::vector<int64_t> k, c;    // taps and their input offsets: ix = q - c
  int64_t qlo = 0, qhi = 0;     // outputs o = q*s + r - pb in [0, out) for q in [qlo, qhi)
};

// The residues of one axis that have taps and outputs, in increasing r:
// the residue of tap k < min(K, s') is k*d mod s (taps k and k + s' share
// one), so at most min(K, s') of the s residues, whatever the stride (a
// loop over all s residues made stride 300000 run for minutes).
// *bias_only is set when some output of the axis has no tap: the outputs
// hit min(s, out) residues, more than those kept.
std::vector<AxisPhase> AnalyzeAxis(const Geom3& g, int ax, bool* bias_only);

struct Phase {
  const AxisPhase* ax[3];
  int64_t taps = 0;    // T0*T1*T2
  int64_t offset = 0;  // of this phase's (Cin/g, taps) block within one output channel
};

// The outputs of phase p for one output channel, in Acc (float for the
// general path, int32 for int8): for each output row of the phase (q0, q1)
// and chunk of q2, a contiguous accumulator starts at `init` and gathers, in
// order, every input channel of xg (Cin/g planes of in_sp) and tap of w
// (Cin/g blocks of p.taps), taps whose input row does not exist skipped, q2
// clipped to the inputs that exist; then store(o, acc, n) writes the n
// outputs o + i * s[2] (o: the first one's offset in the output plane).
template <typename Acc, typename T, typename Store>
void AccumulatePhase(const Geom3& g, const Phase& p, const T* xg, const T* w, Acc init, Store store) {
  constexpr int64_t kChunk = 256;  // accumulators (1 KiB, stays in L1)
  const AxisPhase &a0 = *p.ax[0], &a1 = *p.ax[1], &a2 = *p.ax[2];
  const int64_t t1 = static_cast<int64_t>(a1.k.size()), t2 = static_cast<int64_t>(a2.k.size());
  Acc acc[kChunk];
  for (int64_t q0 = a0.qlo; q0 < a0.qhi; ++q0) {
    const int64_t o0 = q0 * g.s[0] + a0.r - g.pb[0];
    for (int64_t q1 = a1.qlo; q1 < a1.qhi; ++q1) {
      const int64_t o1 = q1 * g.s[1] + a1.r - g.pb[1];
      const int64_t row = (o0 * g.out[1] + o1) * g.out[2];
      for (int64_t qa = a2.qlo; qa < a2.qhi; qa += kChunk) {
        const int64_t qb = std::min(a2.qhi, qa + kChunk);
        std::fill_n(acc, qb - qa, init);
        for (int64_t cig = 0; cig < g.cin_g; ++cig) {
          const T* xc = xg + cig * g.in_sp;
          const T* wt = w + cig * p.taps;
          for (size_t j0 = 0; j0 < a0.k.size(); ++j0) {
            const int64_t ix0 = q0 - a0.c[j0];
            if (ix0 < 0 || ix0 >= g.in[0]) continue;
            for (size_t j1 = 0; j1 < a1.k.size(); ++j1) {
              const int64_t ix1 = q1 - a1.c[j1];
              if (ix1 < 0 || ix1 >= g.in[1]) continue;
              const T* xrow = xc + (ix0 * g.in[1] + ix1) * g.in[2];
              const T* wj = wt + (static_cast<int64_t>(j0) * t1 + static_cast<int64_t>(j1)) * t2;
              for (int64_t j2 = 0; j2 < t2; ++j2) {
                const int64_t c2 = a2.c[j2];
                const int64_t lo = std::max(qa, c2), hi = std::min(qb, c2 + g.in[2]);
                const Acc wv = static_cast<Acc>(wj[j2]);
                // Offsets, not shifted pointers: acc - qa and xrow - c2
                // may point outside their arrays (undefined behaviour
                // clang's UBSan reports, found by the differential fuzzer).
                for (int64_t q = lo; q < hi; ++q) acc[q - qa] += wv * static_cast<Acc>(xrow[q - c2]);
              }
            }
          }
        }
        store(row + qa * g.s[2] + a2.r - g.pb[2], static_cast<const Acc*>(acc), qb - qa);
      }
    }
  }
}


}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_AXES_H_
