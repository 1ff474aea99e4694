// Internal: `gemm_col2im` in int8 (PlanOptions::dtype kInt8, tconv/quant.h).
//
// The f32 algorithm's two steps (src/algo/gemm_col2im.cc) on exact
// integers: x - x_zero_point and the weights as f32, and per (image, group,
// block of output channels) the input channels taken kInt8WidenMaxProducts
// at a time: OpenBLAS's sgemm gives a column buffer whose every entry sums
// at most that many products, so it is an exact f32 integer (below 2^24),
// and col2im adds the columns into int32 sums (exact: Plan::Create bounds
// them by kMaxInt8Products). The sums then go to y through i8_requant
// (quant.h's rule): the integer reference's bits, for any layer.
#ifndef TCONV_SRC_ALGO_GEMM_COL2IM_INT8_H_
#define TCONV_SRC_ALGO_GEMM_COL2IM_INT8_H_

#include <memory>

#include "src/algo/algorithm.h"

namespace tconv {

// in.w: int8 (Cin, Cout/g, *k); in.bias: int32 (Cout) or absent;
// in.quant: validated.
std::unique_ptr<PreparedAlgo> PrepareGemmCol2ImInt8(const PrepareInput& in);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_GEMM_COL2IM_INT8_H_
