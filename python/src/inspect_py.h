// Binding of the model inspection (inspect_py.cc).
#ifndef TCONV_PYTHON_SRC_INSPECT_PY_H_
#define TCONV_PYTHON_SRC_INSPECT_PY_H_

#include <pybind11/pybind11.h>

namespace tconv {
namespace pyext {

void RegisterInspect(pybind11::module_& m);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_INSPECT_PY_H_
