// Pieces the phase kernels share (src/kernels/phase_kernels.h): the pixel
// kernel's register budget, the row-reuse step of the rows kernels and an
// interleaved store of eight column phases.
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_COMMON_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_COMMON_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_COMMON_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_COMMON_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "hwy/highway.h"
#include "src/kernels/hwy/isa-inl.h"
#include "src/kernels/phase_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Register budget of the per-tap pixel kernel: accumulators CB x V plus V
// input vectors must fit in the register file (kRegs: 32 on AVX-512 and
// NEON, 16 below): V = clamp((kRegs - 2) / (CB + 1), 1, 6), e.g. 8x3 and 4x6
// on AVX-512, 8x1 and 4x2 on AVX2.
constexpr int VectorsFor(int cb) {
  return std::min(6, std::max(1, (kRegs - 2) / (cb + 1)));
}

// The row-reuse step shared by MicroR, MicroDR and MicroDW: input rows
// i = -(TY-1) .. R-1 (V vectors each, at xj + i*wp) are loaded once and
// feed acc(r, v) += x_i * wv[jy] for every output row r = i + jy in [0, R).
template <int R, int V, int TY, class VF, class Acc>
HWY_INLINE void RowReuseTaps(const float* HWY_RESTRICT xj, int64_t wp, const VF (&wv)[TY], const Acc& acc) {
  const hn::DFromV<VF> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const float* xi = xj - (TY - 1) * wp;
#pragma GCC unroll 12
  for (int i = -(TY - 1); i < R; ++i) {
    VF xv[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      xv[v] = hn::LoadU(d, xi + v * L);
      PinVector(xv[v]);  // the row stays in a register for all its tap rows
    }
    // Step one pointer row by row: with xj + i*wp GCC kept R+TY-1 row
    // offsets in registers and spilled them (and accumulators) to the stack.
    // fsrcnn_x3 1t +8%, dw_k4s2 +4% (A/B medians).
    xi += wp;
    PinPointer(xi);
#pragma GCC unroll 4
    for (int jy = 0; jy < TY; ++jy) {
      const int r = i + jy;
      if (r < 0 || r >= R) continue;
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc(r, v) = hn::MulAdd(xv[v], wv[jy], acc(r, v));
    }
  }
}

// y[8*u + tx] = a[tx][u] for the L lanes u (L >= 2): pairs (a[2j],
// a[2j+1]) zipped are 64-bit elements, and four of those interleaved are
// eight floats. The doubles go through aligned stack buffers (BitCast in,
// memcpy out): y need not be 8-byte aligned, and a float array is not
// written as doubles (clang's UBSan, EMU128). Through scalar stores, the
// shifts kernel on a 64-channel stride-8 layer spent more time storing than
// computing.
template <class VF>
HWY_INLINE void StoreInterleaved8(const VF* a, float* HWY_RESTRICT y) {
#if HWY_TARGET == HWY_SCALAR
  (void)a;
  (void)y;  // one lane: no pairs (StoreDirect stores element by element)
#else
  const hn::DFromV<VF> d;
  const hn::Repartition<double, decltype(d)> dd;
  const size_t L = hn::Lanes(d), LD = hn::Lanes(dd);
  HWY_ALIGN float pairs[4][2 * kMaxLanes];
  HWY_ALIGN double out[2 * kMaxLanes];
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) hn::StoreInterleaved2(a[2 * j], a[2 * j + 1], d, pairs[j]);
  // pairs[j]: L 64-bit elements, two vectors of LD; each h gives 4L floats.
  for (size_t h = 0; h * LD < L; ++h) {
    auto pair = [&](int j) { return hn::BitCast(dd, hn::Load(d, pairs[j] + h * L)); };
    hn::StoreInterleaved4(pair(0), pair(1), pair(2), pair(3), dd, out);
    std::memcpy(y + h * 4 * L, out, 4 * L * sizeof(float));
  }
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_COMMON_INL_H_
