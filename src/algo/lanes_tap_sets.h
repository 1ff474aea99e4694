// Internal: which taps of a channels-in-lanes phase (src/algo/phase_lanes.h)
// read inside the input, box by box. The lanes kernels read every tap of a
// phase from the padded input, so an output near the input's edge also
// multiplies the padding by the taps that fall outside (a quarter of
// dcgan_g2's products: 4x4 inputs, k4 s2 p1). Along one axis the outputs q
// of a residue fall into runs over which the same taps read inside the
// input (an interior run with all of them, and a few at each end); the
// outputs of a phase fall into boxes, one run per axis, each with its own
// set of taps. A kernel may run a box with its set alone: the taps left out
// read only padding there.
#ifndef TCONV_SRC_ALGO_LANES_TAP_SETS_H_
#define TCONV_SRC_ALGO_LANES_TAP_SETS_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "src/algo/phase_lanes.h"

namespace tconv {

// Outputs [q0, q1) of one residue whose taps j reading inside the input
// are the bits of mask.
struct BorderRun {
  int64_t q0 = 0, q1 = 0;
  uint64_t mask = 0;
};

// The runs of residue r along an axis of `in` inputs, in increasing q;
// one run of every tap where the axis has more than 64 taps.
std::vector<BorderRun> BorderRuns(const AxisPhase& r, int64_t in);

// The boxes of phase p: runs per axis, and per box (i0, i1, i2) its taps
// (indices in LanesPlan::ForTaps' order) at sets[(i0 * runs[1].size() +
// i1) * runs[2].size() + i2]. One box of every tap where the phase would
// have more than kMaxTapBoxes boxes.
constexpr size_t kMaxTapBoxes = 64;
struct TapBoxes {
  std::vector<BorderRun> runs[3];
  std::vector<std::vector<int64_t>> sets;
  const std::vector<int64_t>& Set(size_t i0, size_t i1, size_t i2) const {
    return sets[(i0 * runs[1].size() + i1) * runs[2].size() + i2];
  }
};
// split false: one box of every tap (a kernel whose calls cost more than
// the padding's products, the AMX tiles').
TapBoxes BoxesOf(const LanesPlan& lp, const LanesPhase& p, bool split = true);

// One kernel call of a box: the x side as the lanes kernels take it
// (Int8RowArgs, Bf16RowArgs: SetBox copies it), and where the box is.
struct LanesBox {
  const uint32_t* x = nullptr;
  const int64_t* tap_off = nullptr;
  const int64_t* tap_w = nullptr;
  int64_t ntaps = 0, npix = 0, nrows = 0, x_row_stride = 0;
  int64_t q1 = 0, skip = 0;  // its first row, and its columns before it in the phase's row
  size_t set = 0;
};
template <class Args>
void SetBox(const LanesBox& b, Args* a) {
  a->x = b.x, a->tap_off = b.tap_off, a->tap_w = b.tap_w, a->ntaps = b.ntaps;
  a->npix = b.npix, a->nrows = b.nrows, a->x_row_stride = b.x_row_stride;
}

// Every phase's boxes, and each box's taps as the kernels take them: x
// offsets (LanesPhase::tap_off) and weight offsets (tap t's [word][cob]
// panel at t * words * cob). Sets are numbered over all phases: phase p's
// are [first[p], first[p + 1]).
struct LanesTapSets {
  std::vector<TapBoxes> boxes;
  std::vector<std::vector<int64_t>> off, w;
  std::vector<size_t> first;

  explicit LanesTapSets(const LanesPlan& lp, bool split = true);
  LanesTapSets() = default;
  size_t size() const { return off.size(); }
  // fn(box) for each box of phase `phase` that the task's rows and
  // columns meet (rows [box.q1, box.q1 + nrows) at the task's q0, columns
  // from box.skip past the phase's first), with the x side of its kernel
  // call filled: xp is the padded input of lp.
  template <class Fn>
  void ForBoxes(const LanesPlan& lp, size_t phase, const LanesTask& task, const uint32_t* xp, Fn fn) const {
    const TapBoxes& bx = boxes[phase];
    const LanesPhase& p = lp.phases[phase];
    size_t i0 = 0;
    while (bx.runs[0][i0].q1 <= task.q0) ++i0;
    const int64_t row_end = task.q1 + task.nrows;
    for (size_t i1 = 0; i1 < bx.runs[1].size(); ++i1) {
      const int64_t r0 = std::max(task.q1, bx.runs[1][i1].q0), r1 = std::min(row_end, bx.runs[1][i1].q1);
      if (r0 >= r1) continue;
      for (size_t i2 = 0; i2 < bx.runs[2].size(); ++i2) {
        const int64_t c0 = std::max(task.q2lo, bx.runs[2][i2].q0), c1 = std::min(task.q2hi, bx.runs[2][i2].q1);
        if (c0 >= c1) continue;
        LanesBox box;
        box.set = first[phase] + (i0 * bx.runs[1].size() + i1) * bx.runs[2].size() + i2;
        box.q1 = r0;
        box.skip = c0 - p.a[2]->qlo;
        box.x = xp + lp.XOffset(p, task.ng, task.q0, r0) + box.skip * lp.words;
        box.tap_off = off[box.set].data();
        box.tap_w = w[box.set].data();
        box.ntaps = static_cast<int64_t>(off[box.set].size());
        box.npix = c1 - c0;
        box.nrows = r1 - r0;
        box.x_row_stride = lp.pin[2] * lp.words;
        fn(box);
      }
    }
  }
};

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_LANES_TAP_SETS_H_
