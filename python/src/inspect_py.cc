// tconv._tconv.inspect_onnx over include/tconv/inspect.h: the same
// loading and analysis as `tconv inspect`, returning its JSON text (the
// package's tconv.inspect turns it into a dict). The GIL is released while
// the model is parsed and analysed.
#include "python/src/inspect_py.h"

#include <string>

#include "python/src/convert.h"
#include "tconv/inspect.h"
#ifdef TCONV_PY_HAVE_FIGURES
#include "tools/figure/inspect_figures.h"
#endif

namespace tconv {
namespace pyext {

namespace {

// The report folder's pictures: titled figures when the extension was built
// with tools/figure (cairo), plain heatmaps otherwise.
#ifdef TCONV_PY_HAVE_FIGURES
const InspectRenderer kRenderer = figure::DrawInspectPictures;
constexpr bool kFigures = true;
#else
const InspectRenderer kRenderer;
constexpr bool kFigures = false;
#endif

// data: the .onnx file's bytes; name: what the report calls the model;
// output_dir: "" or an existing folder for inspect.md/.json and pictures.
std::string InspectOnnx(const py::bytes& data, const std::string& name, const std::string& output_dir) {
  const std::string bytes = data;  // a copy: the GIL is released below
  std::string json;
  CheckWithoutGil([&]() -> Status {
    ModelGraph g;
    TCONV_RETURN_IF_ERROR(LoadOnnxBytes(bytes.data(), bytes.size(), name, &g));
    InspectReport r;
    Status st = InspectGraph(g, name, &r);
    if (!st.ok()) return Status::Invalid(name + ": " + st.message());
    if (!output_dir.empty()) TCONV_RETURN_IF_ERROR(WriteInspectReport(r, output_dir, kRenderer));
    json = InspectReportJson(r);
    return Status::Ok();
  });
  return json;
}

}  // namespace

void RegisterInspect(py::module_& m) {
  m.def("inspect_onnx", &InspectOnnx, py::arg("data"), py::arg("name"), py::arg("output_dir"));
  m.def("onnx_supported", &OnnxSupported);
  m.def("inspect_figures", [] { return kFigures; });
}

}  // namespace pyext
}  // namespace tconv
