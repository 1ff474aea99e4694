// Small 8-bit images for the checkerboard report: PNG writing and reading
// (libpng), a viridis-like colour map computed from a polynomial, heatmaps of
// 2-D arrays (the bare map; tools/figure adds titles, axes and colour bars
// with cairo), and nearest-neighbour magnification so that a 16x16 map is
// visible.
//
// Pixels are row-major, channels interleaved (1 = gray, 3 = RGB).
#ifndef TCONV_IMAGE_H_
#define TCONV_IMAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

struct Image {
  int width = 0, height = 0, channels = 3;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int w, int h, int c, uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(static_cast<size_t>(w) * h * c, fill) {}
  uint8_t* at(int x, int y) { return &pixels[(static_cast<size_t>(y) * width + x) * channels]; }
  const uint8_t* at(int x, int y) const { return &pixels[(static_cast<size_t>(y) * width + x) * channels]; }
};

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

// Writes an 8-bit gray (channels 1) or RGB (channels 3) PNG atomically: a
// temporary file in the same folder is written, flushed and renamed over
// `path`; on any error nothing is left behind and the message names the path.
Status WritePng(const std::string& path, const Image& img);
// Decodes any PNG to 8-bit gray (when the file is gray) or RGB; alpha is
// composited on black.
Status ReadPng(const std::string& path, Image* out);

// Viridis-like map for t in [0, 1] (clamped): a degree-4 polynomial per
// channel through five points of matplotlib's viridis (dark purple, blue,
// teal, green, yellow).
Rgb ColorMap(double t);

// Nearest-neighbour magnification by an integer factor >= 1.
Image Magnify(const Image& img, int factor);

struct HeatmapOptions {
  int magnify = 0;        // 0: chosen so that the map is about 256 px wide
  bool fixed_range = false;
  double lo = 0, hi = 1;  // used when fixed_range
};
// Renders a (h, w) array of doubles (row-major) with ColorMap. The range is
// [min, max] of the data unless fixed_range; a constant map is drawn at the
// middle colour. *lo / *hi (optional) receive the range used.
Image Heatmap(const std::vector<double>& data, int64_t h, int64_t w, const HeatmapOptions& opts, double* lo = nullptr,
              double* hi = nullptr);

// A (C, H, W) or (1, C, H, W) float tensor with C == 1 or 3 as a gray / RGB
// image, values mapped linearly from [lo, hi] to [0, 255] and clamped.
Status TensorToImage(ConstTensorView t, double lo, double hi, Image* out);

// Places images side by side (top-aligned) with `gap` pixels of `bg`
// between them; all are converted to RGB.
Image HStack(const std::vector<Image>& images, int gap, Rgb bg);

}  // namespace tconv

#endif  // TCONV_IMAGE_H_
