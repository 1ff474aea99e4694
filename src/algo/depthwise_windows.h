// Internal: what the depthwise planners on windows share (int8:
// depthwise_windows_int8.cc, bf16: depthwise_windows_bf16.cc; the kernels'
// contracts and why windows: src/kernels/dw_windows.h): which layers they
// run, the window ranges, the padded copy of x and the parallel run.
#ifndef TCONV_SRC_ALGO_DEPTHWISE_WINDOWS_H_
#define TCONV_SRC_ALGO_DEPTHWISE_WINDOWS_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/geom3.h"
#include "src/kernels/dw_windows.h"
#include "src/kernels/planes_to_words.h"

namespace tconv {

// "" where the windows kernels run g (depthwise, 2-D or 1-D, per axis
// k <= 2 s, s <= kDwWindowsMaxStride, dilation 1, leading pad >= 0), else
// why not, in a few words.
std::string DwWindowsRefusal(const Geom3& g);

// The windows of g along y (axis 1) and x (axis 2), and the padded copy of
// one image: q = (o + p) / s for o in [0, out), windows [q0, q1), each
// reading input pixels q - 1 and q, so the copy holds input pixels -1 ..
// padded - 2 (padded = max(in, q1) + 1 of them per axis), channels padded
// to whole blocks: cp elements per pixel.
struct DwWindows {
  int64_t q0[3] = {}, q1[3] = {}, padded[3] = {};
  int64_t blocks = 1, cp = 1;

  DwWindows(const Geom3& g, int64_t block) {
    blocks = CeilDiv(g.cout, block);
    cp = blocks * block;
    for (int a = 1; a < 3; ++a) {
      q0[a] = g.pb[a] / g.s[a];
      q1[a] = (g.out[a] - 1 + g.pb[a]) / g.s[a] + 1;
      padded[a] = std::max(g.in[a], q1[a]) + 1;
    }
  }
  int64_t RowElems() const { return padded[2] * cp; }
  int64_t ImageElems() const { return padded[1] * RowElems(); }

  // Padded row r (input row r - 1) of the images copied at dst: from the
  // channels-last images at x (pixels of g.cout elements), each element
  // XOR flip, the border and the padded channels `pad`.
  template <class T>
  void CopyRow(const Geom3& g, const T* x, int64_t r, T pad, T flip, T* dst) const {
    const int64_t i = r / padded[1], iy = r % padded[1] - 1, c = g.cout, p = cp;
    T* d = dst + i * ImageElems() + (iy + 1) * RowElems();
    if (iy < 0 || iy >= g.in[1]) {
      std::fill(d, d + RowElems(), pad);
      return;
    }
    const T* s = x + (i * g.in[1] + iy) * g.in[2] * c;
    std::fill(d, d + p, pad);  // input column -1
    for (int64_t ix = 0; ix < g.in[2]; ++ix) {
      T* dp = d + (ix + 1) * p;
      const T* sp = s + ix * c;
      if (flip) {
        for (int64_t ch = 0; ch < c; ++ch) dp[ch] = static_cast<T>(sp[ch] ^ flip);
      } else {
        std::memcpy(dp, sp, static_cast<size_t>(c) * sizeof(T));
      }
      std::fill(dp + c, dp + p, pad);
    }
    std::fill(d + (g.in[2] + 1) * p, d + RowElems(), pad);
  }

  // The same from channels-first images at x (planes of g.in_sp elements)
  // by the kernel planes_to_words (to_words: T's words of 4 / sizeof(T)
  // channels, cp a multiple of them).
  template <class T>
  void CopyRowPlanes(const Geom3& g, const T* x, int64_t r, T pad, T flip, T* dst,
                     kernels::PlanesToWordsFn to_words) const {
    const int64_t i = r / padded[1], iy = r % padded[1] - 1;
    T* d = dst + i * ImageElems() + (iy + 1) * RowElems();
    if (iy < 0 || iy >= g.in[1]) {
      std::fill(d, d + RowElems(), pad);
      return;
    }
    std::fill(d, d + cp, pad);  // input column -1
    kernels::PlanesToWordsArgs a;
    a.src = x + i * g.cout * g.in_sp + iy * g.in[2];
    a.plane_stride = g.in_sp;
    a.channels = g.cout;
    a.width = g.in[2];
    a.dst = reinterpret_cast<uint32_t*>(d + cp);
    a.words = cp * static_cast<int64_t>(sizeof(T)) / 4;
    a.pad = pad;
    a.flip = flip;
    to_words(a);
    std::fill(d + (g.in[2] + 1) * cp, d + RowElems(), pad);
  }

  // For every pass of `images` images from image 0 of g, in one parallel
  // region: copy(n0, padded row) for the pass's rows, a barrier, then
  // row(n0, image in pass, window row qy, the team member). Both split
  // statically: each thread writes the same rows of y every run (and reads
  // mostly the rows of x it copied), so they stay in its cache (dw_k4s2,
  // 2 threads: 1.95x one thread's speed; 1.1x with rows claimed
  // dynamically).
  template <class Copy, class Row>
  void Run(const Geom3& g, int64_t images, int threads, Copy copy, Row row) const {
    const int64_t rows = q1[1] - q0[1];
    for (int64_t n0 = 0; n0 < g.n; n0 += images) {
      const int64_t m = std::min(images, g.n - n0);
      ParallelRegion(threads, [&](const Team& team) {
        team.ForStatic(m * padded[1], [&](int64_t r) { copy(n0, r); });
        team.ForStatic(
            m * rows, [&](int64_t t) { row(n0, t / rows, q0[1] + t % rows, team.thread()); }, /*nowait=*/true);
      });
    }
  }
};

// Images copied at once: at most this many bytes (one image at least).
constexpr int64_t kDwWindowsCopyBytes = int64_t{8} << 20;

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_DEPTHWISE_WINDOWS_H_
