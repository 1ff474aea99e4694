// Tap tables and weight packing of phase's SIMD path (plan.h). Packing is
// written once per element type: the kernels of a dtype read its panels.
#include <algorithm>
#include <array>
#include <climits>
#include <vector>

#include "src/algo/phase_fast/plan.h"

namespace tconv {
namespace phase_fast {
namespace {

// Phase (td, ty, tx)'s taps: their volume offsets (appended to p->offs) and
// kernel indices (kz, ky, kx).
std::vector<std::array<int64_t, 3>> PhaseTaps(const AxisPhases* ax, int64_t td, int64_t ty, int64_t tx,
                                              PhasePlan* p) {
  const int64_t hp = p->len[1], wp = p->len[2];
  std::vector<std::array<int64_t, 3>> kk;
  for (int64_t jd = 0; jd < ax[0].taps[td]; ++jd)
    for (int64_t jy = 0; jy < ax[1].taps[ty]; ++jy)
      for (int64_t jx = 0; jx < ax[2].taps[tx]; ++jx) {
        p->offs.push_back(((ax[0].c[td] - jd * ax[0].istep - p->lo[0]) * hp +
                           (ax[1].c[ty] - jy * ax[1].istep - p->lo[1])) * wp +
                          (ax[2].c[tx] - jx * ax[2].istep - p->lo[2]));
        kk.push_back({ax[0].r[td] + jd * ax[0].kstep, ax[1].r[ty] + jy * ax[1].kstep, ax[2].r[tx] + jx * ax[2].kstep});
      }
  return kk;
}

// One phase's panels, [groups][nb][cin_g][taps][cb], appended to p->wpack.
template <typename T>
void PackPhase(const std::vector<std::array<int64_t, 3>>& kk, const T* w, PhasePlan* p) {
  const Geom3& g = p->g;
  const int cb = p->cb;
  const int64_t kd = g.k[0], kh = g.k[1], kw = g.k[2];
  const int64_t ntaps = static_cast<int64_t>(kk.size());
  const size_t base = p->wpack.size();
  p->wpack.resize(base + static_cast<size_t>(g.groups * p->nb * g.cin_g * ntaps * cb), T(0));
  for (int64_t gi = 0; gi < g.groups; ++gi)
    for (int64_t b = 0; b < p->nb; ++b)
      for (int64_t ci = 0; ci < g.cin_g; ++ci)
        for (int64_t t = 0; t < ntaps; ++t)
          for (int c = 0; c < cb; ++c) {
            const int64_t co = b * cb + c;
            if (co >= g.cout_g) continue;
            const int64_t ci_all = gi * g.cin_g + ci;
            p->wpack[base + static_cast<size_t>((((gi * p->nb + b) * g.cin_g + ci) * ntaps + t) * cb + c)] =
                w[(((ci_all * g.cout_g + co) * kd + kk[t][0]) * kh + kk[t][1]) * kw + kk[t][2]];
          }
}

// Phase row (td, ty)'s shift union and weight panel for the shifts kernel
// (PhaseShiftRow), appended to p->shift_rows, shift_aux and wpack.
template <typename T>
void PackShiftRow(const AxisPhases* ax, const T* w, int64_t td, int64_t ty, PhasePlan* p) {
  const Geom3& g = p->g;
  const int64_t sx = g.s[2], hp = p->len[1], wp = p->len[2];
  kernels::PhaseShiftRow row;
  row.aux = static_cast<int64_t>(p->shift_aux.size());
  row.w = static_cast<int64_t>(p->wpack.size());
  // Phase tx reads shifts c_tx - jx, jx < T_tx; shift index i counts down
  // from the union's top, so phase tx has i in [ia_tx, ia_tx + T_tx).
  int64_t top = INT64_MIN, bottom = INT64_MAX;
  for (int64_t tx = 0; tx < sx; ++tx) {
    if (ax[2].taps[tx] == 0) continue;
    top = std::max(top, ax[2].c[tx]);
    bottom = std::min(bottom, ax[2].c[tx] - ax[2].taps[tx] + 1);
  }
  const int64_t tdt = ax[0].taps[td], tyt = ax[1].taps[ty];
  if (top == INT64_MIN || tdt == 0 || tyt == 0) {
    p->shift_rows.push_back(row);  // no taps: the bias alone
    return;
  }
  row.shifts = top - bottom + 1;
  row.slices = tdt * tyt;
  row.top = ((ax[0].c[td] - p->lo[0]) * hp + (ax[1].c[ty] - p->lo[1])) * wp + (top - p->lo[2]);
  for (int64_t jd = 0; jd < tdt; ++jd)
    for (int64_t jy = 0; jy < tyt; ++jy)
      p->shift_aux.push_back(-(jd * ax[0].istep * hp + jy * ax[1].istep) * wp);
  std::vector<int64_t> mask(static_cast<size_t>(row.shifts), 0);
  for (int64_t tx = 0; tx < sx; ++tx)
    for (int64_t jx = 0; jx < ax[2].taps[tx]; ++jx) mask[top - ax[2].c[tx] + jx] |= int64_t{1} << tx;
  const int64_t all = (int64_t{1} << sx) - 1;
  row.core_lo = row.core_hi = 0;
  for (int64_t i = 0; i < row.shifts; ++i) {
    if (mask[i] != all) continue;
    if (row.core_hi != i) row.core_lo = i;  // the full shifts are one run (intervals)
    row.core_hi = i + 1;
  }
  p->shift_aux.insert(p->shift_aux.end(), mask.begin(), mask.end());
  // [groups][cin_g][Q][H][sx], zero where phase tx has no tap at shift i.
  const int64_t kd = g.k[0], kh = g.k[1], kw = g.k[2], nh = row.shifts;
  p->wpack.resize(p->wpack.size() + static_cast<size_t>(g.groups * g.cin_g * row.slices * nh * sx), T(0));
  T* panel = p->wpack.data() + row.w;
  for (int64_t ci_all = 0; ci_all < g.groups * g.cin_g; ++ci_all)
    for (int64_t jd = 0; jd < tdt; ++jd)
      for (int64_t jy = 0; jy < tyt; ++jy)
        for (int64_t tx = 0; tx < sx; ++tx)
          for (int64_t jx = 0; jx < ax[2].taps[tx]; ++jx) {
            const int64_t i = top - ax[2].c[tx] + jx, q = jd * tyt + jy;
            const int64_t kz = ax[0].r[td] + jd * ax[0].kstep, ky = ax[1].r[ty] + jy * ax[1].kstep;
            const int64_t kx = ax[2].r[tx] + jx * ax[2].kstep;
            panel[((ci_all * row.slices + q) * nh + i) * sx + tx] = w[((ci_all * kd + kz) * kh + ky) * kw + kx];
          }
  p->shift_rows.push_back(row);
}

}  // namespace

template <typename T>
void BuildTaps(const AxisPhases* ax, const T* w, PhasePlan* p) {
  p->tap_begin.assign(1, 0);
  // The shifts kernel reads its rows' panels, not the phases'.
  const bool shifts = p->kernel->op == kernels::KernelOp::kPhaseDirectShifts;
  for (int64_t td = 0; td < p->g.s[0]; ++td)
    for (int64_t ty = 0; ty < p->g.s[1]; ++ty)
      for (int64_t tx = 0; tx < p->g.s[2]; ++tx) {
        const std::vector<std::array<int64_t, 3>> kk = PhaseTaps(ax, td, ty, tx, p);
        for (size_t t = 0; t < kk.size(); ++t) p->tap_w.push_back(static_cast<int64_t>(t) * p->cb);
        p->tap_begin.push_back(static_cast<int64_t>(p->offs.size()));
        p->tap_td.push_back(ax[0].taps[td]);
        p->tap_ty.push_back(ax[1].taps[ty]);
        p->w_begin.push_back(static_cast<int64_t>(p->wpack.size()));
        if (!shifts) PackPhase(kk, w, p);
      }
  if (!shifts) return;
  for (int64_t td = 0; td < p->g.s[0]; ++td)
    for (int64_t ty = 0; ty < p->g.s[1]; ++ty) PackShiftRow(ax, w, td, ty, p);
}

template <typename T>
void PackBias(const T* bias, PhasePlan* p) {
  const Geom3& g = p->g;
  p->bias.assign(static_cast<size_t>(g.groups * p->nb * p->cb), T(0));
  if (!bias) return;
  for (int64_t gi = 0; gi < g.groups; ++gi)
    for (int64_t co = 0; co < g.cout_g; ++co) p->bias[gi * p->nb * p->cb + co] = bias[gi * g.cout_g + co];
}

// The element types with kernels today (src/kernels/list.inc).
template void BuildTaps<float>(const AxisPhases*, const float*, PhasePlan*);
template void PackBias<float>(const float*, PhasePlan*);

}  // namespace phase_fast
}  // namespace tconv
