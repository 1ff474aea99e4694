// The channels mode's tasks (plan.h): pixel groups per phase, the
// batch-interleaved layout, and chunks of groups.
#include <algorithm>

#include "src/algo/phase_fast/plan.h"
#include "src/base/int_math.h"

namespace tconv {
namespace phase_fast {
namespace {

constexpr int64_t kGroupPixels = kernels::kPhaseGroupPixels;
constexpr int64_t kWantTasks = 16;  // as blocks.cc: enough for threads to balance

struct Group {
  uint64_t mask;  // taps reading inside the input
  int64_t x, y;   // input and output offsets of its first pixel
  int32_t n;      // pixels
};

// One phase, one axis: the valid outputs #{u : u*s + t < out}.
int64_t Valid(const Geom3& g, int a, int64_t t) { return g.out[a] > t ? CeilDiv(g.out[a] - t, g.s[a]) : 0; }

// y offset of phase output (ud, uy, ux) of phase (td, ty, tx), image 0.
int64_t OutputOffset(const Geom3& g, const int64_t* t, int64_t ud, int64_t uy, int64_t ux) {
  return ((ud * g.s[0] + t[0]) * g.out[1] + uy * g.s[1] + t[1]) * g.out[2] + ux * g.s[2] + t[2];
}

// Batch-interleaved: a group is the 4 images of one pixel, and its mask
// keeps only the taps (rows AND columns) that read inside the input.
void InterleavedGroups(const PhasePlan& p, const AxisPhases* ax, const int64_t* t, std::vector<Group>* out) {
  const Geom3& g = p.g;
  const int64_t tdn = ax[0].taps[t[0]], tyn = ax[1].taps[t[1]], txn = ax[2].taps[t[2]];
  for (int64_t ud = 0; ud < Valid(g, 0, t[0]); ++ud)
    for (int64_t uy = 0; uy < Valid(g, 1, t[1]); ++uy)
      for (int64_t ux = 0; ux < Valid(g, 2, t[2]); ++ux) {
        uint64_t mask = 0;
        for (int64_t jd = 0; jd < tdn; ++jd)
          for (int64_t jy = 0; jy < tyn; ++jy)
            for (int64_t jx = 0; jx < txn; ++jx) {
              const int64_t iz = ud + ax[0].c[t[0]] - jd * ax[0].istep, iy = uy + ax[1].c[t[1]] - jy * ax[1].istep,
                            ix = ux + ax[2].c[t[2]] - jx * ax[2].istep;
              if (iz < 0 || iz >= g.in[0] || iy < 0 || iy >= g.in[1] || ix < 0 || ix >= g.in[2]) continue;
              mask |= uint64_t{1} << ((jd * tyn + jy) * txn + jx);
            }
        const int64_t f = (ud * p.len[1] + uy) * p.len[2] + ux;
        out->push_back({mask, f * kGroupPixels, OutputOffset(g, t, ud, uy, ux), static_cast<int32_t>(kGroupPixels)});
      }
}

// Plain: a group is up to 4 consecutive valid u_x of one output row, of
// every image; its mask keeps the taps whose input slice and row are inside.
void RowGroups(const PhasePlan& p, const AxisPhases* ax, const int64_t* t, std::vector<Group>* out) {
  const Geom3& g = p.g;
  const int64_t tdn = ax[0].taps[t[0]], tyn = ax[1].taps[t[1]], txn = ax[2].taps[t[2]];
  const int64_t vx = Valid(g, 2, t[2]);
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t ud = 0; ud < Valid(g, 0, t[0]); ++ud)
      for (int64_t uy = 0; uy < Valid(g, 1, t[1]); ++uy) {
        uint64_t mask = 0;
        if (tdn * tyn * txn > kernels::kPhaseMaskTaps) {
          mask = ~uint64_t{0};
        } else {
          for (int64_t jd = 0; jd < tdn; ++jd)
            for (int64_t jy = 0; jy < tyn; ++jy) {
              const int64_t iz = ud + ax[0].c[t[0]] - jd * ax[0].istep, iy = uy + ax[1].c[t[1]] - jy * ax[1].istep;
              if (iz < 0 || iz >= g.in[0] || iy < 0 || iy >= g.in[1]) continue;
              for (int64_t jx = 0; jx < txn; ++jx) mask |= uint64_t{1} << ((jd * tyn + jy) * txn + jx);
            }
        }
        for (int64_t ux = 0; ux < vx; ux += kGroupPixels)
          out->push_back({mask, n * g.cin * p.plane + (ud * p.len[1] + uy) * p.len[2] + ux,
                          n * g.cout * g.out_sp + OutputOffset(g, t, ud, uy, ux),
                          static_cast<int32_t>(std::min<int64_t>(kGroupPixels, vx - ux))});
      }
}

// Chunks of pixel groups, a multiple of 3 (the 32-register kernel's group
// count), as few as give ~16 tasks: each task reads its weight panel once.
void Chunks(const std::vector<int64_t>& grp_begin, PhasePlan* p) {
  const int64_t total = grp_begin.back();
  const int64_t want_chunks = CeilDiv(kWantTasks, p->img_groups * p->g.groups * p->nb);
  const int64_t chunk = std::max<int64_t>(3, CeilDiv(CeilDiv(total, want_chunks), 3) * 3);
  for (int64_t ph = 0; ph < p->nphase; ++ph)
    for (int64_t k = grp_begin[ph]; k < grp_begin[ph + 1]; k += chunk) {
      p->ch_ph.push_back(ph);
      p->ch_g0.push_back(k);
      p->ch_g1.push_back(std::min(grp_begin[ph + 1], k + chunk));
    }
  p->ntasks = p->img_groups * p->g.groups * p->nb * static_cast<int64_t>(p->ch_ph.size());
}

}  // namespace

void PlanPixelGroups(const AxisPhases* ax, const PhaseTuning& tuning, PhasePlan* p) {
  const Geom3& g = p->g;
  // Batch-interleaved layout when there are >= 4 images (and every phase
  // has at most kPhaseMaskTaps taps, the mask width).
  int64_t max_taps = 0;
  for (int64_t ph = 0; ph < p->nphase; ++ph) max_taps = std::max(max_taps, p->tap_begin[ph + 1] - p->tap_begin[ph]);
  p->bint = tuning.batch_interleave && g.n >= kGroupPixels && max_taps <= kernels::kPhaseMaskTaps;
  if (p->bint) {
    // x is only broadcast here, so no per-channel vector tail: dcgan_g3's
    // input is 0.8 MB, not 1.4 MB. Image groups outermost, tasks static:
    // with 2 threads each pads, reads and writes only its own images'
    // lines, which matters when the host puts the two vCPUs on different
    // CCDs. 2t, [ci][f][n] and dynamic -> [group][ci][f][4] and static,
    // A/B in the same minutes, far placement: dcgan_g2 227 -> 277, g3
    // 195 -> 243, g4 160 -> 219 GFLOP/s; close: g2 284 -> 288, g3 239 ->
    // 243, g4 208 -> 227.
    p->img_groups = CeilDiv(g.n, kGroupPixels);
    p->cstride = p->len[0] * p->len[1] * p->len[2] * kGroupPixels;
    p->ystep = g.cout * g.out_sp;
    for (int64_t& o : p->offs) o *= kGroupPixels;
  } else {
    p->cstride = p->plane;
    p->ystep = g.s[2];
  }
  p->ychan = g.out_sp;
  std::vector<int64_t> grp_begin;
  for (int64_t td = 0; td < g.s[0]; ++td)
    for (int64_t ty = 0; ty < g.s[1]; ++ty)
      for (int64_t tx = 0; tx < g.s[2]; ++tx) {
        grp_begin.push_back(static_cast<int64_t>(p->grp_x.size()));
        const int64_t t[3] = {td, ty, tx};
        std::vector<Group> grps;
        if (p->bint) {
          InterleavedGroups(*p, ax, t, &grps);
        } else {
          RowGroups(*p, ax, t, &grps);
        }
        // dcgan_g2: 8 of 32 groups per phase have a border row whose taps
        // read padding; together they skip 12.5% of the multiply-adds.
        std::stable_sort(grps.begin(), grps.end(), [](const Group& a, const Group& b) { return a.mask > b.mask; });
        for (const Group& gr : grps) {
          p->grp_mask.push_back(gr.mask);
          p->grp_x.push_back(gr.x);
          p->grp_y.push_back(gr.y);
          p->grp_n.push_back(gr.n);
        }
      }
  grp_begin.push_back(static_cast<int64_t>(p->grp_x.size()));
  Chunks(grp_begin, p);
}

}  // namespace phase_fast
}  // namespace tconv
