// The depthwise kernels on windows, for 2-D and 1-D depthwise layers (one
// channel per group) whose kernel spans at most two strides per axis
// (k <= 2s, dilation 1), e.g. k4 s2, k3 s2 and k2 s2; prepared by
// src/algo/depthwise_windows_{int8,bf16}.cc (src/algo/depthwise_windows.h).
//
// Why windows: along an axis with k <= 2s, output o with q = (o + p) / s
// and phase r = (o + p) mod s sums x[q] w[r] + x[q - 1] w[r + s] (taps past
// k are zero). So the 2 x 2 input pixels of window (qy, qx) are the four
// taps of all sy x sx outputs of that window, one phase each: interleaved
// once per window, they serve every phase.
//
// Both kernels take one window row qy of one image: input rows qy - 1
// (top) and qy (bottom) of a padded copy (pixel j is input column j - 1,
// channels padded to whole blocks), windows qx in [qx0, qx1), and the
// output rows of its phases ry (null where outside y); output column
// ox = qx sx + rx - px is written where it lies in [0, ow). Their
// per-channel tables are in "permuted" channel order: the unpacks that
// interleave put, in each 128-bit lane, 4 (int8) channels of a block in
// each word vector (PermutedChannel says which).
//
// The int8 kernel i8_dw_vnni_windows (kDwWindowsInt8; AVX-512 VNNI,
// src/kernels/avx512/dw_windows_int8.cc): a window's four bytes of a
// channel are one 32-bit word, the four products of an output one vpdpbusd
// lane. Per window row qy (input rows qy - 1, qy) and channel c, for each window
// qx in [qx0, qx1) and phase (ry, rx) whose output row is given and whose
// column ox = qx sx + rx - px lies in [0, ow):
//   acc = init[ry][rx][c] + sum of the four u8 x bytes times the s8 weights
// (int32, exact), and y[ox][c] = Requantize(acc, mult[c], y_zero_point) of
// tconv/quant.h, saturated to u8 or s8, bit for bit (see contract fields).
#ifndef TCONV_SRC_KERNELS_DW_WINDOWS_H_
#define TCONV_SRC_KERNELS_DW_WINDOWS_H_

#include <cstdint>

namespace tconv {
namespace kernels {

// int8 channels per block: one vector of 64 bytes, 4 x 16 words.
constexpr int64_t kDwWindowsBlock = 64;
// The most phases per axis (the stride).
constexpr int64_t kDwWindowsMaxStride = 8;

// Word order: within each 128-bit lane L of block b, the interleaving puts
// channels 64 b + 16 L + 4 j + (0..3) in word vector j. So the per-channel
// tables below are "permuted": entry [b][16 j + 4 L + i] is channel
// 64 b + 16 L + 4 j + i (PermutedChannel).
inline int64_t PermutedChannel(int64_t b, int64_t e) {
  const int64_t j = e / 16, lane = (e % 16) / 4, i = e % 4;
  return kDwWindowsBlock * b + 16 * lane + 4 * j + i;
}

struct DwWindowsInt8Args {
  // Input rows qy - 1 (top) and qy (bottom) of the padded copy: pixel j is
  // input column j - 1, cp bytes each (the channels padded to blocks),
  // u8 (s8 x is flipped to u8 by the caller: x + 128); pixels qx0 .. qx1
  // are read.
  const uint8_t* top = nullptr;
  const uint8_t* bottom = nullptr;
  int64_t cp = 0;
  int64_t c = 0;  // channels stored per output pixel (y's pixel stride)
  int64_t qx0 = 0, qx1 = 0;
  int64_t sy = 1, sx = 1, px = 0, ow = 0;
  // y_rows[ry]: output row qy sy + ry - py (its pixel 0), or null where it
  // lies outside y.
  uint8_t* y_rows[kDwWindowsMaxStride] = {};
  // Per phase (ry, rx) and block b, at ((ry * sx + rx) * blocks + b):
  // w: 4 word vectors of 16 words, each word the s8 weights for the taps
  // (ky, kx) = (ry + sy, rx + sx), (ry, rx + sx), (ry + sy, rx), (ry, rx) in
  // bytes 0..3 (zero past the kernel), permuted channels;
  // init: 64 int32, permuted: bias - x_zero_point (as u8) x the sum of the
  // phase's weights.
  const int8_t* w = nullptr;
  const int32_t* init = nullptr;
  int64_t blocks = 0;
  // Per block, permuted: mult (64 doubles), and where f32_route, mult_f32
  // (64 floats: float(mult), mult in [2^-120, 2^60], every |acc| < 2^24 so
  // float(acc) is exact: the route of src/kernels/hwy/int8_round_f32-inl.h).
  const double* mult = nullptr;
  const float* mult_f32 = nullptr;
  bool f32_route = false;
  // The caller's promise that every |acc x mult| < 2^30 (no clamp first).
  bool in_range = false;
  bool y_signed = false;  // s8 y, else u8
  int32_t y_zero_point = 0;
};
using DwWindowsInt8Fn = void (*)(const DwWindowsInt8Args&);

// The bf16 kernel bf16_dw_dpbf16_windows (kDwWindowsBf16; AVX512_BF16,
// src/kernels/avx512/dw_windows_bf16.cc): a window's top and bottom
// values of a channel are one 32-bit pair, an output two vdpbf16ps lanes
// (left column, right column), sums in f32 from the bias. Blocks of 32
// channels (one vector of bf16), two pair vectors: word vector j (0, 1) of
// lane L holds channels 8 L + 4 j + (0..3); the tables' entry [b][16 j + 4 L
// + i] is channel 32 b + 8 L + 4 j + i (PermutedChannelBf16).
constexpr int64_t kDwWindowsBlockBf16 = 32;
inline int64_t PermutedChannelBf16(int64_t b, int64_t e) {
  const int64_t j = e / 16, lane = (e % 16) / 4, i = e % 4;
  return kDwWindowsBlockBf16 * b + 8 * lane + 4 * j + i;
}

struct DwWindowsBf16Args {
  // As DwWindowsInt8Args: bf16 bits, cp and c in elements.
  const uint16_t* top = nullptr;
  const uint16_t* bottom = nullptr;
  int64_t cp = 0, c = 0;
  int64_t qx0 = 0, qx1 = 0;
  int64_t sy = 1, sx = 1, px = 0, ow = 0;
  // y_rows[ry]: output row qy sy + ry - py (its pixel 0: f32 or bf16 bits,
  // y_bf16), or null.
  void* y_rows[kDwWindowsMaxStride] = {};
  bool y_bf16 = false;
  // Per phase (ry, rx) and block b, at ((ry * sx + rx) * blocks + b):
  // 4 pair vectors of 16 pairs, permuted channels: left column (kx = rx +
  // sx) for word vectors 0, 1, then right column (kx = rx) for 0, 1; each
  // pair the bf16 weights of (ky = ry + sy) in its low half, (ky = ry) in its
  // high half (zero past the kernel).
  const uint16_t* w = nullptr;
  int64_t blocks = 0;
  const float* bias = nullptr;  // per block, 32 floats, permuted (zeros without bias)
  // Per phase (ry * sx + rx), where k < 2 s: the taps that exist, each
  // column's: bit 0 left top, 1 left bottom, 2 right top, 3 right bottom
  // (null: all four everywhere). A missing tap's x is not multiplied at all
  // (its half of the pair zeroed, or the column skipped): zero weight times
  // an Inf or NaN of x would be NaN where the reference has no such term.
  const uint8_t* taps = nullptr;
};
// Per output (pixel, c): bias[c] + the products of its real taps, summed in
// f32 by vdpbf16ps (pairs, the order and the rounding its own: within the
// f32 accumulation bound of the reference on the bf16 values); y bf16:
// rounded to nearest even as tconv::ToBFloat16 (NaN -> 0x7FC0).
using DwWindowsBf16Fn = void (*)(const DwWindowsBf16Args&);

// TCONV_HAVE_AVX512_HELPERS: set by the build on x86-64 (CMakeLists.txt).
#ifndef TCONV_HAVE_AVX512_HELPERS
#define TCONV_HAVE_AVX512_HELPERS 0
#endif
#if TCONV_HAVE_AVX512_HELPERS
DwWindowsInt8Fn DwWindowsInt8Avx512Vnni();  // i8_dw_vnni_windows__avx512*
DwWindowsBf16Fn DwWindowsBf16Avx512Bf16();  // bf16_dw_dpbf16_windows__avx512*
#endif

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_DW_WINDOWS_H_
