// bf16_dw_dpbf16_windows on AVX-512 BF16 (contract and why:
// src/kernels/dw_windows.h). Per block of 32 channels and window: the new
// column's top and bottom values interleaved into pairs once (2 unpacks),
// then per phase two vdpbf16ps per 16 channels (left and right column)
// from the bias, and y: f32 put back in channel order by two permutes, or
// bf16 by vcvtne2ps2bf16 and a permute of the words, except where a value
// is NaN or denormal (vcvtne2ps2bf16 keeps a NaN's sign, reads denormals
// as zero): rounded on the integer bits as tconv::ToBFloat16 and packed,
// which undoes the unpacks' order.
//
// x86-64 only (CMakeLists.txt); listed at the AVX-512 targets where the CPU
// has AVX512_BF16 (src/kernels/registry.cc).
#include <immintrin.h>

#include <cstdint>

#include "hwy/base.h"
#include "src/kernels/dw_windows.h"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns inside its own AVX-512 headers (the masked intrinsics'
// _mm512_undefined_* operands) where function attributes enable them.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

// Compiled for AVX-512 BF16 by function attributes (as the AMX kernels).
HWY_PUSH_ATTRIBUTES("avx512f,avx512vl,avx512dq,avx512bw,avx512bf16")
static_assert(true, "a region: HWY_POP_ATTRIBUTES ends it");

namespace tconv {
namespace kernels {
namespace {

// vdpbf16ps on integer vectors of pairs.
inline __m512 Dot(__m512 acc, __m512i a, __m512i b) {
  return _mm512_dpbf16_ps(acc, reinterpret_cast<__m512bh>(a), reinterpret_cast<__m512bh>(b));
}

// The bf16 bits of 16 floats in the low halves of the lanes: round to
// nearest even on the bits, NaN -> 0x7FC0 (tconv::ToBFloat16).
inline __m512i Bf16Bits(__m512 v) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  const __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7FFF))), 16);
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF)),
                                                _mm512_set1_epi32(0x7F800000));
  return _mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0x7FC0));
}

// vfpclassps: QNaN, SNaN, denormal.
constexpr int kNanOrDenormal = 0x01 | 0x80 | 0x20;

// The halves of each pair to keep: bit 0 the low (top), bit 1 the high
// (bottom).
inline __m512i PairMask(unsigned bits) {
  return _mm512_set1_epi32(static_cast<int>((bits & 1u ? 0x0000FFFFu : 0u) | (bits & 2u ? 0xFFFF0000u : 0u)));
}

// vcvtne2ps2bf16(s1, s0) puts s0's 16 values (channels 8 L + 0..3) in
// words 0..15 and s1's (8 L + 4..7) in 16..31: channel ch's word, once at
// compile time (not per window row).
struct WordOfChannel {
  alignas(64) uint16_t word[32];
};
constexpr WordOfChannel MakeWordOfChannel() {
  WordOfChannel t{};
  for (int ch = 0; ch < 32; ++ch)
    t.word[ch] = static_cast<uint16_t>(ch % 8 < 4 ? 4 * (ch / 8) + ch % 8 : 16 + 4 * (ch / 8) + ch % 8 - 4);
  return t;
}
constexpr WordOfChannel kBf16WordOfChannel = MakeWordOfChannel();

void DwWindowsBf16(const DwWindowsBf16Args& a) {
  const int64_t sy = a.sy, sx = a.sx, blocks = a.blocks;
  // 128-bit chunks (lo.L, hi.L) back in channel order: channels 0..15 are
  // lo.0 hi.0 lo.1 hi.1, 16..31 lo.2 hi.2 lo.3 hi.3.
  const __m512i first = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  const __m512i second = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
  const __m512i order = _mm512_load_si512(kBf16WordOfChannel.word);
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t c0 = b * kDwWindowsBlockBf16;
    const int64_t left = a.c - c0;
    const __mmask32 store16 = left >= 32 ? ~__mmask32{0} : (__mmask32{1} << left) - 1;
    const __mmask16 store_lo = static_cast<__mmask16>(store16), store_hi = static_cast<__mmask16>(store16 >> 16);
    const __m512 bias0 = _mm512_loadu_ps(a.bias + b * 32), bias1 = _mm512_loadu_ps(a.bias + b * 32 + 16);
    const uint16_t* tp = a.top + c0;
    const uint16_t* bt = a.bottom + c0;
    __m512i t = _mm512_loadu_si512(tp + a.qx0 * a.cp), u = _mm512_loadu_si512(bt + a.qx0 * a.cp);
    __m512i l0 = _mm512_unpacklo_epi16(t, u), l1 = _mm512_unpackhi_epi16(t, u);
    for (int64_t qx = a.qx0; qx < a.qx1; ++qx) {
      t = _mm512_loadu_si512(tp + (qx + 1) * a.cp);
      u = _mm512_loadu_si512(bt + (qx + 1) * a.cp);
      const __m512i r0 = _mm512_unpacklo_epi16(t, u), r1 = _mm512_unpackhi_epi16(t, u);
      for (int64_t ry = 0; ry < sy; ++ry) {
        void* yrow = a.y_rows[ry];
        if (!yrow) continue;
        for (int64_t rx = 0; rx < sx; ++rx) {
          const int64_t ox = qx * sx + rx - a.px;
          if (ox < 0 || ox >= a.ow) continue;
          const uint16_t* w = a.w + ((ry * sx + rx) * blocks + b) * 128;
          __m512 s0, s1;
          if (!a.taps) {
            s0 = Dot(Dot(bias0, l0, _mm512_loadu_si512(w)), r0, _mm512_loadu_si512(w + 64));
            s1 = Dot(Dot(bias1, l1, _mm512_loadu_si512(w + 32)), r1, _mm512_loadu_si512(w + 96));
          } else {
            // Only the real taps: a column without any is skipped, a missing
            // half of a pair is zeroed in x (0 x 0).
            const unsigned have = a.taps[ry * sx + rx];
            s0 = bias0, s1 = bias1;
            if (have & 3u) {
              const __m512i keep = PairMask(have & 3u);
              s0 = Dot(s0, _mm512_and_si512(l0, keep), _mm512_loadu_si512(w));
              s1 = Dot(s1, _mm512_and_si512(l1, keep), _mm512_loadu_si512(w + 32));
            }
            if (have & 12u) {
              const __m512i keep = PairMask((have >> 2) & 3u);
              s0 = Dot(s0, _mm512_and_si512(r0, keep), _mm512_loadu_si512(w + 64));
              s1 = Dot(s1, _mm512_and_si512(r1, keep), _mm512_loadu_si512(w + 96));
            }
          }
          if (a.y_bf16) {
            __m512i out;
            if ((_mm512_fpclass_ps_mask(s0, kNanOrDenormal) | _mm512_fpclass_ps_mask(s1, kNanOrDenormal)) == 0) {
              // vcvtne2ps2bf16 rounds as ToBFloat16 but for NaN (it keeps the
              // sign) and denormals (read as zero): those take the bits.
              out = _mm512_permutexvar_epi16(order, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(s1, s0)));
            } else {
              // Lane by lane: s0 holds channels 8 L + 0..3, s1 8 L + 4..7;
              // the pack puts them in order.
              out = _mm512_packus_epi32(Bf16Bits(s0), Bf16Bits(s1));
            }
            _mm512_mask_storeu_epi16(static_cast<uint16_t*>(yrow) + ox * a.c + c0, store16, out);
          } else {
            float* y = static_cast<float*>(yrow) + ox * a.c + c0;
            _mm512_mask_storeu_ps(y, store_lo, _mm512_permutex2var_ps(s0, first, s1));
            _mm512_mask_storeu_ps(y + 16, store_hi, _mm512_permutex2var_ps(s0, second, s1));
          }
        }
      }
      l0 = r0, l1 = r1;
    }
  }
}

}  // namespace

DwWindowsBf16Fn DwWindowsBf16Avx512Bf16() { return &DwWindowsBf16; }

}  // namespace kernels
}  // namespace tconv

HWY_POP_ATTRIBUTES
