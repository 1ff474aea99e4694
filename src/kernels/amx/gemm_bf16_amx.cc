// bf16_gemm_amx: a bf16 GEMM into f32 on Intel's AMX tiles (Bf16GemmFn,
// amx_kernels.h), for gemm_col2im's column buffer
// (src/algo/gemm_col2im_bf16.cc): C = A x B with A the packed weights
// (rows of bf16, channels contiguous) and B the input's channel pairs
// interleaved per pixel (one row of pixels per channel pair), which is what
// TDPBF16PS takes as its second operand: no transposition of x. Every
// dimension is a multiple of 16 (the caller pads with zeros), so every tile
// is whole and C is stored by tile stores.
//
// Only built on x86-64 and listed where the CPU has AMX-BF16 and Linux
// granted the tile data, at the AVX-512 targets (src/kernels/registry.cc).
#include <immintrin.h>

#include <cstdint>

#include "hwy/base.h"
#include "src/kernels/amx_kernels.h"

// Compiled for the AMX tiles by function attributes (see phase_bf16_amx.cc).
HWY_PUSH_ATTRIBUTES("avx512f,avx512vl,avx512dq,avx512bw,amx-tile,amx-bf16")
static_assert(true, "a region: HWY_POP_ATTRIBUTES ends it");
#include "src/kernels/amx/amx_tiles.h"  // NOLINT(build/include_order): inside the region

namespace tconv {
namespace kernels {
namespace {

using amx::kTile;

TCONV_AMX_PRODUCT(DpBf16, _tile_dpbf16ps);

// C tiles (rows i, i + 16) x (columns j, j + 16), MT x NT of them, from
// zero over every 16 channel pairs; the same tiles as amx::Block (C tmm0-3,
// A tmm4-5, B tmm6-7), so the sums' order is fixed: any split of the GEMM
// into calls gives the same bits.
template <int MT, int NT>
void GemmBlock(const Bf16GemmArgs& g, int64_t i, int64_t j) {
  _tile_zero(0);
  if constexpr (NT == 2) _tile_zero(1);
  if constexpr (MT == 2) {
    _tile_zero(2);
    if constexpr (NT == 2) _tile_zero(3);
  }
  const int64_t a_stride = g.lda * 2, b_stride = g.ldb * 4;
  const uint16_t* a0 = g.a + i * g.lda;
  const uint16_t* a1 = a0 + kTile * g.lda;
  const uint32_t* b = g.b + j;
  for (int64_t p = 0; p < g.k2; p += kTile) {
    _tile_loadd(4, a0 + 2 * p, a_stride);
    _tile_loadd(6, b + p * g.ldb, b_stride);
    DpBf16::C0();
    if constexpr (NT == 2) {
      _tile_loadd(7, b + p * g.ldb + kTile, b_stride);
      DpBf16::C1();
    }
    if constexpr (MT == 2) {
      _tile_loadd(5, a1 + 2 * p, a_stride);
      DpBf16::C2();
      if constexpr (NT == 2) DpBf16::C3();
    }
  }
  float* c = g.c + i * g.ldc + j;
  const int64_t c_stride = g.ldc * 4;
  _tile_stored(0, c, c_stride);
  if constexpr (NT == 2) _tile_stored(1, c + kTile, c_stride);
  if constexpr (MT == 2) {
    _tile_stored(2, c + kTile * g.ldc, c_stride);
    if constexpr (NT == 2) _tile_stored(3, c + kTile * g.ldc + kTile, c_stride);
  }
}

void GemmBf16Amx(const Bf16GemmArgs& g) {
  // LDTILECFG and the tile loads are asm statements that do not name the
  // memory they read (see amx::RunTiles).
  asm volatile("" ::: "memory");
  amx::TileConfig cfg;
  for (int t = 0; t < 8; ++t) {
    cfg.rows[t] = kTile;
    cfg.colsb[t] = 64;
  }
  _tile_loadconfig(&cfg);
  // Columns outer: a 32-column panel of B (k2 x 32 pairs) stays in L1 over
  // every row block; A is the caller's row block.
  for (int64_t j = 0; j < g.n; j += 2 * kTile) {
    const bool two_n = j + kTile < g.n;
    for (int64_t i = 0; i < g.m; i += 2 * kTile) {
      const bool two_m = i + kTile < g.m;
      if (two_m && two_n) {
        GemmBlock<2, 2>(g, i, j);
      } else if (two_m) {
        GemmBlock<2, 1>(g, i, j);
      } else if (two_n) {
        GemmBlock<1, 2>(g, i, j);
      } else {
        GemmBlock<1, 1>(g, i, j);
      }
    }
  }
  _tile_release();
  asm volatile("" ::: "memory");  // the tile stores wrote C
}

}  // namespace

Bf16GemmFn GemmBf16AmxKernel() { return &GemmBf16Amx; }

}  // namespace kernels
}  // namespace tconv

HWY_POP_ATTRIBUTES
