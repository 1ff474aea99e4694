// Titled, captioned figures for `tconv checkerboard`.
#include "tools/tconv/checkerboard_figures.h"

#include "tools/figure/figure.h"

namespace tconv {
namespace cli {

Status WriteHeatmaps(const std::string& dir, const std::vector<MapToDraw>& maps, const std::string& value_label,
                     bool shared, figure::ColourScale* scale_out) {
  std::vector<const std::vector<double>*> all;
  for (const MapToDraw& m : maps) all.push_back(&m.values);
  const figure::ColourScale common = figure::SharedScale(all);
  if (scale_out) *scale_out = common;
  for (const MapToDraw& m : maps) {
    figure::HeatmapSpec spec;
    spec.title = m.title;
    spec.values = m.values;
    spec.rows = m.rows;
    spec.cols = m.cols;
    spec.y0 = m.y0;
    spec.x0 = m.x0;
    spec.value_label = value_label;
    spec.scale = shared ? common : figure::ScaleOf(m.values);
    if (shared) {
      std::string others;
      for (const MapToDraw& o : maps)
        if (o.file != m.file) others += (others.empty() ? "" : ", ") + o.file;
      spec.scale_note = "Colour scale " + figure::TickLabel(spec.scale.lo) + " to " +
                        figure::TickLabel(spec.scale.hi) + ", shared with " + others +
                        ": equal colours mean equal values.";
    } else {
      spec.scale_note = "Own colour scale (" + figure::TickLabel(spec.scale.lo) + " to " +
                        figure::TickLabel(spec.scale.hi) + "): not comparable with other maps by colour.";
    }
    TCONV_RETURN_IF_ERROR(WritePng(dir + "/" + m.file, figure::DrawHeatmap(spec)));
  }
  return Status::Ok();
}

Status WritePicture(const std::string& dir, const std::string& file, const std::string& title, const Image& picture,
                    const std::vector<std::string>& notes) {
  return WritePng(dir + "/" + file, figure::DrawPanels(title, {figure::Panel{picture, ""}}, notes));
}

double ClippedToUnit(const Tensor& t) {
  return figure::ClippedFraction(t.data.data(), static_cast<int64_t>(t.data.size()), 0, 1);
}

}  // namespace cli
}  // namespace tconv
