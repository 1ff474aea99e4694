// Pixel shuffle (depth-to-space) and its inverse, as torch.nn.PixelShuffle /
// PixelUnshuffle, generalised to 1, 2 and 3 spatial axes.
//
// Sub-pixel convolution, the third decoder block of the article (DESIGN.md
// point 6), is a stride-1 convolution to C*r^D channels followed by a pixel
// shuffle with factor r.
//
//   PixelShuffle:   x (N, C*r^D, *in) -> y (N, C, *in*r)
//     y[n, c, h*r + i, w*r + j] = x[n, c*r^2 + i*r + j, h, w]       (D = 2)
//   In general the channel index is c*r^D + (sub-position offsets in C order
//   over the D axes), exactly torch's reshape/permute for D = 2.
//   PixelUnshuffle is the inverse: x (N, C, *out) with every spatial dim a
//   multiple of r -> y (N, C*r^D, *out/r).
#ifndef TCONV_PIXEL_SHUFFLE_H_
#define TCONV_PIXEL_SHUFFLE_H_

#include <cstdint>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

Status PixelShuffleShape(const Shape& in, int64_t r, Shape* out);
Status PixelUnshuffleShape(const Shape& in, int64_t r, Shape* out);

Status PixelShuffle(int64_t r, ConstTensorView x, TensorView y);
Status PixelUnshuffle(int64_t r, ConstTensorView x, TensorView y);

}  // namespace tconv

#endif  // TCONV_PIXEL_SHUFFLE_H_
