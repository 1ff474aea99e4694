// Per-axis analysis of the phase decomposition and the choices that follow
// from it alone (plan.h).
#include <algorithm>

#include "src/algo/phase_fast/plan.h"
#include "src/algo/tap_math.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"

namespace tconv {
namespace phase_fast {

AxisPhases AnalyzeAxis(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t out) {
  const TapAxis tap(in, k, s, d, pb);
  AxisPhases a;
  a.kstep = tap.kstep;
  a.istep = tap.istep;
  a.u = CeilDiv(out, s);
  int64_t lo = 0, hi = in - 1;
  for (int64_t t = 0; t < s; ++t) {
    const int64_t r = tap.FirstTapOfResidue(t + pb);
    const bool any = r >= 0 && r < k;
    const int64_t c = any ? (t + pb - r * d) / s : 0;  // exact division
    const int64_t taps = any ? CeilDiv(k - r, tap.kstep) : 0;
    a.c.push_back(c);
    a.r.push_back(any ? r : 0);
    a.taps.push_back(taps);
    if (taps > 0) {
      lo = std::min(lo, c - (taps - 1) * tap.istep);
      hi = std::max(hi, a.u - 1 + c);
    }
  }
  a.lo = lo;
  a.len = hi - lo + 1;
  return a;
}

// Pixels preferred unless their rows waste > 5 % of the lanes, measured in
// 16-lane vectors (the widest target's), and channels waste fewer.
LaneChoice ChooseLanes(const int64_t* u, const int64_t* len, int64_t cout_g) {
  const int64_t lanes = kernels::kMaxLanes;
  const double eff_pixels =
      static_cast<double>(u[1] * u[2]) / static_cast<double>(RoundUp(u[1] * len[2], lanes));
  const double eff_channels = static_cast<double>(cout_g) /
                              static_cast<double>(RoundUp(cout_g, kernels::kPhaseChannelBlock)) *
                              static_cast<double>(u[2]) /
                              static_cast<double>(RoundUp(u[2], kernels::kPhaseGroupPixels));
  // Measured (same run, ratio to oneDNN at 1 thread): channels win on
  // dcgan_g2 (eff_pixels 0.44: 0.92 vs 0.46) and dcgan_g3 (0.80: 0.95 vs
  // 0.80). dcgan_g4 (0.89) lost (0.93 vs 1.05) until the channels mode
  // stored whole channel vectors (y staged channels last): now 105-107 vs
  // 93-96 GFLOP/s at 1 thread, 1.08x at 2. The channels mode is taken
  // below 0.95 (wavegan_up, 0.98, and unet3d_up and unet_up4, 1.0, lose
  // with it). With fewer than 4 images the bound was 0.85 until the broad
  // suite showed the channels kernel ahead between 0.85 and 0.95 on every
  // layer measured (Zen 4, 1 thread, channels / best pixel kernel):
  // melgan_up1 1.13, hifigan_v2_up1 1.11, pix2pix_dec5 1.16 (all 0.889),
  // and on four layers outside the suite: 0.893 1.13, 0.923 1.11, 0.9375
  // 1.05, 0.94 1.01 (bench/RESULTS.md).
  LaneChoice c;
  c.channels = eff_pixels < 0.95 && eff_channels > eff_pixels;
  c.efficiency = c.channels ? eff_channels : eff_pixels;
  return c;
}

// The sum over phases (td, ty, tx) of taps x valid outputs, whose per-axis
// sums multiply.
int64_t FastMacs(const Geom3& g, const AxisPhases* ax) {
  // (Saturating: src/base/checked_int.h.)
  int64_t m = SatProduct({g.n, g.groups, g.cin_g, g.cout_g});
  for (int a = 0; a < 3; ++a) {
    int64_t sum = 0;
    for (int64_t t = 0; t < g.s[a]; ++t)
      sum = SatAdd(sum, SatMul(ax[a].taps[t], g.out[a] > t ? CeilDiv(g.out[a] - t, g.s[a]) : 0));
    m = SatMul(m, sum);
  }
  return m;
}

bool RowReusable(const AxisPhases* ax, bool depth_taps) {
  for (const int64_t t : ax[0].taps)
    if (t > 1 && !depth_taps) return false;
  return ax[1].istep == 1 && ax[2].istep == 1;
}

}  // namespace phase_fast
}  // namespace tconv
