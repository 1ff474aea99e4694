// bf16 for the bindings: the dtype argument of plans, numpy arrays of bf16
// (numpy has no bfloat16: uint16 arrays of bf16 bit patterns, the layout of
// torch.bfloat16 and of the CLI's --bf16-io uint16), and the conversions
// tconv.to_bf16_bits / tconv.from_bf16_bits (round to nearest even, as
// include/tconv/bfloat16.h).
#ifndef TCONV_PYTHON_SRC_BF16_PY_H_
#define TCONV_PYTHON_SRC_BF16_PY_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "tconv/bfloat16.h"

namespace tconv {
namespace pyext {

namespace py = pybind11;

// "f32", "bf16" or "int8" (PlanOptions::dtype); TypeError for a non-str,
// ValueError for another string. (int8 plans: python/src/int8_py.h.)
DataType DTypeArg(py::handle obj);

// True when `a` has dtype uint16 in native byte order.
bool IsBf16Bits(const py::array& a);
// True when `a` has dtype float32 in native byte order.
bool IsFloat32(const py::array& a);
// `obj` as a uint16 array of bf16 bits read (or written) in place:
// C-contiguous, aligned; anything else raises ValueError naming `name`.
py::array CheckedBf16Bits(py::handle obj, const std::string& name, bool writeable);

// The weight of a plan of `dtype`: a float32 array (read in place; a bf16
// plan rounds it), or, for a bf16 plan, uint16 bf16 bits widened (exactly)
// into a new float32 array.
py::array WeightArray(py::handle obj, DataType dtype);

// x for a bf16 plan: a uint16 array of bf16 bits (read in place), or a
// float32 array rounded to bf16 into *rounded (x then views that copy).
// Raises ValueError for any other array.
struct Bf16Input {
  py::array array;                  // the caller's array
  const float* floats = nullptr;    // its data when it is float32
  size_t size = 0;                  // its number of elements
  std::vector<BFloat16> rounded;    // the bf16 copy of `floats` (RoundInput)
  const BFloat16* data() const;
};
Bf16Input CheckedBf16Input(py::handle obj, const std::string& name);
// Fills in->rounded from in->floats when x is float32; touches no Python
// object (call it without the GIL).
void RoundInput(Bf16Input* in);

void RegisterBf16(py::module_& m);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_BF16_PY_H_
