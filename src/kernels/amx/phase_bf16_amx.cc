// bf16_phase_amx: the bf16 phase kernel (Bf16RowFn, phase_bf16_kernels.h)
// on Intel's AMX tiles (TDPBF16PS: a 16 x 16 f32 tile += a 16 x 32 bf16
// tile times a 32 x 16 one, 8192 products in one instruction).
//
// The bf16 phase layouts are already the tiles' operands:
//   A (16 pixels x 16 channel pairs): the padded input's channels-last
//     pairs, one tile row per pixel at stride ci2 words;
//   B (16 channel pairs x 16 output channels, pair-interleaved as TDPBF16PS
//     takes it): the packed weights [tap][ci2][cob], one tile row per
//     channel pair at stride cob words;
//   C (16 pixels x 16 output channels, f32): started from the bias, then
//     every tap and every 16 channel pairs in a fixed order, so any thread
//     count gives the same bits.
// The planner pads ci2 to a multiple of 16 (kAmxPairsPerTile; zero pairs,
// zero weights). Tiles: C 2 x 2 (tmm0-3), A 2 (tmm4-5), B 2 (tmm6-7): each
// A and B tile is used twice. A row's pixels go in tiles of 16 (the last
// tile of a row shifted back to end at the row's end: its repeated pixels
// get the same bits); rows shorter than 16 pixels configure tiles of that
// many rows.
//
// Only built on x86-64 (the file is compiled with -mamx-tile -mamx-bf16 and
// AVX-512 F/BW/VL for the stores)
// and listed only where the CPU has AMX-BF16 and Linux granted the tile
// data permission (arch_prctl ARCH_REQ_XCOMP_PERM), at the AVX-512 targets
// (src/kernels/registry.cc).
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "src/base/check.h"
#include "src/kernels/phase_bf16_kernels.h"

namespace tconv {
namespace kernels {
namespace {

// The LDTILECFG operand (palette 1).
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64, "LDTILECFG reads 64 bytes");

constexpr int kTile = 16;  // pixels, channel pairs and output channels per tile

// A pixel tile's first pixel: row r, column q of the call (q may be past
// the row's end in kWrap: a pixel of the padding between two rows).
struct PixelTile {
  int64_t r, q;
};

// A run of a tile's pixels that are consecutive in y: tile rows [i0, i0 +
// n), the first at y + y_off, the others Geometry::y_step apart.
struct Run {
  int64_t i0, n, y_off;
};

// How the call's nrows x npix pixels are cut into tiles of m <= 16 (A tile
// rows at a uniform stride in x), the one with the fewest tiles:
//   kRow     along each row (x stride ci2);
//   kColumn  down each column (x stride: the row stride), for boxes one or
//            a few pixels wide (a phase's left and right borders);
//   kWrap    the rows read as one line through the padded input's row
//            pitch (x stride ci2): a tile may hold the end of a row, the
//            padding after it (computed, never stored) and the start of
//            the next. For short rows (DCGAN's 7 x 7 interior boxes: 5
//            tiles of 16 instead of 7 of 7).
struct Geometry {
  enum Mode { kRow, kColumn, kWrap } mode = kRow;
  int64_t m = 16;       // pixels per tile
  int64_t x_step = 0;   // uint32 between a tile's pixels in x
  int64_t y_step = 0;   // elements between a run's pixels in y
  int64_t pitch = 0;    // kWrap: pixels per padded input row
  int64_t lines = 1, line_len = 1, per_line = 1;  // kRow/kColumn: tiles per line
  int64_t span = 0;     // kWrap: pixels of the line through the rows
  int64_t ntiles = 0;

  Geometry(const Bf16RowArgs& a) {
    const int64_t by_row = a.nrows * CeilDiv(a.npix, kTile), by_column = a.npix * CeilDiv(a.nrows, kTile);
    int64_t wrapped = by_row;
    if (a.nrows > 1 && a.x_row_stride % a.ci2 == 0) {
      pitch = a.x_row_stride / a.ci2;
      span = (a.nrows - 1) * pitch + a.npix;
      wrapped = CeilDiv(span, kTile);
    }
    if (wrapped < std::min(by_row, by_column)) {
      mode = kWrap;
      m = std::min<int64_t>(kTile, span);
      x_step = a.ci2;
      y_step = a.y_pix_stride;
      ntiles = CeilDiv(span, m);
      return;
    }
    mode = by_column < by_row ? kColumn : kRow;
    lines = mode == kColumn ? a.npix : a.nrows;
    line_len = mode == kColumn ? a.nrows : a.npix;
    m = std::min<int64_t>(kTile, line_len);
    per_line = CeilDiv(line_len, m);
    ntiles = lines * per_line;
    x_step = mode == kColumn ? a.x_row_stride : a.ci2;
    y_step = mode == kColumn ? a.y_row_stride : a.y_pix_stride;
  }
  static int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

  // Tile i; the last of a line shifted back to end at the line's end.
  PixelTile Tile(int64_t i) const {
    if (mode == kWrap) {
      const int64_t p = std::min(i * m, span - m);
      return PixelTile{p / pitch, p % pitch};
    }
    const int64_t line = i / per_line, at = std::min((i % per_line) * m, line_len - m);
    return mode == kColumn ? PixelTile{at, line} : PixelTile{line, at};
  }

  // The runs of tile t's pixels that are outputs; returns their number.
  int Runs(const Bf16RowArgs& a, const PixelTile& t, Run* out) const {
    const int64_t first = t.r * a.y_row_stride + t.q * a.y_pix_stride;
    if (mode != kWrap) {
      out[0] = Run{0, m, first};
      return 1;
    }
    int n = 0;
    for (int64_t i = 0, r = t.r, q = t.q; i < m; ++r, q = 0) {
      const int64_t len = std::min(m - i, pitch - q);  // this row's part of the tile
      if (q < a.npix) out[n++] = Run{i, std::min(len, a.npix - q), r * a.y_row_stride + q * a.y_pix_stride};
      i += len;
    }
    return n;
  }
};

// The 2 x 2 block of C tiles (pixel tiles pt[0..MT), channel tiles
// j0, j0 + 1 (NT of them)), from the bias, over every tap and pair.
template <int MT, int NT>
void Block(const Bf16RowArgs& a, const Geometry& geo, int64_t cob, const PixelTile* pt, int64_t j0,
           const float* bias, float (*out)[2][kTile][kTile]) {
  const int64_t a_stride = geo.x_step * 4, b_stride = cob * 4;
  // (Stride 0: every row of a C tile starts as the same channels' bias.)
  _tile_loadd(0, bias + j0 * kTile, 0);
  if constexpr (NT == 2) _tile_loadd(1, bias + (j0 + 1) * kTile, 0);
  if constexpr (MT == 2) {
    _tile_loadd(2, bias + j0 * kTile, 0);
    if constexpr (NT == 2) _tile_loadd(3, bias + (j0 + 1) * kTile, 0);
  }
  const uint32_t* x0 = a.x + pt[0].r * a.x_row_stride + pt[0].q * a.ci2;
  const uint32_t* x1 = MT == 2 ? a.x + pt[1].r * a.x_row_stride + pt[1].q * a.ci2 : x0;
  for (int64_t t = 0; t < a.ntaps; ++t) {
    const uint32_t* xa = x0 + a.tap_off[t];
    const uint32_t* xb = x1 + a.tap_off[t];
    const uint32_t* wt = a.w + a.tap_w[t] + j0 * kTile;
    for (int64_t c = 0; c < a.ci2; c += kTile) {
      _tile_loadd(4, xa + c, a_stride);
      _tile_loadd(6, wt + c * cob, b_stride);
      _tile_dpbf16ps(0, 4, 6);
      if constexpr (NT == 2) {
        _tile_loadd(7, wt + c * cob + kTile, b_stride);
        _tile_dpbf16ps(1, 4, 7);
      }
      if constexpr (MT == 2) {
        _tile_loadd(5, xb + c, a_stride);
        _tile_dpbf16ps(2, 5, 6);
        if constexpr (NT == 2) _tile_dpbf16ps(3, 5, 7);
      }
    }
  }
  _tile_stored(0, out[0][0], 64);
  if constexpr (NT == 2) _tile_stored(1, out[0][1], 64);
  if constexpr (MT == 2) {
    _tile_stored(2, out[1][0], 64);
    if constexpr (NT == 2) _tile_stored(3, out[1][1], 64);
  }
}

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

StridePattern MakeStridePattern(int64_t s) {
  StridePattern p;
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

// Pixel tiles staged per write-out: a channel's run of y (NCHW) is then up
// to 8 tiles' pixels, whole lines, rather than 16 pixels per channel plane
// (planes 4 KiB apart share the L1's sets).
constexpr int64_t kStageTiles = 8;
using Stage = float[kStageTiles][2][kTile][kTile];  // [pixel tile][channel tile of the pair][pixel][channel]

// The staged C tiles (pixel tiles pts[0..count), channel tile nj of the
// pair: channels [co0, co0 + nc)) into y. Channels last (y_co_stride 1): a
// pixel's channels are one masked vector store. Else channel by channel:
// each tile's column (gathered from L1), rounded where y is bf16, stored
// as a strided run of pixels.
void StoreTiles(const Bf16RowArgs& a, const Geometry& geo, const StridePattern& sp, const PixelTile* pts,
                int64_t count, int nj, int64_t co0, int64_t nc, const Stage& stage) {
  Run runs[kStageTiles][kTile];
  int nruns[kStageTiles];
  for (int64_t t = 0; t < count; ++t) nruns[t] = geo.Runs(a, pts[t], runs[t]);
  if (a.y_co_stride == 1) {
    const __mmask16 mask = static_cast<__mmask16>((1u << nc) - 1u);
    for (int64_t t = 0; t < count; ++t)
      for (int k = 0; k < nruns[t]; ++k) {
        const Run& run = runs[t][k];
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
    for (int64_t t = 0; t < count; ++t)
      for (int k = 0; k < nruns[t]; ++k) {
        const Run& run = runs[t][k];
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
  TCONV_DCHECK(a.ci2 >= kAmxPairsPerTile && a.ci2 % kAmxPairsPerTile == 0);
  TCONV_DCHECK((a.y == nullptr) != (a.ybf == nullptr));
  const Geometry geo(a);
  const int64_t m = geo.m;
  const int64_t ntiles_n = (a.nco + kTile - 1) / kTile;
  // The bias of the block's channels (zero past nco), a C tile's row.
  alignas(64) float bias[kAmxCoutBlock] = {};
  if (a.bias) std::copy(a.bias, a.bias + a.nco, bias);
  const StridePattern sp = MakeStridePattern(geo.y_step);
  const int64_t ntiles_m = geo.ntiles;
  if (a.ntaps > 0) {
    TileConfig cfg;
    for (int t = 0; t < 6; ++t) {  // C (tmm0-3) and A (tmm4-5): m pixels
      cfg.rows[t] = static_cast<uint8_t>(m);
      cfg.colsb[t] = 64;
    }
    for (int t = 6; t < 8; ++t) {  // B: 16 channel pairs
      cfg.rows[t] = kTile;
      cfg.colsb[t] = 64;
    }
    _tile_loadconfig(&cfg);
  }
  alignas(64) Stage stage;
  PixelTile pts[kStageTiles];
  for (int64_t j0 = 0; j0 < ntiles_n; j0 += 2) {
    const bool two_n = j0 + 1 < ntiles_n;
    // Channels last writes each tile pair at once (staging 8 lost 10-15 %:
    // unet_up4, seed_k3s2, dcgan_g3 at 1 thread); channels first gains
    // 5-10 % from it.
    const int64_t stage_tiles = a.y_co_stride == 1 ? 2 : kStageTiles;
    for (int64_t i0 = 0; i0 < ntiles_m; i0 += stage_tiles) {
      const int64_t count = std::min(stage_tiles, ntiles_m - i0);
      for (int64_t t = 0; t < count; ++t) pts[t] = geo.Tile(i0 + t);
      for (int64_t t = 0; t < count; t += 2) {
        const bool two_m = t + 1 < count;
        float(*out)[2][kTile][kTile] = &stage[t];
        if (a.ntaps == 0) {  // bias only (no tile products: a denormal bias stays)
          for (int64_t u = t; u < t + (two_m ? 2 : 1); ++u)
            for (int nj = 0; nj < (two_n ? 2 : 1); ++nj)
              for (int i = 0; i < kTile; ++i) std::memcpy(stage[u][nj][i], bias + (j0 + nj) * kTile, 64);
        } else if (two_m && two_n) {
          Block<2, 2>(a, geo, cob, pts + t, j0, bias, out);
        } else if (two_m) {
          Block<2, 1>(a, geo, cob, pts + t, j0, bias, out);
        } else if (two_n) {
          Block<1, 2>(a, geo, cob, pts + t, j0, bias, out);
        } else {
          Block<1, 1>(a, geo, cob, pts + t, j0, bias, out);
        }
      }
      for (int nj = 0; nj < (two_n ? 2 : 1); ++nj) {
        const int64_t co0 = (j0 + nj) * kTile;
        StoreTiles(a, geo, sp, pts, count, nj, co0, std::min<int64_t>(kTile, a.nco - co0), stage);
      }
    }
  }
  if (a.ntaps > 0) _tile_release();
}

}  // namespace

bool AmxTilesPermitted() {
  // Linux (5.16 on) hands out the 8 KiB tile state only to processes that
  // ask; asked once.
  static const bool granted = [] {
    constexpr long kArchReqXcompPerm = 0x1023;
    constexpr long kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return granted;
}

Bf16RowFn PhaseBf16AmxKernel() { return PhaseBf16Amx; }

}  // namespace kernels
}  // namespace tconv
