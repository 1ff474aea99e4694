// InspectPictures and WriteInspectReport (tconv/inspect.h): what each
// picture of the report shows (values, title, axes, caption), drawn by the
// caller's renderer or as plain heatmaps (tconv/image.h), then the report
// folder written.
#include <cctype>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "src/analysis/inspect_internal.h"
#include "src/io/atomic_write.h"
#include "tconv/image.h"
#include "tconv/inspect.h"

namespace tconv {

namespace {

using inspect::ReportNum;

// One period of each axis's steady state, tiled to >= 16 cells (<= 512), as
// a 2-D map: rows = axis 0, columns = axis 1 (1-D: one row).
std::vector<double> PatternMap(const CheckerboardScore& s, int64_t* h, int64_t* w) {
  auto tiled = [](const std::vector<double>& p) {
    std::vector<double> t;
    while (t.size() < 16 || t.size() % p.size() != 0) t.insert(t.end(), p.begin(), p.end());
    if (t.size() > 512) t.resize(512);
    return t;
  };
  const std::vector<double> rows = s.pattern.size() >= 2 ? tiled(s.pattern[0]) : std::vector<double>{1.0};
  const std::vector<double> cols = tiled(s.pattern.size() >= 2 ? s.pattern[1] : s.pattern[0]);
  std::vector<double> m;
  for (double r : rows)
    for (double c : cols) m.push_back(r * c);
  *h = static_cast<int64_t>(rows.size());
  *w = static_cast<int64_t>(cols.size());
  return m;
}

std::string Period(const std::vector<double>& axis) {
  std::string s;
  for (double v : axis) s += (s.empty() ? "[" : " ") + ReportNum(v);
  return s + "]";
}

std::string NodeList(const std::vector<std::string>& nodes) {
  std::string s;
  for (const auto& n : nodes) s += (s.empty() ? "" : " -> ") + n;
  return s;
}

// The overlap map of a score: values divided by their mean, axis labels
// for the score's dimensionality, and the caption's count line.
InspectPicture OverlapPicture(const CheckerboardScore& s, const std::string& file, const std::string& title) {
  InspectPicture pic;
  pic.file = file;
  pic.title = title;
  int64_t h = 0, w = 0;
  pic.values = PatternMap(s, &h, &w);  // (before h and w are read)
  pic.rows = h;
  pic.cols = w;
  double mean = 0;
  for (double v : pic.values) mean += v;
  mean /= static_cast<double>(pic.values.size());
  if (mean > 0) {
    for (double& v : pic.values) v /= mean;
  }
  pic.value_label = mean > 0 ? "contributions / mean" : "contributions";
  pic.scale_group = mean > 0 ? "overlap" : "";
  const size_t nd = s.pattern.size();
  if (nd >= 3) {
    pic.y_label = "output depth (axis 0)";
    pic.x_label = "output row (axis 1)";
  } else if (nd == 2) {
    pic.y_label = "output row (axis 0)";
    pic.x_label = "output column (axis 1)";
  } else {
    pic.y_label = "1-D";
    pic.x_label = "output position";
  }
  std::string periods;
  for (const auto& axis : s.pattern) periods += (periods.empty() ? "" : " x ") + Period(axis);
  pic.caption.push_back("Input pixels reaching each output pixel, all-ones weights, away from borders: " +
                        ReportNum(s.min) + " to " + ReportNum(s.max) + " (mean " + ReportNum(mean) +
                        "); score max/min = " + ReportNum(s.score) + ".");
  pic.caption.push_back("One period per axis " + periods + ", tiled" +
                        (nd >= 3 ? " (axis 2 not drawn)" : "") +
                        ". One flat colour = no checkerboard from overlap; a grid = checkerboard.");
  return pic;
}

InspectPicture SpreadPicture(const UpsamplePath& p, size_t i) {
  const PhaseSpreadReport& ws = p.weights;
  InspectPicture pic;
  pic.file = "path" + std::to_string(i) + "_spread.png";
  pic.title = "Path " + std::to_string(i) + " (" + PathKindName(p.kind) + ": " + NodeList(p.nodes) +
              "): weights' phase-sum spread per channel pair";
  pic.values = ws.spread;
  pic.rows = ws.cin;
  pic.cols = ws.cout_g;
  pic.y_label = "input channel";
  pic.x_label = p.groups > 1 ? "output channel (within its group)" : "output channel";
  pic.value_label = "phase-sum spread";
  pic.caption.push_back("Per (input, output channel) pair: max - min over the " + std::to_string(ws.phases) +
                        " phases of the kernel taps' sums (0 = every phase gets the same weight).");
  pic.caption.push_back("Largest " + ReportNum(ws.max_spread) + " at input " + std::to_string(ws.worst_ci) +
                        " -> output " + std::to_string(ws.worst_co) + "; a constant input gives a " +
                        ReportNum(100 * ws.constant_ripple) + "% phase ripple.");
  if (!ws.note.empty()) {
    std::string note = ws.note;
    note[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(note[0])));
    pic.caption.push_back(note + ".");
  }
  return pic;
}

Status PlainHeatmaps(const std::vector<InspectPicture>& pictures, std::vector<Image>* images) {
  HeatmapOptions ho;
  for (const InspectPicture& pic : pictures) images->push_back(Heatmap(pic.values, pic.rows, pic.cols, ho));
  return Status::Ok();
}

}  // namespace

std::vector<InspectPicture> InspectPictures(const InspectReport& r) {
  std::vector<InspectPicture> out;
  for (size_t i = 0; i < r.paths.size(); ++i) {
    const UpsamplePath& p = r.paths[i];
    if (p.scored) {
      InspectPicture pic =
          OverlapPicture(p.score, "path" + std::to_string(i) + "_overlap.png",
                         "Path " + std::to_string(i) + " (" + PathKindName(p.kind) + ": " + NodeList(p.nodes) +
                             "): overlap per output pixel");
      pic.caption.insert(pic.caption.begin(), "Geometry: " + inspect::PathGeometryText(p) + ".");
      out.push_back(std::move(pic));
    }
    const PhaseSpreadReport& ws = p.weights;
    if (ws.available && !ws.spread.empty() && ws.cin * ws.cout_g <= 512 * 512) out.push_back(SpreadPicture(p, i));
  }
  for (size_t c = 0; c < r.chains.size(); ++c) {
    const UpsampleChain& ch = r.chains[c];
    if (ch.layers.empty()) continue;
    std::string paths;
    for (int p : ch.paths) paths += (paths.empty() ? "" : " -> ") + std::to_string(p);
    InspectPicture pic = OverlapPicture(
        ch.score, "chain" + std::to_string(c) + "_overlap.png",
        "Chain " + std::to_string(c) + " (path" + (ch.paths.size() == 1 ? " " : "s ") + paths + ", " +
            std::to_string(ch.smoothing.size()) + " conv" + (ch.smoothing.size() == 1 ? "" : "s") +
            " between): stacked overlap per output pixel");
    pic.caption.insert(pic.caption.begin(), "The " + std::to_string(ch.layers.size()) +
                                                " layers of the chain stacked (stride-1 convs as box filters).");
    out.push_back(std::move(pic));
  }
  return out;
}

Status WriteInspectReport(const InspectReport& r, const std::string& dir, const InspectRenderer& render) {
  // Every picture and text is made first, then written: a failure while
  // rendering leaves nothing behind.
  const std::vector<InspectPicture> pictures = InspectPictures(r);
  std::vector<Image> images;
  TCONV_RETURN_IF_ERROR(render ? render(pictures, &images) : PlainHeatmaps(pictures, &images));
  if (images.size() != pictures.size()) {
    return Status::Invalid("inspect: the renderer drew " + std::to_string(images.size()) + " images for " +
                            std::to_string(pictures.size()) + " pictures");
  }
  const std::string md = InspectReportMarkdown(r, true), js = InspectReportJson(r);
  for (size_t i = 0; i < pictures.size(); ++i) TCONV_RETURN_IF_ERROR(WritePng(dir + "/" + pictures[i].file, images[i]));
  TCONV_RETURN_IF_ERROR(WriteFileAtomic(dir + "/inspect.json", js.data(), js.size()));
  return WriteFileAtomic(dir + "/inspect.md", md.data(), md.size());
}

}  // namespace tconv
