// The extension module tconv._tconv. Its functions take every argument
// positionally-or-by-name without defaults; the package python/tconv/
// gives them torch's names, defaults and docstrings, and gathers the
// transposed convolution's geometry keywords into one dict.
#include <pybind11/pybind11.h>

#include "python/src/bf16_py.h"
#include "python/src/checkerboard_py.h"
#include "python/src/conv_py.h"
#include "python/src/grad_py.h"
#include "python/src/inspect_py.h"
#include "python/src/ops_py.h"
#include "python/src/plan_py.h"

PYBIND11_MODULE(_tconv, m) {
  m.doc() = "tconv's C++ bindings; use the tconv package, not this module";
  tconv::pyext::RegisterPlan(m);
  tconv::pyext::RegisterBf16(m);
  tconv::pyext::RegisterConv(m);
  tconv::pyext::RegisterOps(m);
  tconv::pyext::RegisterGrad(m);
  tconv::pyext::RegisterCheckerboard(m);
  tconv::pyext::RegisterInspect(m);
}
