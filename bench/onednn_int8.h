// oneDNN's int8 deconvolution as a peer of tconv's int8 plans
// (bench/lowp_bench.cc --int8 1): deconvolution_forward with u8 (or s8)
// src, s8 weights, s32 bias and u8 dst, format_tag::any (oneDNN's best
// layouts; src and weights reordered once, outside the time), oneDNN 2.6's
// quantization attributes: output scale x_scale * w_scale / y_scale (mask
// 0: per tensor), the dst zero point, and the src zero point as configured:
//
//   kSrcZeroPoint  u8 src with the attribute set_zero_points(DNNL_ARG_SRC)
//   kS8Src         s8 src = x - 128 (the u8 values with the top bit flipped,
//                  done once outside the time), no src zero point: the same
//                  accumulator bit for bit when x_zero_point is 128
//   kNoZeroPoint   u8 src, no src zero point: a DIFFERENT result, off by
//                  x_zero_point * S[c, o] (S: the sum of the weights that
//                  reach output o of channel c), which depends on the
//                  output's phase and border; a timing reference only
//   kCompensation  kNoZeroPoint plus a binary-add post-op of the f32
//                  tensor -x_zero_point * M * S (computed once, untimed):
//                  the same result as kSrcZeroPoint up to float rounding,
//                  with oneDNN's zero-point-free kernel and one more f32
//                  tensor of y's size read per run
//   kCompensationBias  kCompensation without the bias argument, M * bias
//                  added into the post-op tensor instead (oneDNN 2.6 takes
//                  slower paths with a bias argument on some layers, as in
//                  f32: `tconv bench`'s biaspass configurations); the same
//                  result up to float rounding
//
// oneDNN 2.6 adds the s32 bias to the accumulator before the output scale
// (tconv's convention, include/tconv/quant.h); its rounding is the CPU's
// float conversion (nearest even) of acc * scale in float, so results may
// differ from tconv's (double) by one where the value is within float
// rounding of a tie. Compiled only when CMake finds libdnnl.
#ifndef TCONV_BENCH_ONEDNN_INT8_H_
#define TCONV_BENCH_ONEDNN_INT8_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "tconv/quant.h"

namespace tconv {
namespace bench {

// One layer's int8 tensors, shared by the tconv and oneDNN runners: x u8
// NCHW, w s8 tconv's (Cin, Cout/g, *k), b s32 (Cout), per-tensor scales.
struct Int8Data {
  std::vector<uint8_t> x;
  std::vector<int8_t> w;
  std::vector<int32_t> b;
  QuantParams q;
};

// kNoZeroPoint last: the one configuration whose y differs.
enum class OnednnInt8Src { kSrcZeroPoint, kS8Src, kCompensation, kCompensationBias, kNoZeroPoint };
const char* OnednnInt8SrcName(OnednnInt8Src s);

// nullptr + *why when oneDNN refuses the layer or the configuration. The
// runner's ReadOutputNchw gives the u8 y as floats.
std::unique_ptr<Runner> MakeOnednnInt8Runner(const Layer& layer, const Int8Data& data, int threads, OnednnInt8Src src,
                                             std::string* why);

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_ONEDNN_INT8_H_
