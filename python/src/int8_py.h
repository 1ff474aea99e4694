// int8 (quantized) plans for the bindings: dtype="int8" on tconv.Plan,
// tconv.conv_transpose and tconv.explain. The convention is
// include/tconv/quant.h's (ONNX QLinearConv's, transposed): x uint8 or int8
// with x_scale and x_zero_point, weight int8 with w_scale (one value, or
// Cout), bias int32, y uint8 or int8 requantized with y_scale and
// y_zero_point, or float32 (dequantized).
//
// python/tconv/_functional.py gathers the quantization keywords into one
// dict, as it does the geometry: x_dtype, x_scale, x_zero_point, w_scale,
// y_dtype, y_scale, y_zero_point, None where not given; the dtypes as the
// CLI spells them ("u8", "s8", "f32"). Arrays are read in place (x, weight,
// bias) and written in place (out): never converted.
#ifndef TCONV_PYTHON_SRC_INT8_PY_H_
#define TCONV_PYTHON_SRC_INT8_PY_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <string>

#include "tconv/plan.h"
#include "tconv/quant.h"

namespace tconv {
namespace pyext {

namespace py = pybind11;

// Raises ValueError naming the first quantization keyword given ("x_scale
// applies to dtype='int8' only") when `dtype` is not kInt8.
void CheckQuantArgsUnused(const py::dict& quant, DataType dtype);

// The quant dict with x_dtype set from x's array dtype (uint8 or int8) when
// the caller left it None: conv_transpose's x decides, as the CLI's
// --input does. Raises ValueError when x is not a uint8 or int8 array.
py::dict QuantArgsForInput(const py::dict& quant, py::handle x);

// An int8 plan: weight int8 (Cin, Cout/groups, *k), bias int32 (Cout) or
// None, the geometry dict as TransposeDescFromArgs takes it, the quant dict
// as above (x_dtype None: uint8). The GIL is released during Create.
std::unique_ptr<Plan> CreateInt8Plan(py::handle weight, py::handle bias, const Shape& input_shape,
                                     const py::dict& geometry, const py::dict& quant, const PlanOptions& options);

// y = plan(x) for an int8 plan: x of the plan's x type (read in place),
// y a new array of its y type, or `out` (checked, written in place).
// out_dtype (a bf16 plans' argument) must be None. GIL released in Run.
py::array RunInt8(const Plan& plan, py::handle x, py::handle out, py::handle out_dtype);

// The plan's QuantParams as a dict of the keyword names: x_dtype, y_dtype
// as numpy names ("uint8", "int8", "float32"), w_scale a tuple; y_scale
// and y_zero_point None for a float32 y.
py::dict QuantDict(const QuantParams& q);

// A hint for the f32 and bf16 paths: raises ValueError when `obj` is a
// uint8 or int8 array (x) or an int8 array (weight), naming dtype='int8'.
void CheckNotQuantized(py::handle obj, const std::string& name, const char* plan_dtype);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_INT8_PY_H_
