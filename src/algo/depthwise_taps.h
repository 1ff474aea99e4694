// Internal: the tap tables of the channels-last depthwise paths, f32
// (depthwise_nhwc.cc) and int8 (depthwise_nhwc_int8.cc): per axis, the taps
// reaching each output index (src/algo/tap_math.h), and the row arguments
// every output row of a plan shares (src/kernels/dw_nhwc_kernels.h).
#ifndef TCONV_SRC_ALGO_DEPTHWISE_TAPS_H_
#define TCONV_SRC_ALGO_DEPTHWISE_TAPS_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "src/algo/tap_math.h"
#include "src/base/parallel.h"
#include "src/geom3.h"
#include "src/kernels/dw_nhwc_kernels.h"

namespace tconv {

struct DepthwiseTaps {
  std::vector<kernels::AxisTaps> taps[3];  // taps[a][o] for o in [0, out[a])
  kernels::DwNhwcRowArgs args;             // in, k, steps, c, ow, tx (x, y, w, bias, td, ty: the caller's)

  explicit DepthwiseTaps(const Geom3& g) {
    for (int a = 0; a < 3; ++a) {
      const TapAxis axis(g.in[a], g.k[a], g.s[a], g.d[a], g.pb[a]);
      args.in[a] = g.in[a];
      args.k[a] = g.k[a];
      args.kstep[a] = axis.kstep;
      args.istep[a] = axis.istep;
      taps[a].resize(static_cast<size_t>(g.out[a]));
      for (int64_t o = 0; o < g.out[a]; ++o) {
        const TapRun run = TapsForOutput(axis, o);
        taps[a][static_cast<size_t>(o)] = {run.k0, run.ix0, run.count};
      }
    }
    args.c = g.cout;
    args.ow = g.out[2];
    args.tx = taps[2].data();
  }
  // The arguments of output row `row` (image n, depth od, height oy):
  // x image n and y's row, channels-last, `bytes` per element.
  kernels::DwNhwcRowArgs Row(const Geom3& g, int64_t row, const void* x, size_t x_bytes, void* y,
                             size_t y_bytes) const {
    const int64_t oy = row % g.out[1], od = (row / g.out[1]) % g.out[0], n = row / (g.out[1] * g.out[0]);
    kernels::DwNhwcRowArgs a = args;
    a.x = static_cast<const char*>(x) + static_cast<size_t>(n * g.in_sp * g.cout) * x_bytes;
    a.y = static_cast<char*>(y) + static_cast<size_t>(row * g.out[2] * g.cout) * y_bytes;
    a.td = &taps[0][static_cast<size_t>(od)];
    a.ty = &taps[1][static_cast<size_t>(oy)];
    return a;
  }
  // fn(row) for every output row of g, on `threads` threads.
  template <class Fn>
  static void ForEachRow(const Geom3& g, int threads, Fn fn) {
    const int64_t rows = g.n * g.out[0] * g.out[1];
    // Rows differ in cost only at the borders; chunks of ~1/16 per thread.
    const int64_t chunk = std::max<int64_t>(1, rows / (16 * static_cast<int64_t>(threads)));
    ParallelForDynamic(threads, rows, chunk, fn);
  }
  DepthwiseTaps(const DepthwiseTaps&) = delete;  // args.tx points into taps[2]
  DepthwiseTaps& operator=(const DepthwiseTaps&) = delete;
};

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_DEPTHWISE_TAPS_H_
