// The pictures of `tconv checkerboard` (cmd_checkerboard.cc), each titled
// and captioned so that it reads without report.md: overlap maps and
// constant responses as heatmaps on a stated colour scale, pictures with
// their clipping stated.
#ifndef TCONV_TOOLS_TCONV_CHECKERBOARD_FIGURES_H_
#define TCONV_TOOLS_TCONV_CHECKERBOARD_FIGURES_H_

#include <string>
#include <vector>

#include "tconv/image.h"
#include "tconv/status.h"
#include "tconv/tensor.h"
#include "tools/figure/colour_scale.h"

namespace tconv {
namespace cli {

// One heatmap to write: its file, title and values (rows x cols, a window
// starting at (y0, x0) of a larger map).
struct MapToDraw {
  std::string file, title;
  std::vector<double> values;
  int64_t rows = 0, cols = 0, y0 = 0, x0 = 0;
};

// Writes the maps as heatmaps into dir. With `shared`, one colour scale
// spans them all and each figure says so; otherwise each has its own and
// says that it is not comparable.
Status WriteHeatmaps(const std::string& dir, const std::vector<MapToDraw>& maps, const std::string& value_label,
                     bool shared, figure::ColourScale* scale_out = nullptr);

// A picture with a title and notes under it (PNG in dir/file).
Status WritePicture(const std::string& dir, const std::string& file, const std::string& title, const Image& picture,
                    const std::vector<std::string>& notes);

// Share of a tensor's values outside [0, 1], which TensorToImage(.., 0, 1) clamps.
double ClippedToUnit(const Tensor& t);

}  // namespace cli
}  // namespace tconv

#endif  // TCONV_TOOLS_TCONV_CHECKERBOARD_FIGURES_H_
