// Checkerboard-artifact analysis of transposed convolution (DESIGN.md point 6,
// docs/CHECKERBOARD.md), and the weight transforms that avoid the artifact.
//
// A transposed convolution with stride s scatters each input value over a
// window of ke = d*(k-1)+1 outputs spaced s apart, so output position u (in
// the uncropped frame) receives one contribution per tap k with
// k*d == u (mod s). When k is not a multiple of s the number of
// contributions alternates with u mod s: all-ones input and weights give a
// periodic pattern (k=3, s=2: 1,2,1,2,...; k=4, s=2: 2,2,2,...). Stacking
// layers multiplies the patterns (period prod(s)).
//
// What is computed here:
//  * Overlap-count map of a stack of transposed-conv layers for an all-ones
//    input and all-ones single-channel weights, two independent ways:
//    OverlapMapCount (enumerates (input, tap) pairs per axis and composes the
//    1-D counts; the map is their outer product) and OverlapMapRun (runs the
//    ones tensor through tconv::ConvTransposeRef layer by layer). Both also
//    mark the interior: positions whose whole dependency cone lies inside the
//    input, i.e. which see the steady state of an infinite input.
//  * The steady-state pattern per axis (one period of the infinite-input
//    count, computed without any border) and the checkerboard score
//    max/min of the steady state (1.0 = even; +inf when some phase receives
//    nothing). For one layer the score is exactly 1 iff k mod s == 0 and
//    gcd(d, s) == 1 on every axis.
//  * For real weights: per-phase kernel sums S[ci, co, phase] (sum of the taps
//    whose k*d mod s equals the phase, per axis) and their spread max - min
//    over phases, per (ci, co). The spread is 0 for every (ci, co) exactly
//    when every constant input gives a constant interior output.
//    ConstantResponse measures that directly through a whole stack.
//  * ICNR (Aitken et al. 2017) for sub-pixel convolution and the transposed
//    convolution that equals nearest-upsample + convolution.
#ifndef TCONV_CHECKERBOARD_H_
#define TCONV_CHECKERBOARD_H_

#include <cstdint>
#include <vector>

#include "tconv/desc.h"
#include "tconv/resample.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// One transposed-convolution layer's geometry (channels are irrelevant for
// the overlap analysis): a ConvDesc without its data sizes.
using DeconvLayer = LayerGeometry;

// Same k, s, d, symmetric pad p and output padding a on every axis.
DeconvLayer MakeDeconvLayer(int ndim, int64_t k, int64_t s, int64_t d = 1, int64_t p = 0, int64_t a = 0);

// Output spatial size of the stack for input spatial size `in`; validates
// every layer (same rules as ValidateConvTranspose).
Status StackOutputSize(const std::vector<DeconvLayer>& stack, const Dims& in, Dims* out);

struct OverlapMap {
  int ndim = 2;
  Dims size = {1, 1, 1};          // output spatial size (first ndim used)
  std::vector<double> count;      // C order over size; number of paths
  std::vector<uint8_t> interior;  // 1 where the value is the steady state
  int64_t numel() const { return static_cast<int64_t>(count.size()); }
};

// Counting method (separable, per axis). `in` is the input spatial size.
Status OverlapMapCount(const std::vector<DeconvLayer>& stack, const Dims& in, OverlapMap* out);
// Running method: ones (1, 1, *in) through ConvTransposeRef with ones
// (1, 1, *k) weights, layer after layer. Same interior mask as the counting
// method (the mask is geometry, computed once per axis).
Status OverlapMapRun(const std::vector<DeconvLayer>& stack, const Dims& in, OverlapMap* out);

// Per-axis 1-D counts and interior flags (what OverlapMapCount multiplies).
Status AxisOverlap(const std::vector<DeconvLayer>& stack, int axis, int64_t in, std::vector<double>* count,
                   std::vector<uint8_t>* interior);

// One period (length prod of the strides on that axis) of the infinite-input
// count on `axis`, indexed by the stack's output index modulo the period
// (pads shift the phase), so that pattern[o % P] equals the 1-D count at
// every interior output index o.
Status SteadyStatePattern(const std::vector<DeconvLayer>& stack, int axis, std::vector<double>* period);

struct CheckerboardScore {
  double min = 0, max = 0;  // of the N-D steady state (products over axes)
  double score = 1;         // max / min; +inf when min == 0
  std::vector<std::vector<double>> pattern;  // per axis, SteadyStatePattern
};
// Analytic score of the stack (no borders involved).
Status ScoreStack(const std::vector<DeconvLayer>& stack, CheckerboardScore* out);
// max/min of the interior of a map; returns false when the map has no
// interior position (input too small for the stack).
bool InteriorMinMax(const OverlapMap& m, double* min, double* max);

// The same map for resize-convolution layers (upsample, then a stride-1
// convolution with ones weights): ones (1, 1, *in) through tconv::Resample
// and ConvRef. Interior: every resample source with a non-zero weight and
// every convolution tap (no padding) is interior in the layer below. With
// ones weights the interior is flat (score 1) for nearest and linear modes.
struct ResizeConvLayer {
  ResampleMode mode = ResampleMode::kLinear;
  double scale = 2;
  bool align_corners = false;
  int64_t kernel = 3, pad = 1;  // same on every axis, stride 1
};
Status ResizeConvOverlapMap(int ndim, const std::vector<ResizeConvLayer>& stack, const Dims& in, OverlapMap* out);

// Artifact measure for a (1, C, *spatial) tensor (1..3 spatial axes): the
// mean over each phase class (every index mod `period` on every axis), over
// positions at least `margin` from every border, per channel; returns the
// largest (max - min) over the phase means of a channel. A checkerboard of
// period P shows up as a spread of its amplitude; smooth content averages
// out. 0 for a constant interior.
Status PhaseMeanSpread(ConstTensorView t, int64_t period, int64_t margin, double* spread);

// ---- real weights ----

// Per-phase kernel sums of a transposed-conv weight (Cin, Cout/groups, *k)
// with the stride/dilation of `desc` (only ndim, channels, groups, kernel,
// stride, dilation are used). sums[(ci * cout_g + co) * phases + phase]; the
// phase index is C order over the per-axis phases (k*d) mod s.
struct PhaseSums {
  int64_t cin = 0, cout_g = 0, phases = 1;
  std::vector<double> sums;
  std::vector<double> spread;  // per (ci, co): max - min over phases
  double max_spread = 0;
};
Status PhaseKernelSums(const ConvDesc& desc, ConstTensorView weight, PhaseSums* out);

// Runs a constant input (1, Cin, *in of stack[0]) through a stack of
// transposed convolutions (tconv::ConvTranspose; each desc validated, the
// stack must chain: in of layer l+1 == output of layer l, channels too) and
// reports, per output channel, max - min of the output over the interior.
// *interior_count is the number of interior positions (0: input too small).
Status ConstantResponse(const std::vector<ConvDesc>& stack, const std::vector<Tensor>& weights, float value,
                        std::vector<double>* spread, int64_t* interior_count);

// ICNR: from a base convolution weight (Cout, Cin, *k) build the sub-pixel
// convolution weight (Cout*r^D, Cin, *k) whose output channel c*r^D + j is
// base channel c for every sub-position j. Then
//   PixelShuffle(r, Conv(x, icnr)) == nearest-upsample(Conv(x, base)) x r,
// every phase uses the same kernel, and a constant input gives a constant
// output: no checkerboard at initialisation.
Status IcnrWeight(ConstTensorView base, int64_t r, Tensor* out);

// The transposed convolution equal to nearest-upsample by s followed by a
// convolution (stride 1, dilation 1, pads pb/pe, groups g) with weight
// w (Cout, Cin/g, *k):
//   kernel k' = k + s - 1, stride s, pads pb' = k-1-pb, pe' = k-1-pe
//   (negative = extend), output padding 0, and per axis
//   w'[ci, co_g, q] = sum of w[co, ci_g, t] over t in [k-1-q, k-1-q+s-1]
//   (the flipped kernel box-summed over s taps; the product over axes).
// `conv` describes the convolution on the upsampled tensor: its in must be
// s * (low-resolution size), which becomes deconv->in. For k=3, p=1, s=2
// this is the k=4, s=2, p=1 transposed convolution.
Status NearestUpsampleConvAsDeconv(const ConvDesc& conv, ConstTensorView w, const Dims& s, ConvDesc* deconv,
                                   Tensor* w_deconv);

}  // namespace tconv

#endif  // TCONV_CHECKERBOARD_H_
