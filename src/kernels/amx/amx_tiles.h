// The AMX tiles' side of the lanes kernels (bf16: phase_bf16_amx.cc, int8:
// phase_int8_amx.cc), shared: how a call's pixels are cut into tiles, and
// the 2 x 2 block of C tiles over every tap and every 16 words of the
// channels. The two differ only in the product (TDPBF16PS: channel pairs of
// bf16 into f32; TDPBUSD: channel quads of u8 x s8 into int32, exact) and
// in their epilogue.
//
// Both lanes layouts are already the tiles' operands:
//   A (m <= 16 pixels x 16 words): the padded input's channels-last words,
//     one tile row per pixel at the pixel's stride (Geometry::x_step);
//   B (16 words x 16 output channels, word-interleaved as the products take
//     it): the packed weights [tap][words][cob], one tile row per word at
//     stride cob;
//   C (m pixels x 16 output channels, 4-byte sums): started from the
//     channels' init row (the bias, or int8's init) by a stride-0 load,
//     then every tap and every 16 words in a fixed order, so any thread
//     count gives the same bits.
// The planners pad the words to a multiple of 16 (zero weights there).
// Tiles: C 2 x 2 (tmm0-3), A 2 (tmm4-5), B 2 (tmm6-7): each A and B tile
// is used twice.
//
// Include only in the AMX translation units, inside their region of
// AVX-512 and AMX function attributes (HWY_PUSH_ATTRIBUTES).
#ifndef TCONV_SRC_KERNELS_AMX_AMX_TILES_H_
#define TCONV_SRC_KERNELS_AMX_AMX_TILES_H_

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns inside its own AVX-512 headers (the masked intrinsics'
// _mm512_undefined_* operands) where function attributes enable them, as
// in the AMX translation units (the only includers of this header).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace tconv {
namespace kernels {
namespace amx {

// A lanes kernel call as the tiles see it (Bf16RowArgs, Int8RowArgs: x,
// taps, words, w, pixels and y strides).
struct AmxCall {
  const uint32_t* x = nullptr;
  const int64_t* tap_off = nullptr;
  const int64_t* tap_w = nullptr;
  int64_t ntaps = 0, words = 0;
  const uint32_t* w = nullptr;
  int64_t npix = 0, nrows = 1, x_row_stride = 0, nco = 0;
  int64_t y_co_stride = 0, y_pix_stride = 0, y_row_stride = 0;
};

template <class Args>
AmxCall CallOf(const Args& a, int64_t words) {
  AmxCall c;
  c.x = a.x, c.tap_off = a.tap_off, c.tap_w = a.tap_w, c.ntaps = a.ntaps, c.words = words, c.w = a.w;
  c.npix = a.npix, c.nrows = a.nrows, c.x_row_stride = a.x_row_stride, c.nco = a.nco;
  c.y_co_stride = a.y_co_stride, c.y_pix_stride = a.y_pix_stride, c.y_row_stride = a.y_row_stride;
  return c;
}

// The LDTILECFG operand (palette 1).
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64, "LDTILECFG reads 64 bytes");

constexpr int kTile = 16;  // pixels, words and output channels per tile

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
//   kRow     along each row (x stride: the words of a pixel);
//   kColumn  down each column (x stride: the row stride), for calls one or
//            a few pixels wide and many rows tall (narrow phases, column
//            chunks);
//   kWrap    the rows read as one line through the padded input's row
//            pitch (x stride: a pixel's words): a tile may hold the end of
//            a row, the padding after it (computed, never stored) and the
//            start of the next. For short rows (dcgan_g3's 8 x 8 phases: 5
//            tiles of 16 instead of 8 of 8).
struct Geometry {
  enum Mode { kRow, kColumn, kWrap } mode = kRow;
  int64_t m = 16;       // pixels per tile
  int64_t x_step = 0;   // uint32 between a tile's pixels in x
  int64_t y_step = 0;   // elements between a run's pixels in y
  int64_t pitch = 0;    // kWrap: pixels per padded input row
  int64_t lines = 1, line_len = 1, per_line = 1;  // kRow/kColumn: tiles per line
  int64_t span = 0;     // kWrap: pixels of the line through the rows
  int64_t ntiles = 0;

  explicit Geometry(const AmxCall& a) {
    const int64_t by_row = a.nrows * CeilDiv(a.npix, kTile), by_column = a.npix * CeilDiv(a.nrows, kTile);
    int64_t wrapped = by_row;
    if (a.nrows > 1 && a.x_row_stride % a.words == 0 && a.x_row_stride / a.words >= a.npix) {
      pitch = a.x_row_stride / a.words;
      span = (a.nrows - 1) * pitch + a.npix;
      wrapped = CeilDiv(span, kTile);
    }
    if (wrapped < std::min(by_row, by_column)) {
      mode = kWrap;
      m = std::min<int64_t>(kTile, span);
      x_step = a.words;
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
    x_step = mode == kColumn ? a.x_row_stride : a.words;
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
  int Runs(const AmxCall& a, const PixelTile& t, Run* out) const {
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

// Pixel tiles staged per write-out: a channel's run of y (NCHW) is then up
// to 8 tiles' pixels, whole lines, rather than 16 pixels per channel plane
// (planes 4 KiB apart share the L1's sets).
constexpr int64_t kStageTiles = 8;
template <class T>
using Stage = T[kStageTiles][2][kTile][kTile];  // [pixel tile][channel tile of the pair][pixel][channel]

// A product for Block: Dp::C0() is tmm0 += tmm4 x tmm6, C1 tmm1 += tmm4 x
// tmm7, C2 tmm2 += tmm5 x tmm6, C3 tmm3 += tmm5 x tmm7 (op: the intrinsic,
// which takes tile numbers as literals, so a macro writes them).
#define TCONV_AMX_PRODUCT(Name, op)   \
  struct Name {                       \
    static void C0() { op(0, 4, 6); } \
    static void C1() { op(1, 4, 7); } \
    static void C2() { op(2, 5, 6); } \
    static void C3() { op(3, 5, 7); } \
  }

// The 2 x 2 block of C tiles (pixel tiles pt[0..MT), channel tiles j0, j0 +
// 1 (NT of them)), from the init row, over every tap and word; Dp is a
// TCONV_AMX_PRODUCT.
template <class Dp, int MT, int NT, class T>
void Block(const AmxCall& a, const Geometry& geo, int64_t cob, const PixelTile* pt, int64_t j0, const T* init,
           T (*out)[2][kTile][kTile]) {
  const int64_t a_stride = geo.x_step * 4, b_stride = cob * 4;
  // (Stride 0: every row of a C tile starts as the same channels' init.)
  _tile_loadd(0, init + j0 * kTile, 0);
  if constexpr (NT == 2) _tile_loadd(1, init + (j0 + 1) * kTile, 0);
  if constexpr (MT == 2) {
    _tile_loadd(2, init + j0 * kTile, 0);
    if constexpr (NT == 2) _tile_loadd(3, init + (j0 + 1) * kTile, 0);
  }
  const uint32_t* x0 = a.x + pt[0].r * a.x_row_stride + pt[0].q * a.words;
  const uint32_t* x1 = MT == 2 ? a.x + pt[1].r * a.x_row_stride + pt[1].q * a.words : x0;
  const int64_t ntaps = a.ntaps, words = a.words;
  const int64_t *tap_off = a.tap_off, *tap_w = a.tap_w;
  const uint32_t* w = a.w + j0 * kTile;
  for (int64_t t = 0; t < ntaps; ++t) {
    const uint32_t* xa = x0 + tap_off[t];
    const uint32_t* xb = x1 + tap_off[t];
    const uint32_t* wt = w + tap_w[t];
    for (int64_t c = 0; c < words; c += kTile) {
      _tile_loadd(4, xa + c, a_stride);
      _tile_loadd(6, wt + c * cob, b_stride);
      Dp::C0();
      if constexpr (NT == 2) {
        _tile_loadd(7, wt + c * cob + kTile, b_stride);
        Dp::C1();
      }
      if constexpr (MT == 2) {
        _tile_loadd(5, xb + c, a_stride);
        Dp::C2();
        if constexpr (NT == 2) Dp::C3();
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

// The output runs of a staged group of count pixel tiles: tile t's are
// run[t][0..n[t]) (Geometry::Runs).
struct StagedRuns {
  int64_t count = 0;
  int n[kStageTiles];
  Run run[kStageTiles][kTile];
};

// The whole call: every pair of channel tiles, its pixel tiles staged a
// group at a time, each group handed to store(runs, nj, co0, nc, stage) per
// channel tile of the pair. init: cob 4-byte values, zero past nco. Without
// taps the C tiles are the init row (no tile products: a denormal f32 bias
// stays).
template <class Dp, class T, class Store>
void RunTiles(const AmxCall& a, const Geometry& geo, int64_t cob, const T* init, Store store) {
  const int64_t m = geo.m, ntiles_n = (a.nco + kTile - 1) / kTile;
  // Channels last writes each tile pair at once (staging 8 lost 10-15 %:
  // bf16 unet_up4, seed_k3s2, dcgan_g3 at 1 thread); channels first gains
  // 5-10 % from 8 (a channel's run of y then spans them).
  const int64_t stage_tiles = a.y_co_stride == 1 ? 2 : kStageTiles;
  // GCC's tile loads and LDTILECFG are asm statements that do not tell the
  // compiler what memory they read (the 64-byte config, the init row): make
  // every store before this point happen before them.
  asm volatile("" ::: "memory");
  if (a.ntaps > 0) {
    TileConfig cfg;
    for (int t = 0; t < 6; ++t) {  // C (tmm0-3) and A (tmm4-5): m pixels
      cfg.rows[t] = static_cast<uint8_t>(m);
      cfg.colsb[t] = 64;
    }
    for (int t = 6; t < 8; ++t) {  // B: 16 words
      cfg.rows[t] = kTile;
      cfg.colsb[t] = 64;
    }
    _tile_loadconfig(&cfg);
  }
  alignas(64) Stage<T> stage;
  PixelTile pts[kStageTiles];
  StagedRuns runs;
  for (int64_t j0 = 0; j0 < ntiles_n; j0 += 2) {
    const bool two_n = j0 + 1 < ntiles_n;
    for (int64_t i0 = 0; i0 < geo.ntiles; i0 += stage_tiles) {
      const int64_t count = std::min(stage_tiles, geo.ntiles - i0);
      runs.count = count;
      for (int64_t t = 0; t < count; ++t) {
        pts[t] = geo.Tile(i0 + t);
        runs.n[t] = geo.Runs(a, pts[t], runs.run[t]);
      }
      for (int64_t t = 0; t < count; t += 2) {
        const bool two_m = t + 1 < count;
        T(*out)[2][kTile][kTile] = &stage[t];
        if (a.ntaps == 0) {
          for (int64_t u = t; u < t + (two_m ? 2 : 1); ++u)
            for (int nj = 0; nj < (two_n ? 2 : 1); ++nj)
              for (int i = 0; i < kTile; ++i) std::memcpy(stage[u][nj][i], init + (j0 + nj) * kTile, 64);
        } else if (two_m && two_n) {
          Block<Dp, 2, 2>(a, geo, cob, pts + t, j0, init, out);
        } else if (two_m) {
          Block<Dp, 2, 1>(a, geo, cob, pts + t, j0, init, out);
        } else if (two_n) {
          Block<Dp, 1, 2>(a, geo, cob, pts + t, j0, init, out);
        } else {
          Block<Dp, 1, 1>(a, geo, cob, pts + t, j0, init, out);
        }
      }
      for (int nj = 0; nj < (two_n ? 2 : 1); ++nj) {
        const int64_t co0 = (j0 + nj) * kTile;
        store(runs, nj, co0, std::min<int64_t>(kTile, a.nco - co0), stage);
      }
    }
  }
  if (a.ntaps > 0) _tile_release();
}

}  // namespace amx
}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_AMX_AMX_TILES_H_
