// Highway kernels of the phase fast path (contract in
// src/kernels/phase_fast_kernels.h). Compiled once per target by
// foreach_target (N_AVX3, N_AVX2, N_SSE4, N_SSSE3, N_EMU128); the dispatch
// picks the best target hwy::SupportedTargets() allows, so the TCONV_ISA cap
// (src/dispatch/cpu.cc) applies here.
//
// Register budget: accumulators CB x V plus V input vectors must fit in the
// register file (32 on AVX-512, 16 below): V = clamp((R - 2) / (CB + 1), 1,
// 6), e.g. 8x3 and 4x6 on AVX-512, 8x1 and 4x2 on AVX2.
#include <algorithm>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/kernels/hwy/phase_fast_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/kernels/phase_fast_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
constexpr int kRegs = 32;
#else
constexpr int kRegs = 16;
#endif

constexpr int VectorsFor(int cb) {
  return std::min(6, std::max(1, (kRegs - 2) / (cb + 1)));
}

// acc[c][v] = bias[c] + sum_ci sum_tap x[ci*plane + off[tap] + v*L] * w[ci][tap][c]
// stored to out + c*ldo + v*L.
template <int CB, int V>
HWY_INLINE void Micro(const float* HWY_RESTRICT x, int64_t plane, int64_t cin, const int64_t* HWY_RESTRICT offs,
                      int64_t ntaps, const float* HWY_RESTRICT w, const float* HWY_RESTRICT bias,
                      float* HWY_RESTRICT out, int64_t ldo) {
  const hn::ScalableTag<float> d;
  const size_t L = hn::Lanes(d);
  using VF = hn::Vec<decltype(d)>;
  VF acc[CB][V];
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
    const VF b = hn::Set(d, bias[c]);
#pragma GCC unroll 6
    for (int v = 0; v < V; ++v) acc[c][v] = b;
  }
  for (int64_t ci = 0; ci < cin; ++ci) {
    const float* xc = x + ci * plane;
    for (int64_t t = 0; t < ntaps; ++t) {
      const float* xs = xc + offs[t];
      VF xv[V];
#pragma GCC unroll 6
      for (int v = 0; v < V; ++v) xv[v] = hn::LoadU(d, xs + v * L);
#pragma GCC unroll 8
      for (int c = 0; c < CB; ++c) {
        const VF wv = hn::Set(d, w[c]);
#pragma GCC unroll 6
        for (int v = 0; v < V; ++v) acc[c][v] = hn::MulAdd(xv[v], wv, acc[c][v]);
      }
      w += CB;
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
#pragma GCC unroll 6
    for (int v = 0; v < V; ++v) hn::StoreU(acc[c][v], d, out + c * ldo + v * L);
  }
}

// y row segment: yrow[u*sx + tx] = t[tx][u] for u in [ua, ub), ox < ow.
HWY_INLINE void Interleave(const float* const* t, int64_t sx, int64_t ua, int64_t ub, int64_t ow, float* yrow) {
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  int64_t u = ua;
  if (sx == 1) {
    const int64_t e = std::min(ub, ow);
    if (e > u) std::memcpy(yrow + u, t[0] + u, static_cast<size_t>(e - u) * sizeof(float));
    return;
  }
  if (sx == 2) {
    for (; u + L <= ub && (u + L) * 2 <= ow; u += L)
      hn::StoreInterleaved2(hn::LoadU(d, t[0] + u), hn::LoadU(d, t[1] + u), d, yrow + u * 2);
  } else if (sx == 3) {
    for (; u + L <= ub && (u + L) * 3 <= ow; u += L)
      hn::StoreInterleaved3(hn::LoadU(d, t[0] + u), hn::LoadU(d, t[1] + u), hn::LoadU(d, t[2] + u), d, yrow + u * 3);
  } else if (sx == 4) {
    for (; u + L <= ub && (u + L) * 4 <= ow; u += L)
      hn::StoreInterleaved4(hn::LoadU(d, t[0] + u), hn::LoadU(d, t[1] + u), hn::LoadU(d, t[2] + u),
                            hn::LoadU(d, t[3] + u), d, yrow + u * 4);
  }
  for (; u < ub; ++u) {
    for (int64_t tx = 0; tx < sx; ++tx) {
      const int64_t ox = u * sx + tx;
      if (ox < ow) yrow[ox] = t[tx][u];
    }
  }
}

// Channel-vectorised micro-kernel: acc[m][q] holds output channels
// [m*L, m*L + L) of flat pixel f + q (consecutive, so the broadcast
// addresses are compile-time offsets); pixel q reads x at f + q + off[tap].
// Stores acc transposed into out[c*ldo + f + q] for valid channels and for
// pixels whose column is < ux (the others are padding columns).
template <int M, int P>
HWY_INLINE void MicroC(const float* HWY_RESTRICT x, int64_t plane, int64_t cin, const int64_t* HWY_RESTRICT offs,
                       int64_t ntaps, const float* HWY_RESTRICT w, const float* HWY_RESTRICT bias, int64_t f,
                       int64_t fabs, int64_t wp, int64_t ux, int npix, float* HWY_RESTRICT out, int64_t ldo,
                       int cvalid) {
  const hn::ScalableTag<float> d;
  const size_t L = hn::Lanes(d);
  using VF = hn::Vec<decltype(d)>;
  VF acc[M][P];
#pragma GCC unroll 4
  for (int m = 0; m < M; ++m) {
    const VF b = hn::LoadU(d, bias + m * L);
#pragma GCC unroll 12
    for (int q = 0; q < P; ++q) acc[m][q] = b;
  }
  const float* xf = x + f;
  for (int64_t ci = 0; ci < cin; ++ci) {
    const float* xc = xf + ci * plane;
    for (int64_t t = 0; t < ntaps; ++t) {
      const float* xs = xc + offs[t];
      VF wv[M];
#pragma GCC unroll 4
      for (int m = 0; m < M; ++m) wv[m] = hn::LoadU(d, w + m * L);
#pragma GCC unroll 12
      for (int q = 0; q < P; ++q) {
        const VF xv = hn::Set(d, xs[q]);
#pragma GCC unroll 4
        for (int m = 0; m < M; ++m) acc[m][q] = hn::MulAdd(wv[m], xv, acc[m][q]);
      }
      w += M * L;
    }
  }
  HWY_ALIGN float tmp[M * 64];
  for (int q = 0; q < npix; ++q) {
    if ((fabs + q) % wp >= ux) continue;
#pragma GCC unroll 4
    for (int m = 0; m < M; ++m) hn::Store(acc[m][q], d, tmp + m * L);
    for (int c = 0; c < cvalid; ++c) out[c * ldo + f + q] = tmp[c];
  }
}

template <int CB>
void Task(const PhaseFastParams& p, const float* xpad, float* y, int64_t n, int64_t b, int64_t block) {
  constexpr int V = VectorsFor(CB);
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  HWY_ALIGN float tile[kPhaseTileFloats];
  const int64_t f0 = p.f0[block], f1 = p.f1[block];
  const int64_t ft = (f1 - f0 + L - 1) / L * L;  // tile row length
  const float* x = xpad + n * p.cin * p.plane + f0;
  const float* bias = p.bias.data() + b * CB;
  const int64_t co0 = b * CB;
  const int cb_here = static_cast<int>(std::min<int64_t>(CB, p.cout - co0));
  for (int64_t ty = 0; ty < p.sy; ++ty) {
    for (int64_t tx = 0; tx < p.sx; ++tx) {
      const int64_t ph = ty * p.sx + tx;
      const int64_t* offs = p.offs.data() + p.tap_begin[ph];
      const int64_t ntaps = p.tap_begin[ph + 1] - p.tap_begin[ph];
      const float* w = p.wpack.data() + p.w_begin[ph] + b * p.cin * ntaps * CB;
      float* out = tile + tx * CB * ft;
      int64_t f = 0;
      for (; f + V * L <= ft; f += V * L) Micro<CB, V>(x + f, p.plane, p.cin, offs, ntaps, w, bias, out + f, ft);
      for (; f < ft; f += L) Micro<CB, 1>(x + f, p.plane, p.cin, offs, ntaps, w, bias, out + f, ft);
    }
    // Interleave the sx column phases of each output row oy = u_y*sy + ty.
    for (int64_t uy = f0 / p.wp; uy * p.wp < f1; ++uy) {
      const int64_t oy = uy * p.sy + ty;
      if (oy >= p.oh) break;
      const int64_t ua = std::max<int64_t>(f0 - uy * p.wp, 0);
      const int64_t ub = std::min<int64_t>(f1 - uy * p.wp, p.ux);
      if (ua >= ub) continue;
      for (int c = 0; c < cb_here; ++c) {
        const float* rows[64];
        for (int64_t tx = 0; tx < p.sx; ++tx) rows[tx] = tile + (tx * CB + c) * ft + (uy * p.wp - f0);
        float* yrow = y + ((n * p.cout + co0 + c) * p.oh + oy) * p.ow;
        Interleave(rows, p.sx, ua, ub, p.ow, yrow);
      }
    }
  }
}

// Channel mode: same task structure as Task<CB> with CB = kPhaseChannelBlock.
void TaskChannels(const PhaseFastParams& p, const float* xpad, float* y, int64_t n, int64_t b, int64_t block) {
  constexpr int CB = kPhaseChannelBlock;
  const hn::ScalableTag<float> d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  constexpr int kM = CB / static_cast<int>(HWY_MAX(1, HWY_LANES(float)));
  constexpr int kP = kRegs == 32 ? 12 : (kM >= 4 ? 3 : 1);
  static_assert(kM * HWY_MAX(1, HWY_LANES(float)) == CB, "lanes must divide the channel block");
  HWY_ALIGN float tile[kPhaseTileFloats];
  const int64_t f0 = p.f0[block], f1 = p.f1[block];
  const int64_t ft = (f1 - f0 + L - 1) / L * L;
  const float* x = xpad + n * p.cin * p.plane + f0;
  const float* bias = p.bias.data() + b * CB;
  const int64_t co0 = b * CB;
  const int cb_here = static_cast<int>(std::min<int64_t>(CB, p.cout - co0));
  for (int64_t ty = 0; ty < p.sy; ++ty) {
    for (int64_t tx = 0; tx < p.sx; ++tx) {
      const int64_t ph = ty * p.sx + tx;
      const int64_t* offs = p.offs.data() + p.tap_begin[ph];
      const int64_t ntaps = p.tap_begin[ph + 1] - p.tap_begin[ph];
      const float* w = p.wpack.data() + p.w_begin[ph] + b * p.cin * ntaps * CB;
      float* out = tile + tx * CB * ft;
      for (int64_t f = 0; f < f1 - f0; f += kP) {
        // Skip chunks made only of padding columns.
        const int64_t col = (f0 + f) % p.wp;
        if (col >= p.ux && p.wp - col >= kP) continue;
        const int np = static_cast<int>(std::min<int64_t>(kP, f1 - f0 - f));
        MicroC<kM, kP>(x, p.plane, p.cin, offs, ntaps, w, bias, f, f0 + f, p.wp, p.ux, np, out, ft, cb_here);
      }
    }
    for (int64_t uy = f0 / p.wp; uy * p.wp < f1; ++uy) {
      const int64_t oy = uy * p.sy + ty;
      if (oy >= p.oh) break;
      const int64_t ua = std::max<int64_t>(f0 - uy * p.wp, 0);
      const int64_t ub = std::min<int64_t>(f1 - uy * p.wp, p.ux);
      if (ua >= ub) continue;
      for (int c = 0; c < cb_here; ++c) {
        const float* rows[64];
        for (int64_t tx = 0; tx < p.sx; ++tx) rows[tx] = tile + (tx * CB + c) * ft + (uy * p.wp - f0);
        float* yrow = y + ((n * p.cout + co0 + c) * p.oh + oy) * p.ow;
        Interleave(rows, p.sx, ua, ub, p.ow, yrow);
      }
    }
  }
}

void PhaseFastTaskImpl(const PhaseFastParams& p, const float* xpad, float* y, int64_t n, int64_t b,
                       int64_t block) {
  if (p.mode == PhaseMode::kChannels) return TaskChannels(p, xpad, y, n, b, block);
  switch (p.cb) {
    case 1: return Task<1>(p, xpad, y, n, b, block);
    case 2: return Task<2>(p, xpad, y, n, b, block);
    case 3: return Task<3>(p, xpad, y, n, b, block);
    case 4: return Task<4>(p, xpad, y, n, b, block);
    case 5: return Task<5>(p, xpad, y, n, b, block);
    case 6: return Task<6>(p, xpad, y, n, b, block);
    case 7: return Task<7>(p, xpad, y, n, b, block);
    default: return Task<8>(p, xpad, y, n, b, block);
  }
}

int PhaseFastVectorsImpl(int cb) { return VectorsFor(cb); }
int PhaseFastLanesImpl() { return static_cast<int>(hn::Lanes(hn::ScalableTag<float>())); }

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace tconv {
namespace kernels {

HWY_EXPORT(PhaseFastTaskImpl);
HWY_EXPORT(PhaseFastVectorsImpl);
HWY_EXPORT(PhaseFastLanesImpl);

void PhaseFastTask(const PhaseFastParams& p, const float* xpad, float* y, int64_t n, int64_t b, int64_t block) {
  HWY_DYNAMIC_DISPATCH(PhaseFastTaskImpl)(p, xpad, y, n, b, block);
}
int PhaseFastVectors(int cb) { return HWY_DYNAMIC_DISPATCH(PhaseFastVectorsImpl)(cb); }
int PhaseFastLanes() { return HWY_DYNAMIC_DISPATCH(PhaseFastLanesImpl)(); }

}  // namespace kernels
}  // namespace tconv
#endif  // HWY_ONCE
