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
  int64_t nco = 0;                 // >= 1
  int32_t* acc = nullptr;          // [npix][nco], each written once
};
using Int8DotFn = void (*)(const Int8DotArgs& a);

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_PHASE_INT8_KERNELS_H_
