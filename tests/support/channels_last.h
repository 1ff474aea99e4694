// Test oracle for Layout::kNHWC: plain loops that permute a channels-first
// tensor to channels last, independent of src/layout_convert.cc.
#ifndef TCONV_TESTS_SUPPORT_CHANNELS_LAST_H_
#define TCONV_TESTS_SUPPORT_CHANNELS_LAST_H_

#include <cstdint>
#include <vector>

#include "tconv/layout.h"
#include "tconv/tensor.h"

namespace tconv {
namespace testing {

// v holds (n, c, p) in C order; returns (n, p, c).
inline std::vector<float> ToChannelsLast(const std::vector<float>& v, int64_t n, int64_t c, int64_t p) {
  std::vector<float> out(v.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t q = 0; q < p; ++q) out[(i * p + q) * c + ch] = v[(i * c + ch) * p + q];
  return out;
}

// (N, C, *spatial) -> (N, *spatial, C).
inline Tensor ToChannelsLast(const Tensor& t) {
  Tensor out(ShapeInLayout(t.shape, Layout::kNHWC));
  const int64_t n = t.shape[0], c = t.shape[1];
  out.data = ToChannelsLast(t.data, n, c, n * c == 0 ? 0 : t.numel() / (n * c));
  return out;
}

}  // namespace testing
}  // namespace tconv

#endif  // TCONV_TESTS_SUPPORT_CHANNELS_LAST_H_
