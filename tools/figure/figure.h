// The report's two kinds of figure, each readable without the Markdown:
//
//  * a heatmap: title, the map with x/y axis labels and ticks, a colour bar
//    with tick values and a label, a note saying whether its colour
//    scale is shared with other maps, and optional caption lines below;
//  * panels: pictures side by side under a title, each with a caption, and
//    notes (clipping, what to look at) at the bottom.
//
// Both return the layout (where the map, the bar and each panel landed) so
// that tests can read colours back at known places.
#ifndef TCONV_TOOLS_FIGURE_FIGURE_H_
#define TCONV_TOOLS_FIGURE_FIGURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tconv/image.h"
#include "tools/figure/colour_scale.h"

namespace tconv {
namespace figure {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
};

struct HeatmapSpec {
  std::string title;
  std::vector<double> values;  // rows x cols, row-major
  int64_t rows = 0, cols = 0;
  ColourScale scale;
  std::string value_label;  // the colour bar's label: what a value is
  std::string scale_note;   // e.g. "colour scale shared with ..." or "own colour scale"
  std::string x_label = "x (output column)", y_label = "y (output row)";
  int64_t x0 = 0, y0 = 0;  // index of the first column / row (a window of a larger map)
  int cell = 0;            // pixels per value; 0: about 256 px across
  int min_side = 0;        // cells stretched (not square) so that the map is at least this wide and tall
  std::vector<std::string> notes;  // lines under the x-axis label (a caption, clipping)
};

struct HeatmapLayout {
  Rect map, bar;
  int notes_y = 0;  // top of the caption lines (the figure's height when there are none)
  int cell = 0, cell_y = 0;  // a value's pixels across and down
  std::vector<double> bar_ticks;  // the values labelled on the bar
};

Image DrawHeatmap(const HeatmapSpec& spec, HeatmapLayout* layout = nullptr);

struct Panel {
  Image picture;
  std::string caption;  // under the picture; '\n' separates lines
};

struct PanelsLayout {
  std::vector<Rect> panels;
};

Image DrawPanels(const std::string& title, const std::vector<Panel>& panels, const std::vector<std::string>& notes,
                 PanelsLayout* layout = nullptr);

}  // namespace figure
}  // namespace tconv

#endif  // TCONV_TOOLS_FIGURE_FIGURE_H_
