// Binding of the transposed convolution's gradients (grad_py.cc).
#ifndef TCONV_PYTHON_SRC_GRAD_PY_H_
#define TCONV_PYTHON_SRC_GRAD_PY_H_

#include <pybind11/pybind11.h>

namespace tconv {
namespace pyext {

void RegisterGrad(pybind11::module_& m);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_GRAD_PY_H_
