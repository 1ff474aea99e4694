// The geometry descriptor shared by convolution and transposed convolution,
// and the one set of rules that turns it into sizes, pads and flop counts.
//
// Every output size, pad rule (explicit pads + output padding, ONNX
// output_shape + auto_pad, MXNet target_shape) and flop count in tconv comes
// from the functions declared here (implemented in src/geometry.cc); the CLI,
// the algorithms, the benchmarks and the tests never re-derive them.
//
// Semantics (DESIGN.md, per spatial axis, every axis independent):
//   ke = d*(k-1) + 1                         effective kernel
//   conv_transpose: o = (i-1)*s + ke - pb - pe + a   (must be >= 1)
//   conv:           o = floor((i + pb + pe - ke)/s) + 1
// For conv_transpose, in_channels is Cin of x and out_channels is Cout of y,
// weight (Cin, Cout/groups, *kernel). For conv, weight is
// (Cout, Cin/groups, *kernel). Pads may be negative (a crop).
#ifndef TCONV_DESC_H_
#define TCONV_DESC_H_

#include <array>
#include <cstdint>
#include <string>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

constexpr int kMaxSpatialDims = 3;
using Dims = std::array<int64_t, kMaxSpatialDims>;

// What a layer is along its spatial axes, whatever runs through it: the
// kernel and its placement. ConvDesc adds the data sizes; the checkerboard
// analysis takes stacks of these alone (DeconvLayer). Only the first ndim
// entries are used.
struct LayerGeometry {
  int ndim = 2;               // number of spatial axes, 1..3
  Dims kernel = {1, 1, 1};
  Dims stride = {1, 1, 1};
  Dims dilation = {1, 1, 1};
  Dims pad_begin = {0, 0, 0};
  Dims pad_end = {0, 0, 0};
  Dims output_padding = {0, 0, 0};  // conv_transpose only
};

struct ConvDesc : LayerGeometry {
  int64_t batch = 1;          // N >= 0 (0: an empty output of the right shape)
  int64_t in_channels = 1;    // channels of the op's input
  int64_t out_channels = 1;   // channels of the op's output
  int64_t groups = 1;
  Dims in = {1, 1, 1};        // input spatial size; first ndim entries used
};

// ---- validation: every rule, with a message naming parameter/value/rule ----
// Channels, groups, sizes, kernel, stride and dilation must be >= 1 (torch
// refuses zero-size channel, spatial and kernel axes too); the batch may be
// 0. Per-axis values are bounded by 2^30 and every tensor by 2^40 elements,
// so no size expression below can overflow.
Status ValidateConvTranspose(const ConvDesc& d);
Status ValidateConv(const ConvDesc& d);

// ---- shapes from tensors ----
enum class ConvOp { kConvTranspose, kConv };

// Sets ndim, batch, in_channels, out_channels, groups, in and kernel of *d
// from the input shape (N, C, *spatial, channels first) and weight shape:
//   kConvTranspose: weight (Cin, Cout/groups, *k), Cout = dim1 * groups
//   kConv:          weight (Cout, Cin/groups, *k)
// Checks ranks (input rank 3..5, weight rank == input rank), groups >= 1 and
// the channel rules; messages name the tensors `input_name` / `weight_name`
// (the CLI passes "--input", Python "x"). Other fields of *d are kept: the
// caller sets stride, pads etc. and then validates the desc.
Status InferConvDesc(ConvOp op, const Shape& input, const Shape& weight, int64_t groups,
                     const std::string& input_name, const std::string& weight_name, ConvDesc* d);

// ---- sizes (call only on a validated desc) ----
int64_t EffectiveKernel(const ConvDesc& d, int axis);  // d*(k-1)+1
// Full uncropped transposed length L = (i-1)*s + ke.
int64_t ConvTransposeFullLength(const ConvDesc& d, int axis);
int64_t ConvTransposeOutputLength(const ConvDesc& d, int axis);
int64_t ConvOutputLength(const ConvDesc& d, int axis);

Shape ConvTransposeInputShape(const ConvDesc& d);   // (N, Cin, *in)
Shape ConvTransposeWeightShape(const ConvDesc& d);  // (Cin, Cout/g, *k)
Shape ConvTransposeOutputShape(const ConvDesc& d);  // (N, Cout, *o)
Shape ConvInputShape(const ConvDesc& d);            // (N, Cin, *in)
Shape ConvWeightShape(const ConvDesc& d);           // (Cout, Cin/g, *k)
Shape ConvOutputShape(const ConvDesc& d);           // (N, Cout, *o)

// Nominal flops, as in bench/layers.json:
//   conv_transpose: 2*N*Cin*(Cout/g)*prod(k)*prod(in)
//   conv:           2*N*Cout*(Cin/g)*prod(k)*prod(out)
// Saturate at INT64_MAX when the count does not fit in 64 bits.
int64_t ConvTransposeFlops(const ConvDesc& d);
int64_t ConvFlops(const ConvDesc& d);

// Compact one-line form used in repro lines and bench labels, e.g.
// "n2c5o3g1_i7x6_k3x3_s2x2_d1x1_pb1x0_pe1x0_a1x0".
std::string DescString(const ConvDesc& d);

// ---- pad rules ----
enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Case-insensitive: "notset", "SAME_UPPER", "same_lower", "valid".
Status ParseAutoPad(const std::string& text, AutoPad* out);
const char* AutoPadName(AutoPad p);

struct PadRequest {
  AutoPad auto_pad = AutoPad::kNotSet;
  bool has_output_shape = false;  // ONNX output_shape (spatial only)
  Dims output_shape = {0, 0, 0};
  bool has_target_shape = false;  // MXNet target_shape (spatial only)
  Dims target_shape = {0, 0, 0};
};

// Derives d->pad_begin / pad_end (and, for target_shape, output_padding) for
// a transposed convolution:
//  * output_shape or auto_pad SAME_*: total = s*(i-1) + a + ke - out (out =
//    i*s when SAME_* has no output_shape); SAME_UPPER: begin = floor(total/2),
//    end = total - begin; NOTSET/SAME_LOWER/VALID: end = floor(total/2),
//    begin = total - end. Floor division: total may be negative.
//  * auto_pad VALID (no output_shape): zero pads.
//  * target_shape (MXNet): total = s*(i-1) + ke - target >= 0, adj =
//    total % 2, begin = end = (total+1)/2.
//  * otherwise the explicit pads already in *d stay.
// The caller validates the resulting desc.
Status ResolvePads(const PadRequest& req, ConvDesc* d);

}  // namespace tconv

#endif  // TCONV_DESC_H_
