// bf16_phase_amx: the bf16 phase kernel (Bf16RowFn, phase_bf16_kernels.h)
// on Intel's AMX tiles (TDPBF16PS: a 16 x 16 f32 tile += a 16 x 32 bf16
// tile times a 32 x 16 one, 8192 products in one instruction), with the
// tiling of amx_tiles.h over the bf16 lanes layout (channel pairs: the
// planner pads them to a multiple of 16, kAmxWordsPerTile), and this
// file's epilogue: f32 y, or bf16 y rounded as Bf16Bits.
//
// Only built on x86-64 (compiled with -mamx-tile, -mamx-bf16 and AVX-512
// for the stores) and listed only where the CPU has AMX-BF16 and Linux
// granted the tile data permission, at the AVX-512 targets
// (src/kernels/registry.cc).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "hwy/base.h"
#include "src/base/check.h"
#include "src/kernels/amx_kernels.h"

// Everything below, the shared tiling included, is compiled for AVX-512 and
// the AMX tiles by function attributes (not file-wide -m flags, which
// would also compile the standard library's inline functions this file
// instantiates for AVX-512, and the linker may keep those copies for every
// caller).
HWY_PUSH_ATTRIBUTES("avx512f,avx512vl,avx512dq,avx512bw,avx512vnni,amx-tile,amx-bf16")
static_assert(true, "a region: HWY_POP_ATTRIBUTES ends it");
#include "src/kernels/amx/amx_tiles.h"  // NOLINT(build/include_order): inside the region

namespace tconv {
namespace kernels {
namespace {

using namespace amx;  // NOLINT(build/namespaces): the tiling's names
using Stage = amx::Stage<float>;

// TDPBF16PS on the block's tiles (amx_tiles.h, Block).
TCONV_AMX_PRODUCT(DpBf16, _tile_dpbf16ps);

// 16 floats to bf16 bits as Bf16Bits (src/base/bf16.h): to nearest, ties
// to even, NaN to 0x7FC0, denormals rounded (vcvtneps2bf16 would flush them
// and keep NaN payloads).
inline __m256i Bf16Bits16(__m512 v) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
  const __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7FFF))), 16);
  const __mmask16 nan =
      _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF)), _mm512_set1_epi32(0x7F800000));
  return _mm512_cvtepi32_epi16(_mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0x7FC0)));
}

// Lane l of a strided store holds value k + l / s where l % s == 0: the
// permutation and mask of one stride, for every start k (the masked-off
// lanes are other column phases' outputs, written by the same task).
struct StridePattern {
  int64_t s = 1, per = 16;  // stride, values per store
  alignas(64) int32_t idx32[16];
  alignas(64) int16_t idx16[32];
  __mmask16 mask32 = 0;  // of 16 f32 lanes (all `per` values)
  __mmask32 mask16 = 0;  // of 32 16-bit lanes
  // Lanes of the first `left` values.
  __mmask16 Mask32(int64_t left) const {
    return left >= per ? mask32 : static_cast<__mmask16>(mask32 & ((1u << ((left - 1) * s + 1)) - 1u));
  }
  __mmask32 Mask16(int64_t left) const {
    const int64_t p16 = 32 / s;
    return left >= p16 ? mask16 : static_cast<__mmask32>(mask16 & ((1ull << ((left - 1) * s + 1)) - 1ull));
  }
};

StridePattern MakeStridePattern(int64_t stride) {
  StridePattern p;
  const int64_t s = std::max<int64_t>(1, stride);  // (a one-pixel call may pass 0)
  p.s = s;
  p.per = s <= 16 ? 16 / s : 0;
  const int64_t per16 = 32 / s;
  for (int l = 0; l < 16; ++l) {
    p.idx32[l] = static_cast<int32_t>(std::min<int64_t>(15, l / s));
    if (l % s == 0 && l / s < p.per) p.mask32 = static_cast<__mmask16>(p.mask32 | (1u << l));
  }
  for (int l = 0; l < 32; ++l) {
    p.idx16[l] = static_cast<int16_t>(std::min<int64_t>(15, l / s));
    if (l % s == 0 && l / s < per16) p.mask16 |= 1u << l;
  }
  return p;
}

// m <= 16 values to y[i * s] (f32 lanes of v, or the 16-bit lanes of h).
void StoreStrided(const StridePattern& p, float* y, __m512 v, int64_t m) {
  if (p.s > 16) {
    alignas(64) float t[kTile];
    _mm512_store_ps(t, v);
    for (int64_t i = 0; i < m; ++i) y[i * p.s] = t[i];
    return;
  }
  const __m512i idx = _mm512_load_si512(p.idx32);
  for (int64_t k = 0; k < m; k += p.per) {
    const __m512 w = _mm512_permutexvar_ps(_mm512_add_epi32(idx, _mm512_set1_epi32(static_cast<int>(k))), v);
    _mm512_mask_storeu_ps(y + k * p.s, p.Mask32(m - k), w);
  }
}

void StoreStrided(const StridePattern& p, uint16_t* y, __m256i h, int64_t m) {
  if (p.s > 32) {
    alignas(32) uint16_t t[kTile];
    _mm256_store_si256(reinterpret_cast<__m256i*>(t), h);
    for (int64_t i = 0; i < m; ++i) y[i * p.s] = t[i];
    return;
  }
  const __m512i idx = _mm512_load_si512(p.idx16);
  const __m512i wide = _mm512_zextsi256_si512(h);
  const int64_t per = 32 / p.s;
  for (int64_t k = 0; k < m; k += per) {
    const __m512i w = _mm512_permutexvar_epi16(_mm512_add_epi16(idx, _mm512_set1_epi16(static_cast<int16_t>(k))), wide);
    _mm512_mask_storeu_epi16(y + k * p.s, p.Mask16(m - k), w);
  }
}

// The staged C tiles (their output runs r, channel tile nj of the pair:
// channels [co0, co0 + nc)) into y. Channels last (y_co_stride 1): a
// pixel's channels are one masked vector store. Else channel by channel:
// each tile's column (gathered from L1), rounded where y is bf16, stored
// as a strided run of pixels.
void StoreTiles(const Bf16RowArgs& a, const Geometry& geo, const StridePattern& sp, const StagedRuns& r, int nj,
                int64_t co0, int64_t nc, const Stage& stage) {
  if (a.y_co_stride == 1) {
    const __mmask16 mask = static_cast<__mmask16>((1u << nc) - 1u);
    for (int64_t t = 0; t < r.count; ++t)
      for (int k = 0; k < r.n[t]; ++k) {
        const Run& run = r.run[t][k];
        for (int64_t i = 0; i < run.n; ++i) {
          const __m512 v = _mm512_load_ps(stage[t][nj][run.i0 + i]);
          const int64_t at = run.y_off + co0 + i * geo.y_step;
          if (a.y) {
            _mm512_mask_storeu_ps(a.y + at, mask, v);
          } else {
            _mm256_mask_storeu_epi16(a.ybf + at, mask, Bf16Bits16(v));
          }
        }
      }
    return;
  }
  const __m512i rows = _mm512_set_epi32(240, 224, 208, 192, 176, 160, 144, 128, 112, 96, 80, 64, 48, 32, 16, 0);
  for (int64_t j = 0; j < nc; ++j) {
    const int64_t co = (co0 + j) * a.y_co_stride;
    for (int64_t t = 0; t < r.count; ++t)
      for (int k = 0; k < r.n[t]; ++k) {
        const Run& run = r.run[t][k];
        const __m512i at = _mm512_add_epi32(rows, _mm512_set1_epi32(static_cast<int>(run.i0 * kTile + j)));
        const __mmask16 valid = static_cast<__mmask16>((1u << run.n) - 1u);
        const __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid, at, &stage[t][nj][0][0], 4);
        if (a.y) {
          StoreStrided(sp, a.y + run.y_off + co, v, run.n);
        } else {
          StoreStrided(sp, a.ybf + run.y_off + co, Bf16Bits16(v), run.n);
        }
      }
  }
}

void PhaseBf16Amx(const Bf16RowArgs& a) {
  const int64_t cob = kAmxCoutBlock;
  TCONV_DCHECK(a.npix >= 1 && a.nrows >= 1 && a.nco >= 1 && a.nco <= cob && a.ntaps >= 0);
  TCONV_DCHECK(a.ci2 >= kAmxWordsPerTile && a.ci2 % kAmxWordsPerTile == 0);
  TCONV_DCHECK((a.y == nullptr) != (a.ybf == nullptr));
  const AmxCall call = amx::CallOf(a, a.ci2);
  const Geometry geo(call);
  // The bias of the block's channels (zero past nco), a C tile's row.
  alignas(64) float bias[kAmxCoutBlock] = {};
  if (a.bias) std::copy(a.bias, a.bias + a.nco, bias);
  const StridePattern sp = MakeStridePattern(geo.y_step);
  amx::RunTiles<DpBf16>(call, geo, cob, bias,
                        [&](const StagedRuns& r, int nj, int64_t co0, int64_t nc, const Stage& stage) {
                          StoreTiles(a, geo, sp, r, nj, co0, nc, stage);
                        });
}

}  // namespace

// (Below: baseline code, called before any AMX kernel is listed.)
HWY_POP_ATTRIBUTES
static_assert(true, "the region of HWY_PUSH_ATTRIBUTES above ends here");

Bf16RowFn PhaseBf16AmxKernel() { return PhaseBf16Amx; }

}  // namespace kernels
}  // namespace tconv
