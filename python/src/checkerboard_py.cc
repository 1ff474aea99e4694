// tconv.overlap_map, checkerboard_score, phase_sums and icnr over
// include/tconv/checkerboard.h. A layer stack arrives from the package
// (python/tconv/_checkerboard.py) as a list of 5-tuples (kernel_size,
// stride, dilation, padding, output_padding), each an int or one int per
// axis. Results are new numpy arrays (float64 counts and sums, bool masks,
// float32 weights).
#include "python/src/checkerboard_py.h"

#include <algorithm>
#include <string>
#include <vector>

#include "python/src/convert.h"
#include "tconv/checkerboard.h"

namespace tconv {
namespace pyext {

namespace {

// An overlap map holds 8 + 1 bytes per position: refuse the sizes a typo
// makes (input_size 10**6 on three axes) before allocating.
constexpr int64_t kMaxMapElements = int64_t{1} << 26;

std::vector<DeconvLayer> StackArg(py::handle layers, int ndim) {
  if (ndim < 1 || ndim > kMaxSpatialDims) {
    ThrowValue("input_size must have 1, 2 or 3 entries (got " + std::to_string(ndim) + ")");
  }
  std::vector<DeconvLayer> stack;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(layers)) {
    const py::tuple t = py::reinterpret_borrow<py::tuple>(item);
    const std::string at = "layer " + std::to_string(stack.size()) + ": ";
    DeconvLayer l;
    l.ndim = ndim;
    l.kernel = AxisArg(t[0], at + "kernel_size", ndim);
    l.stride = AxisArg(t[1], at + "stride", ndim);
    l.dilation = AxisArg(t[2], at + "dilation", ndim);
    l.pad_begin = l.pad_end = AxisArg(t[3], at + "padding", ndim);
    l.output_padding = AxisArg(t[4], at + "output_padding", ndim);
    stack.push_back(l);
  }
  if (stack.empty()) ThrowValue("layers is empty: give at least one layer");
  return stack;
}

py::tuple OverlapMapPy(py::handle input_size, py::handle layers, const std::string& method) {
  const std::vector<int64_t> in_list = IntListArg(input_size, "input_size");
  const int ndim = static_cast<int>(in_list.size());
  const std::vector<DeconvLayer> stack = StackArg(layers, ndim);
  Dims in = {1, 1, 1};
  for (int a = 0; a < ndim; ++a) {
    if (in_list[a] < 1) ThrowValue("input_size must be >= 1 on every axis (got " + std::to_string(in_list[a]) + ")");
    in[a] = in_list[a];
  }
  Dims out_size;
  Check(StackOutputSize(stack, in, &out_size));
  Shape shape(out_size.begin(), out_size.begin() + ndim);
  if (NumElements(shape) > kMaxMapElements) {
    ThrowValue("the overlap map would have " + std::to_string(NumElements(shape)) + " positions (shape " +
               ShapeString(shape) + "); at most 2^26");
  }
  if (method != "count" && method != "run") ThrowValue("method must be 'count' or 'run' (got '" + method + "')");
  OverlapMap m;
  const bool count = method == "count";
  CheckWithoutGil([&] { return count ? OverlapMapCount(stack, in, &m) : OverlapMapRun(stack, in, &m); });
  py::array_t<double> counts(shape);
  py::array_t<bool> interior(shape);
  std::copy(m.count.begin(), m.count.end(), counts.mutable_data());
  bool* flags = interior.mutable_data();
  for (size_t i = 0; i < m.interior.size(); ++i) flags[i] = m.interior[i] != 0;
  return py::make_tuple(counts, interior);
}

py::dict ScorePy(py::handle layers, int ndim) {
  const std::vector<DeconvLayer> stack = StackArg(layers, ndim);
  CheckerboardScore s;
  Check(ScoreStack(stack, &s));
  py::list patterns;
  for (const std::vector<double>& p : s.pattern) {
    py::array_t<double> a(static_cast<py::ssize_t>(p.size()));
    std::copy(p.begin(), p.end(), a.mutable_data());
    patterns.append(a);
  }
  py::dict d;
  d["score"] = s.score;
  d["min"] = s.min;
  d["max"] = s.max;
  d["pattern"] = patterns;
  return d;
}

py::dict PhaseSumsPy(py::handle weight, py::handle stride, py::handle dilation, py::handle groups) {
  const py::array wa = CheckedArray(weight, "weight", false);
  const Shape ws = ShapeOf(wa);
  const int ndim = static_cast<int>(ws.size()) - 2;
  if (ndim < 1 || ndim > kMaxSpatialDims) {
    ThrowValue("weight has shape " + ShapeString(ws) + ": expected (Cin, Cout/groups, k1[, k2[, k3]]), rank 3, 4 or 5");
  }
  // The input's sizes do not enter the sums: a 1-sized input stands in.
  Shape x_shape(ws.size(), 1);
  x_shape[1] = ws[0];
  ConvDesc desc;
  Check(InferConvDesc(ConvOp::kConvTranspose, x_shape, ws, IntArg(groups, "groups"), "x", "weight", &desc));
  desc.stride = AxisArg(stride, "stride", ndim);
  desc.dilation = AxisArg(dilation, "dilation", ndim);
  Check(ValidateConvTranspose(desc));  // groups dividing the channels, sizes within bounds
  // One sum per (ci, co, phase): refuse a stride whose phase count would
  // not fit (the library checks stride >= 1 itself).
  double cells = static_cast<double>(ws[0]) * static_cast<double>(ws[1]);
  for (int a = 0; a < ndim; ++a) cells *= static_cast<double>(std::max<int64_t>(desc.stride[a], 1));
  if (cells > static_cast<double>(kMaxMapElements)) {
    ThrowValue("phase sums: Cin * Cout/groups * prod(stride) must be at most 2^26 (the strides are too large)");
  }
  PhaseSums ps;
  Check(PhaseKernelSums(desc, ConstView(wa), &ps));
  Shape sums_shape = {ps.cin, ps.cout_g};
  for (int a = 0; a < ndim; ++a) sums_shape.push_back(desc.stride[a]);
  py::array_t<double> sums(sums_shape);
  std::copy(ps.sums.begin(), ps.sums.end(), sums.mutable_data());
  py::array_t<double> spread(Shape{ps.cin, ps.cout_g});
  std::copy(ps.spread.begin(), ps.spread.end(), spread.mutable_data());
  py::dict d;
  d["sums"] = sums;
  d["spread"] = spread;
  d["max_spread"] = ps.max_spread;
  return d;
}

py::array IcnrPy(py::handle base, py::handle factor) {
  const py::array ba = CheckedArray(base, "weight", false);
  const int64_t r = IntArg(factor, "upscale_factor");
  Tensor out;
  Check(IcnrWeight(ConstView(ba), r, &out));
  py::array_t<float> a(out.shape);
  std::copy(out.data.begin(), out.data.end(), a.mutable_data());
  return a;
}

}  // namespace

void RegisterCheckerboard(py::module_& m) {
  m.def("overlap_map", &OverlapMapPy, py::arg("input_size"), py::arg("layers"), py::arg("method"));
  m.def("checkerboard_score", &ScorePy, py::arg("layers"), py::arg("ndim"));
  m.def("phase_sums", &PhaseSumsPy, py::arg("weight"), py::arg("stride"), py::arg("dilation"), py::arg("groups"));
  m.def("icnr", &IcnrPy, py::arg("weight"), py::arg("upscale_factor"));
}

}  // namespace pyext
}  // namespace tconv
