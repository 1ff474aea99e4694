// The AMX kernels (src/kernels/amx/, x86-64 only): the bf16 and int8 lanes
// kernels on Intel's tiles, on the contracts of Bf16RowFn
// (phase_bf16_kernels.h) and Int8RowFn (phase_int8_kernels.h) with two
// more conditions: cob is kAmxCoutBlock, and the words of a pixel (channel
// pairs, channel quads) are a multiple of kAmxWordsPerTile (the planners
// pad them: zero weights there). src/kernels/registry.cc lists them where
// the CPU and Linux run them.
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

#if defined(__x86_64__)
#define TCONV_HAVE_AMX_KERNELS 1
// True once Linux granted this process the AMX tile data (asked once).
bool AmxTilesPermitted();
Bf16RowFn PhaseBf16AmxKernel();  // bf16_phase_amx_32x32
Int8RowFn PhaseInt8AmxKernel();  // i8_phase_amx_32x32
#else
#define TCONV_HAVE_AMX_KERNELS 0
#endif

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_AMX_KERNELS_H_
