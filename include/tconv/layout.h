// Memory order of the activations a plan takes and returns.
//
// NCHW (channels first) is torch's and ONNX's order and what every algorithm
// computes in. NHWC (channels last: NWC, NHWC, NDHWC for 1, 2, 3 spatial
// axes) is TensorFlow's and XNNPACK's. Weights and bias never change layout:
// the weight is always (Cin, Cout/groups, *kernel).
//
//   Shape x_shape = ShapeInLayout(ConvTransposeInputShape(desc), Layout::kNHWC);
//   // (N, Cin, H, W) -> (N, H, W, Cin)
#ifndef TCONV_LAYOUT_H_
#define TCONV_LAYOUT_H_

#include <string>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

enum class Layout {
  kNCHW,  // (N, C, *spatial)
  kNHWC,  // (N, *spatial, C)
};

// "nchw" or "nhwc".
const char* LayoutName(Layout layout);
// Accepts "nchw" and "nhwc" (any case); an error names `flag` and the choices.
Status ParseLayout(const std::string& flag, const std::string& text, Layout* out);

// A (N, C, *spatial) shape as it is stored in `layout`: unchanged for NCHW,
// (N, *spatial, C) for NHWC. Shapes of rank < 3 are returned unchanged.
Shape ShapeInLayout(const Shape& nchw, Layout layout);
// The inverse: a shape stored in `layout` as (N, C, *spatial).
Shape ShapeToNCHW(const Shape& stored, Layout layout);

}  // namespace tconv

#endif  // TCONV_LAYOUT_H_
