// The channels-in-lanes plan: see phase_lanes.h.
#include "src/algo/phase_lanes.h"

#include <climits>

#include "src/algo/phase_fast.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"

namespace tconv {
namespace {

// Pixels a task gathers from short rows (a few tiles; many tasks remain for
// the threads on the suite's layers).
constexpr int64_t kTaskPixels = 64;
// Columns of a task in rows longer than this (wavegan_up, 4 images of
// 1024-column phase rows, had 4 tasks: 2 threads ran at 1.01x of one).
constexpr int64_t kTaskColumns = 256;

}  // namespace

bool LanesPlan::Init(const Geom3& geom, int64_t pixel_words, int64_t block_channels, const char* who,
                     std::string* why) {
  g = geom;
  words = pixel_words;
  cob = block_channels;
  nblocks = CeilDiv(g.cout_g, cob);
  for (int a = 0; a < 3; ++a) {
    ax[a] = AnalyzeAxis(g, a, &bias_only);
    int64_t l = 0, h = 0;
    for (const AxisPhase& r : ax[a])
      for (int64_t c : r.c) {
        l = std::max(l, c - r.qlo);
        h = std::max(h, r.qhi - 1 - c - (g.in[a] - 1));
      }
    lo[a] = l;
    pin[a] = g.in[a] + l + h;
  }
  pin_sp = SatProduct({pin[0], pin[1], pin[2]});
  if (pin_sp > SatAdd(SatMul(8, g.in_sp), int64_t{1} << 20)) {
    *why = std::string(who) + ": the padded input would be " + std::to_string(pin_sp) + " pixels for " +
           std::to_string(g.in_sp) + " input pixels (large pads or dilation)";
    return false;
  }
  int64_t w_off = 0, rows = 0, npix_max = 1, q2lo = INT64_MAX, q2hi = INT64_MIN;
  for (const AxisPhase& r2 : ax[2]) {
    npix_max = std::max(npix_max, r2.qhi - r2.qlo);
    q2lo = std::min(q2lo, r2.qlo);
    q2hi = std::max(q2hi, r2.qhi);
  }
  for (const AxisPhase& r0 : ax[0])
    for (const AxisPhase& r1 : ax[1]) {
      if (ax[2].empty()) continue;  // no column phase has taps: the bias only
      LanesRowGroup grp;
      grp.first = phases.size();
      grp.count = ax[2].size();
      const int64_t nq1 = r1.qhi - r1.qlo;
      grp.chunk = std::min(nq1, std::max<int64_t>(1, kTaskPixels / npix_max));
      grp.chunks = CeilDiv(nq1, grp.chunk);
      grp.q2lo = q2lo;
      grp.cols = npix_max > kTaskColumns ? kTaskColumns : std::max<int64_t>(1, q2hi - q2lo);
      grp.col_chunks = CeilDiv(std::max<int64_t>(1, q2hi - q2lo), grp.cols);
      grp.rows = SatProduct({r0.qhi - r0.qlo, grp.chunks, grp.col_chunks});
      row_prefix.push_back(rows);
      rows += grp.rows;
      groups.push_back(grp);
      for (const AxisPhase& r2 : ax[2]) {
        LanesPhase p;
        p.a[0] = &r0, p.a[1] = &r1, p.a[2] = &r2;
        for (int64_t c0 : r0.c)
          for (int64_t c1 : r1.c)
            for (int64_t c2 : r2.c)
              p.tap_off.push_back((((lo[0] - c0) * pin[1] + lo[1] - c1) * pin[2] + lo[2] - c2) * words);
        p.ntaps = static_cast<int64_t>(p.tap_off.size());
        p.w_off = w_off;
        w_off += nblocks * p.ntaps * words * cob;
        macs = SatAdd(macs, SatProduct({r0.qhi - r0.qlo, nq1, r2.qhi - r2.qlo, p.ntaps}));
        phases.push_back(std::move(p));
      }
    }
  row_prefix.push_back(rows);
  group_w = w_off;
  return true;
}

void LanesPlan::ChooseCopies(int threads) {
  const int64_t bytes = SatProduct({InputWords(), 4, threads});
  copies = threads > 1 && g.n * g.groups < threads && bytes <= kPhasePrivateCopiesMaxBytes ? threads : 1;
}

LanesTask LanesPlan::Task(int64_t t) const {
  const int64_t rows = row_prefix.back();
  LanesTask task;
  task.ng = t / rows;
  const int64_t rem = t % rows;
  const size_t gr =
      static_cast<size_t>(std::upper_bound(row_prefix.begin(), row_prefix.end(), rem) - row_prefix.begin() - 1);
  task.grp = &groups[gr];
  const LanesPhase& first = phases[task.grp->first];
  const int64_t cc = (rem - row_prefix[gr]) % task.grp->col_chunks, row = (rem - row_prefix[gr]) / task.grp->col_chunks;
  task.q2lo = task.grp->q2lo + cc * task.grp->cols;
  task.q2hi = task.q2lo + task.grp->cols;
  task.q0 = first.a[0]->qlo + row / task.grp->chunks;
  task.q1 = first.a[1]->qlo + row % task.grp->chunks * task.grp->chunk;
  task.nrows = std::min(task.grp->chunk, first.a[1]->qhi - task.q1);
  return task;
}

int64_t LanesPlan::YPixel(const LanesPhase& p, int64_t q0, int64_t q1) const {
  const int64_t o0 = q0 * g.s[0] + p.a[0]->r - g.pb[0], o1 = q1 * g.s[1] + p.a[1]->r - g.pb[1];
  const int64_t o2 = p.a[2]->qlo * g.s[2] + p.a[2]->r - g.pb[2];
  return (o0 * g.out[1] + o1) * g.out[2] + o2;
}

}  // namespace tconv
