// The channels-first depthwise kernel, f32_dw_nchw_expand_<R>x<V>
// (kDwNchwExpand): output rows [oy0, oy1) of one (image, channel) plane of a
// 1-D or 2-D transposed convolution with one input and one output channel
// per group, undilated, whose stride along x divides the vector lanes.
// Prepared by src/algo/depthwise_nchw.cc; Highway code in
// src/kernels/hwy/dw_nchw-inl.h.
//
// Output pixels sit in the vector lanes, in y's own order: no phase tiles,
// no interleave, every y row stored once, left to right. Along x, with
// t = ox + pbx, the taps reaching ox are kx = t mod sx + m*sx (m in [0, mx),
// kx < kx_size) reading ix = floor(t / sx) - m. So with the input row
// expanded by sx, E[t] = x[floor(t / sx)] (zero outside the row), output ox
// sums E[t - m*sx] * w[ky][t mod sx + m*sx] over m: as sx divides the
// lanes, a vector of outputs starting at a multiple of the lanes sees the
// same t mod sx pattern in every vector, so the weights are one vector per
// (ky, m), packed once. Along y the taps are exact (rows that exist only).
// Lanes whose kx would pass the kernel (m = mx - 1 when sx does not divide
// kx_size) load E as zero and multiply the packed zero weight: no padded
// tap meets an input (an Inf input gives NaN only where it contributes).
// Each output is bias + its taps in the order (ky ascending by row tap
// index, m ascending); padding inside E is exact zero.
#ifndef TCONV_SRC_KERNELS_DW_NCHW_KERNELS_H_
#define TCONV_SRC_KERNELS_DW_NCHW_KERNELS_H_

#include <cstdint>

namespace tconv {
namespace kernels {

// Lanes of the packed weight vectors: the widest target's (a narrower
// target reads the first Lanes; sx divides its lanes, so the pattern of
// t mod sx repeats in them).
constexpr int64_t kDwNchwPackLanes = 16;

struct DwNchwExpandArgs {
  const float* x = nullptr;  // the plane: in_h x in_w
  float* y = nullptr;        // the plane: oh x ow
  int64_t in_h = 1, in_w = 1, oh = 1, ow = 1;
  int64_t oy0 = 0, oy1 = 1;  // the output rows to write
  int64_t sy = 1, sx = 1, ky = 1, kx = 1, pby = 0, pbx = 0;
  int64_t my = 1, mx = 1;  // ceil(ky / sy), ceil(kx / sx): row and column taps per output, at most
  // w[(ky * mx + m) * kDwNchwPackLanes + l] = w[ky][(l + pbx) mod sx + m*sx],
  // 0 where that passes kx; last_ok[l] = 1 where lane l of m = mx - 1 is a
  // real tap, 0 where not.
  const float* w = nullptr;
  const float* last_ok = nullptr;
  float bias = 0.0f;
  // The expanded rows E (a ring of my + 1 rows, row_len floats each, E[b] at
  // t = b + t0) and two zero-bordered input rows they are made from (xb_len
  // floats each, x[ix] at xb_left + ix): DwNchwScratchFloats floats,
  // 64-byte aligned, the caller's (one per thread).
  int64_t t0 = 0, a_off = 0, row_len = 0, xb_left = 0, xb_len = 0;
  float* scratch = nullptr;
};
using DwNchwExpandFn = void (*)(const DwNchwExpandArgs&);

// Floats of scratch the kernel uses for `a` (two xb lines, then the ring).
inline int64_t DwNchwScratchFloats(const DwNchwExpandArgs& a) {
  return 2 * ((a.xb_len + 15) / 16 * 16) + (a.my + 1) * a.row_len;
}

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_DW_NCHW_KERNELS_H_
