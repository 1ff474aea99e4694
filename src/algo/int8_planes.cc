// int8 helpers shared by the f32 and int32 plane algorithms: see int8_planes.h.
#include "src/algo/int8_planes.h"

#include <algorithm>

#include "src/base/int_math.h"
#include "src/base/parallel.h"

namespace tconv {
namespace {

// Below this many elements the conversion runs on one thread (a parallel
// region costs more than the loop).
constexpr int64_t kParallelMin = 1 << 16;

template <typename X>
void Center(const X* x, float zp, int64_t count, float* dst, int threads) {
  const int64_t chunk = std::max<int64_t>(4096, CeilDiv(CeilDiv(count, threads), 16) * 16);
  ParallelFor(count > kParallelMin ? threads : 1, CeilDiv(count, chunk), [&](int64_t c) {
    const int64_t end = std::min(count, (c + 1) * chunk);
    for (int64_t i = c * chunk; i < end; ++i) dst[i] = static_cast<float>(x[i]) - zp;
  });
}

}  // namespace

kernels::Int8Out Int8OutOf(const QuantParams& q) {
  return q.y_type == QuantType::kFloat32 ? kernels::Int8Out::kF32
         : q.y_type == QuantType::kUInt8 ? kernels::Int8Out::kU8
                                         : kernels::Int8Out::kS8;
}

void CenterToF32(const void* x, const QuantParams& q, int64_t count, float* dst, int threads) {
  const float zp = static_cast<float>(q.x_zero_point);
  if (q.x_type == QuantType::kUInt8) {
    Center(static_cast<const uint8_t*>(x), zp, count, dst, threads);
  } else {
    Center(static_cast<const int8_t*>(x), zp, count, dst, threads);
  }
}

kernels::Int8RequantArgs PlaneRequantArgs(const QuantParams& q, double bias, double mult, void* y, int64_t off,
                                          int64_t n) {
  kernels::Int8RequantArgs a;
  a.n = n;
  a.bias = bias, a.mult = mult;
  a.y_type = Int8OutOf(q);
  const bool f32 = a.y_type == kernels::Int8Out::kF32;
  a.y = f32 ? static_cast<void*>(static_cast<float*>(y) + off) : static_cast<void*>(static_cast<uint8_t*>(y) + off);
  a.y_zero_point = q.y_zero_point;
  a.y_min = f32 ? 0 : QuantTypeMin(q.y_type);
  a.y_max = f32 ? 0 : QuantTypeMax(q.y_type);
  return a;
}

}  // namespace tconv
