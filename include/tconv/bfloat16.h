// bfloat16: the element type of bf16 plans (PlanOptions::dtype).
//
// A BFloat16 is the upper 16 bits of an IEEE float32 (sign, 8 exponent
// bits, 7 mantissa bits), stored as its bits: layout-compatible with
// torch.bfloat16, numpy's uint16 view of it, and __bf16. Conversion from
// float rounds to nearest, ties to even, as torch does
// (c10::round_to_nearest_even): finite values that round past the largest
// bf16 become +-Inf, +-Inf stay +-Inf, and every NaN becomes the quiet NaN
// 0x7FC0 (sign and payload dropped, as c10::BFloat16's constructor does;
// torch's tensor casts give 0xFFFF, also a NaN).
// Conversion to float is exact.
#ifndef TCONV_BFLOAT16_H_
#define TCONV_BFLOAT16_H_

#include <cstdint>
#include <cstring>

#include "tconv/tensor.h"

namespace tconv {

struct BFloat16 {
  uint16_t bits = 0;
};
static_assert(sizeof(BFloat16) == 2, "BFloat16 is its 16 bits");

// The element type a plan computes in (PlanOptions::dtype).
//   kFloat32   x, w, bias and y are float32.
//   kBFloat16  x is bf16 (Plan::Run's BFloat16 overloads); the float32
//              weight is rounded to bf16 once, by Create (a weight that
//              already holds bf16 values is taken as is); the bias stays
//              float32; products are accumulated in float32; y is float32
//              or bf16 (rounded once, at the end), whichever view Run gets.
//   kInt8      quantized (tconv/quant.h): x uint8 or int8 with a scale and
//              zero point, w int8 (symmetric, per-tensor or per-channel
//              scales), bias int32, exact integer accumulation, y
//              requantized to uint8 / int8 or dequantized to float32.
//              Plans come from the Create overload that takes QuantParams.
enum class DataType { kFloat32, kBFloat16, kInt8 };

inline const char* DataTypeName(DataType t) {
  return t == DataType::kBFloat16 ? "bf16" : t == DataType::kInt8 ? "int8" : "f32";
}

// Round to nearest even (see the top of this file).
inline BFloat16 ToBFloat16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  BFloat16 b;
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) {  // NaN
    b.bits = 0x7FC0;
    return b;
  }
  u += 0x7FFFu + ((u >> 16) & 1u);  // ties go to the even upper half
  b.bits = static_cast<uint16_t>(u >> 16);
  return b;
}

inline float ToFloat(BFloat16 b) {
  const uint32_t u = static_cast<uint32_t>(b.bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// f rounded to the nearest bf16, as a float (exactly representable).
inline float RoundToBFloat16(float f) { return ToFloat(ToBFloat16(f)); }

using BF16View = BasicTensorView<BFloat16>;
using ConstBF16View = BasicTensorView<const BFloat16>;

}  // namespace tconv

#endif  // TCONV_BFLOAT16_H_
