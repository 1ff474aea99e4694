// Stand-in for onnx_model.cc when CMake did not find libonnx-dev /
// libprotobuf-dev: `tconv inspect` and tconv.inspect then say how to get
// the feature instead of failing to link.
#include "tconv/inspect.h"

namespace tconv {

namespace {
Status NoOnnx(const std::string& source) {
  return Status::Unsupported(source +
                             ": this tconv was built without ONNX support (install libonnx-dev and "
                             "libprotobuf-dev, then re-run cmake)");
}
}  // namespace

bool OnnxSupported() { return false; }

Status LoadOnnxBytes(const void*, size_t, const std::string& source, ModelGraph* out) {
  *out = ModelGraph();
  return NoOnnx(source);
}

Status LoadOnnxFile(const std::string& path, ModelGraph* out) {
  *out = ModelGraph();
  return NoOnnx(path);
}

}  // namespace tconv
