// The int8 kernel of the phase algorithm (src/algo/phase_int8.cc's dot
// path): its argument struct and contract. The Highway code is
// src/kernels/hwy/phase_int8-inl.h.
//
// One call computes, for npix output pixels of one phase and nco output
// channels, the exact int32 sums
//   acc[p*nco + co] = sum over taps t < ntaps, channels c < cin of
//                     x[x_off[p*ntaps + t] + c] * w[co*w_co_stride + t*cin + c]
// where x holds x - x_zero_point as int16, channels last (a tap whose input
// does not exist points at a pixel of zeros), and w the int16 weights. The
// caller bounds the sums (Plan::Create: kMaxInt8Products), so int32 does
// not overflow; any order of the products gives the same sums.
//
// Layer: kernels/ depends on src/base/ only.
#ifndef TCONV_SRC_KERNELS_PHASE_INT8_KERNELS_H_
#define TCONV_SRC_KERNELS_PHASE_INT8_KERNELS_H_

#include <cstdint>

namespace tconv {
namespace kernels {

// cin is a multiple of this (the caller pads channels with zeros): a whole
// number of int16 vectors at every target.
constexpr int64_t kInt8ChannelAlign = 32;
// Most pixels per call.
constexpr int64_t kInt8MaxPixels = 4;

struct Int8DotArgs {
  const int16_t* x = nullptr;
  const int64_t* x_off = nullptr;  // [npix][ntaps], in int16 elements
  int64_t npix = 1;                // 1 .. kInt8MaxPixels
  int64_t ntaps = 0;               // >= 0
  int64_t cin = 0;                 // multiple of kInt8ChannelAlign
  const int16_t* w = nullptr;      // [co][ntaps][cin] with co stride w_co_stride
  int64_t w_co_stride = 0;
  int64_t nco = 0;         // >= 1
  int32_t* acc = nullptr;  // [npix][nco], each written once
};
using Int8DotFn = void (*)(const Int8DotArgs& a);

// The channels-in-lanes kernel (src/algo/phase_int8_lanes.cc):
// i8_phase_vnni_<P>x<V>. Its layout is the bf16 kernels' (see
// phase_bf16_kernels.h) with quads of bytes instead of pairs of bf16: one
// call computes nrows output rows of one phase for one block of output
// channels of one group, pixels i < nrows*npix (row r = i / npix, column
// q = i % npix) tiled together:
//   acc[co][i] = init[co] + sum over taps t, channel quads c, bytes h < 4 of
//                ux[tap_off[t] + r*x_row_stride + q*ci4 + c].byte(h)
//                * sw[tap_w[t] + c*cob + co].byte(h)
// in int32 modulo 2^32 (vpdpbusd), x's bytes unsigned and w's signed. The
// caller makes acc the exact sum of (x - x_zero_point) * w: x holds x
// shifted to unsigned (u8 as is, s8 + 128) with every pad byte equal to the
// shifted zero point zs, and init[co] = -zs * (the sum of the weights the
// taps read), so the pads add nothing and the wrapped sum is the exact one
// (Plan::Create bounds it by kMaxInt8Products). Then, per output, with
// v = double(acc) + bias[co] (exact):
//   y u8/s8: Requantize(v, mult[co], y_zero_point, y_min, y_max) of
//            tconv/quant.h, bit for bit;
//   y f32:   float(v * mult[co]) (Dequantize).
// With `folded`, init[co] already holds bias[co] (bias is not read) and
// the caller guarantees |acc| * mult[co] < 2^30 for every output (so
// |acc| < 2^31 too): v = double(acc), and the integer rounding needs no
// clamp before it; the result is the same. (y_min and y_max are always
// the limits of y's type.)
// Output (co, r, q) is at co*y_co_stride + r*y_row_stride + q*y_pix_stride
// elements of y's type; nrows >= 1 rows of npix >= 1 pixels and
// 1 <= nco <= cob channels are written, each once. y_co_stride 1 (y
// channels last) stores the channels of a pixel as vectors, masked past
// nco; else the kernel stages its tiles and writes channel by channel.
// The last tile of a call holds only the pixels that remain.
enum class Int8Out : uint8_t { kF32, kU8, kS8 };
struct Int8RowArgs {
  const uint32_t* x = nullptr;       // channels-last quads, pixel stride ci4
  const int64_t* tap_off = nullptr;  // ntaps >= 0 offsets (uint32) of each tap's first pixel
  const int64_t* tap_w = nullptr;    // offsets (uint32) of each tap's [ci4][cob] weights in w
  int64_t ntaps = 0;
  int64_t ci4 = 0;                // >= 1
  const uint32_t* w = nullptr;    // quads, zero past nco
  const int32_t* init = nullptr;  // nco
  const double* bias = nullptr;   // nco (zeros without bias)
  const double* mult = nullptr;   // nco: RequantMultiplier
  int64_t npix = 0, nrows = 1;
  int64_t x_row_stride = 0;
  int64_t nco = 0;
  bool folded = false;  // init includes the bias; |acc| * mult < 2^30
  void* y = nullptr;
  Int8Out y_type = Int8Out::kU8;
  int32_t y_zero_point = 0, y_min = 0, y_max = 255;
  int64_t y_co_stride = 0, y_pix_stride = 0, y_row_stride = 0;
};
using Int8RowFn = void (*)(const Int8RowArgs& a);
// The requantization of an output plane of integer sums, in f32 (the
// widened route, src/algo/phase_int8_widened.cc) or int32 (gemm_col2im's,
// src/algo/gemm_col2im_int8.cc): i8_requant. For i < n, with
// v = double(acc[i]) + bias (acc: acc, else acc_i32):
//   y u8/s8: y[i] = Requantize(v, mult, y_zero_point, y_min, y_max) of
//            tconv/quant.h, bit for bit;  y f32: y[i] = float(v * mult).
// y may be acc itself (f32 y, in place).
struct Int8RequantArgs {
  const float* acc = nullptr;  // exact integers
  const int32_t* acc_i32 = nullptr;
  int64_t n = 0;
  double bias = 0, mult = 1;
  void* y = nullptr;
  Int8Out y_type = Int8Out::kU8;
  int32_t y_zero_point = 0, y_min = 0, y_max = 255;
};
using Int8RequantFn = void (*)(const Int8RequantArgs& a);

// Most pixels per tile and vectors of output channels per call.
constexpr int kInt8MaxTilePixels = 16;
constexpr int kInt8MaxTileVectors = 4;

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_PHASE_INT8_KERNELS_H_
