// Upsampling (resize) of N-D tensors: nearest and (bi/tri)linear, with the
// semantics of torch.nn.functional.interpolate, plus MXNet's
// contrib.BilinearResize2D where it differs.
//
// This is the "resize" half of the resize-convolution decoder block that the
// article recommends instead of transposed convolution (DESIGN.md point 6);
// `tconv upsample-conv` runs it followed by tconv::Conv.
//
// Layout: x (N, C, *in), y (N, C, *out) with 1, 2 or 3 spatial axes, dense
// float32, C order. Axes are independent; the linear modes are separable
// (linear, bilinear and trilinear are the same rule on 1, 2 and 3 axes).
//
// torch rules, per axis (in = input length, out = output length):
//  * Output length: floor(in * scale) when a scale is given, else the
//    explicit size.
//  * Coordinate scale c (torch's area_pixel_compute_scale): with
//    align_corners, c = (in-1)/(out-1) (0 when out == 1); otherwise
//    c = 1/scale when a scale is given and recompute_scale is false (torch's
//    default recompute_scale_factor=None), else c = in/out. The two differ
//    when in*scale is not an integer: in = 5, scale 1.5 -> out 7, c = 2/3
//    (not 5/7).
//  * nearest: src = min(floor(dst * c), in-1) (align_corners does not apply;
//    torch also short-cuts out == in and out == 2*in to dst and dst/2).
//  * linear: src = c*dst with align_corners, else max(c*(dst+0.5)-0.5, 0)
//    (half-pixel centres, clamped at 0); i0 = floor(src), i1 = min(i0+1,
//    in-1), lambda = src - i0; y = (1-lambda)*x[i0] + lambda*x[i1], applied
//    along every axis (the product of the per-axis weights).
//  Coordinates are computed in float32 exactly as torch's CPU kernel does for
//  float tensors (c rounded to float; src = float(double(c)*(dst+0.5)-0.5)),
//  so indices and weights match torch bit for bit; the weighted sum is
//  accumulated in double.
//
// MXNet contrib.BilinearResize2D (2-D only; src/operator/contrib/
// bilinear_resize-inl.h): same interpolation formula, but
//  * align_corners defaults to true (MXNet <= 1.5 had no flag and always used
//    c = (in-1)/(out-1));
//  * with align_corners false c = in/out always, even when a scale was given;
//  * out == 1 gives c = 0 in both modes (torch non-aligned uses in/out);
//  * the output length is static_cast<int>(scale * in) (truncation, same as
//    floor for positive values) in mode "size", or, in mode "odd_scale", for
//    an odd input length (in-1)*scale + 1;
//  * in == out copies the input.
#ifndef TCONV_RESAMPLE_H_
#define TCONV_RESAMPLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

enum class ResampleMode { kNearest, kLinear };

// "nearest", "linear" / "bilinear" / "trilinear" (the linear names are
// accepted for any rank, like torch's mode names; case-insensitive).
Status ParseResampleMode(const std::string& text, ResampleMode* out);
const char* ResampleModeName(ResampleMode m);

struct ResampleParams {
  ResampleMode mode = ResampleMode::kNearest;
  // Either scale (one value per spatial axis, > 0) or size (one per axis,
  // >= 1); exactly one of the two must be non-empty.
  std::vector<double> scale;
  std::vector<int64_t> size;
  bool align_corners = false;    // linear only; must be false for nearest
  bool recompute_scale = false;  // torch recompute_scale_factor=True: c = in/out
};

// Output shape (N, C, *out) for input shape (N, C, *in); validates params.
Status ResampleOutputShape(const Shape& in, const ResampleParams& p, Shape* out);

// y = interpolate(x). y must have ResampleOutputShape(x.shape).
Status Resample(const ResampleParams& p, ConstTensorView x, TensorView y);

// One axis of the mapping, exposed for tests and the docs: output index dst
// reads x[i0]*(1-lambda) + x[i1]*lambda (nearest: i0 == i1, lambda 0).
struct AxisTap {
  int64_t i0 = 0, i1 = 0;
  double lambda = 0;
};
// The per-axis table for one axis of the torch rule. `scale` <= 0 means "no
// scale given" (c = in/out unless align_corners).
std::vector<AxisTap> TorchAxisTaps(ResampleMode mode, int64_t in, int64_t out, double scale, bool align_corners);

// ---- MXNet contrib.BilinearResize2D ----
enum class MxnetResizeMode { kSize, kOddScale };
struct MxnetResizeParams {
  // Mode kSize: when has_scale, out = int(scale * in), else out = height/width.
  // Mode kOddScale: out = int(in*scale) for even in, int((in-1)*scale)+1 for odd.
  int64_t height = 1, width = 1;
  bool has_scale = false;
  double scale_height = 1, scale_width = 1;
  MxnetResizeMode mode = MxnetResizeMode::kSize;
  bool align_corners = true;  // MXNet's default
};
Status MxnetBilinearResize2DShape(const Shape& in, const MxnetResizeParams& p, Shape* out);
Status MxnetBilinearResize2D(const MxnetResizeParams& p, ConstTensorView x, TensorView y);
std::vector<AxisTap> MxnetAxisTaps(int64_t in, int64_t out, bool align_corners);

}  // namespace tconv

#endif  // TCONV_RESAMPLE_H_
