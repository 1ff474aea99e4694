// The bf16 phase kernels (contract: src/kernels/phase_bf16_kernels.h):
// output rows of one phase, tiles of P pixels x V vectors of output
// channels in f32 accumulators, over taps and channel pairs.
//
//   bf16_phase_dpbf16_<P>x<V>  vdpbf16ps (AVX512_BF16): one instruction per
//                              pair of products; listed only on CPUs that
//                              have it (Highway 1.0.3 has no op for it, so a
//                              raw intrinsic in a function compiled for it).
//   bf16_phase_widen_<P>x<V>   any target: the pairs widened to f32 by
//                              shifts and masks, two FMAs, odd product first
//                              (vdpbf16ps's order, hence its bits on normal
//                              numbers).
// Highway's per-target include guard.
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_BF16_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_BF16_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_BF16_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_BF16_INL_H_
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "hwy/highway.h"
#include "src/base/bf16.h"
#include "src/base/check.h"
#include "src/kernels/hwy/isa-inl.h"
#include "src/kernels/phase_bf16_kernels.h"
#include "src/kernels/phase_kernels.h"

#undef TCONV_BF16_DP
#if HWY_ARCH_X86 && (HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL)
#define TCONV_BF16_DP 1
#include <immintrin.h>
#else
#define TCONV_BF16_DP 0
#endif

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Pixels per tile for V vectors of channels: the accumulators, the weight
// vectors (two per vector when widening) and the broadcasts fit kRegs.
constexpr int Bf16TileRows(int v, bool dp) {
  return std::min(kBf16MaxTilePixels, std::max(1, (kRegs - 3 - (dp ? v : 2 * v)) / v));
}

// Whether this CPU has vdpbf16ps at this target (Highway chose an AVX-512
// target, so the OS saves the registers).
inline bool CpuHasDpBf16() {
#if TCONV_BF16_DP
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

// One tile of P pixels, widening: tile[p*cob + co] for p < P, co < cob;
// off[p] is pixel p's x offset within a tap.
template <class D, int V, int P>
HWY_NOINLINE void Bf16TileWiden(const Bf16RowArgs& a, const int64_t* off, const float* bias, float* tile) {
  const D df;
  const hn::RebindToUnsigned<D> du;
  using VF = hn::Vec<D>;
  const int64_t L = static_cast<int64_t>(hn::Lanes(df));
  const int64_t cob = V * L;
  VF acc[P][V];
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) acc[p][v] = hn::LoadU(df, bias + v * L);
  const auto hi_mask = hn::Set(du, 0xFFFF0000u);
  for (int64_t t = 0; t < a.ntaps; ++t) {
    const uint32_t* xp = a.x + a.tap_off[t];
    const uint32_t* wp = a.w + a.tap_w[t];
    for (int64_t c = 0; c < a.ci2; ++c) {
      VF we[V], wo[V];
      for (int v = 0; v < V; ++v) {
        const auto w32 = hn::LoadU(du, wp + c * cob + v * L);
        we[v] = hn::BitCast(df, hn::ShiftLeft<16>(w32));
        wo[v] = hn::BitCast(df, hn::And(w32, hi_mask));
      }
      for (int p = 0; p < P; ++p) {
        const uint32_t xb = xp[off[p] + c];
        const VF xo = hn::Set(df, Bf16ToF32(static_cast<uint16_t>(xb >> 16)));
        const VF xe = hn::Set(df, Bf16ToF32(static_cast<uint16_t>(xb & 0xFFFFu)));
        for (int v = 0; v < V; ++v) {
          acc[p][v] = hn::MulAdd(wo[v], xo, acc[p][v]);
          acc[p][v] = hn::MulAdd(we[v], xe, acc[p][v]);
        }
      }
    }
  }
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) hn::StoreU(acc[p][v], df, tile + p * cob + v * L);
}

#if TCONV_BF16_DP
// One tile with vdpbf16ps (16 lanes).
template <int V, int P>
__attribute__((target("avx512bf16"))) HWY_NOINLINE void Bf16TileDp(const Bf16RowArgs& a, const int64_t* off,
                                                                   const float* bias, float* tile) {
  constexpr int64_t cob = V * 16;
  __m512 acc[P][V];
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) acc[p][v] = _mm512_loadu_ps(bias + v * 16);
  for (int64_t t = 0; t < a.ntaps; ++t) {
    const uint32_t* xp = a.x + a.tap_off[t];
    const uint32_t* wp = a.w + a.tap_w[t];
    for (int64_t c = 0; c < a.ci2; ++c) {
      __m512bh w[V];
      for (int v = 0; v < V; ++v) w[v] = (__m512bh)_mm512_loadu_si512(wp + c * cob + v * 16);
      for (int p = 0; p < P; ++p) {
        const __m512bh xb = (__m512bh)_mm512_set1_epi32(static_cast<int>(xp[off[p] + c]));
        for (int v = 0; v < V; ++v) acc[p][v] = _mm512_dpbf16_ps(acc[p][v], w[v], xb);
      }
    }
  }
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) _mm512_storeu_ps(tile + p * cob + v * 16, acc[p][v]);
}
#endif

// The tiles of 1 .. P pixels for V vectors: the last tile of a call has
// only the pixels that remain (a full tile repeating the last pixel wasted
// up to a third of a short call: dcgan_g2's 16-pixel calls ran 18 at P 6).
using Bf16TileFn = void (*)(const Bf16RowArgs&, const int64_t*, const float*, float*);
template <class D, int V, int... Ps>
constexpr std::array<Bf16TileFn, sizeof...(Ps)> Bf16WidenTiles(std::integer_sequence<int, Ps...>) {
  return {{&Bf16TileWiden<D, V, Ps + 1>...}};
}
#if TCONV_BF16_DP
template <int V, int... Ps>
constexpr std::array<Bf16TileFn, sizeof...(Ps)> Bf16DpTiles(std::integer_sequence<int, Ps...>) {
  return {{&Bf16TileDp<V, Ps + 1>...}};
}
#endif
template <class D, int V, bool kDp, int P>
constexpr std::array<Bf16TileFn, P> Bf16Tiles() {
#if TCONV_BF16_DP
  if constexpr (kDp) {
    return Bf16DpTiles<V>(std::make_integer_sequence<int, P>());
  } else {
    return Bf16WidenTiles<D, V>(std::make_integer_sequence<int, P>());
  }
#else
  return Bf16WidenTiles<D, V>(std::make_integer_sequence<int, P>());
#endif
}

// n floats at src (n a multiple of Lanes) to bf16 bits at dst: Bf16Bits
// (src/base/bf16.h) on vectors. (vcvtneps2bf16 would be one instruction,
// but it reads denormals as zero: not Bf16Bits.)
template <class D>
HWY_INLINE void RoundToBf16Bits(D df, const float* src, int64_t n, uint16_t* dst) {
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;
  const hn::Rebind<uint16_t, D> d16;
  const auto abs_mask = hn::Set(du, 0x7FFFFFFFu), inf = hn::Set(du, 0x7F800000u), one = hn::Set(du, 1u);
  const auto half = hn::Set(du, 0x7FFFu), qnan = hn::Set(du, 0x7FC0u);
  for (int64_t i = 0; i < n; i += static_cast<int64_t>(hn::Lanes(df))) {
    const auto u = hn::BitCast(du, hn::LoadU(df, src + i));
    const auto rounded = hn::ShiftRight<16>(hn::Add(u, hn::Add(half, hn::And(hn::ShiftRight<16>(u), one))));
    const auto bits = hn::IfThenElse(hn::Gt(hn::And(u, abs_mask), inf), qnan, rounded);
    hn::StoreU(hn::DemoteTo(d16, hn::BitCast(di, bits)), d16, dst + i);  // (< 2^16: the i32 -> u16 demotion keeps it)
  }
}

// bf16_round: contract in phase_bf16_kernels.h. Whole vectors, then the
// tail through a zero-padded vector.
template <class D>
void Bf16RoundRow(const float* src, int64_t n, uint16_t* dst) {
  const D df;
  const int64_t L = static_cast<int64_t>(hn::Lanes(df));
  const int64_t body = n / L * L;
  RoundToBf16Bits(df, src, body, dst);
  if (body == n) return;
  HWY_ALIGN float tail[kMaxLanes] = {};
  HWY_ALIGN uint16_t bits[kMaxLanes];
  std::copy(src + body, src + n, tail);
  RoundToBf16Bits(df, tail, L, bits);
  std::copy(bits, bits + (n - body), dst + body);
}

// bf16_phase_{dpbf16,widen}_<P>x<V>: contract in phase_bf16_kernels.h.
template <class D, int V, bool kDp>
void PhaseBf16Row(const Bf16RowArgs& a) {
  const D df;
  const int64_t L = static_cast<int64_t>(hn::Lanes(df));
  const int64_t cob = V * L;
  constexpr bool dp = kDp && TCONV_BF16_DP;
  constexpr int P = Bf16TileRows(V, dp);
  static constexpr std::array<Bf16TileFn, P> kTiles = Bf16Tiles<D, V, dp, P>();
  TCONV_DCHECK(a.npix >= 1 && a.nrows >= 1 && a.nco >= 1 && a.nco <= cob && a.ci2 >= 1 && a.ntaps >= 0);
  TCONV_DCHECK((a.y == nullptr) != (a.ybf == nullptr));
  alignas(64) float bias[V * kMaxLanes] = {};
  if (a.bias) std::copy(a.bias, a.bias + a.nco, bias);
  // Tiles go to a stage of kStage pixels, written out channel by channel:
  // stored tile by tile, the y of P pixels x 64 channels touched 64 lines
  // whose addresses differ by a power of two on many layers (out_sp = 4096:
  // one L1 set), each evicted half written (seed_k3s2: 5x slower).
  constexpr int kStage = P * ((64 + P - 1) / P);
  alignas(64) float stage[kStage * V * kMaxLanes];
  alignas(64) uint16_t stage_bf16[kStage * V * kMaxLanes];
  int64_t xoff[kStage], yoff[kStage];
  const int64_t total = a.nrows * a.npix;
  // Pixel s0 + p = r * npix + q, stepped without dividing (two divisions a
  // pixel were 1-3 % of seed_k3s2 and unet3d_up NHWC on Zen 5).
  int64_t r = 0, q = 0;
  for (int64_t s0 = 0; s0 < total; s0 += kStage) {
    const int64_t ns = std::min<int64_t>(kStage, total - s0);
    for (int64_t p = 0; p < ns; ++p) {
      xoff[p] = r * a.x_row_stride + q * a.ci2;
      yoff[p] = r * a.y_row_stride + q * a.y_pix_stride;
      if (++q == a.npix) q = 0, ++r;
    }
    for (int64_t i0 = 0; i0 < ns; i0 += P) {
      const int64_t n = std::min<int64_t>(P, ns - i0);
      kTiles[n - 1](a, xoff + i0, bias, stage + i0 * cob);
    }
    if (a.y_co_stride == 1 && a.nco == cob) {
      // y channels last, a whole block: each pixel's channels straight from
      // the stage, rounded on the way when y is bf16.
      for (int64_t p = 0; p < ns; ++p) {
        if (a.y) {
          for (int64_t c = 0; c < cob; c += L) hn::StoreU(hn::Load(df, stage + p * cob + c), df, a.y + yoff[p] + c);
        } else {
          RoundToBf16Bits(df, stage + p * cob, cob, a.ybf + yoff[p]);
        }
      }
      continue;
    }
    // bf16 y: the stage rounded on vectors first (element by element, the
    // rounding cost more than the multiply-adds of outputs that sum 128
    // products: unet_up4 ran slower in bf16 than in f32).
    if (a.ybf) RoundToBf16Bits(df, stage, ns * cob, stage_bf16);
    if (a.y_co_stride == 1) {  // y channels last, a partial block: each pixel's nco channels
      for (int64_t p = 0; p < ns; ++p) {
        if (a.y) {
          std::copy(stage + p * cob, stage + p * cob + a.nco, a.y + yoff[p]);
        } else {
          std::copy(stage_bf16 + p * cob, stage_bf16 + p * cob + a.nco, a.ybf + yoff[p]);
        }
      }
      continue;
    }
    for (int64_t co = 0; co < a.nco; ++co) {
      if (a.y) {
        float* y = a.y + co * a.y_co_stride;
        for (int64_t p = 0; p < ns; ++p) y[yoff[p]] = stage[p * cob + co];
      } else {
        uint16_t* y = a.ybf + co * a.y_co_stride;
        for (int64_t p = 0; p < ns; ++p) y[yoff[p]] = stage_bf16[p * cob + co];
      }
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_BF16_INL_H_
