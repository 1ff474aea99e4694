// Border tap sets of the lanes phases: see lanes_tap_sets.h.
#include "src/algo/lanes_tap_sets.h"

#include <algorithm>

namespace tconv {
namespace {

uint64_t AllTaps(size_t taps) { return taps >= 64 ? ~uint64_t{0} : (uint64_t{1} << taps) - 1; }

// One run over the residue's outputs with every tap.
std::vector<BorderRun> OneRun(const AxisPhase& r) { return {BorderRun{r.qlo, r.qhi, AllTaps(r.c.size())}}; }

}  // namespace

std::vector<BorderRun> BorderRuns(const AxisPhase& r, int64_t in) {
  if (r.c.size() > 64) return OneRun(r);
  // Tap j reads inside the input for c[j] <= q < c[j] + in: the taps change
  // only at those bounds.
  std::vector<int64_t> starts = {r.qlo};
  for (int64_t c : r.c)
    for (int64_t q : {c, c + in})
      if (q > r.qlo && q < r.qhi) starts.push_back(q);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::vector<BorderRun> runs;
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t q = starts[i], end = i + 1 < starts.size() ? starts[i + 1] : r.qhi;
    uint64_t mask = 0;
    for (size_t j = 0; j < r.c.size(); ++j)
      if (q - r.c[j] >= 0 && q - r.c[j] < in) mask |= uint64_t{1} << j;
    if (!runs.empty() && runs.back().mask == mask) {
      runs.back().q1 = end;
    } else {
      runs.push_back(BorderRun{q, end, mask});
    }
  }
  return runs.size() > kMaxTapBoxes ? OneRun(r) : runs;
}

TapBoxes BoxesOf(const LanesPlan& lp, const LanesPhase& p, bool split_any) {
  TapBoxes b;
  // A box is a kernel call per task and output block: small boxes cost
  // more than their taps save. Columns are split where a task has >= 8
  // rows (its border columns then give tiles of >= 8 pixels), rows where
  // they have >= 4 columns. (Zen 4, NHWC, GOP/s: dcgan_g2, 4 rows x 4
  // columns per task: no split 442, rows 496, both 383; dcgan_g3, 8 x 8:
  // 433, 441, 462; dcgan_g4, 4 x 16: 405, 424, 422; fcn_up8, 1 x 64:
  // columns split 4 % slower. bf16, NCHW, GFLOP/s, no split / rows /
  // both: dcgan_g2 218, 246, 197; dcgan_g3 207, 220, 223; dcgan_g4 193,
  // 196, 193.)
  const size_t index = static_cast<size_t>(&p - lp.phases.data());
  int64_t rows = 1;
  for (const LanesRowGroup& grp : lp.groups)
    if (index >= grp.first && index < grp.first + grp.count) rows = grp.chunk;
  const bool split[3] = {split_any, split_any && p.a[2]->qhi - p.a[2]->qlo >= 4, split_any && rows >= 8};
  size_t boxes = 1;
  for (int a = 0; a < 3; ++a) {
    b.runs[a] = split[a] ? BorderRuns(*p.a[a], lp.g.in[a]) : OneRun(*p.a[a]);
    boxes *= b.runs[a].size();
  }
  if (boxes > kMaxTapBoxes) {
    for (int a = 0; a < 3; ++a) b.runs[a] = OneRun(*p.a[a]);
    boxes = 1;
  }
  const size_t t1 = p.a[1]->c.size(), t2 = p.a[2]->c.size();
  for (const BorderRun& r0 : b.runs[0])
    for (const BorderRun& r1 : b.runs[1])
      for (const BorderRun& r2 : b.runs[2]) {
        std::vector<int64_t> set;
        for (size_t j0 = 0; j0 < p.a[0]->c.size(); ++j0)
          for (size_t j1 = 0; j1 < t1; ++j1)
            for (size_t j2 = 0; j2 < t2; ++j2)
              if ((r0.mask >> j0 & 1) && (r1.mask >> j1 & 1) && (r2.mask >> j2 & 1))
                set.push_back(static_cast<int64_t>((j0 * t1 + j1) * t2 + j2));
        b.sets.push_back(std::move(set));
      }
  return b;
}

LanesTapSets::LanesTapSets(const LanesPlan& lp, bool split) {
  const int64_t panel = lp.words * lp.cob;  // uint32 per tap of a block's panel
  for (const LanesPhase& p : lp.phases) {
    first.push_back(off.size());
    boxes.push_back(BoxesOf(lp, p, split));
    for (const std::vector<int64_t>& set : boxes.back().sets) {
      std::vector<int64_t> o, ws;
      for (int64_t t : set) o.push_back(p.tap_off[static_cast<size_t>(t)]), ws.push_back(t * panel);
      off.push_back(std::move(o));
      w.push_back(std::move(ws));
    }
  }
  first.push_back(off.size());
}

}  // namespace tconv
