// The channels-in-lanes int8 kernels (contract: Int8RowArgs in
// src/kernels/phase_int8_kernels.h): i8_phase_vnni_<P>x<V>, tiles of P
// pixels x V vectors of 16 output channels in int32 accumulators, one
// vpdpbusd per quad of channels (4 u8 x s8 products per lane), then the
// requantization on the same vectors (in float where float proves
// Requantize's integer, else in double). AVX-512 VNNI only: the
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
#include <array>
#include <cstdint>
#include <utility>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/hwy/int8_round_f32-inl.h"
#include "src/kernels/hwy/isa-inl.h"
#include "src/kernels/phase_int8_kernels.h"

#undef TCONV_INT8_VNNI
#if HWY_ARCH_X86 && (HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL)
#define TCONV_INT8_VNNI 1
#include <immintrin.h>

#include "src/kernels/int8_requant_avx512.h"
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

// A tile's P x V accumulators by the folded epilogue (y's type tested once
// per tile, not per vector).
template <int P, int V, bool kU8>
__attribute__((target(TCONV_VNNI_TARGET), always_inline)) inline void Int8StoreFolded(
    const Int8RowArgs& a, const Int8Epilogue* e, const __m512i (&acc)[P][V], uint8_t* const* dst,
    const __mmask16* mask, bool f32) {
  const __m512i zp = _mm512_set1_epi32(a.y_zero_point);
  if constexpr (V == 4) {
    if ((mask[0] & mask[1] & mask[2] & mask[3]) == 0xFFFF) {  // 64 whole channels per pixel
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p) Int8RequantizeFolded4<kU8>(e, acc[p], zp, f32, dst[p]);
      return;
    }
  }
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) Int8RequantizeFolded<kU8>(e[v], acc[p][v], zp, f32, mask[v], dst[p] + v * 16);
}

// Output pixel i = r * npix + q of a call, stepped without dividing.
struct PixelWalk {
  int64_t npix, r = 0, q = 0;
  void Next() {
    if (++q == npix) q = 0, ++r;
  }
};

// One tile: P pixels (x offsets off[p] within a tap) x V vectors; pixel
// p's channels go to dst[p] (contiguous elements of `bytes` bytes), vector
// v's lanes of mask[v].
template <int V, int P>
__attribute__((target(TCONV_VNNI_TARGET))) HWY_NOINLINE void Int8TileVnni(const Int8RowArgs& a, const int64_t* off,
                                                                          const Int8Epilogue* e, uint8_t* const* dst,
                                                                          const __mmask16* mask, int64_t bytes,
                                                                          bool f32) {
  constexpr int64_t cob = V * 16;
  __m512i acc[P][V];
  for (int v = 0; v < V; ++v) {
    const __m512i init = _mm512_loadu_si512(a.init + v * 16);
    for (int p = 0; p < P; ++p) acc[p][v] = init;
  }
  for (int64_t t = 0; t < a.ntaps; ++t) {
    const uint32_t* xp = a.x + a.tap_off[t];
    const uint32_t* wp = a.w + a.tap_w[t];
    for (int64_t c = 0; c < a.ci4; ++c) {
      __m512i w[V];
      for (int v = 0; v < V; ++v) w[v] = _mm512_loadu_si512(wp + c * cob + v * 16);
      for (int p = 0; p < P; ++p) {
        const __m512i xb = _mm512_set1_epi32(static_cast<int>(xp[off[p] + c]));
        for (int v = 0; v < V; ++v) acc[p][v] = _mm512_dpbusd_epi32(acc[p][v], xb, w[v]);
      }
    }
  }
  if (a.folded && a.y_type == Int8Out::kU8) return Int8StoreFolded<P, V, true>(a, e, acc, dst, mask, f32);
  if (a.folded && a.y_type == Int8Out::kS8) return Int8StoreFolded<P, V, false>(a, e, acc, dst, mask, f32);
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) Int8Requantize(a, e[v], acc[p][v], mask[v], dst[p] + v * 16 * bytes);
}

// The tiles of 1 .. P pixels for V vectors: the last tile of a call has
// only the pixels that remain (a full tile repeating the last pixel wasted
// up to a third of a short call: dcgan_g2's 16-pixel calls ran 18).
using Int8TileFn = void (*)(const Int8RowArgs&, const int64_t*, const Int8Epilogue*, uint8_t* const*,
                            const __mmask16*, int64_t, bool);
template <int V, int... Ps>
constexpr std::array<Int8TileFn, sizeof...(Ps)> Int8Tiles(std::integer_sequence<int, Ps...>) {
  return {{&Int8TileVnni<V, Ps + 1>...}};
}

// i8_phase_vnni_<P>x<V>: contract in phase_int8_kernels.h.
template <class D, int V>
void PhaseInt8Vnni(const Int8RowArgs& a) {
  constexpr int P = Int8TileRows(V);
  constexpr int64_t cob = V * 16;
  static constexpr std::array<Int8TileFn, P> kTiles = Int8Tiles<V>(std::make_integer_sequence<int, P>());
  TCONV_DCHECK(a.npix >= 1 && a.nrows >= 1 && a.nco >= 1 && a.nco <= cob && a.ci4 >= 1 && a.ntaps >= 0);
  // Per-channel constants, zero past nco (those lanes are never written).
  alignas(64) int32_t init[cob] = {};
  alignas(64) double bias[cob] = {}, mult[cob] = {};
  std::copy(a.init, a.init + a.nco, init);
  std::copy(a.bias, a.bias + a.nco, bias);
  std::copy(a.mult, a.mult + a.nco, mult);
  Int8Epilogue e[V];
  for (int v = 0; v < V; ++v) e[v] = MakeInt8Epilogue(bias, mult, v);
  const bool f32 = a.folded && Int8F32RouteFits(a.mult, a.nco);
  Int8RowArgs k = a;
  k.init = init;
  const int64_t bytes = a.y_type == Int8Out::kF32 ? 4 : 1;
  const int64_t total = a.nrows * a.npix;
  int64_t off[P];
  uint8_t* dst[P];
  __mmask16 mask[V];
  PixelWalk px{a.npix};
  if (a.y_co_stride == 1) {
    // Channels contiguous in y: each tile stores its vectors there.
    for (int v = 0; v < V; ++v) {
      const int64_t lanes = std::min<int64_t>(16, std::max<int64_t>(0, a.nco - v * 16));
      mask[v] = static_cast<__mmask16>((1u << lanes) - 1);
    }
    uint8_t* y = static_cast<uint8_t*>(a.y);
    for (int64_t i0 = 0; i0 < total; i0 += P) {
      const int n = static_cast<int>(std::min<int64_t>(P, total - i0));
      for (int p = 0; p < n; ++p, px.Next()) {
        off[p] = px.r * a.x_row_stride + px.q * a.ci4;
        dst[p] = y + (px.r * a.y_row_stride + px.q * a.y_pix_stride) * bytes;
      }
      kTiles[n - 1](k, off, e, dst, mask, bytes, f32);
    }
    return;
  }
  for (int v = 0; v < V; ++v) mask[v] = 0xFFFF;
  // Tiles go to a stage of kStage pixels, then out channel by channel (as
  // the bf16 kernels do: y's channel planes are far apart).
  constexpr int kStage = P * ((64 + P - 1) / P);
  alignas(64) uint8_t stage[kStage * cob * 4];
  int64_t yoff[kStage];
  for (int64_t s0 = 0; s0 < total; s0 += kStage) {
    const int64_t ns = std::min<int64_t>(kStage, total - s0);
    for (int64_t p = 0; p < ns; ++p, px.Next()) {
      yoff[p] = px.r * a.y_row_stride + px.q * a.y_pix_stride;
      off[p % P] = px.r * a.x_row_stride + px.q * a.ci4;
      dst[p % P] = stage + p * cob * bytes;
      if (p % P == P - 1 || p == ns - 1) kTiles[p % P](k, off, e, dst, mask, bytes, f32);
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
