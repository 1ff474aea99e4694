// oneDNN's low-precision deconvolution as a peer of tconv's bf16 plans
// (bench/lowp_bench.cc): deconvolution_forward with bf16 src and weights,
// f32 bias, bf16 or f32 dst, format_tag::any (oneDNN's best layouts, no
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

// nullptr + *why when oneDNN rejects the layer.
std::unique_ptr<Runner> MakeOnednnBf16Runner(const Layer& layer, int threads, bool bf16_dst, std::string* why);

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_ONEDNN_LOWP_H_
