// planes_to_words and words_to_planes on AVX-512 (contract:
// src/kernels/planes_to_words.h). planes_to_words:
// blocks of 4 words x 16 pixels, each word's 16 pixels built in a vector
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

// kBf16: channel pairs (Bf16Word), else quads of bytes (Int8Word).
template <bool kBf16>
void PlanesToWords(const PlanesToWordsArgs& a) {
  for (int64_t x0 = 0; x0 < a.width; x0 += kBlock) {
    const int64_t xw = std::min<int64_t>(kBlock, a.width - x0);
    const __mmask16 xmask = Mask16(xw);
    // 4 words at a time: v[r] holds word c + r at the 16 pixels.
    for (int64_t c = 0; c < a.words; c += 4) {
      const int64_t cw = std::min<int64_t>(4, a.words - c);
      __m512i v[4];
      for (int r = 0; r < 4; ++r) {
        v[r] = r >= cw  ? _mm512_setzero_si512()
               : kBf16 ? Bf16Word(a, c + r, x0, xmask)
                       : Int8Word(a, c + r, x0, xmask);
      }
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

// The inverse (words_to_planes): 16 pixels x 4 words at a time, each
// pixel's 4 words one 128-bit load into lane L of q[m] (pixel 4L + m), the
// same two rounds of unpacks (a 4 x 4 transposition per lane is its own
// inverse) giving each word's 16 pixels in v[r], whose halves or bytes are
// the channels' runs.
//
// Spans of 64 pixels (4 blocks), each channel's run of the span gathered
// from the blocks into one vector and stored at once (int8: one 64-byte
// line). One 16-byte store per block and channel left every line to be
// fetched four times where the planes lie 4 KiB apart (dw_k4s2's 64 x 64
// y): its window rows' transposition then took 3x the kernel that computes
// them (bench/RESULTS.md, "bf16 and int8 depthwise on windows").
template <bool kBf16>
void WordsToPlanes(const WordsToPlanesArgs& a) {
  constexpr int kPer = kBf16 ? 2 : 4;  // channels per word
  constexpr int64_t kSpan = 4 * kBlock;
  for (int64_t s0 = 0; s0 < a.width; s0 += kSpan) {
    const int64_t sw = std::min(kSpan, a.width - s0);
    const int nb = static_cast<int>((sw + kBlock - 1) / kBlock);
    for (int64_t c = 0; c < a.words; c += 4) {
      const int64_t cw = std::min<int64_t>(4, a.words - c);
      const __mmask8 cmask = static_cast<__mmask8>((1u << cw) - 1);
      __m512i v[4][4];  // [block][word]
      for (int b = 0; b < 4; ++b) {
        if (b >= nb) {
          for (int r = 0; r < 4; ++r) v[b][r] = _mm512_setzero_si512();
          continue;
        }
        const int64_t x0 = s0 + b * kBlock, xw = std::min<int64_t>(kBlock, a.width - x0);
        const uint32_t* s = a.src + x0 * a.words + c;
        __m512i q[4];
        for (int m = 0; m < 4; ++m) {
          __m128i lane[4];
          for (int L = 0; L < 4; ++L) {
            const int64_t p = 4 * L + m;
            lane[L] = p < xw ? _mm_maskz_loadu_epi32(cmask, s + p * a.words) : _mm_setzero_si128();
          }
          q[m] = _mm512_inserti32x4(_mm512_castsi128_si512(lane[0]), lane[1], 1);
          q[m] = _mm512_inserti32x4(q[m], lane[2], 2);
          q[m] = _mm512_inserti32x4(q[m], lane[3], 3);
        }
        const __m512i lo01 = _mm512_unpacklo_epi32(q[0], q[1]), hi01 = _mm512_unpackhi_epi32(q[0], q[1]);
        const __m512i lo23 = _mm512_unpacklo_epi32(q[2], q[3]), hi23 = _mm512_unpackhi_epi32(q[2], q[3]);
        v[b][0] = _mm512_unpacklo_epi64(lo01, lo23), v[b][1] = _mm512_unpackhi_epi64(lo01, lo23);
        v[b][2] = _mm512_unpacklo_epi64(hi01, hi23), v[b][3] = _mm512_unpackhi_epi64(hi01, hi23);
      }
      for (int r = 0; r < cw; ++r)
        for (int h = 0; h < kPer; ++h) {
          const int64_t ch = kPer * (c + r) + h;
          if (ch >= a.channels) break;
          if constexpr (kBf16) {
            uint16_t* d = static_cast<uint16_t*>(a.dst) + ch * a.plane_stride + s0;
            for (int half = 0; half < 2; ++half) {
              const int64_t n = std::min<int64_t>(32, std::max<int64_t>(0, sw - 32 * half));
              if (n == 0) break;
              const __m256i p0 = _mm512_cvtepi32_epi16(_mm512_srli_epi32(v[2 * half][r], 16 * h));
              const __m256i p1 = _mm512_cvtepi32_epi16(_mm512_srli_epi32(v[2 * half + 1][r], 16 * h));
              const __mmask32 m = n >= 32 ? ~__mmask32{0} : (__mmask32{1} << n) - 1;
              _mm512_mask_storeu_epi16(d + 32 * half, m, _mm512_inserti64x4(_mm512_castsi256_si512(p0), p1, 1));
            }
          } else {
            __m512i run = _mm512_castsi128_si512(_mm512_cvtepi32_epi8(_mm512_srli_epi32(v[0][r], 8 * h)));
            run = _mm512_inserti32x4(run, _mm512_cvtepi32_epi8(_mm512_srli_epi32(v[1][r], 8 * h)), 1);
            run = _mm512_inserti32x4(run, _mm512_cvtepi32_epi8(_mm512_srli_epi32(v[2][r], 8 * h)), 2);
            run = _mm512_inserti32x4(run, _mm512_cvtepi32_epi8(_mm512_srli_epi32(v[3][r], 8 * h)), 3);
            const __mmask64 m = sw >= 64 ? ~__mmask64{0} : (__mmask64{1} << sw) - 1;
            _mm512_mask_storeu_epi8(static_cast<uint8_t*>(a.dst) + ch * a.plane_stride + s0, m, run);
          }
        }
    }
  }
}

void Bf16PlanesToPairs(const PlanesToWordsArgs& a) { PlanesToWords<true>(a); }
void Int8PlanesToQuads(const PlanesToWordsArgs& a) { PlanesToWords<false>(a); }
void Bf16WordsToPlanes(const WordsToPlanesArgs& a) { WordsToPlanes<true>(a); }
void Int8WordsToPlanes(const WordsToPlanesArgs& a) { WordsToPlanes<false>(a); }

}  // namespace

PlanesToWordsFn Bf16PlanesToWordsAvx512() { return &Bf16PlanesToPairs; }
PlanesToWordsFn Int8PlanesToWordsAvx512() { return &Int8PlanesToQuads; }
WordsToPlanesFn Bf16WordsToPlanesAvx512() { return &Bf16WordsToPlanes; }
WordsToPlanesFn Int8WordsToPlanesAvx512() { return &Int8WordsToPlanes; }

}  // namespace kernels
}  // namespace tconv

HWY_POP_ATTRIBUTES
