// tconv._tconv.conv_transpose_backward_data / _weight: the gradients of a
// transposed convolution (include/tconv/conv_transpose_grad.h), for
// tconv.torch's autograd backward. They take the forward's geometry dict,
// so the desc is the forward's to the bit (output_size included). The GIL
// is released while they compute, the arrays being held by this frame.
#include "python/src/grad_py.h"

#include <string>
#include <utility>

#include "python/src/convert.h"
#include "python/src/geometry_args.h"
#include "tconv/conv_transpose_grad.h"

namespace tconv {
namespace pyext {

namespace {

ConvOptions Options(const std::string& algorithm, py::handle threads) {
  ConvOptions options;
  options.algo = algorithm;
  options.threads = ThreadsArg(threads);
  return options;
}

// dx (N, Cin, *in) from dy (N, Cout, *out) and the weight; x_shape is the
// forward input's shape (x itself is not needed).
py::array BackwardData(py::handle dy, py::handle weight, py::handle x_shape, const py::dict& geometry,
                       const std::string& algorithm, py::handle threads) {
  const py::array dya = CheckedArray(dy, "grad_output", false);
  const py::array wa = CheckedArray(weight, "weight", false);
  const ConvDesc d = TransposeDescFromArgs(ShapeArg(x_shape, "input_shape"), ShapeOf(wa), geometry, Layout::kNCHW);
  const ConvOptions options = Options(algorithm, threads);
  py::array dxa = py::array_t<float>(ConvTransposeInputShape(d));
  const ConstTensorView dyv = ConstView(dya), wv = ConstView(wa);
  const TensorView dxv = MutableView(dxa);
  CheckWithoutGil([&] { return ConvTransposeBackwardData(d, dyv, wv, dxv, options); });
  return dxa;
}

// (dw, db): dw (Cin, Cout/g, *k); db (Cout,) when with_bias, else None.
py::tuple BackwardWeight(py::handle x, py::handle dy, py::handle weight_shape, const py::dict& geometry, bool with_bias,
                         const std::string& algorithm, py::handle threads) {
  const py::array xa = CheckedArray(x, "x", false);
  const py::array dya = CheckedArray(dy, "grad_output", false);
  const ConvDesc d =
      TransposeDescFromArgs(ShapeOf(xa), ShapeArg(weight_shape, "weight_shape"), geometry, Layout::kNCHW);
  const ConvOptions options = Options(algorithm, threads);
  py::array dwa = py::array_t<float>(ConvTransposeWeightShape(d));
  py::object db = py::none();
  TensorView dbv;
  if (with_bias) {
    py::array dba = py::array_t<float>(Shape{d.out_channels});
    dbv = MutableView(dba);
    db = std::move(dba);
  }
  const ConstTensorView xv = ConstView(xa), dyv = ConstView(dya);
  const TensorView dwv = MutableView(dwa);
  CheckWithoutGil([&] { return ConvTransposeBackwardWeight(d, xv, dyv, dwv, dbv, options); });
  return py::make_tuple(dwa, db);
}

}  // namespace

void RegisterGrad(py::module_& m) {
  m.def("conv_transpose_backward_data", &BackwardData, py::arg("grad_output"), py::arg("weight"),
        py::arg("input_shape"), py::arg("geometry"), py::arg("algorithm"), py::arg("threads"));
  m.def("conv_transpose_backward_weight", &BackwardWeight, py::arg("x"), py::arg("grad_output"),
        py::arg("weight_shape"), py::arg("geometry"), py::arg("with_bias"), py::arg("algorithm"), py::arg("threads"));
}

}  // namespace pyext
}  // namespace tconv
