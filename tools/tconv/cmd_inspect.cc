// `tconv inspect MODEL.onnx [--json] [--output-dir DIR]`: the checkerboard
// analysis of a model's upsampling paths (tconv/inspect.h,
// docs/CHECKERBOARD.md "Inspecting a model").
//
//  * default: the Markdown report on stdout (no pictures);
//  * --json: the JSON report on stdout instead;
//  * --output-dir DIR: DIR/inspect.md (with pictures), DIR/inspect.json and
//    the PNG figures (tools/figure/inspect_figures.h: titled heatmaps with
//    axes, colour bar and caption), each written atomically; DIR is created only after
//    the model was read and analysed, so a bad model leaves nothing behind.
// A malformed, truncated or unreadable model is one error line, status 2.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "tconv/inspect.h"
#include "tools/figure/inspect_figures.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

struct InspectArgs {
  std::string model;
  std::string output_dir;
  bool json = false;
};

int RunInspect(const InspectArgs& a) {
  ModelGraph g;
  Status st = LoadOnnxFile(a.model, &g);
  if (!st.ok()) return Fail(st);
  InspectReport r;
  st = InspectGraph(g, std::filesystem::path(a.model).filename().string(), &r);
  if (!st.ok()) return Fail(a.model + ": " + st.message());
  if (!a.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.output_dir, ec);
    if (ec || !std::filesystem::is_directory(a.output_dir)) {
      return Fail("--output-dir: cannot create the folder " + a.output_dir + (ec ? ": " + ec.message() : ""));
    }
    st = WriteInspectReport(r, a.output_dir, figure::DrawInspectPictures);
    if (!st.ok()) return Fail(st);
  }
  const std::string text = a.json ? InspectReportJson(r) : a.output_dir.empty() ? InspectReportMarkdown(r, false) : "";
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!a.output_dir.empty() && !a.json) {
    std::printf("wrote %s/inspect.md and %s/inspect.json (%zu upsampling path%s)\n", a.output_dir.c_str(),
                a.output_dir.c_str(), r.paths.size(), r.paths.size() == 1 ? "" : "s");
  }
  return 0;
}

Runner SetupInspect(CLI::App* sub) {
  auto a = std::make_shared<InspectArgs>();
  sub->add_option("model", a->model, "the ONNX model (.onnx)")->required();
  sub->add_flag("--json", a->json, "print the JSON report instead of Markdown");
  AddPathOption(sub, "--output-dir", &a->output_dir,
                "write inspect.md (with pictures), inspect.json and the PNG figures here (created if missing)", false);
  return [a] { return RunInspect(*a); };
}

}  // namespace

TCONV_REGISTER_COMMAND(inspect, "inspect",
                       "checkerboard analysis of an ONNX model's upsampling layers (Markdown / JSON report)",
                       SetupInspect);

}  // namespace cli
}  // namespace tconv
