// The per-target half of the ISA layer (the portable half, naming and
// choosing targets, is src/dispatch/cpu.h): what the kernels need to know
// about the target they are compiled for, and the few instructions Highway
// 1.0 does not express, each behind a portable name with a plain Highway
// fallback. On x86 the raw intrinsics keep their speed; other targets get
// the Highway form (on Arm, NEON's 32 registers take the AVX-512 blocking).
//
// Included once per target by src/kernels/hwy/kernels_*_hwy.cc (Highway's
// per-target include guard).
#if defined(TCONV_SRC_KERNELS_HWY_ISA_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_ISA_INL_H_
#undef TCONV_SRC_KERNELS_HWY_ISA_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_ISA_INL_H_
#endif

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Vector registers the kernels block for: accumulators plus operands must
// fit, or the compiler spills them.
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_NEON
constexpr int kRegs = 32;
#else
constexpr int kRegs = 16;
#endif

// Keeps a vector in a register: GCC otherwise folds a load into every FMA
// that uses it (a memory operand each), undoing a kernel's reuse of it.
template <class V>
HWY_INLINE void PinVector(V& v) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
  asm("" : "+v"(v.raw));
#else
  (void)v;
#endif
}

// Keeps a pointer in a general register across a loop (GCC otherwise kept
// one offset per row and spilled them).
template <class T>
HWY_INLINE void PinPointer(T*& p) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
  asm("" : "+r"(p));
#else
  (void)p;
#endif
}

// y[2i] = a[i], y[2i + 1] = b[i] for i < Lanes. On AVX-512, two two-table
// permutes: Highway 1.0's StoreInterleaved2 takes six shuffles per pair
// (unet3d_up 1t, A/B medians: +1.5%).
template <class D, class VF>
HWY_INLINE void StoreZip2(VF a, VF b, D d, float* HWY_RESTRICT y) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  (void)d;
  const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  _mm512_storeu_ps(y, _mm512_permutex2var_ps(a.raw, lo, b.raw));
  _mm512_storeu_ps(y + 16, _mm512_permutex2var_ps(a.raw, hi, b.raw));
#else
  hn::StoreInterleaved2(a, b, d, y);
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_ISA_INL_H_
