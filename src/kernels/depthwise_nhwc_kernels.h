// Internal: the data of the channels-last depthwise kernel
// (src/kernels/hwy/depthwise_nhwc_hwy.cc), prepared once by
// src/kernels/depthwise_nhwc.cc.
//
// Per axis a and output index o, the taps reaching o are
// k = k0 + j*kstep reading input i = i0 - j*istep, j in [0, count)
// (src/algo/tap_math.h, TapsForOutput). An output pixel's value for channel
// c is bias[c] + sum over (jd, jy, jx) of x[n, id, iy, ix, c] *
// w[kd, ky, kx, c], in that loop order whatever the thread count; channels
// are the vector lanes (loads and stores contiguous in both x and y).
#ifndef TCONV_SRC_KERNELS_DEPTHWISE_NHWC_KERNELS_H_
#define TCONV_SRC_KERNELS_DEPTHWISE_NHWC_KERNELS_H_

#include <cstdint>
#include <vector>

namespace tconv {
namespace kernels {

struct AxisTaps {
  int64_t k0 = 0, i0 = 0, count = 0;
};

struct DepthwiseNhwcParams {
  int64_t n = 1, c = 1;
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t k[3] = {1, 1, 1};
  int64_t kstep[3] = {1, 1, 1}, istep[3] = {1, 1, 1};
  std::vector<AxisTaps> taps[3];  // taps[a][o] for o in [0, out[a])
  std::vector<float> w;           // [kd][kh][kw][c]
  std::vector<float> bias;        // [c], zeros without bias
};

// Output row `row` = (n*out_d + od)*out_h + oy: all its pixels and channels.
void DepthwiseNhwcRow(const DepthwiseNhwcParams& p, const float* x, float* y, int64_t row);

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_DEPTHWISE_NHWC_KERNELS_H_
