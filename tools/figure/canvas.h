// A white drawing surface with text, lines and pixel-exact pictures, drawn
// by cairo (Debian libcairo2-dev) and read back as a tconv::Image for the
// atomic PNG writer. Text uses cairo's font selection (fontconfig: DejaVu
// Sans on Debian), so titles, labels and ticks are real type.
#ifndef TCONV_TOOLS_FIGURE_CANVAS_H_
#define TCONV_TOOLS_FIGURE_CANVAS_H_

#include <string>

#include "tconv/image.h"

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;

namespace tconv {
namespace figure {

enum class Align { kLeft, kCentre, kRight };

class Canvas {
 public:
  Canvas(int width, int height);  // white
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }

  // `img` with its top-left corner at (x, y), one image pixel per canvas pixel.
  void Picture(const Image& img, int x, int y);
  void FillRect(double x, double y, double w, double h, Rgb colour);
  void Line(double x0, double y0, double x1, double y1, Rgb colour, double width = 1);
  // Text with its baseline at y, aligned on x; `size` in pixels.
  void Text(double x, double y, const std::string& text, double size, Align align = Align::kLeft,
            bool bold = false);
  // Text turned 90 degrees anticlockwise, centred on (x, y) (a y-axis label).
  void VerticalText(double x, double y, const std::string& text, double size);
  // Width in pixels of Text(text, size, bold).
  static double TextWidth(const std::string& text, double size, bool bold = false);

  Image ToImage() const;  // RGB

 private:
  int width_, height_;
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

}  // namespace figure
}  // namespace tconv

#endif  // TCONV_TOOLS_FIGURE_CANVAS_H_
