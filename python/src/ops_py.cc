// tconv.pixel_shuffle, tconv.pixel_unshuffle and tconv.interpolate over
// include/tconv/pixel_shuffle.h and resample.h, with torch's arguments.
// Inputs are read in place (convert.h); the GIL is released while they run.
#include "python/src/ops_py.h"

#include <string>
#include <vector>

#include "python/src/convert.h"
#include "tconv/pixel_shuffle.h"
#include "tconv/resample.h"

namespace tconv {
namespace pyext {

namespace {

using ShapeFn = Status (*)(const Shape&, int64_t, Shape*);
using RunFn = Status (*)(int64_t, ConstTensorView, TensorView);

py::array Shuffle(py::handle x, py::handle factor, const char* factor_name, ShapeFn shape_fn, RunFn run) {
  const py::array xa = CheckedArray(x, "x", false);
  const int64_t r = IntArg(factor, factor_name);
  Shape out;
  Check(shape_fn(ShapeOf(xa), r, &out));
  py::array ya = py::array_t<float>(out);
  const ConstTensorView xv = ConstView(xa);
  const TensorView yv = MutableView(ya);
  CheckWithoutGil([&] { return run(r, xv, yv); });
  return ya;
}

// torch's scale_factor: a number for every axis, or one per axis.
std::vector<double> Scales(py::handle obj, int ndim) {
  if (py::isinstance<py::str>(obj) || !py::isinstance<py::sequence>(obj)) {
    if (!PyNumber_Check(obj.ptr()) || PyBool_Check(obj.ptr())) {
      ThrowValue("scale_factor must be a number or a sequence of numbers (got " +
                 std::string(py::str(py::type::handle_of(obj).attr("__name__"))) + ")");
    }
    return std::vector<double>(ndim, py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(obj))));
  }
  std::vector<double> v;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(obj)) {
    if (!PyNumber_Check(item.ptr()) || PyBool_Check(item.ptr())) ThrowValue("scale_factor must hold numbers");
    v.push_back(py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(item))));
  }
  if (static_cast<int>(v.size()) != ndim) {
    ThrowValue("scale_factor has " + std::to_string(v.size()) + " values but the input has " + std::to_string(ndim) +
               " spatial axes");
  }
  return v;
}

py::array Interpolate(py::handle x, py::handle size, py::handle scale_factor, const std::string& mode,
                      py::handle align_corners, py::handle recompute_scale_factor) {
  const py::array xa = CheckedArray(x, "x", false);
  const int ndim = static_cast<int>(xa.ndim()) - 2;
  if (ndim < 1 || ndim > kMaxSpatialDims) {
    ThrowValue("x has shape " + ShapeString(ShapeOf(xa)) + ": expected (N, C, D1[, D2[, D3]]), rank 3, 4 or 5");
  }
  ResampleParams p;
  Check(ParseResampleMode(mode, &p.mode));
  if (size.is_none() == scale_factor.is_none()) ThrowValue("give exactly one of size and scale_factor");
  if (!size.is_none()) {
    const Dims d = AxisArg(size, "size", ndim);
    p.size.assign(d.begin(), d.begin() + ndim);
  } else {
    p.scale = Scales(scale_factor, ndim);
  }
  // torch: align_corners=None is False, and giving it at all for nearest is
  // an error (it has no meaning there).
  if (!align_corners.is_none()) {
    if (p.mode == ResampleMode::kNearest) {
      ThrowValue("align_corners can only be set with the linear modes (got mode '" + mode + "')");
    }
    p.align_corners = py::cast<bool>(align_corners);
  }
  p.recompute_scale = !recompute_scale_factor.is_none() && py::cast<bool>(recompute_scale_factor);
  Shape out;
  Check(ResampleOutputShape(ShapeOf(xa), p, &out));
  py::array ya = py::array_t<float>(out);
  const ConstTensorView xv = ConstView(xa);
  const TensorView yv = MutableView(ya);
  CheckWithoutGil([&] { return Resample(p, xv, yv); });
  return ya;
}

}  // namespace

void RegisterOps(py::module_& m) {
  m.def(
      "pixel_shuffle",
      [](py::handle x, py::handle r) { return Shuffle(x, r, "upscale_factor", &PixelShuffleShape, &PixelShuffle); },
      py::arg("x"), py::arg("upscale_factor"));
  m.def(
      "pixel_unshuffle",
      [](py::handle x, py::handle r) {
        return Shuffle(x, r, "downscale_factor", &PixelUnshuffleShape, &PixelUnshuffle);
      },
      py::arg("x"), py::arg("downscale_factor"));
  m.def("interpolate", &Interpolate, py::arg("x"), py::arg("size"), py::arg("scale_factor"), py::arg("mode"),
        py::arg("align_corners"), py::arg("recompute_scale_factor"));
}

}  // namespace pyext
}  // namespace tconv
