// AnalyzeAxis (src/algo/phase_axes.h).
#include "src/algo/phase_axes.h"

#include <algorithm>

#include "src/algo/tap_math.h"

namespace tconv {

std::vector<AxisPhase> AnalyzeAxis(const Geom3& g, int ax, bool* bias_only) {
  const TapAxis t(g.in[ax], g.k[ax], g.s[ax], g.d[ax], g.pb[ax]);
  std::vector<AxisPhase> phases;
  for (int64_t k0 = 0; k0 < std::min(g.k[ax], t.kstep); ++k0) {
    AxisPhase p;
    p.r = FloorMod(k0 * g.d[ax], g.s[ax]);
    p.qlo = CeilDiv(g.pb[ax] - p.r, g.s[ax]);
    p.qhi = std::max(p.qlo, CeilDiv(g.out[ax] + g.pb[ax] - p.r, g.s[ax]));
    if (p.qhi == p.qlo) continue;  // no output of this residue: its taps never contribute
    for (int64_t k = k0; k < g.k[ax]; k += t.kstep) {
      p.k.push_back(k);
      p.c.push_back((k * g.d[ax] - p.r) / g.s[ax]);  // exact: k*d == r (mod s)
    }
    phases.push_back(std::move(p));
  }
  std::sort(phases.begin(), phases.end(), [](const AxisPhase& a, const AxisPhase& b) { return a.r < b.r; });
  if (static_cast<int64_t>(phases.size()) < std::min(g.s[ax], g.out[ax])) *bias_only = true;
  return phases;
}

}  // namespace tconv
