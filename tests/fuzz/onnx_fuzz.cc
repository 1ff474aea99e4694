// libFuzzer target: the ONNX loader and the model inspection on any bytes.
// LoadOnnxBytes must accept or refuse with a one-line message (no crash,
// leak or UB, nothing logged); whatever loads must inspect without crashing,
// and a report must render as JSON and Markdown.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "tconv/inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tconv::ModelGraph g;
  tconv::Status st = tconv::LoadOnnxBytes(data, size, "fuzz.onnx", &g);
  if (!st.ok()) {
    if (st.message().empty() || st.message().find('\n') != std::string::npos || !g.nodes.empty()) std::abort();
    return 0;
  }
  tconv::InspectReport r;
  st = tconv::InspectGraph(g, "fuzz.onnx", &r);
  if (!st.ok()) {
    if (st.message().empty()) std::abort();
    return 0;
  }
  if (tconv::InspectReportJson(r).empty() || tconv::InspectReportMarkdown(r, true).empty()) std::abort();
  return 0;
}
