// Seeded random geometries and data for the sweep and property tests.
//
// RandomConvTransposeDesc draws a small valid transposed-convolution desc
// covering 1-3 spatial axes, groups (incl. depthwise), dilation, asymmetric
// and negative pads, output padding, stride > kernel and size-1 inputs. The
// sizes stay small so thousands of cases run in seconds against the
// reference.
#ifndef TCONV_TESTS_SUPPORT_RANDOM_GEOMETRY_H_
#define TCONV_TESTS_SUPPORT_RANDOM_GEOMETRY_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tconv/desc.h"
#include "tconv/tensor.h"

namespace tconv {
namespace testing {

struct GeometryOptions {
  // Keep output_padding < stride so the desc is also the adjoint of a
  // convolution whose output length is exactly the transposed input length
  // (needed by the backward-data and adjointness relations).
  bool output_padding_below_stride = false;
  // Forbid negative pads (conv relations need pads >= 0 for torch parity).
  bool nonnegative_pads = false;
  int64_t max_outputs = 4096;  // cap on N*Cout*prod(out), keeps ref fast
};

// Deterministic for a given seed. Always returns a desc that passes
// ValidateConvTranspose.
ConvDesc RandomConvTransposeDesc(uint64_t seed, const GeometryOptions& opts = GeometryOptions());
// A depthwise layer the kernels on windows run (src/kernels/dw_windows.h):
// `channels` channels, 2-D (1-D on every sixth seed), per axis stride 1-4
// (8 on every eleventh seed), every k up to 2 s (k = 2 s with two_strides),
// dilation 1, pads in [0, k), output padding in [0, s), 1-9 input pixels
// (more where the pads would leave no output), 1-3 images.
ConvDesc RandomWindowsDepthwiseDesc(uint64_t seed, int64_t channels, bool two_strides = false);

// A 2-D desc with a square k x k kernel, stride s, symmetric pad p, output
// padding a on both axes (for hand-picked test geometries).
ConvDesc Square2D(int64_t n, int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t k, int64_t s, int64_t p,
                  int64_t a = 0, int64_t groups = 1);

// A 1-D desc (kernel k, stride s, symmetric pad p, output padding a) and a
// 3-D one with a cubic kernel and the same pads on every axis.
ConvDesc Desc1(int64_t n, int64_t cin, int64_t cout, int64_t in, int64_t k, int64_t s, int64_t p, int64_t a = 0,
               int64_t groups = 1);
ConvDesc Desc3(int64_t n, int64_t cin, int64_t cout, Dims in, int64_t k, int64_t s, int64_t p, int64_t a = 0);

// The convolution a transposed desc is the adjoint of: input length = the
// transposed output length, channels swapped, same k, s, d, pads. With
// output_padding < stride its output length is the transposed input length.
ConvDesc AdjointConvDesc(const ConvDesc& transposed);

// Small integers in [-bound, bound] (exact in float sums of moderate length).
void FillIntegers(std::vector<float>* v, uint64_t seed, int bound);
// Uniform reals in [-1, 1].
void FillUniform(std::vector<float>* v, uint64_t seed);

// The exact-mode bound: integers in [-b, b] such that any sum of the
// products in one output stays below 2^24 (float has a 24-bit mantissa), so
// every algorithm must match the reference bit for bit.
int SafeIntegerBound(const ConvDesc& d);

// "desc=<DescString> seed=<seed>" for failure messages.
std::string Repro(const ConvDesc& d, uint64_t seed);

}  // namespace testing
}  // namespace tconv

#endif  // TCONV_TESTS_SUPPORT_RANDOM_GEOMETRY_H_
