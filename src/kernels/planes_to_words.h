// planes_to_words (KernelOp::kPlanesToWords): one row of channels-first x
// into the lanes layouts' channels-last words, the transposition the bf16
// and int8 phase paths do for NCHW input (src/algo/phase_bf16.cc,
// src/algo/phase_int8_lanes.cc):
//   bf16 (DType::kBF16): word (p, c) = channel 2c | channel 2c + 1 << 16
//   int8 (DType::kI8):   word (p, c) = bytes of channels 4c .. 4c + 3
//                        (byte h: channel 4c + h, XOR flip)
// for pixels p < width and words c < words, channel ch's row at
// src + ch * plane_stride (elements); channels >= channels give `pad` (a
// bf16 0, an int8 pad byte). dst: the row, word (p, c) at dst[p * words +
// c]. Only AVX-512 targets list it (src/kernels/avx512/); elsewhere the
// planners' scalar loops do the same.
//
// Layer: kernels/ depends on src/base/ only.
#ifndef TCONV_SRC_KERNELS_PLANES_TO_WORDS_H_
#define TCONV_SRC_KERNELS_PLANES_TO_WORDS_H_

#include <cstdint>

namespace tconv {
namespace kernels {

struct PlanesToWordsArgs {
  const void* src = nullptr;
  int64_t plane_stride = 0;  // elements between channels
  int64_t channels = 0;      // real channels (the rest of the last words: pad)
  int64_t width = 0;         // pixels
  uint32_t* dst = nullptr;
  int64_t words = 0;      // per pixel; channels <= words * (2 or 4)
  uint32_t pad = 0;       // int8: the pad byte (bf16: 0)
  uint32_t flip = 0;      // int8: XOR of each x byte (0x80: s8 to unsigned)
};
using PlanesToWordsFn = void (*)(const PlanesToWordsArgs& a);

// words_to_planes (KernelOp::kWordsToPlanes): the inverse, a row of words
// back into channel rows (the plans' channels-last -> channels-first
// copies of bf16 and int8 tensors, src/layout_convert.cc): channel ch (<
// channels <= words * (2 or 4)) of pixel p (< width) at dst + ch *
// plane_stride + p (elements) is the half (bf16) or byte (int8) of word
// src[p * words + ch / (2 or 4)] that planes_to_words would put it in.
struct WordsToPlanesArgs {
  const uint32_t* src = nullptr;
  int64_t words = 0;  // per pixel
  void* dst = nullptr;
  int64_t plane_stride = 0;  // elements between channels
  int64_t channels = 0;
  int64_t width = 0;
};
using WordsToPlanesFn = void (*)(const WordsToPlanesArgs& a);

// TCONV_HAVE_AVX512_HELPERS: set by the build on x86-64 (CMakeLists.txt).
#ifndef TCONV_HAVE_AVX512_HELPERS
#define TCONV_HAVE_AVX512_HELPERS 0
#endif
#if TCONV_HAVE_AVX512_HELPERS
PlanesToWordsFn Bf16PlanesToWordsAvx512();  // bf16_planes_to_words__avx512
PlanesToWordsFn Int8PlanesToWordsAvx512();  // i8_planes_to_words__avx512
WordsToPlanesFn Bf16WordsToPlanesAvx512();  // bf16_words_to_planes__avx512
WordsToPlanesFn Int8WordsToPlanesAvx512();  // i8_words_to_planes__avx512
#endif

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_PLANES_TO_WORDS_H_
