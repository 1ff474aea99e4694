// Conversions between Python objects and the library's types, shared by
// the bindings: zero-copy tensor views of numpy arrays, per-axis arguments
// (an int or one int per axis, as torch takes them), and errors.
//
// Every bad argument raises ValueError with a message that names the
// argument, as the CLI's one-line errors do; nothing here converts an array
// (a copy would hide a cost the caller asked to avoid).
#ifndef TCONV_PYTHON_SRC_CONVERT_H_
#define TCONV_PYTHON_SRC_CONVERT_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "tconv/desc.h"
#include "tconv/layout.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {
namespace pyext {

namespace py = pybind11;

// ValueError carrying the library's message.
[[noreturn]] void ThrowStatus(const Status& st);
inline void Check(const Status& st) {
  if (!st.ok()) ThrowStatus(st);
}
// Runs `call` (a library call returning Status that touches no Python
// object) with the GIL released, so other Python threads run meanwhile,
// then raises its Status.
template <class Call>
void CheckWithoutGil(Call&& call) {
  Status st;
  {
    py::gil_scoped_release release;
    st = call();
  }
  Check(st);
}
[[noreturn]] void ThrowValue(const std::string& message);

// `obj` as a numpy array that tconv can read (or, with `writeable`, write)
// in place: float32 in native byte order, C-contiguous, aligned. Anything
// else raises ValueError naming `name` and the remedy.
py::array CheckedArray(py::handle obj, const std::string& name, bool writeable);
Shape ShapeOf(const py::array& a);
ConstTensorView ConstView(const py::array& a);
TensorView MutableView(py::array& a);
// Raises when the two arrays' bytes overlap (the output would overwrite
// input the plan still reads).
void CheckDisjoint(const py::array& in, const std::string& in_name, const py::array& out);

// A shape: an array's shape, or a sequence of ints (explain takes either).
Shape ShapeArg(py::handle obj, const std::string& name);
// An int (or numpy integer; not a bool).
int64_t IntArg(py::handle obj, const std::string& name);
// A sequence of ints of any length.
std::vector<int64_t> IntListArg(py::handle obj, const std::string& name);
// An int for every axis, or a sequence of exactly ndim ints.
Dims AxisArg(py::handle obj, const std::string& name, int ndim);
// threads=None means the library's default, 1 (deterministic timing, and
// no oversubscription when callers run their own threads).
int ThreadsArg(py::handle obj);
Layout LayoutArg(const std::string& text);

py::tuple ShapeTuple(const Shape& s);
py::tuple DimsTuple(const Dims& d, int ndim);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_CONVERT_H_
