// PNG I/O through libpng's simplified API (png_image_*), which reports every
// error through the png_image struct instead of longjmp, plus the drawing
// helpers of include/tconv/image.h: colour map, magnification, heatmaps,
// tensor-to-image. Titled figures with text are tools/figure's (cairo).
#include "tconv/image.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "src/io/atomic_write.h"

namespace tconv {
namespace {

uint8_t ToByte(double v) {
  v = std::min(1.0, std::max(0.0, v));
  return static_cast<uint8_t>(std::lround(v * 255.0));
}

}  // namespace

Status WritePng(const std::string& path, const Image& img) {
  if (img.channels != 1 && img.channels != 3) {
    return Status::Invalid(path + ": PNG channels must be 1 or 3 (got " + std::to_string(img.channels) + ")");
  }
  if (img.width < 1 || img.height < 1 ||
      img.pixels.size() != static_cast<size_t>(img.width) * img.height * img.channels) {
    return Status::Invalid(path + ": image size " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                           " does not match its pixel buffer");
  }
  // Encoded in memory (libpng's simplified API, which reports errors in the
  // png_image instead of longjmp), then written by the one atomic writer.
  png_image pi;
  std::memset(&pi, 0, sizeof(pi));
  pi.version = PNG_IMAGE_VERSION;
  pi.width = static_cast<png_uint_32>(img.width);
  pi.height = static_cast<png_uint_32>(img.height);
  pi.format = img.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  png_alloc_size_t bytes = 0;
  std::vector<unsigned char> buf;
  int ok = png_image_write_to_memory(&pi, nullptr, &bytes, 0, img.pixels.data(), 0, nullptr);  // size only
  if (ok) {
    buf.resize(bytes);
    ok = png_image_write_to_memory(&pi, buf.data(), &bytes, 0, img.pixels.data(), 0, nullptr);
  }
  const std::string err = ok ? "" : std::string("libpng: ") + pi.message;
  png_image_free(&pi);
  if (!ok) return Status::Io(path + ": cannot write PNG: " + err);
  return WriteFileAtomic(path, buf.data(), bytes);
}

Status ReadPng(const std::string& path, Image* out) {
  png_image pi;
  std::memset(&pi, 0, sizeof(pi));
  pi.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&pi, path.c_str())) {
    std::string m = pi.message;
    png_image_free(&pi);
    return Status::Io(path + ": cannot read PNG: " + m);
  }
  const bool color = (pi.format & PNG_FORMAT_FLAG_COLOR) != 0;
  pi.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  Image img(static_cast<int>(pi.width), static_cast<int>(pi.height), color ? 3 : 1);
  png_color black = {0, 0, 0};
  if (!png_image_finish_read(&pi, &black, img.pixels.data(), 0, nullptr)) {
    std::string m = pi.message;
    png_image_free(&pi);
    return Status::Io(path + ": cannot decode PNG: " + m);
  }
  png_image_free(&pi);
  *out = std::move(img);
  return Status::Ok();
}

Rgb ColorMap(double t) {
  if (!(t >= 0)) t = 0;  // NaN too
  if (t > 1) t = 1;
  // Degree-4 polynomials (coefficients of t^0..t^4) through viridis at
  // t = 0, 1/4, 1/2, 3/4, 1.
  static const double kC[3][5] = {{0.267, 0.878, -6.4133, 10.144, -3.8827},
                                  {0.005, 1.6083, -1.9287, 2.6187, -1.3973},
                                  {0.329, 1.281, -1.546, -0.592, 0.672}};
  double v[3];
  for (int c = 0; c < 3; ++c) v[c] = kC[c][0] + t * (kC[c][1] + t * (kC[c][2] + t * (kC[c][3] + t * kC[c][4])));
  return Rgb{ToByte(v[0]), ToByte(v[1]), ToByte(v[2])};
}

Image Magnify(const Image& img, int factor) {
  if (factor <= 1) return img;
  Image out(img.width * factor, img.height * factor, img.channels);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      std::memcpy(out.at(x, y), img.at(x / factor, y / factor), static_cast<size_t>(img.channels));
  return out;
}

Image Heatmap(const std::vector<double>& data, int64_t h, int64_t w, const HeatmapOptions& opts, double* lo_out,
              double* hi_out) {
  double lo = opts.lo, hi = opts.hi;
  if (!opts.fixed_range) {
    lo = std::numeric_limits<double>::infinity();
    hi = -lo;
    for (double v : data) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (!(lo <= hi)) lo = hi = 0;
  }
  if (lo_out) *lo_out = lo;
  if (hi_out) *hi_out = hi;
  int mag = opts.magnify;
  if (mag <= 0) mag = std::max<int>(1, static_cast<int>(256 / std::max<int64_t>(1, std::max(h, w))));
  Image map(static_cast<int>(w), static_cast<int>(h), 3);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      const double v = data[y * w + x];
      const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const Rgb c = ColorMap(t);
      uint8_t* p = map.at(static_cast<int>(x), static_cast<int>(y));
      p[0] = c.r;
      p[1] = c.g;
      p[2] = c.b;
    }
  return Magnify(map, mag);
}

Status TensorToImage(ConstTensorView t, double lo, double hi, Image* out) {
  Shape s = t.shape;
  if (s.size() == 4 && s[0] == 1) s.erase(s.begin());
  if (s.size() != 3 || (s[0] != 1 && s[0] != 3)) {
    return Status::Invalid("image: tensor has shape " + ShapeString(t.shape) +
                           ", expected (C, H, W) or (1, C, H, W) with C 1 or 3");
  }
  const int c = static_cast<int>(s[0]), h = static_cast<int>(s[1]), w = static_cast<int>(s[2]);
  Image img(w, h, c);
  const double range = hi > lo ? hi - lo : 1.0;
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        img.at(x, y)[ch] = ToByte((t.data[(static_cast<int64_t>(ch) * h + y) * w + x] - lo) / range);
  *out = std::move(img);
  return Status::Ok();
}

Image HStack(const std::vector<Image>& images, int gap, Rgb bg) {
  int w = 0, h = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    w += images[i].width + (i ? gap : 0);
    h = std::max(h, images[i].height);
  }
  Image out(std::max(w, 1), std::max(h, 1), 3);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      uint8_t* p = out.at(x, y);
      p[0] = bg.r;
      p[1] = bg.g;
      p[2] = bg.b;
    }
  int x0 = 0;
  for (const Image& im : images) {
    for (int y = 0; y < im.height; ++y)
      for (int x = 0; x < im.width; ++x) {
        const uint8_t* s = im.at(x, y);
        uint8_t* d = out.at(x0 + x, y);
        if (im.channels == 1) {
          d[0] = d[1] = d[2] = s[0];
        } else {
          d[0] = s[0];
          d[1] = s[1];
          d[2] = s[2];
        }
      }
    x0 += im.width + gap;
  }
  return out;
}

}  // namespace tconv
