// Bindings of the operators around transposed convolution: pixel shuffle
// and its inverse, and interpolate (ops_py.cc).
#ifndef TCONV_PYTHON_SRC_OPS_PY_H_
#define TCONV_PYTHON_SRC_OPS_PY_H_

#include <pybind11/pybind11.h>

namespace tconv {
namespace pyext {

void RegisterOps(pybind11::module_& m);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_OPS_PY_H_
