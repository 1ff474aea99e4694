// A transposed convolution's or a convolution's desc from the Python
// arguments: tensor shapes, then torch's geometry arguments (stride,
// padding, output_padding, dilation, groups, output_size) or ONNX's (pads,
// auto_pad, output_shape) or MXNet's (target_shape).
//
// The Python layer (python/tconv/) gathers the geometry keywords into one
// dict, so that conv_transpose, explain and Plan share a single parser.
#ifndef TCONV_PYTHON_SRC_GEOMETRY_ARGS_H_
#define TCONV_PYTHON_SRC_GEOMETRY_ARGS_H_

#include "python/src/convert.h"
#include "tconv/desc.h"
#include "tconv/layout.h"
#include "tconv/tensor.h"

namespace tconv {
namespace pyext {

// x_shape is in `layout`, weight_shape is (Cin, Cout/groups, *k). The dict
// holds stride, padding, output_padding, groups, dilation, output_size,
// pads, auto_pad, output_shape, target_shape (missing keys: torch's
// defaults). Returns a validated desc; raises ValueError otherwise.
ConvDesc TransposeDescFromArgs(const Shape& x_shape, const Shape& weight_shape, const py::dict& geometry,
                               Layout layout);

// Forward convolution (torch.nn.functional.conv{1,2,3}d): x (N, Cin, *in),
// weight (Cout, Cin/groups, *k); symmetric integer padding.
ConvDesc ConvDescFromArgs(const Shape& x_shape, const Shape& weight_shape, py::handle stride, py::handle padding,
                          py::handle dilation, py::handle groups);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_GEOMETRY_ARGS_H_
