// The channels-last int8 depthwise kernel i8_dw_nhwc_row (contract:
// DwNhwcInt8Args in src/kernels/dw_nhwc_kernels.h): channels in the f32
// lanes, x's bytes widened to f32 on load, each output summing only its
// taps (exact f32 integers), then requantized: in float where float proves
// Requantize's integer (the f32 route, int8_round_f32-inl.h), else in
// double, half a vector at a time: the steps of tconv/quant.h's Requantize
// (clamp near the range unless the caller knows it is, round to nearest
// even, add the zero point, saturate to the type), all exact, so the bits
// are Requantize's.
// Highway's per-target include guard.
#if defined(TCONV_SRC_KERNELS_HWY_DW_NHWC_INT8_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef TCONV_SRC_KERNELS_HWY_DW_NHWC_INT8_INL_H_
#undef TCONV_SRC_KERNELS_HWY_DW_NHWC_INT8_INL_H_
#else
#define TCONV_SRC_KERNELS_HWY_DW_NHWC_INT8_INL_H_
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"
#include "src/base/check.h"
#include "src/kernels/dw_nhwc_kernels.h"
#include "src/kernels/hwy/int8_round_f32-inl.h"

HWY_BEFORE_NAMESPACE();
namespace tconv {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The descriptors: sums in f32 vectors (NF lanes), x's bytes as many;
// the epilogue in double (ND lanes, NF / ND of them per f32 vector) with
// int32 and byte vectors of ND lanes.
struct DwInt8Tags {
  hn::ScalableTag<float> df;
  hn::RebindToSigned<hn::ScalableTag<float>> di;
  hn::Rebind<uint8_t, hn::ScalableTag<float>> du;
  hn::Rebind<int8_t, hn::ScalableTag<float>> ds;
  hn::ScalableTag<double> dd;
  hn::Rebind<float, hn::ScalableTag<double>> dfh;
  hn::Rebind<int32_t, hn::ScalableTag<double>> dih;
  hn::Rebind<uint8_t, hn::ScalableTag<double>> duh;
  hn::Rebind<int8_t, hn::ScalableTag<double>> dsh;
};
using DwF32 = hn::Vec<hn::ScalableTag<float>>;

// NF channels of x at xs as f32, less the zero point (exact).
template <bool kSigned>
HWY_INLINE DwF32 LoadX(const DwInt8Tags& t, const uint8_t* xs, hn::Vec<decltype(DwInt8Tags::di)> zp) {
  const auto v = kSigned ? hn::PromoteTo(t.di, hn::LoadU(t.ds, reinterpret_cast<const int8_t*>(xs)))
                         : hn::PromoteTo(t.di, hn::LoadU(t.du, xs));
  return hn::ConvertTo(t.df, hn::Sub(v, zp));
}

// V vectors of channels [c0, c0 + V*NF) of one output pixel: the sums over
// its n taps (x at xn + xo[j], w at w + wo[j]) into acc, from init[c0 ..]
// (null: from zero).
template <int V, bool kSigned>
HWY_INLINE void DwInt8Sums(const DwInt8Tags& t, hn::Vec<decltype(DwInt8Tags::di)> zp, const uint8_t* xn, const float* w,
                           const int64_t* xo, const int64_t* wo, int64_t n, int64_t c0, const float* init,
                           DwF32* acc) {
  const int64_t NF = static_cast<int64_t>(hn::Lanes(t.df));
  for (int v = 0; v < V; ++v) acc[v] = init ? hn::LoadU(t.df, init + c0 + v * NF) : hn::Zero(t.df);
  for (int64_t j = 0; j < n; ++j) {
    const uint8_t* xs = xn + xo[j] + c0;
    const float* ws = w + wo[j] + c0;
    for (int v = 0; v < V; ++v)
      acc[v] = hn::MulAdd(LoadX<kSigned>(t, xs + v * NF, zp), hn::LoadU(t.df, ws + v * NF), acc[v]);
  }
}

// The requantization's constants, as locals (the byte stores to y may
// alias anything the kernel reads through a pointer: the compiler would
// reload them after every store).
struct DwRequant {
  bool f32, in_range, s8;
  int32_t zp, ymin, ymax;
  double lo, hi, zpd;  // the clamp near the range, and the zero point
  explicit DwRequant(const DwNhwcInt8Args& a)
      : f32(a.y_f32),
        in_range(a.in_range),
        s8(a.y_min < 0),
        zp(a.y_zero_point),
        ymin(a.y_min),
        ymax(a.y_max),
        lo(a.y_min - static_cast<double>(a.y_zero_point) - 2.0),
        hi(a.y_max - static_cast<double>(a.y_zero_point) + 2.0),
        zpd(a.y_zero_point) {}
};

// Lanes of q (int32) to y's bytes at out, saturated to the type first:
// Highway 1.0.3's int32 -> u8 DemoteTo on AVX2 and AVX-512 packs to u16,
// then clears bit 15 before its last pack, so 32768..33023 became 0..255
// instead of 255.
template <class DI, class DS, class DU>
HWY_INLINE void StoreBytes(DI di, DS ds, DU du, const DwRequant& r, hn::Vec<DI> q, uint8_t* out) {
  q = hn::Min(hn::Max(q, hn::Set(di, r.ymin)), hn::Set(di, r.ymax));
  if (r.s8) {
    hn::StoreU(hn::DemoteTo(ds, q), ds, reinterpret_cast<int8_t*>(out));
  } else {
    hn::StoreU(hn::DemoteTo(du, q), du, out);
  }
}

// ND sums (as double) to y's type at out, channels c of bias and mult.
HWY_INLINE void DwInt8StoreHalf(const DwInt8Tags& t, const DwRequant& r, hn::Vec<decltype(t.dd)> s, const double* bias,
                                const double* mult, uint8_t* out) {
  const auto v = hn::Mul(hn::Add(s, hn::LoadU(t.dd, bias)), hn::LoadU(t.dd, mult));
  if (r.f32) {
    hn::StoreU(hn::DemoteTo(t.dfh, v), t.dfh, reinterpret_cast<float*>(out));
    return;
  }
  hn::Vec<decltype(t.dih)> q;
  if (r.in_range) {  // |v| < 2^30: round, add the zero point in int32, saturate to the type
    q = hn::Add(hn::DemoteTo(t.dih, hn::Round(v)), hn::Set(t.dih, r.zp));
  } else {
    const auto c = hn::Round(hn::Min(hn::Max(v, hn::Set(t.dd, r.lo)), hn::Set(t.dd, r.hi)));
    q = hn::DemoteTo(t.dih, hn::Add(c, hn::Set(t.dd, r.zpd)));
  }
  StoreBytes(t.dih, t.dsh, t.duh, r, q, out);
}

// One vector of sums to y: NF elements at out (channels c of bias and mult).
// With bias_f32 and mult_f32 (the f32 route), s already holds the bias.
HWY_INLINE void DwInt8Store(const DwInt8Tags& t, const DwRequant& r, DwF32 s, const double* bias, const double* mult,
                            const float* bias_f32, const float* mult_f32, uint8_t* out, int64_t yb) {
  if (mult_f32) {
    hn::Vec<decltype(t.di)> q;
    if (Int8RoundF32(t.df, s, hn::LoadU(t.df, mult_f32), !r.in_range, &q)) {
      StoreBytes(t.di, t.ds, t.du, r, hn::Add(q, hn::Set(t.di, r.zp)), out);
      return;
    }
    s = hn::Sub(s, hn::LoadU(t.df, bias_f32));  // exact: the sums without the bias
  }
#if HWY_TARGET == HWY_SCALAR
  (void)yb;
  DwInt8StoreHalf(t, r, hn::PromoteTo(t.dd, s), bias, mult, out);  // one lane: no halves
#else
  const int64_t ND = static_cast<int64_t>(hn::Lanes(t.dd));
  DwInt8StoreHalf(t, r, hn::PromoteTo(t.dd, hn::LowerHalf(t.dfh, s)), bias, mult, out);
  DwInt8StoreHalf(t, r, hn::PromoteTo(t.dd, hn::UpperHalf(t.dfh, s)), bias + ND, mult + ND, out + ND * yb);
#endif
}

// Vectors of channels per block.
constexpr int kDwInt8Vectors = 4;

template <bool kSigned>
void DwNhwcInt8RowImpl(const DwNhwcInt8Args& a) {
  const DwInt8Tags t;
  const DwNhwcRowArgs& p = a.row;
  const int64_t NF = static_cast<int64_t>(hn::Lanes(t.df)), C = p.c, yb = a.y_f32 ? 4 : 1;
  constexpr int kV = kDwInt8Vectors;
  const uint8_t* xn = static_cast<const uint8_t*>(p.x);
  const float* w = static_cast<const float*>(p.w);
  uint8_t* yrow = static_cast<uint8_t*>(p.y);
  const DwRequant rq(a);
  const double* bias = a.bias;
  const double* mult = a.mult;
  const float* bias_f32 = a.bias_f32;
  const float* mult_f32 = a.mult_f32;
  DwF32 acc[kV];
  // The last C mod NF channels: scalar sums (exact integers, so the same
  // as the vectors'), then the same epilogue from zero-padded copies into
  // a scratch output.
  const int64_t full = C / NF * NF, rest = C - full;
  constexpr int64_t kMax = HWY_MAX_BYTES / sizeof(float);
  alignas(64) float st[kMax] = {}, btf[kMax] = {}, mtf[kMax] = {};
  alignas(64) double bt[kMax] = {}, mt[kMax] = {};
  alignas(64) uint8_t yt[kMax * 4];
  std::copy(a.bias + full, a.bias + C, bt);
  std::copy(a.mult + full, a.mult + C, mt);
  if (mult_f32) {
    std::copy(bias_f32 + full, bias_f32 + C, btf);
    std::copy(mult_f32 + full, mult_f32 + C, mtf);
  }
  const AxisTaps &td = *p.td, &ty = *p.ty;
  const auto zp = hn::Set(t.di, a.x_zero_point);
  int64_t xo[kDwInt8MaxTaps], wo[kDwInt8MaxTaps];  // each tap's pixel in x and in w, channel 0
  for (int64_t ox = 0; ox < p.ow; ++ox) {
    const AxisTaps& tx = p.tx[ox];
    uint8_t* yp = yrow + ox * C * yb;
    int64_t n = 0;
    for (int64_t jd = 0; jd < td.count; ++jd)
      for (int64_t jy = 0; jy < ty.count; ++jy)
        for (int64_t jx = 0; jx < tx.count; ++jx, ++n) {
          TCONV_DCHECK(n < kDwInt8MaxTaps);
          const int64_t id = td.i0 - jd * p.istep[0], kd = td.k0 + jd * p.kstep[0];
          const int64_t iy = ty.i0 - jy * p.istep[1], ky = ty.k0 + jy * p.kstep[1];
          const int64_t ix = tx.i0 - jx * p.istep[2], kx = tx.k0 + jx * p.kstep[2];
          xo[n] = ((id * p.in[1] + iy) * p.in[2] + ix) * C;
          wo[n] = ((kd * p.k[1] + ky) * p.k[2] + kx) * C;
        }
    int64_t c0 = 0;
    for (; c0 + kV * NF <= full; c0 += kV * NF) {
      DwInt8Sums<kV, kSigned>(t, zp, xn, w, xo, wo, n, c0, bias_f32, acc);
      for (int v = 0; v < kV; ++v) {
        const int64_t c = c0 + v * NF;
        DwInt8Store(t, rq, acc[v], bias + c, mult + c, bias_f32 ? bias_f32 + c : nullptr,
                    mult_f32 ? mult_f32 + c : nullptr, yp + c * yb, yb);
      }
    }
    for (; c0 < full; c0 += NF) {
      DwInt8Sums<1, kSigned>(t, zp, xn, w, xo, wo, n, c0, bias_f32, acc);
      DwInt8Store(t, rq, acc[0], bias + c0, mult + c0, bias_f32 ? bias_f32 + c0 : nullptr,
                  mult_f32 ? mult_f32 + c0 : nullptr, yp + c0 * yb, yb);
    }
    if (rest == 0) continue;
    for (int64_t c = 0; c < rest; ++c) {
      float sum = mult_f32 ? btf[c] : 0.0f;
      for (int64_t j = 0; j < n; ++j) {
        const uint8_t b = xn[xo[j] + full + c];
        const int32_t xv = kSigned ? static_cast<int8_t>(b) : b;
        sum += static_cast<float>(xv - a.x_zero_point) * w[wo[j] + full + c];
      }
      st[c] = sum;
    }
    DwInt8Store(t, rq, hn::Load(t.df, st), bt, mt, mult_f32 ? btf : nullptr, mult_f32 ? mtf : nullptr, yt, yb);
    std::memcpy(yp + full * yb, yt, static_cast<size_t>(rest * yb));
  }
}

// i8_dw_nhwc_row: contract in dw_nhwc_kernels.h.
template <class D>
void DwNhwcInt8Row(const DwNhwcInt8Args& a) {
  TCONV_DCHECK(a.row.c >= 1 && a.row.ow >= 1 && a.bias && a.mult);
  if (a.x_signed) {
    DwNhwcInt8RowImpl<true>(a);
  } else {
    DwNhwcInt8RowImpl<false>(a);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace tconv
HWY_AFTER_NAMESPACE();

#endif  // TCONV_SRC_KERNELS_HWY_DW_NHWC_INT8_INL_H_
