// Bindings of the checkerboard analysis (include/tconv/checkerboard.h):
// overlap maps, the analytic score, per-phase kernel sums and ICNR
// (checkerboard_py.cc).
#ifndef TCONV_PYTHON_SRC_CHECKERBOARD_PY_H_
#define TCONV_PYTHON_SRC_CHECKERBOARD_PY_H_

#include <pybind11/pybind11.h>

namespace tconv {
namespace pyext {

void RegisterCheckerboard(pybind11::module_& m);

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_CHECKERBOARD_PY_H_
