// Internal (bottom layer, like int_math.h): overflow-checked size arithmetic, the one helper every size,
// byte count and cost product in tconv goes through.
//
// Sizes come from users (a .npy header, a --stride flag, a layers.json
// entry), so a product of them may not fit in int64_t; signed overflow is
// undefined behaviour, and a wrapped size would allocate or describe the
// wrong thing. Two forms:
//  * CheckedMul / CheckedAdd: false on overflow, for sizes that must be exact
//    (element counts, bytes to allocate): the caller refuses the request.
//  * SatMul / SatAdd: saturate at kSaturated (INT64_MAX), for costs that only
//    describe (multiply-adds, workspace bytes of an algorithm that will not
//    be chosen): a saturated value means "more than 2^63", which no memory
//    limit admits, and `tconv explain` prints it as such.
// Inputs to the saturating forms are >= 0 (counts); negative inputs are a
// caller bug.
#ifndef TCONV_SRC_BASE_CHECKED_INT_H_
#define TCONV_SRC_BASE_CHECKED_INT_H_

#include <cstdint>
#include <initializer_list>
#include <limits>

namespace tconv {

constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();

// *out = a * b; false (and *out unspecified) on overflow.
inline bool CheckedMul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }
inline bool CheckedAdd(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }

// Product of all factors; false on overflow of any partial product.
inline bool CheckedProduct(std::initializer_list<int64_t> factors, int64_t* out) {
  int64_t p = 1;
  for (int64_t f : factors)
    if (!CheckedMul(p, f, &p)) return false;
  *out = p;
  return true;
}

// Saturating forms for non-negative counts.
inline int64_t SatMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kSaturated : r;
}
inline int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? kSaturated : r;
}
inline int64_t SatProduct(std::initializer_list<int64_t> factors) {
  int64_t p = 1;
  for (int64_t f : factors) p = SatMul(p, f);
  return p;
}
// bytes rounded up to a multiple of 64 (workspace parts stay cache-line
// aligned), saturating.
inline int64_t SatAlign64(int64_t bytes) { return bytes >= kSaturated - 63 ? kSaturated : (bytes + 63) / 64 * 64; }

}  // namespace tconv

#endif  // TCONV_SRC_BASE_CHECKED_INT_H_
