// bf16 <-> f32 for the layers below the public API (kernels, planners):
// the same rounding as tconv::ToBFloat16 (include/tconv/bfloat16.h, which
// the bottom layers may not include): to nearest, ties to even; every NaN
// becomes the quiet NaN 0x7FC0, as c10::BFloat16 does. Tested against
// the public one and against torch (tests/bf16_test.cc).
#ifndef TCONV_SRC_BASE_BF16_H_
#define TCONV_SRC_BASE_BF16_H_

#include <cstdint>
#include <cstring>

namespace tconv {

inline uint16_t Bf16Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

inline float Bf16ToF32(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace tconv

#endif  // TCONV_SRC_BASE_BF16_H_
