// Internal: the plan that phase's channels-in-lanes paths share, bf16
// (src/algo/phase_bf16.cc) and int8 (src/algo/phase_int8_lanes.cc). Both
// pad x once into a channels-last volume per (image, group) whose pixel is
// `words` uint32 (channel pairs of bf16, channel quads of bytes), and run
// tasks of a few output rows of one phase for every block of output
// channels; the kernels hold output channels in their lanes and read each
// tap's pixels from the padded volume, so no tap needs a bounds test.
//
// This file owns that geometry: the residues, the padded volume (how much
// each axis is padded so every tap of every phase stays inside), the
// phases' tap offsets, the tasks (short rows gathered into ~kTaskPixels)
// and the weight layout [group][phase][block][tap][word][cob].
#ifndef TCONV_SRC_ALGO_PHASE_LANES_H_
#define TCONV_SRC_ALGO_PHASE_LANES_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "src/algo/phase_axes.h"
#include "src/base/parallel.h"
#include "src/geom3.h"

namespace tconv {

// One phase: a residue per axis.
struct LanesPhase {
  const AxisPhase* a[3];
  int64_t ntaps = 0;
  std::vector<int64_t> tap_off;  // uint32 offsets of each tap's first pixel
  int64_t w_off = 0;             // of its panels within a group's weights
};

// The phases that share their residues along axes 0 and 1 (all the column
// phases of the same output rows): a task runs them one after the other, so
// each output line is completed while in cache (phase by phase, each line
// was half written, evicted, and read again for its other half).
struct LanesRowGroup {
  size_t first = 0, count = 0;    // phases[first .. first + count)
  int64_t chunk = 1, chunks = 1;  // q1 rows per task, and row chunks per q0
  // Long rows (1-D layers, wide images) are cut into column chunks of
  // `cols` q2 indices from q2lo, so there are tasks for the threads.
  int64_t q2lo = 0, cols = 1, col_chunks = 1;
  int64_t rows = 0;  // tasks: (q0, chunk of q1 rows, chunk of columns) each
};

// What a task runs: rows [q1, q1 + nrows) at q0 of the phases of one row
// group, for image and group ng (= n * groups + group).
struct LanesTask {
  const LanesRowGroup* grp = nullptr;
  int64_t ng = 0, q0 = 0, q1 = 0, nrows = 0;
  int64_t q2lo = 0, q2hi = 0;  // its columns: [q2lo, q2hi) of each phase's
};

struct LanesPlan {
  // Analyses the axes; false and *why (naming `who`) when the padded input
  // would be too large (huge pads or dilation). words: uint32 per padded
  // pixel; cob: output channels per block.
  bool Init(const Geom3& geom, int64_t pixel_words, int64_t block_channels, const char* who, std::string* why);

  int64_t Tasks() const { return g.n * g.groups * row_prefix.back(); }
  // Tasks per dynamic-schedule chunk: 4 where there are many, fewer where a
  // chunk of 4 would leave a thread idle.
  int64_t TaskChunk(int threads) const {
    return std::max<int64_t>(1, std::min<int64_t>(4, Tasks() / (4 * static_cast<int64_t>(threads))));
  }
  LanesTask Task(int64_t t) const;
  // Offsets of the first pixel of rows q0, q1 of phase p: in x's padded
  // volume (uint32), and in y (elements, channel `co` of image n).
  int64_t XOffset(const LanesPhase& p, int64_t ng, int64_t q0, int64_t q1) const {
    return (ng * pin_sp + (q0 * pin[1] + q1) * pin[2] + p.a[2]->qlo) * words;
  }
  int64_t YOffset(const LanesPhase& p, int64_t n, int64_t co, int64_t q0, int64_t q1) const {
    return (n * g.cout + co) * g.out_sp + YPixel(p, q0, q1);
  }
  // The output pixel (within an image) of that first pixel.
  int64_t YPixel(const LanesPhase& p, int64_t q0, int64_t q1) const;
  // The weight panel of phase p, group gi, block b within the packed
  // weights; fn(t, ksp) for each tap t of p and its kernel offset.
  int64_t WOffset(const LanesPhase& p, int64_t gi, int64_t b) const {
    return gi * group_w + p.w_off + b * p.ntaps * words * cob;
  }
  template <class Fn>
  void ForTaps(const LanesPhase& p, Fn fn) const {
    int64_t t = 0;
    for (int64_t k0 : p.a[0]->k)
      for (int64_t k1 : p.a[1]->k)
        for (int64_t k2 : p.a[2]->k) fn(t++, (k0 * g.k[1] + k1) * g.k[2] + k2);
  }
  // Private padded copies: where there are fewer (image, group) volumes
  // than threads, every task reads all of one image's input, and with one
  // shared copy each thread read the half the other thread padded from the
  // other core's cache. Then each thread pads all of x into a copy of its
  // own (copies = threads; no barrier, nothing remote), up to
  // kPhasePrivateCopiesMaxBytes for all of them; else copies = 1.
  void ChooseCopies(int threads);
  int64_t InputWords() const { return g.n * g.groups * pin_sp * words; }
  int64_t WorkspaceBytes() const { return copies * InputWords() * 4; }

  // Whether the padded volume is x's own: no axis padded, so that x
  // channels last, one group whose pixels are `words` whole uint32, can be
  // read where it lies (Run's in_place).
  bool Unpadded() const {
    return lo[0] == 0 && lo[1] == 0 && lo[2] == 0 && pin[0] == g.in[0] && pin[1] == g.in[1] && pin[2] == g.in[2];
  }

  // One parallel region: pads x into xp (the thread's copy, or a share of
  // the one copy): every pad word is `pad`; interior row yy of slice z of
  // (image, group) ng comes from fill(ng, z, yy, row), which writes in[2]
  // pixels of `words` uint32 at row. Where in_place is not null, it is that
  // volume already (as Unpadded allows) and nothing is copied: Zen 5, NHWC,
  // medians of 3 alternated runs, 1 / 2 threads, unet_up4 bf16 330 -> 352 /
  // 635 -> 746 GFLOP/s, int8 694 -> 728 / 1262 -> 1295 GOP/s; unet3d_up
  // bf16 409 -> 417 / 734 -> 814; unet_up1 +2 % in both. Then, where
  // bias_only, bias(i) for i in [0, bias_items) (before any task writes y);
  // then task(t, x) for every task t, x the padded input it reads,
  // dynamically scheduled (with private copies a static split was up to
  // 20 % faster on one layer and 8-10 % slower on others: tasks at the
  // border run fewer taps).
  template <class Fill, class Bias, class TaskFn>
  void Run(uint32_t pad, uint32_t* xp, const uint32_t* in_place, int threads, Fill fill, int64_t bias_items, Bias bias,
           TaskFn task) const;

  Geom3 g;
  std::vector<AxisPhase> ax[3];
  std::vector<LanesPhase> phases;
  std::vector<LanesRowGroup> groups;
  std::vector<int64_t> row_prefix;  // tasks of the row groups before each, per (image, group)
  int64_t lo[3] = {0, 0, 0}, pin[3] = {1, 1, 1}, pin_sp = 1;
  int64_t words = 1, cob = 1, nblocks = 1, group_w = 0;
  int64_t macs = 0;        // multiply-adds the kernels do per (image, group), per word and channel of a block
  bool bias_only = false;  // some outputs have no tap: the bias (requantized) alone
  int64_t copies = 1;      // padded copies of x in the workspace (ChooseCopies)

 private:
  // Slabs [s0, s1) of the padded volume (slab s: slice s % pin[0] of
  // (image, group) s / pin[0]), as Run pads them.
  template <class Fill>
  void PadSlabs(uint32_t pad, uint32_t* xp, int64_t s0, int64_t s1, Fill fill) const;
};

template <class Fill, class Bias, class TaskFn>
void LanesPlan::Run(uint32_t pad, uint32_t* xp, const uint32_t* in_place, int threads, Fill fill, int64_t bias_items,
                    Bias bias, TaskFn task) const {
  const int64_t slabs = g.n * g.groups * pin[0], tasks = Tasks(), chunk = TaskChunk(threads);
  // (A Run with more threads than the copies falls back to the shared one.)
  const bool own = copies > 1 && threads > 1 && threads <= copies;
  std::atomic<int64_t> next_task{0};
  ParallelRegion(threads, [&](const Team& team) {
    uint32_t* copy = own ? xp + team.thread() * InputWords() : xp;
    const uint32_t* xt = in_place ? in_place : copy;
    if (in_place) {
      // x is the volume: nothing to pad.
    } else if (own) {
      PadSlabs(pad, copy, 0, slabs, fill);
    } else {
      team.ForStatic(slabs, [&](int64_t s) { PadSlabs(pad, xp, s, s + 1, fill); });
    }
    if (bias_only) team.ForStatic(bias_items, bias);
    team.ForDynamic(next_task, tasks, chunk, [&](int64_t t) { task(t, xt); }, /*nowait=*/true);
  });
}

template <class Fill>
void LanesPlan::PadSlabs(uint32_t pad, uint32_t* xp, int64_t s0, int64_t s1, Fill fill) const {
  const int64_t row = pin[2] * words, slab = pin[1] * row;
  const int64_t lo2 = lo[2] * words, hi2 = (pin[2] - lo[2] - g.in[2]) * words;
  for (int64_t s = s0; s < s1; ++s) {
    uint32_t* out = xp + s * slab;
    const int64_t ng = s / pin[0], z = s % pin[0] - lo[0];
    if (z < 0 || z >= g.in[0]) {
      std::fill_n(out, slab, pad);
      continue;
    }
    // Row by row: a padded row stays in cache while the channels are
    // interleaved into it (channel-major passes over the whole slab made
    // unet_up4's pad pass the larger part of its bf16 run).
    for (int64_t y = 0; y < pin[1]; ++y) {
      uint32_t* r = out + y * row;
      if (y < lo[1] || y >= lo[1] + g.in[1]) {
        std::fill_n(r, row, pad);
        continue;
      }
      std::fill_n(r, lo2, pad);
      std::fill_n(r + row - hi2, hi2, pad);
      fill(ng, z, y - lo[1], r + lo2);
    }
  }
}

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_PHASE_LANES_H_
