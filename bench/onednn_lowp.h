// oneDNN's low-precision deconvolution as a peer of tconv's bf16 plans
// (bench/lowp_bench.cc): deconvolution_forward with bf16 src and weights,
// f32 bias (an argument or a separate pass), bf16 or f32 dst, format_tag::any (oneDNN's best layouts, no
// reorders timed; the weight and src are converted once, outside the
// time), the same geometry conversions as bench/onednn.cc. Compiled only
// when CMake finds libdnnl.
#ifndef TCONV_BENCH_ONEDNN_LOWP_H_
#define TCONV_BENCH_ONEDNN_LOWP_H_

#include <memory>
#include <string>

#include "bench/harness.h"

namespace tconv {
namespace bench {

// nullptr + *why when oneDNN rejects the layer. bias_pass: no bias argument
// (oneDNN 2.6 keeps its fast depthwise path without one) and the bias added
// by a timed binary pass over y; else the primitive's bias argument.
std::unique_ptr<Runner> MakeOnednnBf16Runner(const Layer& layer, int threads, bool bf16_dst, bool bias_pass,
                                             std::string* why);

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_ONEDNN_LOWP_H_
