// The every-phase pixel kernel of the phase algorithm (contract in
// src/kernels/phase_kernels.h): f32_phase_all_s2x2_<CB>x<V>, every phase
// of a flat block at once, each shifted input vector loaded once for all
// the phases whose taps read it. The template takes a stride-2 depth axis
// too; the list has only stride 1 along depth (2-D layers, and 3-D ones with
// one depth tap): for one output channel of a 3-D layer with stride 2
// along depth, 8 x 1 x 3 accumulators, it lost to the rows kernel.
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_ALL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_ALL_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_ALL_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_ALL_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/hwy/phase_common-inl.h"
#include "src/kernels/hwy/phase_pixels-inl.h"
#include "src/kernels/phase_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Register budget: NP x CB x V accumulators plus V input vectors and a
// weight (kRegs - 4 leaves room for both): 4 x 3 x 2 and 4 x 2 x 3 with 32
// registers (AVX-512, NEON), 4 x 3 x 1 and 4 x 2 x 1 with 16.
constexpr int AllPhaseVectors(int np, int cb) {
  return std::min(6, std::max(1, (kRegs - 4) / (np * cb)));
}

// The phases' taps, where this kernel takes them: along each axis with
// stride 2, two taps per phase, phase 0 reading input shifts {c, c-1} and
// phase 1 {c+1, c} (k = 4, an odd pad: the DCGAN-style output layers); an
// axis of stride 1 has one tap. So the union along a stride-2 axis is
// three shifts, i = 0, 1, 2 from the highest: phase 1 reads i = 0, 1 and
// phase 0 i = 1, 2, tap j = i - (1 - t). Its volume offset is top - i_d*dstep
// - i_y*wp - i_x. Visiting i ascending meets each phase's taps in its
// table order (offsets descending), so the sums are the pixel kernel's.
template <int S>
constexpr int UnionShifts() {
  return S == 2 ? 3 : 1;
}
// Tap j of phase t at union shift i, or -1.
template <int S>
constexpr int TapAt(int t, int i) {
  return S == 1 ? (i == 0 ? 0 : -1) : (i - (1 - t) >= 0 && i - (1 - t) < 2 ? i - (1 - t) : -1);
}

// f(integral_constant<int, i>) for i in [0, N), unrolled at compile time.
template <class F, int... I>
HWY_INLINE void StaticForImpl(const F& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>()), ...);
}
template <int N, class F>
HWY_INLINE void StaticFor(const F& f) {
  StaticForImpl(f, std::make_integer_sequence<int, N>());
}

// acc[p][c][v] = bias[c] + sum_ci sum_taps(p) x * w over the union, stored
// to out + (p*CB + c)*ldo + v*L. x at the block's union top (offset of
// shift (0, 0, 0)); w[p]: phase p's panel at channel 0, rows [ci][tap][CB].
template <int SD, int SY, int SX, int CB, int V, class D>
HWY_INLINE void MicroAll(D d, const float* HWY_RESTRICT x, int64_t plane, int64_t cin, int64_t dstep, int64_t wp,
                         const float* const* w, const float* HWY_RESTRICT bias, float* HWY_RESTRICT out,
                         int64_t ldo) {
  constexpr int NP = SD * SY * SX;
  constexpr int TD = SD == 2 ? 2 : 1, TY = SY == 2 ? 2 : 1, TX = SX == 2 ? 2 : 1;
  constexpr int kTaps = TD * TY * TX;
  const size_t L = hn::Lanes(d);
  using VF = hn::Vec<D>;
  VF acc[NP][CB][V];
#pragma GCC unroll 8
  for (int p = 0; p < NP; ++p)
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) {
      const VF b = hn::Set(d, bias[c]);
#pragma GCC unroll 6
      for (int v = 0; v < V; ++v) acc[p][c][v] = b;
    }
  for (int64_t ci = 0; ci < cin; ++ci) {
    const float* xc = x + ci * plane;
    const int64_t wc = ci * kTaps * CB;
    StaticFor<UnionShifts<SD>()>([&](auto id) {
      StaticFor<UnionShifts<SY>()>([&](auto iy) {
        StaticFor<UnionShifts<SX>()>([&](auto ix) {
          const float* xs = xc - id() * dstep - iy() * wp - ix();
          VF xv[V];
#pragma GCC unroll 6
          for (int v = 0; v < V; ++v) xv[v] = hn::LoadU(d, xs + v * L);
          StaticFor<NP>([&](auto pc) {
            constexpr int p = pc();
            constexpr int td = p / (SY * SX), ty = p / SX % SY, tx = p % SX;
            constexpr int jd = TapAt<SD>(td, id()), jy = TapAt<SY>(ty, iy()), jx = TapAt<SX>(tx, ix());
            if constexpr (jd >= 0 && jy >= 0 && jx >= 0) {
              const float* wt = w[p] + wc + ((jd * TY + jy) * TX + jx) * CB;
#pragma GCC unroll 8
              for (int c = 0; c < CB; ++c) {
                const VF wv = hn::Set(d, wt[c]);
#pragma GCC unroll 6
                for (int v = 0; v < V; ++v) acc[p][c][v] = hn::MulAdd(xv[v], wv, acc[p][c][v]);
              }
            }
          });
        });
      });
    });
  }
#pragma GCC unroll 8
  for (int p = 0; p < NP; ++p)
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c)
#pragma GCC unroll 6
      for (int v = 0; v < V; ++v) hn::StoreU(acc[p][c][v], d, out + (p * CB + c) * ldo + v * L);
}

// f32_phase_all_s2x2_<CB>x<V> (SD = 1, SY = SX = 2): contract in
// src/kernels/phase_kernels.h.
template <class D, int SD, int SY, int SX, int CB>
void PhaseAll(const PhaseTaskArgs& a) {
  constexpr int NP = SD * SY * SX;
  constexpr int V = AllPhaseVectors(NP, CB);
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const int64_t f0 = a.f0, f1 = a.f1;
  const int64_t ft = (f1 - f0 + L - 1) / L * L;  // tile row length
  TCONV_DCHECK(a.s[0] == SD && a.s[1] == SY && a.s[2] == SX && f1 > f0 && a.cin >= 1 && a.cb >= 1 && a.cb <= CB);
  TCONV_DCHECK(NP * CB * ft <= kPhaseTileFloats && L <= kMaxLanes);
  // The union's top: phase NP - 1 (t = 1 on every strided axis) reads it
  // with its first tap; one depth slice apart: hp rows.
  const int64_t top = a.offs[a.tap_begin[NP - 1]];
  const int64_t dstep = a.hp * a.wp;
  constexpr int64_t kTaps = (SD == 2 ? 2 : 1) * (SY == 2 ? 2 : 1) * (SX == 2 ? 2 : 1);
  const float* w[NP];
  for (int p = 0; p < NP; ++p) {
    TCONV_DCHECK(a.tap_begin[p + 1] - a.tap_begin[p] == kTaps);
    w[p] = static_cast<const float*>(a.w) + a.w_begin[p] + a.w_block * a.cin * kTaps * CB;
  }
  // The tile holds phase p's CB rows at (p*CB + c)*ft: each phase row
  // (td, ty) is then the pixel kernel's tile, column phase tx at tx*CB*ft.
  HWY_ALIGN float tile[kPhaseTileFloats];
  const float* x = static_cast<const float*>(a.x) + f0 + top;
  const float* bias = static_cast<const float*>(a.bias);
  int64_t f = 0;
  for (; f + V * L <= ft; f += V * L)
    MicroAll<SD, SY, SX, CB, V>(d, x + f, a.xplane, a.cin, dstep, a.wp, w, bias, tile + f, ft);
  for (; f < ft; f += L) MicroAll<SD, SY, SX, CB, 1>(d, x + f, a.xplane, a.cin, dstep, a.wp, w, bias, tile + f, ft);
  for (int64_t td = 0; td < SD; ++td)
    for (int64_t ty = 0; ty < SY; ++ty) InterleaveTile<CB>(a, tile + (td * SY + ty) * SX * CB * ft, ft, td, ty);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_ALL_INL_H_
