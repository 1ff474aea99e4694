// tconv._tconv.inspect_onnx over include/tconv/inspect.h: the same
// loading and analysis as `tconv inspect`, returning its JSON text (the
// package's tconv.inspect turns it into a dict). The GIL is released while
// the model is parsed and analysed.
#include "python/src/inspect_py.h"

#include <string>

#include "python/src/convert.h"
#include "tconv/inspect.h"

namespace tconv {
namespace pyext {

namespace {

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
    if (!output_dir.empty()) TCONV_RETURN_IF_ERROR(WriteInspectReport(r, output_dir));
    json = InspectReportJson(r);
    return Status::Ok();
  });
  return json;
}

}  // namespace

void RegisterInspect(py::module_& m) {
  m.def("inspect_onnx", &InspectOnnx, py::arg("data"), py::arg("name"), py::arg("output_dir"));
  m.def("onnx_supported", &OnnxSupported);
}

}  // namespace pyext
}  // namespace tconv
