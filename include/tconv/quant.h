// Quantized (int8) transposed convolution: the parameters of int8 plans
// (PlanOptions::dtype DataType::kInt8) and the one requantization rule that
// the integer reference and every int8 kernel share, bit for bit.
//
// The convention is ONNX QLinearConv's (and TFLite's quantized transpose
// convolution), transposed:
//
//   x: uint8 or int8 (x_type), real value x_scale * (x - x_zero_point)
//   w: int8, (Cin, Cout/groups, *k), real value w_scale[c] * w, symmetric
//      (zero point 0, which ONNX requires for per-channel scales; tconv
//      asks it for per-tensor scales too); w_scale has 1 value (per tensor)
//      or Cout (per output channel c = group * Cout/groups + co_in_group,
//      the order of the output's channel axis)
//   bias: int32 (Cout) or absent, in units of x_scale * w_scale[c] (zero
//      point 0), added to the accumulator
//   acc[n, c, o] = bias[c] + sum (x - x_zero_point) * w over the real
//      contributions (the transposed-convolution semantics of DESIGN.md),
//      exact: int64 in the reference, int32 in kernels (Create refuses a
//      layer whose worst case, Cin/groups x (the taps reaching one output)
//      x 255 x 128, could overflow it: kMaxInt8Products products per
//      output)
//   y: uint8 or int8 (y_type): requantized as below, with y_scale and
//      y_zero_point, saturated to the type's range; or float32 (y_type
//      kFloat32): dequantized, y_scale and y_zero_point unused.
//
// Requantization, precisely (double precision, IEEE, no FMA contraction):
//   M[c] = (double(x_scale) * double(w_scale[c])) / double(y_scale)
//   v    = double(acc) * M[c]
//   q    = v rounded to the nearest integer, ties to even (computed with
//          floor and comparisons: independent of the FP rounding mode)
//   y    = clamp(q + y_zero_point, type min, type max)
// and dequantization (y float32):
//   D[c] = double(x_scale) * double(w_scale[c]);  y = float(double(acc) * D[c])
// onnxruntime computes M in float32, so a value whose v lies within float
// rounding of a .5 tie may differ from it by one; tconv's results depend
// on nothing but these formulas.
#ifndef TCONV_QUANT_H_
#define TCONV_QUANT_H_

#include <cmath>
#include <cstdint>
#include <vector>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// Element type of a quantized tensor (x: kUInt8 or kInt8; y: any).
enum class QuantType { kUInt8, kInt8, kFloat32 };

inline const char* QuantTypeName(QuantType t) {
  return t == QuantType::kUInt8 ? "u8" : t == QuantType::kInt8 ? "s8" : "f32";
}
inline int32_t QuantTypeMin(QuantType t) { return t == QuantType::kUInt8 ? 0 : -128; }
inline int32_t QuantTypeMax(QuantType t) { return t == QuantType::kUInt8 ? 255 : 127; }

struct QuantParams {
  QuantType x_type = QuantType::kUInt8;
  float x_scale = 1.0f;
  int32_t x_zero_point = 0;
  std::vector<float> w_scale = {1.0f};  // 1 (per tensor) or Cout (per output channel)
  int32_t w_zero_point = 0;             // must be 0
  QuantType y_type = QuantType::kUInt8;
  float y_scale = 1.0f;                 // y u8/s8 only
  int32_t y_zero_point = 0;             // y u8/s8 only
};

// Products one output may sum in an int8 plan: the int32 accumulator holds
// kMaxInt8Products * 255 * 128 (|x - x_zero_point| <= 255, |w| <= 128).
constexpr int64_t kMaxInt8Products = INT32_MAX / (255 * 128);

// Checks q for a layer of `out_channels` output channels; one-line messages
// naming the field: "x_scale must be finite and > 0 (got 0)",
// "x_zero_point must be in [0, 255] for u8 x (got 300)", "w_scale has 5
// values: expected 1 (per tensor) or Cout = 4 (per output channel)", ...
Status ValidateQuantParams(const QuantParams& q, int64_t out_channels);

// w_scale of output channel c (per tensor: the one value).
inline float WScale(const QuantParams& q, int64_t c) {
  return q.w_scale.size() == 1 ? q.w_scale[0] : q.w_scale[static_cast<size_t>(c)];
}

// M[c] (y u8/s8) or D[c] (y f32), as in the comment at the top.
inline double RequantMultiplier(const QuantParams& q, int64_t c) {
  const double d = static_cast<double>(q.x_scale) * static_cast<double>(WScale(q, c));
  return q.y_type == QuantType::kFloat32 ? d : d / static_cast<double>(q.y_scale);
}

// y = clamp(RNE(acc * m) + zp, lo, hi).
inline int32_t Requantize(int64_t acc, double m, int32_t zp, int32_t lo, int32_t hi) {
  double v = static_cast<double>(acc) * m;
  // Far outside [lo - zp, hi - zp] the result saturates; clamping first
  // keeps the integer conversion defined.
  const double vlo = static_cast<double>(lo) - zp - 2.0, vhi = static_cast<double>(hi) - zp + 2.0;
  v = v < vlo ? vlo : v > vhi ? vhi : v;
  const double f = std::floor(v);
  const double frac = v - f;  // exact: |v| is small
  int64_t r = static_cast<int64_t>(f);
  if (frac > 0.5 || (frac == 0.5 && (r & 1) != 0)) ++r;
  r += zp;
  return static_cast<int32_t>(r < lo ? lo : r > hi ? hi : r);
}

inline float Dequantize(int64_t acc, double d) { return static_cast<float>(static_cast<double>(acc) * d); }

using U8View = BasicTensorView<uint8_t>;
using ConstU8View = BasicTensorView<const uint8_t>;
using I8View = BasicTensorView<int8_t>;
using ConstI8View = BasicTensorView<const int8_t>;
using ConstI32View = BasicTensorView<const int32_t>;

// A quantized tensor of the element type its QuantParams field names
// (x_type or y_type): data points to uint8, int8 or float elements.
struct QuantView {
  void* data = nullptr;
  Shape shape;
};
struct ConstQuantView {
  const void* data = nullptr;
  Shape shape;
  ConstQuantView() = default;
  ConstQuantView(const void* d, Shape s) : data(d), shape(std::move(s)) {}
  ConstQuantView(const QuantView& v) : data(v.data), shape(v.shape) {}  // NOLINT(runtime/explicit)
};

}  // namespace tconv

#endif  // TCONV_QUANT_H_
