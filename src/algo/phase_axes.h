// Internal: the axis analysis of `phase` (src/algo/phase.cc), shared by
// its general path and its int8 path (src/algo/phase_int8.cc). Along one
// axis o + pb = q*s + r with 0 <= r < s; see the top of phase.cc.
#ifndef TCONV_SRC_ALGO_PHASE_AXES_H_
#define TCONV_SRC_ALGO_PHASE_AXES_H_

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


}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_AXES_H_
