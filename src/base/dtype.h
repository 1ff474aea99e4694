// The dtype seam: element types and type-erased buffers.
//
// Every layer below the public API passes tensor data as a ConstBuffer /
// Buffer (pointer + element type): PreparedAlgo::Run, weight packing, the
// kernel argument structs and the kernel list (src/kernels/list.inc), whose
// entries say which dtype they compute. f32 everywhere; bf16 in phase
// (src/algo/phase_bf16.cc) and ref. A bf16 or int8 kernel is an addition (a kernel templated on its
// Highway tag, a list line, a packer), not a change of these signatures.
//
// Bottom layer: includes nothing of tconv; every layer may use it.
#ifndef TCONV_SRC_BASE_DTYPE_H_
#define TCONV_SRC_BASE_DTYPE_H_

#include <cstddef>
#include <cstdint>

#include "src/base/check.h"

namespace tconv {

enum class DType : uint8_t {
  kF32,   // float
  kBF16,  // bfloat16 (accumulated in f32)
  kI8,    // int8 (accumulated in i32)
  kU8,    // uint8
  kI32,   // int32 (accumulators, quantized bias)
};

constexpr const char* DTypeName(DType t) {
  return t == DType::kF32 ? "f32" : t == DType::kBF16 ? "bf16" : t == DType::kI8 ? "i8" : t == DType::kU8 ? "u8" : "i32";
}
constexpr size_t DTypeSize(DType t) {
  return t == DType::kF32 || t == DType::kI32 ? 4 : t == DType::kBF16 ? 2 : 1;
}

// The DType of a C++ element type (only those tconv computes in).
template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::kF32;
};
// bf16 travels as its 16 bits (tconv::BFloat16 in the public API, the
// upper half of a float32).
template <>
struct DTypeOf<uint16_t> {
  static constexpr DType value = DType::kBF16;
};
template <>
struct DTypeOf<int8_t> {
  static constexpr DType value = DType::kI8;
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::kU8;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::kI32;
};

// A set of DTypes (Algorithm::dtypes).
constexpr uint32_t DTypeBit(DType t) { return 1u << static_cast<unsigned>(t); }

// Read-only tensor data of one element type; data == nullptr means absent
// (e.g. no bias).
struct ConstBuffer {
  const void* data = nullptr;
  DType dtype = DType::kF32;

  ConstBuffer() = default;
  ConstBuffer(const void* d, DType t) : data(d), dtype(t) {}
  template <typename T>
  explicit ConstBuffer(const T* d) : data(d), dtype(DTypeOf<T>::value) {}
  // The data as T*; the element type must be T (checked in debug builds).
  template <typename T>
  const T* As() const {
    TCONV_DCHECK(data == nullptr || dtype == DTypeOf<T>::value);
    return static_cast<const T*>(data);
  }
};

// Writable tensor data of one element type.
struct Buffer {
  void* data = nullptr;
  DType dtype = DType::kF32;

  Buffer() = default;
  Buffer(void* d, DType t) : data(d), dtype(t) {}
  template <typename T>
  explicit Buffer(T* d) : data(d), dtype(DTypeOf<T>::value) {}
  template <typename T>
  T* As() const {
    TCONV_DCHECK(data == nullptr || dtype == DTypeOf<T>::value);
    return static_cast<T*>(data);
  }
  operator ConstBuffer() const { return ConstBuffer(data, dtype); }  // NOLINT(runtime/explicit)
};

}  // namespace tconv

#endif  // TCONV_SRC_BASE_DTYPE_H_
