// DrawInspectPictures: the inspect report's pictures as heatmap figures.
#include "tools/figure/inspect_figures.h"

#include <cmath>
#include <map>
#include <sstream>
#include <string>

#include "tools/figure/colour_scale.h"
#include "tools/figure/figure.h"

namespace tconv {
namespace figure {

namespace {

constexpr size_t kCaptionWidth = 96;  // characters per caption line
constexpr int kMinSide = 160;         // pixels: a 1-D map (one row) or a thin spread map stays readable

// The scale of each picture and the note saying what it is shared with.
void Scales(const std::vector<InspectPicture>& pictures, std::vector<ColourScale>* scales,
            std::vector<std::string>* notes) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < pictures.size(); ++i)
    if (!pictures[i].scale_group.empty()) groups[pictures[i].scale_group].push_back(i);
  for (size_t i = 0; i < pictures.size(); ++i) {
    const InspectPicture& p = pictures[i];
    const auto g = groups.find(p.scale_group);
    if (g == groups.end() || g->second.size() < 2) {
      const ColourScale s = ScaleOf(p.values);
      scales->push_back(s);
      notes->push_back("Own colour scale (" + TickLabel(s.lo) + " to " + TickLabel(s.hi) + ")" +
                       (g == groups.end() ? ": not comparable with other maps by colour."
                                          : ": the only " + p.scale_group + " map of this report."));
      continue;
    }
    std::vector<const std::vector<double>*> maps;
    std::string others;
    for (size_t j : g->second) {
      maps.push_back(&pictures[j].values);
      if (j != i) others += (others.empty() ? "" : ", ") + pictures[j].file;
    }
    const ColourScale s = SharedScale(maps);
    scales->push_back(s);
    notes->push_back("Colour scale " + TickLabel(s.lo) + " to " + TickLabel(s.hi) + ", shared with " + others +
                     ": equal colours mean equal values.");
  }
}

// "1.2% of pixel values clipped to [0, 4] (...)", or "" when the scale shows
// every value (ScaleOf and SharedScale span every finite value, so only NaN
// and infinities are clipped). Counted in double: a float copy of the
// values would round some of them past the scale's ends.
std::string ClippingNote(const std::vector<double>& values, const ColourScale& s) {
  int64_t clipped = 0;
  for (double v : values) clipped += !(v >= s.lo && v <= s.hi);
  if (clipped == 0) return "";
  return ClippedNote(static_cast<double>(clipped) / static_cast<double>(values.size()), s.lo, s.hi) +
         " (NaN or infinite values, drawn at the scale's ends).";
}

}  // namespace

std::vector<std::string> WrapText(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  for (std::string word; in >> word;) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

Status DrawInspectPictures(const std::vector<InspectPicture>& pictures, std::vector<Image>* images) {
  std::vector<ColourScale> scales;
  std::vector<std::string> scale_notes;
  Scales(pictures, &scales, &scale_notes);
  for (size_t i = 0; i < pictures.size(); ++i) {
    const InspectPicture& p = pictures[i];
    if (p.rows <= 0 || p.cols <= 0 || p.values.size() != static_cast<size_t>(p.rows * p.cols)) {
      return Status::Invalid("inspect picture " + p.file + ": " + std::to_string(p.values.size()) +
                             " values for " + std::to_string(p.rows) + " x " + std::to_string(p.cols));
    }
    HeatmapSpec spec;
    spec.title = p.title;
    spec.values = p.values;
    spec.rows = p.rows;
    spec.cols = p.cols;
    spec.scale = scales[i];
    spec.scale_note = scale_notes[i];
    spec.value_label = p.value_label;
    spec.x_label = p.x_label;
    spec.y_label = p.y_label;
    spec.min_side = kMinSide;
    for (const std::string& c : p.caption)
      for (const std::string& line : WrapText(c, kCaptionWidth)) spec.notes.push_back(line);
    const std::string clipped = ClippingNote(p.values, spec.scale);
    if (!clipped.empty()) spec.notes.push_back(clipped);
    images->push_back(DrawHeatmap(spec));
  }
  return Status::Ok();
}

}  // namespace figure
}  // namespace tconv
