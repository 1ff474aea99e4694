// tconv.conv: the forward convolution (tconv::Conv, include/tconv/conv.h),
// torch.nn.functional.conv{1,2,3}d's arguments. The GIL is released while
// it computes, the arrays being held by this frame.
#include "python/src/conv_py.h"

#include <string>

#include "python/src/convert.h"
#include "python/src/geometry_args.h"
#include "tconv/conv.h"

namespace tconv {
namespace pyext {

namespace {

py::array ConvForward(py::handle x, py::handle weight, py::handle bias, py::handle stride, py::handle padding,
                      py::handle dilation, py::handle groups, const std::string& algorithm, py::handle threads) {
  const py::array xa = CheckedArray(x, "x", false);
  const py::array wa = CheckedArray(weight, "weight", false);
  py::array ba;
  if (!bias.is_none()) ba = CheckedArray(bias, "bias", false);
  const ConvDesc d = ConvDescFromArgs(ShapeOf(xa), ShapeOf(wa), stride, padding, dilation, groups);
  ConvOptions options;
  options.algo = algorithm;
  options.threads = ThreadsArg(threads);
  py::array ya = py::array_t<float>(ConvOutputShape(d));
  const ConstTensorView xv = ConstView(xa), wv = ConstView(wa);
  const ConstTensorView bv = bias.is_none() ? ConstTensorView() : ConstView(ba);
  const TensorView yv = MutableView(ya);
  CheckWithoutGil([&] { return Conv(d, xv, wv, bv, yv, options); });
  return ya;
}

}  // namespace

void RegisterConv(py::module_& m) {
  m.def("conv", &ConvForward, py::arg("x"), py::arg("weight"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
        py::arg("dilation"), py::arg("groups"), py::arg("algorithm"), py::arg("threads"));
}

}  // namespace pyext
}  // namespace tconv
