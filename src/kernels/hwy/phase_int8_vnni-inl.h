// The channels-in-lanes int8 kernels (contract: Int8RowArgs in
// src/kernels/phase_int8_kernels.h): i8_phase_vnni_<P>x<V>, tiles of P
// pixels x V vectors of 16 output channels in int32 accumulators, one
// vpdpbusd per quad of channels (4 u8 x s8 products per lane), then the
// requantization in double on the same vectors. AVX-512 VNNI only: the
// targets without it run the int16 dot kernel (phase_int8-inl.h), so this
// file defines TCONV_INT8_VNNI and its kernels only at the AVX-512 targets
// (Highway 1.0.3 has no op for vpdpbusd: raw intrinsics in functions
// compiled for it, listed only on CPUs that have it).
// Highway's per-target include guard.
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_INT8_VNNI_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_INT8_VNNI_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_INT8_VNNI_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_INT8_VNNI_INL_H_
#endif

#include <algorithm>
#include <cstdint>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/hwy/isa-inl.h"
#include "src/kernels/phase_int8_kernels.h"

#undef TCONV_INT8_VNNI
#if HWY_ARCH_X86 && (HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL)
#define TCONV_INT8_VNNI 1
#include <immintrin.h>
// The features these functions are compiled for: clang's target attribute
// replaces the target's (it does not add to them), so all are named.
#ifndef TCONV_VNNI_TARGET
#define TCONV_VNNI_TARGET "avx512f,avx512vl,avx512dq,avx512bw,avx512vnni"
#endif
#else
#define TCONV_INT8_VNNI 0
#endif

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {

#if TCONV_INT8_VNNI

// Pixels per tile for V vectors: the accumulators, the V weight vectors and
// a broadcast fit the 32 registers.
constexpr int Int8TileRows(int v) { return std::min(kInt8MaxTilePixels, std::max(1, (32 - 2 - v) / v)); }

// Whether this CPU has vpdpbusd (Highway chose an AVX-512 target, so the OS
// saves the registers).
inline bool CpuHasVnni() { return __builtin_cpu_supports("avx512vnni"); }

// The per-channel constants of one vector of 16 output channels, as the
// epilogue uses them.
struct Int8Epilogue {
  __m512d bias_lo, bias_hi, mult_lo, mult_hi;
};

// 16 accumulators to y's type (the rule of the contract), stored at out:
// 16 bytes (u8 / s8) or 16 floats.
// (Compiled for the tile's features: clang inlines only between equal ones.)
__attribute__((target(TCONV_VNNI_TARGET))) inline void Int8Requantize(const Int8RowArgs& a, const Int8Epilogue& e,
                                                                      __m512i acc, void* out) {
  __m512d lo = _mm512_cvtepi32_pd(_mm512_castsi512_si256(acc));
  __m512d hi = _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(acc, 1));
  lo = _mm512_mul_pd(_mm512_add_pd(lo, e.bias_lo), e.mult_lo);
  hi = _mm512_mul_pd(_mm512_add_pd(hi, e.bias_hi), e.mult_hi);
  if (a.y_type == Int8Out::kF32) {
    const __m256 flo = _mm512_cvtpd_ps(lo), fhi = _mm512_cvtpd_ps(hi);  // round to nearest even, as float(v)
    _mm512_storeu_ps(out, _mm512_insertf32x8(_mm512_castps256_ps512(flo), fhi, 1));
    return;
  }
  // Requantize's steps: clamp near the range, round to nearest even, add the
  // zero point, clamp to the type (all exact in double).
  const double zp = a.y_zero_point;
  const __m512d vlo = _mm512_set1_pd(a.y_min - zp - 2.0), vhi = _mm512_set1_pd(a.y_max - zp + 2.0);
  const __m512d zpv = _mm512_set1_pd(zp), ylo = _mm512_set1_pd(a.y_min), yhi = _mm512_set1_pd(a.y_max);
  constexpr int kRne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  lo = _mm512_roundscale_pd(_mm512_min_pd(_mm512_max_pd(lo, vlo), vhi), kRne);
  hi = _mm512_roundscale_pd(_mm512_min_pd(_mm512_max_pd(hi, vlo), vhi), kRne);
  lo = _mm512_min_pd(_mm512_max_pd(_mm512_add_pd(lo, zpv), ylo), yhi);
  hi = _mm512_min_pd(_mm512_max_pd(_mm512_add_pd(hi, zpv), ylo), yhi);
  const __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtpd_epi32(lo)), _mm512_cvtpd_epi32(hi), 1);
  _mm_storeu_si128(static_cast<__m128i*>(out), _mm512_cvtepi32_epi8(q));  // in range: the low byte
}

// One tile: P pixels (x offsets off[p] within a tap) x V vectors, to the
// stage (P x cob elements of `bytes` bytes each).
template <int V, int P>
__attribute__((target(TCONV_VNNI_TARGET))) HWY_NOINLINE void Int8TileVnni(const Int8RowArgs& a, const int64_t* off,
                                                                          const Int8Epilogue* e, uint8_t* stage,
                                                                          int64_t bytes) {
  constexpr int64_t cob = V * 16;
  __m512i acc[P][V];
  for (int v = 0; v < V; ++v) {
    const __m512i init = _mm512_loadu_si512(a.init + v * 16);
    for (int p = 0; p < P; ++p) acc[p][v] = init;
  }
  for (int64_t t = 0; t < a.ntaps; ++t) {
    const uint32_t* xp = a.x + a.tap_off[t];
    const uint32_t* wp = a.w + t * a.ci4 * cob;
    for (int64_t c = 0; c < a.ci4; ++c) {
      __m512i w[V];
      for (int v = 0; v < V; ++v) w[v] = _mm512_loadu_si512(wp + c * cob + v * 16);
      for (int p = 0; p < P; ++p) {
        const __m512i xb = _mm512_set1_epi32(static_cast<int>(xp[off[p] + c]));
        for (int v = 0; v < V; ++v) acc[p][v] = _mm512_dpbusd_epi32(acc[p][v], xb, w[v]);
      }
    }
  }
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) Int8Requantize(a, e[v], acc[p][v], stage + (p * cob + v * 16) * bytes);
}

// i8_phase_vnni_<P>x<V>: contract in phase_int8_kernels.h.
template <class D, int V>
void PhaseInt8Vnni(const Int8RowArgs& a) {
  constexpr int P = Int8TileRows(V);
  constexpr int64_t cob = V * 16;
  TCONV_DCHECK(a.npix >= 1 && a.nrows >= 1 && a.nco >= 1 && a.nco <= cob && a.ci4 >= 1 && a.ntaps >= 0);
  // Per-channel constants, zero past nco (those lanes are never written).
  alignas(64) int32_t init[cob] = {};
  alignas(64) double bias[cob] = {}, mult[cob] = {};
  std::copy(a.init, a.init + a.nco, init);
  std::copy(a.bias, a.bias + a.nco, bias);
  std::copy(a.mult, a.mult + a.nco, mult);
  Int8Epilogue e[V];
  for (int v = 0; v < V; ++v) {
    e[v].bias_lo = _mm512_load_pd(bias + v * 16), e[v].bias_hi = _mm512_load_pd(bias + v * 16 + 8);
    e[v].mult_lo = _mm512_load_pd(mult + v * 16), e[v].mult_hi = _mm512_load_pd(mult + v * 16 + 8);
  }
  Int8RowArgs k = a;
  k.init = init;
  const int64_t bytes = a.y_type == Int8Out::kF32 ? 4 : 1;
  // Tiles go to a stage of kStage pixels, then out channel by channel (as
  // the bf16 kernels do: y's channel planes are far apart).
  constexpr int kStage = P * ((64 + P - 1) / P);
  alignas(64) uint8_t stage[kStage * cob * 4];
  int64_t yoff[kStage];
  const int64_t total = a.nrows * a.npix, last = total - 1;
  for (int64_t s0 = 0; s0 < total; s0 += kStage) {
    const int64_t ns = std::min<int64_t>(kStage, total - s0);
    for (int64_t i0 = 0; i0 < ns; i0 += P) {
      int64_t off[P];
      for (int p = 0; p < P; ++p) {
        const int64_t i = std::min(s0 + i0 + p, last);
        off[p] = (i / a.npix) * a.x_row_stride + (i % a.npix) * a.ci4;
      }
      Int8TileVnni<V, P>(k, off, e, stage + i0 * cob * bytes, bytes);
    }
    for (int64_t p = 0; p < ns; ++p) {
      const int64_t i = s0 + p;
      yoff[p] = (i / a.npix) * a.y_row_stride + (i % a.npix) * a.y_pix_stride;
    }
    for (int64_t co = 0; co < a.nco; ++co) {
      if (bytes == 4) {
        float* y = static_cast<float*>(a.y) + co * a.y_co_stride;
        const float* st = reinterpret_cast<const float*>(stage);
        for (int64_t p = 0; p < ns; ++p) y[yoff[p]] = st[p * cob + co];
      } else {
        uint8_t* y = static_cast<uint8_t*>(a.y) + co * a.y_co_stride;
        for (int64_t p = 0; p < ns; ++p) y[yoff[p]] = stage[p * cob + co];
      }
    }
  }
}

#endif  // TCONV_INT8_VNNI

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_INT8_VNNI_INL_H_
