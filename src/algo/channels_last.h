// Internal seam for algorithms that take channels-last tensors natively
// (Algorithm::prepare_channels_last). A plan with Layout::kNHWC asks its
// algorithm first and converts x and y around the channels-first prepare()
// only when the answer is nullptr.
#ifndef TCONV_SRC_ALGO_CHANNELS_LAST_H_
#define TCONV_SRC_ALGO_CHANNELS_LAST_H_

#include <memory>
#include <string>

#include "src/algo/algorithm.h"

namespace tconv {

// Depthwise transposed convolution (one input and one output channel per
// group: groups == Cin == Cout), any 1-3-D geometry, x (N, *in, C) and
// y (N, *out, C): channels in the vector lanes, each output pixel summing
// only the taps that reach it (src/algo/depthwise_nhwc.cc, the kernel
// f32_dw_nhwc_row). nullptr and *why for other geometries.
std::unique_ptr<PreparedAlgo> PrepareDepthwiseChannelsLast(const PrepareInput& in, std::string* why);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_CHANNELS_LAST_H_
