// Section 4 of `tconv checkerboard` (tools/tconv/cmd_checkerboard.cc): the
// test picture and the upsampling stacks it goes through. Deterministic: own
// generator, fixed seed.
#ifndef TCONV_TOOLS_TCONV_CHECKERBOARD_STACKS_H_
#define TCONV_TOOLS_TCONV_CHECKERBOARD_STACKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tconv/desc.h"
#include "tconv/image.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {
namespace cli {
namespace checkerboard_stacks {

// splitmix64: the same stream on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

 private:
  uint64_t s_;
};

// A procedural (1, 3, n, n) RGB picture in [0, 1]: sky gradient, sun, hills
// with value-noise grass, a house.
Tensor TestImage(int n, Rng* rng);

// Random positive kernel with channel mixing: w[a, b, taps] =
// mix(a, b) * u(taps) / sum(u) * gain, u ~ U(0.5, 1.5), mix 0.8 on the
// diagonal and 0.1 off it. `gain` is s^2 for a stride-s deconvolution (each
// output receives k^2/s^2 taps on average) and 1 for a convolution.
Tensor RandomWeight(int64_t c, int64_t k, double gain, Rng* rng);

// One stack's outputs for the picture and for a constant input.
struct StackResult {
  std::string name, label;
  Tensor image_out, const_out;
  double phase_sum_spread = -1;  // first layer, deconv only
  double const_response = -1;    // ConstantResponse interior spread (deconv only)
};

// A 2-D transposed convolution, c -> c channels, n x n input, kernel k,
// stride s, pad p, output padding a.
ConvDesc DeconvDesc(int64_t c, int64_t n, int64_t k, int64_t s, int64_t p, int64_t a);

// x through the layers in turn, no bias.
Status RunDeconvStack(const std::vector<ConvDesc>& descs, const std::vector<Tensor>& ws, const Tensor& x, Tensor* y);
// Per weight: bilinear x2, then a 3x3 'same' convolution.
Status RunResizeConvStack(const std::vector<Tensor>& ws, const Tensor& x, Tensor* y);
// Per (ICNR) weight: a 3x3 'same' convolution, then pixel shuffle x2.
Status RunSubPixelStack(const std::vector<Tensor>& icnr, const Tensor& x, Tensor* y);

// Channel 0 of a (1, C, H, W) tensor, window [y0, y0+h) x [x0, x0+w).
std::vector<double> Window(const Tensor& t, int64_t y0, int64_t x0, int64_t h, int64_t w);
// The n x n window at (y0, x0) of a (1, C, H, W) tensor as an image.
Status CropImage(const Tensor& t, int64_t y0, int64_t x0, int64_t n, Image* out);

}  // namespace checkerboard_stacks
}  // namespace cli
}  // namespace tconv

#endif  // TCONV_TOOLS_TCONV_CHECKERBOARD_STACKS_H_
