// Internal: what the int8 algorithms that sum in f32 or int32 planes share
// (phase's widened route, src/algo/phase_int8_widened.cc, and gemm_col2im's
// int8 form, src/algo/gemm_col2im_int8.cc): x - x_zero_point in f32, and
// one output plane's sums through the kernel i8_requant.
#ifndef TCONV_SRC_ALGO_INT8_PLANES_H_
#define TCONV_SRC_ALGO_INT8_PLANES_H_

#include <cstdint>

#include "src/kernels/phase_int8_kernels.h"
#include "tconv/quant.h"

namespace tconv {

// y's element type as the kernels name it (q.y_type).
kernels::Int8Out Int8OutOf(const QuantParams& q);

// dst[i] = x[i] - x_zero_point (exact in f32) for the count u8 or s8
// values of x (q.x_type), split over the threads where that pays.
void CenterToF32(const void* x, const QuantParams& q, int64_t count, float* dst, int threads);

// i8_requant's arguments for the output plane at element offset `off` of
// y (n outputs, bias and multiplier of its channel); the caller sets acc
// or acc_i32.
kernels::Int8RequantArgs PlaneRequantArgs(const QuantParams& q, double bias, double mult, void* y, int64_t off,
                                          int64_t n);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_INT8_PLANES_H_
