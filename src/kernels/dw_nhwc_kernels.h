// The channels-last depthwise kernel, f32_dw_nhwc_row_1x<V> (kDwNhwcRow):
// one output row of a depthwise transposed convolution (one input and one
// output channel per group), x (N, *in, C) and y (N, *out, C). Prepared by
// src/algo/depthwise_nhwc.cc; Highway code in src/kernels/hwy/dw_nhwc-inl.h.
//
// Per axis a and output index o, the taps reaching o are k = k0 + j*kstep
// reading input i = i0 - j*istep, j in [0, count) (src/algo/tap_math.h,
// TapsForOutput). Output pixel ox, channel c = bias[c] + sum over (jd, jy,
// jx) of x[id, iy, ix, c] * w[kd, ky, kx, c], in that order whatever the
// thread count; channels are the vector lanes (loads and stores contiguous in
// both x and y).
#ifndef TCONV_SRC_KERNELS_DW_NHWC_KERNELS_H_
#define TCONV_SRC_KERNELS_DW_NHWC_KERNELS_H_

#include <cstdint>

namespace tconv {
namespace kernels {

struct AxisTaps {
  int64_t k0 = 0, i0 = 0, count = 0;
};

// x: image n (in[0] x in[1] x in[2] pixels of c channels); y: the row's
// first pixel (ow pixels of c channels); td, ty: the row's depth and height
// taps; tx: the taps of each of the ow columns; w: [kd][kh][kw][c]; bias: c
// values. Contract: every tap lies inside x and w (TapsForOutput's runs do).
struct DwNhwcRowArgs {
  const void* x = nullptr;
  void* y = nullptr;
  int64_t c = 1;
  int64_t in[3] = {1, 1, 1};
  int64_t k[3] = {1, 1, 1};
  int64_t kstep[3] = {1, 1, 1}, istep[3] = {1, 1, 1};
  const AxisTaps* td = nullptr;
  const AxisTaps* ty = nullptr;
  const AxisTaps* tx = nullptr;
  int64_t ow = 1;
  const void* w = nullptr;
  const void* bias = nullptr;
};
using DwNhwcRowFn = void (*)(const DwNhwcRowArgs&);

// The int8 kernel i8_dw_nhwc_row (kDwNhwcRowInt8, src/algo/depthwise_nhwc_int8.cc):
// the same row with row.x u8 (x_signed false) or s8 bytes, row.w f32 weights
// [kd][kh][kw][c] (int8 values), row.bias unused. Per output (pixel, c):
// s = the sum over its taps of float(x - x_zero_point) * w, exact in f32 (the
// caller keeps every sum below 2^24: taps x 255 x 128), then with
// v = double(s) + bias[c]: y u8/s8: Requantize(v, mult[c], y_zero_point,
// y_min, y_max) of tconv/quant.h, bit for bit; y f32: float(v * mult[c]).
// At most kDwInt8MaxTaps taps reach an output (the caller's bound for
// exact f32 sums, Cin/g = 1: 2^24 / (255 x 128)).
constexpr int64_t kDwInt8MaxTaps = ((int64_t{1} << 24) - 1) / (255 * 128);
struct DwNhwcInt8Args {
  DwNhwcRowArgs row;
  bool x_signed = false;
  int32_t x_zero_point = 0;
  const double* bias = nullptr;  // c values (zeros without bias)
  const double* mult = nullptr;  // c values
  bool y_f32 = false;
  int32_t y_zero_point = 0, y_min = 0, y_max = 255;  // y_min, y_max: the type's limits
  // The caller's promise that every |v * mult[c]| < 2^30: the kernel then
  // rounds to int32 without clamping first (the same bits).
  bool in_range = false;
  // The f32 route (y u8 / s8 only; src/kernels/hwy/int8_round_f32-inl.h),
  // both set or both null: bias_f32[c] = bias[c] with |bias[c]| plus every
  // sum below 2^24 (so the sums stay exact in float), mult_f32[c] =
  // float(mult[c]) with mult[c] in [2^-120, 2^60]. The bits are the same.
  const float* bias_f32 = nullptr;
  const float* mult_f32 = nullptr;
};
using DwNhwcInt8Fn = void (*)(const DwNhwcInt8Args&);

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_DW_NHWC_KERNELS_H_
