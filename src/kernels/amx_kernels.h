// The AMX kernels (src/kernels/amx/, x86-64 only): the bf16 and int8 lanes
// kernels on Intel's tiles, on the contracts of Bf16RowFn
// (phase_bf16_kernels.h) and Int8RowFn (phase_int8_kernels.h) with these
// differences:
//   - cob is kAmxCoutBlock, and the words of a pixel (channel pairs,
//     channel quads) are a multiple of kAmxWordsPerTile (the planners pad
//     them: zero weights there);
//   - a call may read x between its rows (a tile through the row pitch:
//     the padding after a row, never past the last pixel's words), and the
//     planners hand it every tap over the zero padding (no border boxes);
//   - bf16: TDPBF16PS rounds each channel pair's sum once (vdpbf16ps and
//     the widening kernels round after each product), and treats denormal
//     inputs and results as zero, so its bits are its own, within the same
//     bound; a sum of -0 may end +0. int8 sums are exact, as every int8
//     kernel's.
// And a bf16 GEMM on the tiles for gemm_col2im (Bf16GemmFn below).
// src/kernels/registry.cc lists them where the CPU and Linux run them.
//
// Layer: kernels/ depends on src/base/ only.
#ifndef TCONV_SRC_KERNELS_AMX_KERNELS_H_
#define TCONV_SRC_KERNELS_AMX_KERNELS_H_

#include <cstdint>

#include "src/kernels/phase_bf16_kernels.h"
#include "src/kernels/phase_int8_kernels.h"

namespace tconv {
namespace kernels {

constexpr int64_t kAmxCoutBlock = 64;     // output channels per call: 4 tiles of 16
constexpr int64_t kAmxWordsPerTile = 16;  // 4-byte words of a pixel per tile row

// bf16_gemm_amx (KernelOp::kGemmBf16Amx), one call:
//   c[i*ldc + j] = sum over channel pairs p < k2 of
//                  a[i*lda + 2p] * lo(b[p*ldb + j]) + a[i*lda + 2p + 1] * hi(b[p*ldb + j])
// for i < m, j < n: a is m rows of bf16, b k2 rows of n channel pairs
// (uint32: low half channel 2p, high half 2p + 1), c f32, overwritten.
// m, n and k2 are multiples of 16 (zero rows and pairs where the caller
// pads). Each 16 x 16 block of c sums its pairs 16 at a time in order, the
// same at any m, n: a GEMM cut into calls gives the same bits. TDPBF16PS
// rounds (amx_kernels.h above).
struct Bf16GemmArgs {
  const uint16_t* a = nullptr;
  int64_t lda = 0;
  const uint32_t* b = nullptr;
  int64_t ldb = 0;
  float* c = nullptr;
  int64_t ldc = 0;
  int64_t m = 0, n = 0, k2 = 0;
};
using Bf16GemmFn = void (*)(const Bf16GemmArgs& a);

// TCONV_HAVE_AMX_KERNELS: set by the build where it compiles them (x86-64
// Linux, a compiler with the AMX targets; CMakeLists.txt).
#ifndef TCONV_HAVE_AMX_KERNELS
#define TCONV_HAVE_AMX_KERNELS 0
#endif
#if TCONV_HAVE_AMX_KERNELS
// True once Linux granted this process the AMX tile data (asked once).
bool AmxTilesPermitted();
Bf16RowFn PhaseBf16AmxKernel();  // bf16_phase_amx_32x32
Int8RowFn PhaseInt8AmxKernel();  // i8_phase_amx_32x32
Bf16GemmFn GemmBf16AmxKernel();  // bf16_gemm_amx_32x32
#endif

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_AMX_KERNELS_H_
