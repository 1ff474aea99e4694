// The pictures and stacks of `tconv checkerboard`'s section 4: a procedural
// test image, random positive weights, and the three x2 upsampling stacks
// (deconvolution, resize-convolution, sub-pixel) run through the library.
#include "tools/tconv/checkerboard_stacks.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "tconv/conv.h"
#include "tconv/pixel_shuffle.h"
#include "tconv/plan.h"
#include "tconv/resample.h"

namespace tconv {
namespace cli {
namespace checkerboard_stacks {

// ---- procedural test image: (1, 3, n, n) in [0, 1] ----

namespace {

double Smooth(double t) { return t * t * (3 - 2 * t); }

// Value noise on a lattice of `cell` pixels, bilinear with smoothstep.
std::vector<double> ValueNoise(int n, int cell, Rng* rng) {
  const int g = n / cell + 2;
  std::vector<double> lattice(static_cast<size_t>(g * g));
  for (double& v : lattice) v = rng->Uniform();
  std::vector<double> out(static_cast<size_t>(n * n));
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const double fy = static_cast<double>(y) / cell, fx = static_cast<double>(x) / cell;
      const int iy = static_cast<int>(fy), ix = static_cast<int>(fx);
      const double ty = Smooth(fy - iy), tx = Smooth(fx - ix);
      const double a = lattice[iy * g + ix], b = lattice[iy * g + ix + 1];
      const double c = lattice[(iy + 1) * g + ix], d = lattice[(iy + 1) * g + ix + 1];
      out[y * n + x] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  return out;
}

}  // namespace

Tensor TestImage(int n, Rng* rng) {
  Tensor img(Shape{1, 3, n, n});
  const std::vector<double> coarse = ValueNoise(n, 8, rng), fine = ValueNoise(n, 3, rng);
  const int plane = n * n;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const double u = (x + 0.5) / n, v = (y + 0.5) / n;
      // Sky: blue gradient, lighter near the horizon.
      double r = 0.35 + 0.35 * v, g = 0.55 + 0.3 * v, b = 0.95 - 0.1 * v;
      // Sun.
      const double dx = u - 0.72, dy = v - 0.22;
      const double sun = std::exp(-(dx * dx + dy * dy) / (2 * 0.006));
      r += 0.6 * sun;
      g += 0.5 * sun;
      b -= 0.3 * sun;
      // Hills with grass texture.
      const double hill = 0.58 + 0.08 * std::sin(6.0 * u + 0.5) + 0.04 * std::sin(17.0 * u);
      if (v > hill) {
        const double t = 0.7 + 0.3 * coarse[y * n + x] + 0.15 * (fine[y * n + x] - 0.5);
        r = 0.20 * t;
        g = 0.55 * t;
        b = 0.18 * t;
      }
      // A house: wall and a triangular roof.
      if (u > 0.18 && u < 0.42 && v > 0.5 && v < 0.78) {
        r = 0.85 - 0.1 * fine[y * n + x];
        g = 0.8 - 0.1 * fine[y * n + x];
        b = 0.7;
        if (u > 0.26 && u < 0.33 && v > 0.62) r = g = b = 0.25;  // door
      }
      if (v <= 0.5 && v > 0.36 && std::fabs(u - 0.3) < (v - 0.36) * 1.1) {
        r = 0.7;
        g = 0.2;
        b = 0.15;
      }
      img.data[0 * plane + y * n + x] = static_cast<float>(std::min(1.0, std::max(0.0, r)));
      img.data[1 * plane + y * n + x] = static_cast<float>(std::min(1.0, std::max(0.0, g)));
      img.data[2 * plane + y * n + x] = static_cast<float>(std::min(1.0, std::max(0.0, b)));
    }
  return img;
}

Tensor RandomWeight(int64_t c, int64_t k, double gain, Rng* rng) {
  Tensor w(Shape{c, c, k, k});
  const int64_t taps = k * k;
  for (int64_t a = 0; a < c; ++a)
    for (int64_t b = 0; b < c; ++b) {
      std::vector<double> u(static_cast<size_t>(taps));
      double sum = 0;
      for (double& v : u) sum += (v = rng->Uniform(0.5, 1.5));
      const double mix = a == b ? 0.8 : 0.1;
      for (int64_t t = 0; t < taps; ++t) w.data[(a * c + b) * taps + t] = static_cast<float>(mix * gain * u[t] / sum);
    }
  return w;
}

ConvDesc DeconvDesc(int64_t c, int64_t n, int64_t k, int64_t s, int64_t p, int64_t a) {
  ConvDesc d;
  d.ndim = 2;
  d.in_channels = d.out_channels = c;
  d.in = {n, n, 1};
  d.kernel = {k, k, 1};
  d.stride = {s, s, 1};
  d.pad_begin = d.pad_end = {p, p, 0};
  d.output_padding = {a, a, 0};
  return d;
}

Status RunDeconvStack(const std::vector<ConvDesc>& descs, const std::vector<Tensor>& ws, const Tensor& x, Tensor* y) {
  Tensor cur = x;
  for (size_t l = 0; l < descs.size(); ++l) {
    ConvDesc d = descs[l];
    d.batch = cur.shape[0];
    Tensor out(ConvTransposeOutputShape(d));
    TCONV_RETURN_IF_ERROR(ConvTranspose(d, cur.cview(), ws[l].cview(), ConstTensorView(), out.view()));
    cur = std::move(out);
  }
  *y = std::move(cur);
  return Status::Ok();
}

namespace {

// A 3x3 'same' convolution of an n x n input.
ConvDesc Conv3(int64_t cin, int64_t cout, int64_t n) {
  ConvDesc d;
  d.ndim = 2;
  d.in_channels = cin;
  d.out_channels = cout;
  d.in = {n, n, 1};
  d.kernel = {3, 3, 1};
  d.pad_begin = d.pad_end = {1, 1, 0};
  return d;
}

}  // namespace

Status RunResizeConvStack(const std::vector<Tensor>& ws, const Tensor& x, Tensor* y) {
  Tensor cur = x;
  for (const Tensor& w : ws) {
    ResampleParams rp;
    rp.mode = ResampleMode::kLinear;
    rp.scale = {2, 2};
    Shape us;
    TCONV_RETURN_IF_ERROR(ResampleOutputShape(cur.shape, rp, &us));
    Tensor up(us);
    TCONV_RETURN_IF_ERROR(Resample(rp, cur.cview(), up.view()));
    ConvDesc d = Conv3(us[1], w.shape[0], us[2]);
    Tensor out(ConvOutputShape(d));
    TCONV_RETURN_IF_ERROR(Conv(d, up.cview(), w.cview(), ConstTensorView(), out.view()));
    cur = std::move(out);
  }
  *y = std::move(cur);
  return Status::Ok();
}

Status RunSubPixelStack(const std::vector<Tensor>& icnr, const Tensor& x, Tensor* y) {
  Tensor cur = x;
  for (const Tensor& w : icnr) {
    ConvDesc d = Conv3(cur.shape[1], w.shape[0], cur.shape[2]);
    Tensor lr(ConvOutputShape(d));
    TCONV_RETURN_IF_ERROR(Conv(d, cur.cview(), w.cview(), ConstTensorView(), lr.view()));
    Shape hs;
    TCONV_RETURN_IF_ERROR(PixelShuffleShape(lr.shape, 2, &hs));
    Tensor hr(hs);
    TCONV_RETURN_IF_ERROR(PixelShuffle(2, lr.cview(), hr.view()));
    cur = std::move(hr);
  }
  *y = std::move(cur);
  return Status::Ok();
}

std::vector<double> Window(const Tensor& t, int64_t y0, int64_t x0, int64_t h, int64_t w) {
  const int64_t W = t.shape[3];
  std::vector<double> v;
  for (int64_t y = y0; y < y0 + h; ++y)
    for (int64_t x = x0; x < x0 + w; ++x) v.push_back(t.data[y * W + x]);
  return v;
}

Status CropImage(const Tensor& t, int64_t y0, int64_t x0, int64_t n, Image* out) {
  const int64_t C = t.shape[1], H = t.shape[2], W = t.shape[3];
  Tensor c(Shape{1, C, n, n});
  for (int64_t ch = 0; ch < C; ++ch)
    for (int64_t y = 0; y < n; ++y)
      for (int64_t x = 0; x < n; ++x) c.data[(ch * n + y) * n + x] = t.data[(ch * H + y0 + y) * W + x0 + x];
  return TensorToImage(c.cview(), 0, 1, out);
}

}  // namespace checkerboard_stacks
}  // namespace cli
}  // namespace tconv
