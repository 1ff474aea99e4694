// The border tap sets of the lanes phases (src/algo/lanes_tap_sets.h): over
// seeded random geometries (1-3-D, dilation, pads, output padding) every
// output of every run has exactly the run's taps reading inside the input,
// the runs tile the residue's outputs in order, and each box's set is the
// product of its runs' taps; a hand-checked case (dcgan_g2's phases).
#include "src/algo/lanes_tap_sets.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/geom3.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

TEST(LanesTapSets, RunsHoldExactlyTheTapsThatReadInside) {
  int64_t partial = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const Geom3 g = MakeGeom3(testing::RandomConvTransposeDesc(seed), GeomOp::kConvTranspose);
    LanesPlan lp;
    std::string why;
    if (!lp.Init(g, 1, 16, "test", &why)) continue;
    for (const LanesPhase& p : lp.phases) {
      for (int a = 0; a < 3; ++a) {
        const AxisPhase& r = *p.a[a];
        const std::vector<BorderRun> runs = BorderRuns(r, g.in[a]);
        ASSERT_FALSE(runs.empty());
        EXPECT_EQ(runs.front().q0, r.qlo);
        EXPECT_EQ(runs.back().q1, r.qhi);
        for (size_t i = 0; i < runs.size(); ++i) {
          if (i > 0) EXPECT_EQ(runs[i].q0, runs[i - 1].q1);
          ASSERT_LT(runs[i].q0, runs[i].q1);
          if (r.c.size() > 64) continue;  // one run of every tap
          for (int64_t q = runs[i].q0; q < runs[i].q1; ++q)
            for (size_t j = 0; j < r.c.size(); ++j) {
              const bool inside = q - r.c[j] >= 0 && q - r.c[j] < g.in[a];
              ASSERT_EQ(inside, (runs[i].mask >> j & 1) != 0)
                  << testing::Repro(testing::RandomConvTransposeDesc(seed), seed);
            }
          partial += runs[i].mask != (r.c.size() >= 64 ? ~uint64_t{0} : (uint64_t{1} << r.c.size()) - 1);
        }
      }
      const TapBoxes b = BoxesOf(lp, p);
      ASSERT_EQ(b.sets.size(), b.runs[0].size() * b.runs[1].size() * b.runs[2].size());
      for (size_t i0 = 0; i0 < b.runs[0].size(); ++i0)
        for (size_t i1 = 0; i1 < b.runs[1].size(); ++i1)
          for (size_t i2 = 0; i2 < b.runs[2].size(); ++i2) {
            int64_t want = 0;
            for (int64_t t = 0; t < p.ntaps; ++t) {
              const uint64_t j2 = static_cast<uint64_t>(t) % p.a[2]->c.size();
              const uint64_t j1 = static_cast<uint64_t>(t) / p.a[2]->c.size() % p.a[1]->c.size();
              const uint64_t j0 = static_cast<uint64_t>(t) / p.a[2]->c.size() / p.a[1]->c.size();
              want +=
                  (b.runs[0][i0].mask >> j0 & 1) && (b.runs[1][i1].mask >> j1 & 1) && (b.runs[2][i2].mask >> j2 & 1);
            }
            EXPECT_EQ(static_cast<int64_t>(b.Set(i0, i1, i2).size()), want);
          }
    }
  }
  EXPECT_GT(partial, 300);  // border runs happened
}

// dcgan_g2 (4x4 -> 8x8, k4 s2 p1, batch 8): each phase's rows and columns
// are an interior run of three outputs with both taps and one border
// output with one; a task holds all 4 rows, so rows are split and columns
// are not (a task of fewer than 8 rows), and the sets hold 4 and 2 taps.
TEST(LanesTapSets, DcganG2) {
  ConvDesc d;
  d.ndim = 2, d.batch = 8, d.in_channels = 512, d.out_channels = 256, d.in = {4, 4, 1}, d.kernel = {4, 4, 1};
  d.stride = {2, 2, 1}, d.pad_begin = d.pad_end = {1, 1, 0};
  LanesPlan lp;
  std::string why;
  ASSERT_TRUE(lp.Init(MakeGeom3(d, GeomOp::kConvTranspose), 128, 64, "test", &why));
  ASSERT_EQ(lp.phases.size(), 4u);
  for (const LanesPhase& p : lp.phases) {
    for (int a = 1; a < 3; ++a) {
      const std::vector<BorderRun> runs = BorderRuns(*p.a[a], 4);
      ASSERT_EQ(runs.size(), 2u);
      EXPECT_EQ(runs[0].q1 - runs[0].q0 + runs[1].q1 - runs[1].q0, 4);
      EXPECT_EQ(runs[0].mask == 3 ? runs[1].mask : runs[0].mask, p.a[a]->r == 0 ? 2u : 1u) << a;
    }
    const TapBoxes b = BoxesOf(lp, p);
    EXPECT_EQ(b.runs[1].size(), 2u);
    EXPECT_EQ(b.runs[2].size(), 1u);
    ASSERT_EQ(b.sets.size(), 2u);
    EXPECT_EQ(b.sets[0].size() + b.sets[1].size(), 6u);
  }
}

}  // namespace
}  // namespace tconv
