// The bf16 kernels of the phase algorithm: their argument struct and
// contract. The planner and runner are src/algo/phase_bf16.cc; the Highway
// code is src/kernels/hwy/phase_bf16-inl.h.
//
// One call computes nrows output rows of one phase (a dense stride-1
// correlation, see phase_kernels.h) for one block of output channels of one
// group. Its pixels i < nrows*npix (row r = i / npix, column q = i % npix)
// are tiled together, so short rows fill the tiles too:
//   out[co][i] = bias[co] + sum over taps t, channel pairs c of
//   x[tap_off[t] + r*x_row_stride + q*ci2 + c] . w[tap_w[t] + c*cob + co]
// where each x and w element is a pair of bf16 (low half: channel 2c, high
// half: channel 2c + 1) and "." is the pair's dot product accumulated in
// f32, the odd product first (vdpbf16ps's order; the widening kernels keep
// it, so both give the same bits on normal numbers; vdpbf16ps flushes
// denormal inputs and results to zero, the widening kernels do not). The
// AMX kernel rounds differently (amx_kernels.h).
//
// Layer: kernels/ depends on src/base/ only.
#ifndef TCONV_SRC_KERNELS_PHASE_BF16_KERNELS_H_
#define TCONV_SRC_KERNELS_PHASE_BF16_KERNELS_H_

#include <cstdint>

namespace tconv {
namespace kernels {

// Largest pixel tile (tile rows) of any bf16 kernel: the kernels' stack
// tile holds this many pixels.
constexpr int kBf16MaxTilePixels = 16;
// Most vectors of output channels per call (tile columns).
constexpr int kBf16MaxTileVectors = 4;

// One call (contract):
//   x        channels-last pairs of the group's padded input; pixel stride
//            ci2 (uint32 each), row stride x_row_stride; readable at every
//            pixel's address above (the last tile of a call holds only the
//            pixels that remain: no over-read).
//   tap_off  ntaps >= 0 offsets (in uint32) of each tap's first pixel, in
//            increasing tap order (the sums add the taps in this order).
//   tap_w    offsets (in uint32) of each tap's [ci2][cob] pairs in w.
//   w        pairs, cob = vectors * lanes (zero past nco).
//   bias     nco f32 values, or nullptr (zero).
//   y / ybf  exactly one non-null: the output at (first channel, first
//            pixel), f32 or bf16 (rounded to nearest even once); element
//            (co, r, q) at co*y_co_stride + r*y_row_stride + q*y_pix_stride;
//            y_co_stride 1 (y channels last) stores each pixel's channels
//            as one run.
//   nrows >= 1 rows of npix >= 1 pixels, 1 <= nco <= cob channels are
//   written, each once.
struct Bf16RowArgs {
  const uint32_t* x = nullptr;
  const int64_t* tap_off = nullptr;
  const int64_t* tap_w = nullptr;
  int64_t ntaps = 0;
  int64_t ci2 = 0;
  const uint32_t* w = nullptr;
  const float* bias = nullptr;
  int64_t npix = 0, nrows = 1;
  int64_t x_row_stride = 0;
  int64_t nco = 0;
  float* y = nullptr;
  uint16_t* ybf = nullptr;
  int64_t y_co_stride = 0, y_pix_stride = 0, y_row_stride = 0;
};
using Bf16RowFn = void (*)(const Bf16RowArgs& a);

// bf16_round: n floats at src to bf16 bits at dst, to nearest with ties to
// even, NaN to 0x7FC0 (Bf16Bits, src/base/bf16.h, on vectors). The bf16
// route that widens to f32 rounds its y with it.
using Bf16RoundFn = void (*)(const float* src, int64_t n, uint16_t* dst);

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_PHASE_BF16_KERNELS_H_
