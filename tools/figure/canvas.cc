// Canvas: cairo's image surface (ARGB32, opaque) behind a small drawing API.
#include "tools/figure/canvas.h"

#include <cairo.h>

#include <cstring>

namespace tconv {
namespace figure {
namespace {

const char kFont[] = "DejaVu Sans";

void SetColour(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0); }

void SetFont(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

}  // namespace

Canvas::Canvas(int width, int height) : width_(width), height_(height) {
  surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cr_ = cairo_create(surface_);
  cairo_set_source_rgb(cr_, 1, 1, 1);
  cairo_paint(cr_);
}

Canvas::~Canvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void Canvas::Picture(const Image& img, int x, int y) {
  // Written into the surface's pixels directly: exact colours, no filtering.
  cairo_surface_flush(surface_);
  unsigned char* data = cairo_image_surface_get_data(surface_);
  const int stride = cairo_image_surface_get_stride(surface_);
  for (int r = 0; r < img.height; ++r) {
    if (y + r < 0 || y + r >= height_) continue;
    auto* row = reinterpret_cast<uint32_t*>(data + static_cast<size_t>(y + r) * stride);
    for (int c = 0; c < img.width; ++c) {
      if (x + c < 0 || x + c >= width_) continue;
      const uint8_t* p = img.at(c, r);
      const uint32_t red = p[0], green = img.channels == 3 ? p[1] : p[0], blue = img.channels == 3 ? p[2] : p[0];
      row[x + c] = 0xff000000u | (red << 16) | (green << 8) | blue;
    }
  }
  cairo_surface_mark_dirty(surface_);
}

void Canvas::FillRect(double x, double y, double w, double h, Rgb colour) {
  SetColour(cr_, colour);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_fill(cr_);
}

void Canvas::Line(double x0, double y0, double x1, double y1, Rgb colour, double width) {
  SetColour(cr_, colour);
  cairo_set_line_width(cr_, width);
  cairo_move_to(cr_, x0, y0);
  cairo_line_to(cr_, x1, y1);
  cairo_stroke(cr_);
}

void Canvas::Text(double x, double y, const std::string& text, double size, Align align, bool bold) {
  SetFont(cr_, size, bold);
  cairo_text_extents_t ext;
  cairo_text_extents(cr_, text.c_str(), &ext);
  const double dx = align == Align::kLeft ? 0 : align == Align::kCentre ? ext.x_advance / 2 : ext.x_advance;
  SetColour(cr_, Rgb{0, 0, 0});
  cairo_move_to(cr_, x - dx, y);
  cairo_show_text(cr_, text.c_str());
}

void Canvas::VerticalText(double x, double y, const std::string& text, double size) {
  cairo_save(cr_);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, -1.5707963267948966);
  Text(0, 0, text, size, Align::kCentre);
  cairo_restore(cr_);
}

double Canvas::TextWidth(const std::string& text, double size, bool bold) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t* cr = cairo_create(s);
  SetFont(cr, size, bold);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text.c_str(), &ext);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return ext.x_advance;
}

Image Canvas::ToImage() const {
  cairo_surface_flush(surface_);
  const unsigned char* data = cairo_image_surface_get_data(surface_);
  const int stride = cairo_image_surface_get_stride(surface_);
  Image out(width_, height_, 3);
  for (int y = 0; y < height_; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + static_cast<size_t>(y) * stride);
    for (int x = 0; x < width_; ++x) {
      uint8_t* p = out.at(x, y);
      p[0] = static_cast<uint8_t>(row[x] >> 16);
      p[1] = static_cast<uint8_t>(row[x] >> 8);
      p[2] = static_cast<uint8_t>(row[x]);
    }
  }
  return out;
}

}  // namespace figure
}  // namespace tconv
