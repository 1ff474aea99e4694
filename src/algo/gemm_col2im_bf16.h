// Internal: `gemm_col2im` in bf16 (PlanOptions::dtype kBFloat16): the same
// two steps as the f32 algorithm (src/algo/gemm_col2im.cc), the GEMM's
// products bf16 x bf16 summed in f32, col2im in f32, y f32 or rounded once
// to bf16.
//
// Two routes:
//   - On a CPU whose kernel list has bf16_gemm_amx (AMX-BF16, and Linux
//     granted the tiles), for inputs of 16 pixels or more: the GEMM on the
//     tiles. Per image and group, x's
//     channel pairs are interleaved per pixel (one row of pixels per pair:
//     TDPBF16PS's second operand as it is, no transposition), the packed
//     weights are the first, and the columns (Cout/g x k_sp rows, padded to
//     16, of in_sp pixels padded to 16) are f32 in the workspace; col2im
//     then sums them into y, one task per (image, output channel), which
//     also rounds that plane when y is bf16.
//   - Elsewhere (and with PhaseTuning::Bf16Compute::kWiden): x and the
//     weights widened to f32 (exact) and the f32 algorithm run on them
//     (PreparePhaseBf16Widened, src/algo/phase_bf16.h).
// Both give any thread count the same bits: every GEMM block sums its
// channel pairs in one order, and each output plane has one writer.
#ifndef TCONV_SRC_ALGO_GEMM_COL2IM_BF16_H_
#define TCONV_SRC_ALGO_GEMM_COL2IM_BF16_H_

#include <memory>
#include <string>

#include "src/algo/algorithm.h"

namespace tconv {

// in.w: bf16 (Cin, Cout/g, *k); in.bias: f32 (Cout) or absent. prepare_f32
// and cost_f32: the f32 algorithm's, for the widening route.
std::unique_ptr<PreparedAlgo> PrepareGemmCol2ImBf16(const PrepareInput& in, PrepareF32 prepare_f32, CostF32 cost_f32,
                                                    std::string* why);

// `auto`'s rule for bf16 plans: gemm_col2im where its AMX route beats
// phase's routes (bench/RESULTS.md, "bf16 gemm_col2im on AMX tiles"):
// fewer than 16 output channels per group (phase's tiles and dot kernels
// hold output channels, so it widens there), at least 32 input channels per
// group (16 pairs: a whole tile row), at least 16 GEMM rows (Cout/g x k_sp)
// and 16 input pixels (the tiles' other dimensions); and one input pixel,
// where the f32 algorithm's one-GEMM route runs on the widened values.
bool Bf16GemmPays(const Geom3& g);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_GEMM_COL2IM_BF16_H_
