// The channels-in-lanes kernel of the phase algorithm (contract in
// src/kernels/phase_kernels.h), for short rows and wide Cout (the DCGAN
// layers): 32 output channels in the vector lanes, pixel groups of up to 4
// pixels (4 columns of a row, or the same pixel of 4 images).
#if defined(TCONV_SRC_KERNELS_HWY_PHASE_CHANNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_PHASE_CHANNELS_INL_H_
#undef TCONV_SRC_KERNELS_HWY_PHASE_CHANNELS_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_PHASE_CHANNELS_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/hwy/isa-inl.h"
#include "src/kernels/phase_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The weight pointer as one opaque register. Inlined into PhaseChannels,
// GCC 12 addressed the weights as a base plus one index register per weight
// vector, which left too few general registers for MicroC's channel loop: it
// parked the x plane stride in xmm27 and read it back every channel (`vmovq`,
// an FP-unit op, likely queued behind the channel's FMAs), where the build
// before the kernel layer loaded it from the stack; dcgan_g2-g4 ran at 0.90x
// of that build (bench/RESULTS.md, "Kernel layer (#15)"). The asm emits
// nothing. AVX-512 only: x86-64 has 16 general registers, and on AVX2 (a
// smaller tile, registers to spare) it measured 0.99x.
HWY_INLINE const float* InOneRegister(const float* w) {
#if HWY_ARCH_X86
  if (kRegs == 32) asm("" : "+r"(w));
#endif
  return w;
}

// Channel-vectorised micro-kernel: M vectors of output channels x G pixel
// groups of 4 pixels. Group g's pixel q reads x at xg[g] + q + off[tap] +
// ci*plane (the 4 columns are compile-time offsets, the G base pointers
// live in registers), weights w[ci][tap][cstride] (M*L consecutive
// channels). acc[g*4 + q][m] starts from the bias. Stores pixel q of group g
// (q < cnt[g]) channel c (< cvalid) to yg[g] + c*ostride + q*sx.
template <int M, int G>
HWY_INLINE void MicroC(const float* const* xg, int64_t plane, int64_t cin, const int64_t* HWY_RESTRICT offs,
                       const int64_t* HWY_RESTRICT woff, int64_t ntaps, const float* HWY_RESTRICT w,
                       int64_t wstride, const float* HWY_RESTRICT bias,
                       float* const* yg, const int32_t* cnt, int64_t ostride, int64_t sx, int cvalid) {
  const hn::ScalableTag<float> d;
  const size_t L = hn::Lanes(d);
  using VF = hn::Vec<decltype(d)>;
  constexpr int P = G * kPhaseGroupPixels;
  VF acc[P][M];
#pragma GCC unroll 4
  for (int m = 0; m < M; ++m) {
    const VF b = hn::LoadU(d, bias + m * L);
#pragma GCC unroll 12
    for (int q = 0; q < P; ++q) acc[q][m] = b;
  }
  w = InOneRegister(w);
  const float* x0 = xg[0];
  const float* x1 = G > 1 ? xg[1] : xg[0];
  const float* x2 = G > 2 ? xg[2] : xg[0];
  for (int64_t ci = 0; ci < cin; ++ci) {
    const int64_t cio = ci * plane;
    const float* wci = w + ci * wstride;
    for (int64_t t = 0; t < ntaps; ++t) {
      const int64_t o = cio + offs[t];
      const float* wt = wci + woff[t];
      VF wv[M];
#pragma GCC unroll 4
      for (int m = 0; m < M; ++m) wv[m] = hn::LoadU(d, wt + m * L);
#pragma GCC unroll 4
      for (int q = 0; q < kPhaseGroupPixels; ++q) {
        const VF xv = hn::Set(d, x0[o + q]);
#pragma GCC unroll 4
        for (int m = 0; m < M; ++m) acc[q][m] = hn::MulAdd(wv[m], xv, acc[q][m]);
      }
      if (G > 1) {
#pragma GCC unroll 4
        for (int q = 0; q < kPhaseGroupPixels; ++q) {
          const VF xv = hn::Set(d, x1[o + q]);
#pragma GCC unroll 4
          for (int m = 0; m < M; ++m)
            acc[(G > 1 ? 1 : 0) * kPhaseGroupPixels + q][m] =
                hn::MulAdd(wv[m], xv, acc[(G > 1 ? 1 : 0) * kPhaseGroupPixels + q][m]);
        }
      }
      if (G > 2) {
#pragma GCC unroll 4
        for (int q = 0; q < kPhaseGroupPixels; ++q) {
          const VF xv = hn::Set(d, x2[o + q]);
#pragma GCC unroll 4
          for (int m = 0; m < M; ++m)
            acc[(G > 2 ? 2 : 0) * kPhaseGroupPixels + q][m] =
                hn::MulAdd(wv[m], xv, acc[(G > 2 ? 2 : 0) * kPhaseGroupPixels + q][m]);
        }
      }
    }
  }
  if (ostride == 1 && cvalid == M * static_cast<int>(L)) {
    // Channels last (y (N, *out, Cout)): a pixel's channels are contiguous.
#pragma GCC unroll 3
    for (int g = 0; g < G; ++g) {
      for (int q = 0; q < cnt[g]; ++q) {
        float* yq = yg[g] + q * sx;
#pragma GCC unroll 4
        for (int m = 0; m < M; ++m) hn::StoreU(acc[g * kPhaseGroupPixels + q][m], d, yq + m * L);
      }
    }
    return;
  }
  HWY_ALIGN float tmp[M * 64];
#pragma GCC unroll 3
  for (int g = 0; g < G; ++g) {
    for (int q = 0; q < cnt[g]; ++q) {
#pragma GCC unroll 4
      for (int m = 0; m < M; ++m) hn::Store(acc[g * kPhaseGroupPixels + q][m], d, tmp + m * L);
      float* yq = yg[g] + q * sx;
      for (int c = 0; c < cvalid; ++c) yq[c * ostride] = tmp[c];
    }
  }
}

// The taps one call of the channels kernel runs: those whose input row or
// slice lies inside the input for at least one of its pixel groups (groups
// are sorted by mask, so calls are mostly homogeneous). A skipped tap would
// only add products with padding zeros.
class TapSubset {
 public:
  explicit TapSubset(const PhaseChannelsArgs& a)
      : a_(a), all_(a.ntaps >= kPhaseMaskTaps ? ~uint64_t{0} : (uint64_t{1} << a.ntaps) - 1) {}
  // Sets *o and *wo to the taps of `mask` (input and weight offsets) and
  // returns their count.
  int64_t For(uint64_t mask, const int64_t** o, const int64_t** wo) {
    if ((mask & all_) == all_ || a_.ntaps > kPhaseMaskTaps) {
      *o = a_.offs;
      *wo = a_.woff;
      return a_.ntaps;
    }
    int64_t nt = 0;
    for (int64_t t = 0; t < a_.ntaps; ++t)
      if (mask >> t & 1) {
        offs_[nt] = a_.offs[t];
        woff_[nt++] = a_.woff[t];
      }
    *o = offs_;
    *wo = woff_;
    return nt;
  }

 private:
  const PhaseChannelsArgs& a_;
  const uint64_t all_;
  int64_t offs_[kPhaseMaskTaps], woff_[kPhaseMaskTaps];
};

// Registers: 2 channel vectors x 3 groups x 4 pixels = 24 accumulators + 2
// weight vectors + 1 broadcast with 32 registers; 8 accumulators below.
constexpr int kChannelVectors = 2;
constexpr int kChannelGroups = kRegs == 32 ? 3 : 1;

// f32_phase_channels_c32_<P>x<M>: contract in src/kernels/phase_kernels.h.
template <class D>
void PhaseChannels(const PhaseChannelsArgs& a) {
  static_assert(std::is_same<hn::TFromD<D>, float>::value, "an f32 kernel");
  const D d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  constexpr int kM = kChannelVectors;
  constexpr int kG = kChannelGroups;
  TCONV_DCHECK(a.cb >= 1 && a.cb <= kPhaseChannelBlock && a.g1 >= a.g0 && L <= kMaxLanes);
  const float* xbase = static_cast<const float*>(a.x);
  float* ybase = static_cast<float*>(a.y);
  const float* wb = static_cast<const float*>(a.w);
  const float* bias = static_cast<const float*>(a.bias);
  // Batch-interleaved: every group stores the images that exist.
  const int32_t kept[3] = {a.images, a.images, a.images};
  auto counts = [&](int64_t k) { return a.images > 0 ? kept : a.grp_n + k; };
  const int64_t pass = kM * L;  // channels per pass
  TapSubset taps(a);
  const uint64_t* gm = a.grp_mask;
  for (int64_t c0 = 0; c0 < a.cb; c0 += pass) {
    const int cv = static_cast<int>(std::min<int64_t>(pass, a.cb - c0));
    int64_t k = a.g0;
    const int64_t k1 = a.g1;
    const int64_t* to;
    const int64_t* tw;
    for (; k + kG <= k1; k += kG) {
      const float* xg[kG];
      float* yg[kG];
      uint64_t mask = 0;
      for (int g = 0; g < kG; ++g) {
        xg[g] = xbase + a.grp_x[k + g];
        yg[g] = ybase + a.grp_y[k + g] + c0 * a.ychan;
        mask |= gm[k + g];
      }
      const int64_t nt = taps.For(mask, &to, &tw);
      MicroC<kM, kG>(xg, a.cstride, a.cin, to, tw, nt, wb + c0, a.wstride, bias + c0, yg, counts(k), a.ychan,
                     a.ystep, cv);
    }
    if (kG == 3 && k + 2 <= k1) {  // dcgan_g2: 32 groups per task = 10 x 3 + 2
      const float* xg[2] = {xbase + a.grp_x[k], xbase + a.grp_x[k + 1]};
      float* yg[2] = {ybase + a.grp_y[k] + c0 * a.ychan, ybase + a.grp_y[k + 1] + c0 * a.ychan};
      const int64_t nt = taps.For(gm[k] | gm[k + 1], &to, &tw);
      MicroC<kM, 2>(xg, a.cstride, a.cin, to, tw, nt, wb + c0, a.wstride, bias + c0, yg, counts(k), a.ychan,
                    a.ystep, cv);
      k += 2;
    }
    for (; k < k1; ++k) {
      const float* xg[1] = {xbase + a.grp_x[k]};
      float* yg[1] = {ybase + a.grp_y[k] + c0 * a.ychan};
      const int64_t nt = taps.For(gm[k], &to, &tw);
      MicroC<kM, 1>(xg, a.cstride, a.cin, to, tw, nt, wb + c0, a.wstride, bias + c0, yg, counts(k), a.ychan,
                    a.ystep, cv);
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_PHASE_CHANNELS_INL_H_
