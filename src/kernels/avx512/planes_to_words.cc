// planes_to_words on AVX-512 (contract: src/kernels/planes_to_words.h):
// blocks of 16 words x 16 pixels, each word's 16 pixels built in a vector
// from its channels' rows (widened, shifted into place, OR-ed), then
// transposed in 4 x 4 blocks by two rounds of unpacks and stored as
// 128-bit runs of 4 words per pixel. The scalar loops it replaces wrote one
// word at a time at the pixel stride.
//
// x86-64 only (CMakeLists.txt); listed at the AVX-512 targets
// (src/kernels/registry.cc), where the ISA cap keeps it or drops it.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "hwy/base.h"
#include "src/kernels/planes_to_words.h"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns inside its own AVX-512 headers (the masked intrinsics'
// _mm512_undefined_* operands) where function attributes enable them.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

// Compiled for AVX-512 by function attributes (as the AMX kernels).
HWY_PUSH_ATTRIBUTES("avx512f,avx512vl,avx512dq,avx512bw")
static_assert(true, "a region: HWY_POP_ATTRIBUTES ends it");

namespace tconv {
namespace kernels {
namespace {

constexpr int kBlock = 16;

inline __mmask16 Mask16(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}

// Word c of pixels [x0, x0 + 16) (valid: xmask), bf16: two channel rows.
inline __m512i Bf16Word(const PlanesToWordsArgs& a, int64_t c, int64_t x0, __mmask16 xmask) {
  const uint16_t* s = static_cast<const uint16_t*>(a.src);
  __m512i w = _mm512_setzero_si512();
  for (int h = 0; h < 2; ++h) {
    const int64_t ch = 2 * c + h;
    if (ch >= a.channels) break;  // (bf16 pad: zero)
    const __m256i v = _mm256_maskz_loadu_epi16(xmask, s + ch * a.plane_stride + x0);
    w = _mm512_or_si512(w, _mm512_slli_epi32(_mm512_cvtepu16_epi32(v), 16 * h));
  }
  return w;
}

// The same for int8: four byte channels, each XOR flip, pad past channels.
inline __m512i Int8Word(const PlanesToWordsArgs& a, int64_t c, int64_t x0, __mmask16 xmask) {
  const uint8_t* s = static_cast<const uint8_t*>(a.src);
  const __m512i flip = _mm512_set1_epi32(static_cast<int>(a.flip));
  __m512i w = _mm512_setzero_si512();
  for (int h = 0; h < 4; ++h) {
    const int64_t ch = 4 * c + h;
    __m512i b = _mm512_set1_epi32(static_cast<int>(a.pad));
    if (ch < a.channels)
      b = _mm512_xor_si512(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(xmask, s + ch * a.plane_stride + x0)), flip);
    w = _mm512_or_si512(w, _mm512_slli_epi32(b, 8 * h));
  }
  return w;
}

// Stores lane L of the four vectors q[m] (words c .. c + 3 of the block's
// pixel 4L + m each) where the pixel is one of the block's xw; dst: the
// block's first pixel.
template <int L>
inline void StoreLane(const __m512i* q, uint32_t* dst, int64_t words, int64_t xw, __mmask8 cmask) {
  for (int m = 0; m < 4; ++m) {
    const int64_t p = 4 * L + m;
    if (p >= xw) return;
    _mm_mask_storeu_epi32(dst + p * words, cmask, _mm512_extracti32x4_epi32(q[m], L));
  }
}

template <class Word>
void PlanesToWords(const PlanesToWordsArgs& a, Word word) {
  for (int64_t x0 = 0; x0 < a.width; x0 += kBlock) {
    const int64_t xw = std::min<int64_t>(kBlock, a.width - x0);
    const __mmask16 xmask = Mask16(xw);
    for (int64_t c0 = 0; c0 < a.words; c0 += kBlock) {
      // 4 words at a time: v[r] holds word c0 + 4k + r at the 16 pixels.
      for (int64_t k = 0; k < 4 && c0 + 4 * k < a.words; ++k) {
        const int64_t c = c0 + 4 * k, cw = std::min<int64_t>(4, a.words - c);
        __m512i v[4];
        for (int r = 0; r < 4; ++r) v[r] = r < cw ? word(a, c + r, x0, xmask) : _mm512_setzero_si512();
        // Per 128-bit lane L (pixels 4L .. 4L + 3):
        //   lo01 = [w0(4L), w1(4L), w0(4L+1), w1(4L+1)], hi01 = the same at 4L+2, 4L+3
        const __m512i lo01 = _mm512_unpacklo_epi32(v[0], v[1]), hi01 = _mm512_unpackhi_epi32(v[0], v[1]);
        const __m512i lo23 = _mm512_unpacklo_epi32(v[2], v[3]), hi23 = _mm512_unpackhi_epi32(v[2], v[3]);
        //   q[m] lane L = words c .. c + 3 of pixel 4L + m
        const __m512i q[4] = {_mm512_unpacklo_epi64(lo01, lo23), _mm512_unpackhi_epi64(lo01, lo23),
                              _mm512_unpacklo_epi64(hi01, hi23), _mm512_unpackhi_epi64(hi01, hi23)};
        uint32_t* d = a.dst + x0 * a.words + c;
        const __mmask8 cmask = static_cast<__mmask8>((1u << cw) - 1);
        StoreLane<0>(q, d, a.words, xw, cmask);
        StoreLane<1>(q, d, a.words, xw, cmask);
        StoreLane<2>(q, d, a.words, xw, cmask);
        StoreLane<3>(q, d, a.words, xw, cmask);
      }
    }
  }
}

// (Lambdas, so each word's loads inline into the block loop.)
void Bf16PlanesToPairs(const PlanesToWordsArgs& a) {
  PlanesToWords(a, [](const PlanesToWordsArgs& b, int64_t c, int64_t x0, __mmask16 m) { return Bf16Word(b, c, x0, m); });
}
void Int8PlanesToQuads(const PlanesToWordsArgs& a) {
  PlanesToWords(a, [](const PlanesToWordsArgs& b, int64_t c, int64_t x0, __mmask16 m) { return Int8Word(b, c, x0, m); });
}

}  // namespace

PlanesToWordsFn Bf16PlanesToWordsAvx512() { return &Bf16PlanesToPairs; }
PlanesToWordsFn Int8PlanesToWordsAvx512() { return &Int8PlanesToQuads; }

}  // namespace kernels
}  // namespace tconv

HWY_POP_ATTRIBUTES
