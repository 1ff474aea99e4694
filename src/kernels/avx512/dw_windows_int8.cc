// i8_dw_vnni_windows on AVX-512 VNNI (contract and why:
// src/kernels/dw_windows.h). Per block of 64 channels and window: the
// two new pixels' bytes (top, bottom) interleaved into 16-bit pairs once per
// column, the window's words by one more unpack of the left and right
// columns (4 vectors: 64 channels x 4 taps), then per phase 4 vpdpbusd and
// the requantization, packed back to 64 bytes in channel order: the packs
// undo, lane by lane, the unpacks' channel order.
//
// x86-64 only (CMakeLists.txt); listed at the AVX-512 targets where the CPU
// has AVX512_VNNI (src/kernels/registry.cc).
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

// Compiled for AVX-512 VNNI by function attributes (as the AMX kernels).
HWY_PUSH_ATTRIBUTES("avx512f,avx512vl,avx512dq,avx512bw,avx512vnni")
static_assert(true, "a region: HWY_POP_ATTRIBUTES ends it");

namespace tconv {
namespace kernels {
namespace {

// The requantization's constants, as locals (the byte stores to y may
// alias anything read through a pointer).
struct Requant {
  bool f32_route, in_range, y_signed;
  __m512i zp;
  __m512d lo, hi, zpd;  // the clamp near the range, the zero point
  explicit Requant(const DwWindowsInt8Args& a)
      : f32_route(a.f32_route),
        in_range(a.in_range),
        y_signed(a.y_signed),
        zp(_mm512_set1_epi32(a.y_zero_point)),
        lo(_mm512_set1_pd((a.y_signed ? -128.0 : 0.0) - a.y_zero_point - 2.0)),
        hi(_mm512_set1_pd((a.y_signed ? 127.0 : 255.0) - a.y_zero_point + 2.0)),
        zpd(_mm512_set1_pd(a.y_zero_point)) {}
};

// Eight sums to their int32 outputs (zero point added, not saturated) in
// double: the steps of tconv/quant.h's Requantize, all exact.
inline __m256i DoubleHalf(const Requant& r, __m256i acc, const double* mult) {
  const __m512d v = _mm512_mul_pd(_mm512_cvtepi32_pd(acc), _mm512_loadu_pd(mult));
  constexpr int kRne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  if (r.in_range)  // |v| < 2^30
    return _mm256_add_epi32(_mm512_cvttpd_epi32(_mm512_roundscale_pd(v, kRne)), _mm512_castsi512_si256(r.zp));
  const __m512d c = _mm512_roundscale_pd(_mm512_min_pd(_mm512_max_pd(v, r.lo), r.hi), kRne);
  return _mm512_cvttpd_epi32(_mm512_add_pd(c, r.zpd));
}

// 16 sums to int32 outputs (zero point added): in float where both ends of
// the product's error round alike (src/kernels/hwy/int8_round_f32-inl.h
// proves it), else in double.
inline __m512i Requantize16(const Requant& r, __m512i acc, const float* mf, const double* mult) {
  if (r.f32_route) {
    const __m512 lim = _mm512_set1_ps(0x1p30f), margin = _mm512_set1_ps(0x1p-20f);
    __m512 p = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(mf));
    if (!r.in_range) p = _mm512_min_ps(_mm512_max_ps(p, _mm512_sub_ps(_mm512_setzero_ps(), lim)), lim);
    const __m512i up = _mm512_cvtps_epi32(_mm512_fmadd_ps(p, margin, p));  // MXCSR: nearest even
    const __m512i down = _mm512_cvtps_epi32(_mm512_fnmadd_ps(p, margin, p));
    if (_mm512_cmpeq_epi32_mask(up, down) == 0xFFFF) return _mm512_add_epi32(up, r.zp);
  }
  const __m256i lo = DoubleHalf(r, _mm512_castsi512_si256(acc), mult);
  const __m256i hi = DoubleHalf(r, _mm512_extracti64x4_epi64(acc, 1), mult + 8);
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

void DwWindowsInt8(const DwWindowsInt8Args& a) {
  const Requant rq(a);
  const int64_t sy = a.sy, sx = a.sx, blocks = a.blocks;
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t c0 = b * kDwWindowsBlock;
    const int64_t left = a.c - c0;
    const __mmask64 store = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
    const float* mf = a.mult_f32 ? a.mult_f32 + c0 : nullptr;
    const double* md = a.mult + c0;
    // The left column's pairs (top, bottom bytes) of channels 16 L + 0..7
    // and 16 L + 8..15 of each lane L.
    const uint8_t* tp = a.top + c0;
    const uint8_t* bt = a.bottom + c0;
    __m512i t = _mm512_loadu_si512(tp + a.qx0 * a.cp), u = _mm512_loadu_si512(bt + a.qx0 * a.cp);
    __m512i l_lo = _mm512_unpacklo_epi8(t, u), l_hi = _mm512_unpackhi_epi8(t, u);
    for (int64_t qx = a.qx0; qx < a.qx1; ++qx) {
      t = _mm512_loadu_si512(tp + (qx + 1) * a.cp);
      u = _mm512_loadu_si512(bt + (qx + 1) * a.cp);
      const __m512i r_lo = _mm512_unpacklo_epi8(t, u), r_hi = _mm512_unpackhi_epi8(t, u);
      const __m512i words[4] = {_mm512_unpacklo_epi16(l_lo, r_lo), _mm512_unpackhi_epi16(l_lo, r_lo),
                                _mm512_unpacklo_epi16(l_hi, r_hi), _mm512_unpackhi_epi16(l_hi, r_hi)};
      l_lo = r_lo, l_hi = r_hi;
      for (int64_t ry = 0; ry < sy; ++ry) {
        uint8_t* yrow = a.y_rows[ry];
        if (!yrow) continue;
        for (int64_t rx = 0; rx < sx; ++rx) {
          const int64_t ox = qx * sx + rx - a.px;
          if (ox < 0 || ox >= a.ow) continue;
          const int64_t ph = (ry * sx + rx) * blocks + b;
          const int8_t* w = a.w + ph * 256;
          const int32_t* init = a.init + ph * 64;
          __m512i q[4];
          for (int j = 0; j < 4; ++j) {
            const __m512i acc = _mm512_dpbusd_epi32(_mm512_loadu_si512(init + 16 * j), words[j],
                                                    _mm512_loadu_si512(w + 64 * j));
            q[j] = Requantize16(rq, acc, mf ? mf + 16 * j : nullptr, md + 16 * j);
          }
          // Lane by lane: words 4 j + i of lane L are channel 16 L + 4 j + i;
          // the two packs put them back in order, saturating to the type.
          const __m512i p01 = _mm512_packs_epi32(q[0], q[1]), p23 = _mm512_packs_epi32(q[2], q[3]);
          const __m512i out = rq.y_signed ? _mm512_packs_epi16(p01, p23) : _mm512_packus_epi16(p01, p23);
          _mm512_mask_storeu_epi8(yrow + ox * a.c + c0, store, out);
        }
      }
    }
  }
}

}  // namespace

DwWindowsInt8Fn DwWindowsInt8Avx512Vnni() { return &DwWindowsInt8; }

}  // namespace kernels
}  // namespace tconv

HWY_POP_ATTRIBUTES
