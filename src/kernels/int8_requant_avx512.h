// The int8 epilogue of the channels-in-lanes kernels on AVX-512 (the rule
// of Int8RowArgs, src/kernels/phase_int8_kernels.h): 16 int32 sums of one
// vector of output channels to y's type. Shared by the VNNI kernels
// (src/kernels/hwy/phase_int8_vnni-inl.h) and the AMX ones
// (src/kernels/amx/), so both round exactly as Requantize does. Plain
// intrinsics in functions compiled for the features they name; include
// only in x86-64 translation units.
#ifndef TCONV_SRC_KERNELS_INT8_REQUANT_AVX512_H_
#define TCONV_SRC_KERNELS_INT8_REQUANT_AVX512_H_

#include <immintrin.h>

#include <cstdint>

#include "src/kernels/phase_int8_kernels.h"

// The features these functions are compiled for: clang's target attribute
// replaces the target's (it does not add to them), so all are named. The
// functions are static: each translation unit (the Highway VNNI one, the
// AMX one) keeps its own copy. One copy shared by the linker, compiled in
// the other translation unit's context, gave wrong sums in the clang (ASan)
// build's VNNI kernels.
#ifndef TCONV_VNNI_TARGET
#define TCONV_VNNI_TARGET "avx512f,avx512vl,avx512dq,avx512bw,avx512vnni"
#endif

namespace tconv {
namespace kernels {

// The per-channel constants of one vector of 16 output channels, as the
// epilogue uses them.
struct Int8Epilogue {
  __m512d bias_lo, bias_hi, mult_lo, mult_hi;
  __m512 multf;  // mult as float, for the folded epilogue's f32 route
};

// The bytes of mask m of b at out.
__attribute__((target(TCONV_VNNI_TARGET))) static inline void StoreInt8Bytes(__m128i b, __mmask16 m, void* out) {
  if (m == 0xFFFF) {
    _mm_storeu_si128(static_cast<__m128i*>(out), b);
  } else {
    _mm_mask_storeu_epi8(out, m, b);
  }
}

// 16 accumulators to y's type (the rule of the contract), stored at out:
// the lanes of mask m of 16 bytes (u8 / s8) or 16 floats.
// (Compiled for the tile's features: clang inlines only between equal ones.)
__attribute__((target(TCONV_VNNI_TARGET))) static inline void Int8Requantize(const Int8RowArgs& a, const Int8Epilogue& e,
                                                                      __m512i acc, __mmask16 m, void* out) {
  if (m == 0) return;
  __m512d lo = _mm512_cvtepi32_pd(_mm512_castsi512_si256(acc));
  __m512d hi = _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(acc, 1));
  if (!a.folded) lo = _mm512_add_pd(lo, e.bias_lo), hi = _mm512_add_pd(hi, e.bias_hi);
  lo = _mm512_mul_pd(lo, e.mult_lo);
  hi = _mm512_mul_pd(hi, e.mult_hi);
  constexpr int kRne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  if (a.y_type == Int8Out::kF32) {
    const __m256 flo = _mm512_cvtpd_ps(lo), fhi = _mm512_cvtpd_ps(hi);  // round to nearest even, as float(v)
    _mm512_mask_storeu_ps(out, m, _mm512_insertf32x8(_mm512_castps256_ps512(flo), fhi, 1));
    return;
  }
  // Requantize's steps: clamp near the range, round to nearest even, add the
  // zero point, clamp to the type (all exact in double).
  const double zp = a.y_zero_point;
  const __m512d vlo = _mm512_set1_pd(a.y_min - zp - 2.0), vhi = _mm512_set1_pd(a.y_max - zp + 2.0);
  const __m512d zpv = _mm512_set1_pd(zp), ylo = _mm512_set1_pd(a.y_min), yhi = _mm512_set1_pd(a.y_max);
  lo = _mm512_roundscale_pd(_mm512_min_pd(_mm512_max_pd(lo, vlo), vhi), kRne);
  hi = _mm512_roundscale_pd(_mm512_min_pd(_mm512_max_pd(hi, vlo), vhi), kRne);
  lo = _mm512_min_pd(_mm512_max_pd(_mm512_add_pd(lo, zpv), ylo), yhi);
  hi = _mm512_min_pd(_mm512_max_pd(_mm512_add_pd(hi, zpv), ylo), yhi);
  const __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtpd_epi32(lo)), _mm512_cvtpd_epi32(hi), 1);
  StoreInt8Bytes(_mm512_cvtepi32_epi8(q), m, out);  // in range: the low byte
}

// Whether each of the n multipliers suits the folded epilogue's f32 route
// (the proof: src/kernels/hwy/int8_round_f32-inl.h).
inline bool Int8F32RouteFits(const double* mult, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!(mult[i] >= 0x1p-120 && mult[i] <= 0x1p60)) return false;
  return true;
}

// The folded epilogue for bytes out (y u8 / s8 with the bias in the
// accumulators, |acc x mult| < 2^30): round to nearest even into int32,
// add the zero point (Int8RoundFolded), and saturate to the type (u8: from
// 0 up by vpmovusdb; s8: vpmovsdb; Int8RequantizeFolded, or four vectors
// at once by packs, Int8RequantizeFolded4).
//
// With `f32` (Int8F32RouteFits), the integer is first sought in float, as
// Int8RoundF32 (int8_round_f32-inl.h, with the proof) does; vectors where
// float cannot prove it take the double steps.
__attribute__((target(TCONV_VNNI_TARGET), always_inline)) static inline __m512i Int8RoundFolded(const Int8Epilogue& e,
                                                                                          __m512i acc, __m512i zp,
                                                                                          bool f32) {
  constexpr int kRne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  __m512i r;
  const __m512 p = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), e.multf);
  const __m512 c = _mm512_set1_ps(0x1p-20f);
  const __m512i r_up = _mm512_cvt_roundps_epi32(_mm512_fmadd_ps(p, c, p), kRne);
  if (f32 && _mm512_cmpneq_epi32_mask(r_up, _mm512_cvt_roundps_epi32(_mm512_fnmadd_ps(p, c, p), kRne)) == 0) {
    r = r_up;
  } else {
    const __m512d lo = _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(acc)), e.mult_lo);
    const __m512d hi = _mm512_mul_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(acc, 1)), e.mult_hi);
    r = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvt_roundpd_epi32(lo, kRne)),
                           _mm512_cvt_roundpd_epi32(hi, kRne), 1);
  }
  return _mm512_add_epi32(r, zp);
}

template <bool kU8>
__attribute__((target(TCONV_VNNI_TARGET), always_inline)) static inline void Int8RequantizeFolded(const Int8Epilogue& e,
                                                                                            __m512i acc, __m512i zp,
                                                                                            bool f32, __mmask16 m,
                                                                                            void* out) {
  const __m512i q = Int8RoundFolded(e, acc, zp, f32);
  StoreInt8Bytes(kU8 ? _mm512_cvtusepi32_epi8(_mm512_max_epi32(q, _mm512_setzero_si512())) : _mm512_cvtsepi32_epi8(q),
                 m, out);
}

// Four vectors of 16 channels (64 contiguous outputs, every lane stored) at
// once: two rounds of packs saturate to the type as the one-vector form
// does (int32 -> int16 -> u8 or s8), and one permute puts the 16 groups of
// 4 channels, interleaved lane by lane by the packs, back in order. Five
// instructions where the one-vector form takes 16: Zen 5, 1 thread, NHWC,
// alternated: unet3d_up 641-651 -> 676-677 GOP/s, seed_k3s2 705-706 ->
// 718-734, unet_up4 and dcgan_g4 level.
template <bool kU8>
__attribute__((target(TCONV_VNNI_TARGET), always_inline)) static inline void Int8RequantizeFolded4(
    const Int8Epilogue* e, const __m512i* acc, __m512i zp, bool f32, void* out) {
  __m512i q[4];
  for (int v = 0; v < 4; ++v) q[v] = Int8RoundFolded(e[v], acc[v], zp, f32);
  const __m512i p01 = _mm512_packs_epi32(q[0], q[1]), p23 = _mm512_packs_epi32(q[2], q[3]);
  const __m512i bytes = kU8 ? _mm512_packus_epi16(p01, p23) : _mm512_packs_epi16(p01, p23);
  // Lane L, dword j holds channels 16 j + 4 L .. + 3: group 4 j + L at 4 L + j.
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  _mm512_storeu_si512(out, _mm512_permutexvar_epi32(order, bytes));
}

// The epilogue constants of the 16 channels from v * 16 (bias, mult: the
// call's nco values, zero-padded to cover every vector read).
__attribute__((target(TCONV_VNNI_TARGET))) static inline Int8Epilogue MakeInt8Epilogue(const double* bias, const double* mult,
                                                                               int v) {
  Int8Epilogue e;
  e.bias_lo = _mm512_loadu_pd(bias + v * 16), e.bias_hi = _mm512_loadu_pd(bias + v * 16 + 8);
  e.mult_lo = _mm512_loadu_pd(mult + v * 16), e.mult_hi = _mm512_loadu_pd(mult + v * 16 + 8);
  e.multf = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(e.mult_lo)), _mm512_cvtpd_ps(e.mult_hi), 1);
  return e;
}

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_INT8_REQUANT_AVX512_H_
