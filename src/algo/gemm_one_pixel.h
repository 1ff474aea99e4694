// Internal: gemm_col2im's route for inputs of one pixel (the latent-to-
// feature-map layers of GANs: DCGAN's z (100, 1, 1) -> (512, 4, 4), 3D-GAN's
// (200, 1, 1, 1) -> (512, 4, 4, 4)).
//
// With one input pixel, col2im only places each tap's column: tap k (per
// axis) lands on output o = k - pad_begin (undilated), and no two taps of an
// axis land on the same o. So the placement can be packed into the weights
// once, W'[grp][ci][co*out_sp + o] = w[grp*Cin/g + ci][co][k] (taps cropped
// by the pads left out), and a Run is one GEMM per group over the whole
// batch,
//   y[n, grp] = bias + x[n, grp] * W'[grp]     (N x Cin/g) * (Cin/g x Cout/g*out_sp),
// against gemm_col2im's per-image GEMM whose n is the input's pixel count,
// 1 (a matrix-vector product per image). The kernel and the numbers are in
// gemm_one_pixel.cc.
#ifndef TCONV_SRC_ALGO_GEMM_ONE_PIXEL_H_
#define TCONV_SRC_ALGO_GEMM_ONE_PIXEL_H_

#include <cstdint>
#include <memory>

#include "src/algo/algorithm.h"
#include "src/geom3.h"

namespace tconv {

// Whether gemm_col2im runs g by the one-pixel route: one input pixel whose
// taps reach every output (no dilation, pads >= 0 at the start, the output
// no longer than the kernel). An output that no tap reaches would take a
// zero column of W', and x * 0 is NaN for an infinite x where the reference
// gives the bias (found by tests/fuzz/diff_fuzz.cc); such layers (dilated,
// or output padding past the kernel) keep the per-image GEMM and col2im.
bool OnePixelGemmApplies(const Geom3& g);

// The route's costs (the workspace: x transposed, Cin x N rounded up to 4).
AlgoCost OnePixelGemmCost(const Geom3& g);

// f32 weights (Cin, Cout/g, *k) and bias (Cout) or nullptr.
std::unique_ptr<PreparedAlgo> PrepareOnePixelGemm(const Geom3& g, const float* w, const float* bias);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_GEMM_ONE_PIXEL_H_
