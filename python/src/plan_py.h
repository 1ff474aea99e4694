// Bindings of the transposed convolution: the Plan class, the one-shot
// conv_transpose and explain (plan_py.cc).
#ifndef TCONV_PYTHON_SRC_PLAN_PY_H_
#define TCONV_PYTHON_SRC_PLAN_PY_H_

#include <pybind11/pybind11.h>

namespace tconv {
namespace pyext {

void RegisterPlan(pybind11::module_& m);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_PLAN_PY_H_
