// Internal: phase's channels-first depthwise route (src/algo/depthwise_nchw.cc),
// offered by PhasePrepare before the SIMD path's phases.
#ifndef TCONV_SRC_ALGO_DEPTHWISE_NCHW_H_
#define TCONV_SRC_ALGO_DEPTHWISE_NCHW_H_

#include <memory>
#include <string>

#include "src/algo/algorithm.h"

namespace tconv {

// Depthwise (one input and one output channel per group), 1-D or 2-D,
// undilated, with a stride along x that divides the vector lanes: output
// pixels in the lanes, each y row written once in order (the kernel
// f32_dw_nchw_expand, src/kernels/dw_nchw_kernels.h). No workspace.
// nullptr and *why for other geometries. `forced`: take any geometry the
// kernel can run; otherwise only where it beats the phase kernels
// (DwNchwPays).
std::unique_ptr<PreparedAlgo> PrepareDepthwiseNchw(const PrepareInput& in, bool forced, std::string* why);

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_DEPTHWISE_NCHW_H_
