// The pictures of an inspect report (tconv/inspect.h InspectPicture) drawn
// as figures that read without inspect.md: the title naming the path or
// chain and what is shown, axes with labels and ticks, a colour bar with
// values and what they are, a note on the colour scale (shared by the
// pictures of one scale_group, or the picture's own), the caption, and a
// line on any values the scale clips. `tconv inspect --output-dir` and the
// Python module's tconv.inspect(..., output_dir=) pass it to
// WriteInspectReport.
#ifndef TCONV_TOOLS_FIGURE_INSPECT_FIGURES_H_
#define TCONV_TOOLS_FIGURE_INSPECT_FIGURES_H_

#include <vector>

#include "tconv/image.h"
#include "tconv/inspect.h"
#include "tconv/status.h"

namespace tconv {
namespace figure {

// An InspectRenderer: one figure per picture, in order.
Status DrawInspectPictures(const std::vector<InspectPicture>& pictures, std::vector<Image>* images);

// Splits text at spaces into lines of at most `width` characters (a longer
// word stays whole on its own line).
std::vector<std::string> WrapText(const std::string& text, size_t width);

}  // namespace figure
}  // namespace tconv

#endif  // TCONV_TOOLS_FIGURE_INSPECT_FIGURES_H_
