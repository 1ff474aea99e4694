// i8_phase_amx: the int8 lanes kernel (Int8RowFn, phase_int8_kernels.h) on
// Intel's AMX tiles (TDPBUSD: a 16 x 16 int32 tile += a 16 x 64 u8 tile
// times a 64 x 16 s8 one, 16384 products in one instruction, exact), with
// the tiling of amx_tiles.h over the int8 lanes layout (channel quads: the
// planner pads them to a multiple of 16, kAmxWordsPerTile, with zero
// weights) and the VNNI kernels' epilogue (int8_requant_avx512.h), so the
// sums and the requantized y are the integer reference's bits.
//
// Only built on x86-64 (compiled with -mamx-tile, -mamx-int8 and AVX-512)
// and listed only where the CPU has AMX-INT8 and Linux granted the tile
// data permission, at the AVX-512 targets (src/kernels/registry.cc).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "hwy/base.h"
#include "src/base/check.h"
#include "src/kernels/amx_kernels.h"
#include "src/kernels/int8_requant_avx512.h"

// Everything below, the shared tiling included, is compiled for AVX-512 and
// the AMX tiles by function attributes (not file-wide -m flags, which
// would also compile the standard library's inline functions this file
// instantiates for AVX-512, and the linker may keep those copies for every
// caller).
HWY_PUSH_ATTRIBUTES("avx512f,avx512vl,avx512dq,avx512bw,avx512vnni,amx-tile,amx-int8")
static_assert(true, "a region: HWY_POP_ATTRIBUTES ends it");
#include "src/kernels/amx/amx_tiles.h"  // NOLINT(build/include_order): inside the region

namespace tconv {
namespace kernels {
namespace {

using namespace amx;  // NOLINT(build/namespaces): the tiling's names
using Stage = amx::Stage<int32_t>;

// TDPBUSD on the block's tiles (amx_tiles.h, Block): x's bytes unsigned,
// w's signed, as vpdpbusd.
TCONV_AMX_PRODUCT(DpInt8, _tile_dpbusd);

// 16 sums to y's type at out (the lanes of mask m), by the VNNI kernels'
// epilogues: the folded one (bias in the sums, the f32 route where `f32`)
// for u8 / s8 y, else the long one.
void Requantize16(const Int8RowArgs& a, const Int8Epilogue& e, bool f32, __m512i acc, __mmask16 m, void* out) {
  if (a.folded && a.y_type == Int8Out::kU8) {
    Int8RequantizeFolded<true>(e, acc, _mm512_set1_epi32(a.y_zero_point), f32, m, out);
  } else if (a.folded && a.y_type == Int8Out::kS8) {
    Int8RequantizeFolded<false>(e, acc, _mm512_set1_epi32(a.y_zero_point), f32, m, out);
  } else {
    Int8Requantize(a, e, acc, m, out);
  }
}

// The staged sums (their output runs r, channel tile nj of the pair:
// channels [co0, co0 + nc), epilogue e) to y's type. Channels last: each
// pixel's channels requantized and stored as one masked vector. Else each
// pixel's channels requantized into a small stage first, then written
// channel by channel along the runs.
void StoreTiles(const Int8RowArgs& a, const Geometry& geo, const Int8Epilogue& e, bool f32, const StagedRuns& r, int nj,
                int64_t co0, int64_t nc, const Stage& stage) {
  const int64_t bytes = a.y_type == Int8Out::kF32 ? 4 : 1;
  const __mmask16 mask = static_cast<__mmask16>((1u << nc) - 1u);
  uint8_t* y = static_cast<uint8_t*>(a.y);
  if (a.y_co_stride == 1) {
    for (int64_t t = 0; t < r.count; ++t)
      for (int k = 0; k < r.n[t]; ++k) {
        const Run& run = r.run[t][k];
        for (int64_t i = 0; i < run.n; ++i) {
          const __m512i acc = _mm512_load_si512(stage[t][nj][run.i0 + i]);
          Requantize16(a, e, f32, acc, mask, y + (run.y_off + co0 + i * geo.y_step) * bytes);
        }
      }
    return;
  }
  alignas(64) uint8_t q[kTile][kTile * 4];  // [pixel][channel] in y's type
  for (int64_t t = 0; t < r.count; ++t)
    for (int k = 0; k < r.n[t]; ++k) {
      const Run& run = r.run[t][k];
      for (int64_t i = 0; i < run.n; ++i)
        Requantize16(a, e, f32, _mm512_load_si512(stage[t][nj][run.i0 + i]), mask, q[i]);
      for (int64_t j = 0; j < nc; ++j) {
        const int64_t at = run.y_off + (co0 + j) * a.y_co_stride;
        if (bytes == 4) {
          float* yf = reinterpret_cast<float*>(y) + at;
          for (int64_t i = 0; i < run.n; ++i) std::memcpy(yf + i * geo.y_step, q[i] + 4 * j, 4);
        } else {
          for (int64_t i = 0; i < run.n; ++i) y[at + i * geo.y_step] = q[i][j];
        }
      }
    }
}

void PhaseInt8Amx(const Int8RowArgs& a) {
  const int64_t cob = kAmxCoutBlock;
  TCONV_DCHECK(a.npix >= 1 && a.nrows >= 1 && a.nco >= 1 && a.nco <= cob && a.ntaps >= 0);
  TCONV_DCHECK(a.ci4 >= kAmxWordsPerTile && a.ci4 % kAmxWordsPerTile == 0);
  const AmxCall call = amx::CallOf(a, a.ci4);
  const Geometry geo(call);
  // Per-channel constants, zero past nco (those lanes are never written).
  alignas(64) int32_t init[kAmxCoutBlock] = {};
  alignas(64) double bias[kAmxCoutBlock] = {}, mult[kAmxCoutBlock] = {};
  std::copy(a.init, a.init + a.nco, init);
  std::copy(a.bias, a.bias + a.nco, bias);
  std::copy(a.mult, a.mult + a.nco, mult);
  Int8Epilogue e[kAmxCoutBlock / kTile];
  for (int v = 0; v < kAmxCoutBlock / kTile; ++v) e[v] = MakeInt8Epilogue(bias, mult, v);
  const bool f32 = a.folded && Int8F32RouteFits(a.mult, a.nco);
  amx::RunTiles<DpInt8>(call, geo, cob, init,
                        [&](const StagedRuns& r, int nj, int64_t co0, int64_t nc, const Stage& stage) {
                          StoreTiles(a, geo, e[co0 / kTile], f32, r, nj, co0, nc, stage);
                        });
}

}  // namespace

// (Below: baseline code, called before any AMX kernel is listed.)
HWY_POP_ATTRIBUTES
static_assert(true, "the region of HWY_PUSH_ATTRIBUTES above ends here");

Int8RowFn PhaseInt8AmxKernel() { return PhaseInt8Amx; }

}  // namespace kernels
}  // namespace tconv
