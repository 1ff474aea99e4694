// The one family of integer division helpers (floor and ceiling division,
// floor modulo) for possibly negative numerators, as the geometry needs them:
// pads and output shifts may be negative, and C++ `/` truncates toward zero
// (ONNX's output_shape rule depends on floor division of a negative total).
// For a >= 0 and b > 0, CeilDiv(a, b) equals (a + b - 1) / b.
//
// Bottom layer: includes nothing of tconv; every layer may use it.
#ifndef TCONV_SRC_BASE_INT_MATH_H_
#define TCONV_SRC_BASE_INT_MATH_H_

#include <cstdint>

namespace tconv {

// floor(a / b) for b > 0 or b < 0.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return (a % b != 0 && ((a < 0) != (b < 0))) ? a / b - 1 : a / b;
}

// ceil(a / b).
constexpr int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// a - b * floor(a / b): in [0, b) for b > 0.
constexpr int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// a rounded up to a multiple of m (m > 0).
constexpr int64_t RoundUp(int64_t a, int64_t m) { return CeilDiv(a, m) * m; }

static_assert(FloorDiv(-1, 2) == -1 && FloorDiv(-4, 2) == -2 && FloorDiv(3, 2) == 1, "FloorDiv");
static_assert(CeilDiv(-3, 2) == -1 && CeilDiv(3, 2) == 2 && CeilDiv(4, 2) == 2, "CeilDiv");
static_assert(FloorMod(-1, 3) == 2 && FloorMod(4, 3) == 1, "FloorMod");

}  // namespace tconv

#endif  // TCONV_SRC_BASE_INT_MATH_H_
