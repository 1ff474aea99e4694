// Geometry arguments to descs (geometry_args.h). The rules for combining
// torch's, ONNX's and MXNet's forms are the CLI's (README "Command line"):
// each form derives the pads its own way, so two forms at once conflict.
#include "python/src/geometry_args.h"

#include <algorithm>
#include <string>
#include <vector>

namespace tconv {
namespace pyext {

namespace {

const char* const kGeometryKeys[] = {"stride",  "padding",  "output_padding", "groups",       "dilation",
                                     "output_size", "pads", "auto_pad",       "output_shape", "target_shape"};

py::object Get(const py::dict& g, const char* key, py::object fallback) {
  return g.contains(key) ? py::reinterpret_borrow<py::object>(g[key]) : fallback;
}

bool AnyNonZero(const Dims& d, int ndim) {
  return std::any_of(d.begin(), d.begin() + ndim, [](int64_t v) { return v != 0; });
}

// The spatial sizes of a torch output_size / ONNX output_shape: one per
// axis, or the full output shape (its spatial part taken in `layout`).
std::vector<int64_t> SpatialSizes(py::handle obj, const std::string& name, int ndim, Layout layout) {
  std::vector<int64_t> v = IntListArg(obj, name);
  if (static_cast<int>(v.size()) == ndim + 2) {
    const auto first = v.begin() + (layout == Layout::kNCHW ? 2 : 1);
    v = std::vector<int64_t>(first, first + ndim);
  }
  if (static_cast<int>(v.size()) != ndim) {
    ThrowValue(name + " has " + std::to_string(v.size()) + " values but the input has " + std::to_string(ndim) +
               " spatial axes (give one per spatial axis, or the full output shape)");
  }
  return v;
}

// torch's rule (nn.ConvTranspose*d with output_size): the output padding
// that makes each axis output_size long, which must lie in [0, stride - 1].
void ApplyOutputSize(const std::vector<int64_t>& size, ConvDesc* d) {
  for (int a = 0; a < d->ndim; ++a) {
    d->output_padding[a] = 0;
    const int64_t min = ConvTransposeFullLength(*d, a) - d->pad_begin[a] - d->pad_end[a];
    const int64_t max = min + d->stride[a] - 1;
    if (size[a] < min || size[a] > max) {
      ThrowValue("output_size[" + std::to_string(a) + "] is " + std::to_string(size[a]) + " but must be in [" +
                 std::to_string(min) + ", " + std::to_string(max) +
                 "] for this input, kernel, stride, dilation and padding");
    }
    d->output_padding[a] = size[a] - min;
  }
}

// Pads from padding= (symmetric, torch) or pads= (ONNX: all begins, then all
// ends); returns whether any were given.
bool ExplicitPads(const py::dict& g, ConvDesc* d) {
  const int nd = d->ndim;
  const Dims p = AxisArg(Get(g, "padding", py::int_(0)), "padding", nd);
  d->pad_begin = d->pad_end = p;
  const py::object pads = Get(g, "pads", py::none());
  if (pads.is_none()) return AnyNonZero(p, nd);
  if (AnyNonZero(p, nd)) ThrowValue("give padding or pads, not both");
  const std::vector<int64_t> v = IntListArg(pads, "pads");
  if (static_cast<int>(v.size()) != 2 * nd) {
    ThrowValue("pads has " + std::to_string(v.size()) + " values but must have " + std::to_string(2 * nd) +
               " (ONNX order: all begins, then all ends)");
  }
  for (int a = 0; a < nd; ++a) {
    d->pad_begin[a] = v[a];
    d->pad_end[a] = v[nd + a];
  }
  return true;
}

void CheckKeys(const py::dict& g) {
  for (auto item : g) {
    const std::string key = py::str(item.first);
    if (std::find(std::begin(kGeometryKeys), std::end(kGeometryKeys), key) == std::end(kGeometryKeys)) {
      ThrowValue("unknown geometry argument '" + key + "'");
    }
  }
}

}  // namespace

ConvDesc TransposeDescFromArgs(const Shape& x_shape, const Shape& weight_shape, const py::dict& g, Layout layout) {
  CheckKeys(g);
  ConvDesc d;
  const int64_t groups = IntArg(Get(g, "groups", py::int_(1)), "groups");
  Check(InferConvDesc(ConvOp::kConvTranspose, ShapeToNCHW(x_shape, layout), weight_shape, groups, "x", "weight", &d));
  const int nd = d.ndim;
  d.stride = AxisArg(Get(g, "stride", py::int_(1)), "stride", nd);
  d.dilation = AxisArg(Get(g, "dilation", py::int_(1)), "dilation", nd);
  d.output_padding = AxisArg(Get(g, "output_padding", py::int_(0)), "output_padding", nd);
  const bool pads = ExplicitPads(g, &d);
  const bool output_padding_given = AnyNonZero(d.output_padding, nd);

  PadRequest req;
  const std::string auto_pad = py::str(Get(g, "auto_pad", py::str("notset")));
  if (!ParseAutoPad(auto_pad, &req.auto_pad).ok()) {
    ThrowValue("auto_pad must be one of notset, same_upper, same_lower, valid (got '" + auto_pad + "')");
  }
  const bool auto_set = req.auto_pad != AutoPad::kNotSet;
  const py::object output_size = Get(g, "output_size", py::none());
  const py::object output_shape = Get(g, "output_shape", py::none());
  const py::object target_shape = Get(g, "target_shape", py::none());
  const bool has_os = !output_shape.is_none(), has_ts = !target_shape.is_none();
  if (pads && (auto_set || has_os || has_ts)) {
    ThrowValue("padding/pads cannot be combined with auto_pad, output_shape or target_shape (they derive the pads)");
  }
  if (has_ts && (has_os || auto_set || output_padding_given)) {
    ThrowValue("target_shape cannot be combined with output_shape, auto_pad or output_padding (it derives them)");
  }
  if (!output_size.is_none()) {
    if (has_os || has_ts || auto_set) ThrowValue("output_size cannot be combined with output_shape, target_shape or auto_pad");
    if (output_padding_given) ThrowValue("give output_size or output_padding, not both (output_size derives it)");
    // Validate the sizes ApplyOutputSize reads with the largest output
    // padding it may choose: torch accepts an uncropped length of 0 that
    // output_size then extends to 1.
    for (int a = 0; a < nd; ++a) d.output_padding[a] = d.stride[a] > 0 ? d.stride[a] - 1 : 0;
    Check(ValidateConvTranspose(d));
    ApplyOutputSize(SpatialSizes(output_size, "output_size", nd, layout), &d);
  }
  if (has_os) {
    req.has_output_shape = true;
    const std::vector<int64_t> v = SpatialSizes(output_shape, "output_shape", nd, layout);
    std::copy(v.begin(), v.end(), req.output_shape.begin());
  }
  if (has_ts) {
    req.has_target_shape = true;
    const std::vector<int64_t> v = SpatialSizes(target_shape, "target_shape", nd, layout);
    std::copy(v.begin(), v.end(), req.target_shape.begin());
  }
  Check(ResolvePads(req, &d));
  Check(ValidateConvTranspose(d));
  return d;
}

ConvDesc ConvDescFromArgs(const Shape& x_shape, const Shape& weight_shape, py::handle stride, py::handle padding,
                          py::handle dilation, py::handle groups) {
  ConvDesc d;
  Check(InferConvDesc(ConvOp::kConv, x_shape, weight_shape, IntArg(groups, "groups"), "x", "weight", &d));
  d.stride = AxisArg(stride, "stride", d.ndim);
  d.pad_begin = d.pad_end = AxisArg(padding, "padding", d.ndim);
  d.dilation = AxisArg(dilation, "dilation", d.ndim);
  Check(ValidateConv(d));
  return d;
}

}  // namespace pyext
}  // namespace tconv
