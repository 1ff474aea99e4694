// Tensors as the library sees them: a non-owning view (pointer + shape, dense
// C order, float32) and a small owning Tensor for the CLI and tests.
//
// Views are what the kernels take; they never allocate and never own. A
// Tensor is a std::vector<float> with a shape and is only a convenience.
#ifndef TCONV_TENSOR_H_
#define TCONV_TENSOR_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tconv {

using Shape = std::vector<int64_t>;

// Product of the dims; 1 for a rank-0 shape; INT64_MAX when it overflows.
int64_t NumElements(const Shape& shape);
// "(1, 2, 3, 4)" for messages.
std::string ShapeString(const Shape& shape);

template <typename T>
struct BasicTensorView {
  T* data = nullptr;
  Shape shape;

  BasicTensorView() = default;
  BasicTensorView(T* d, Shape s) : data(d), shape(std::move(s)) {}
  // A mutable view converts to a const one.
  template <typename U>
  BasicTensorView(const BasicTensorView<U>& o)  // NOLINT(runtime/explicit)
      : data(o.data), shape(o.shape) {}

  int64_t numel() const { return NumElements(shape); }
  int rank() const { return static_cast<int>(shape.size()); }
};

using TensorView = BasicTensorView<float>;
using ConstTensorView = BasicTensorView<const float>;

// Owning dense float32 tensor.
struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape s, float fill = 0.0f)
      : shape(std::move(s)), data(static_cast<size_t>(NumElements(shape)), fill) {}

  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  TensorView view() { return TensorView(data.data(), shape); }
  ConstTensorView view() const { return ConstTensorView(data.data(), shape); }
  ConstTensorView cview() const { return ConstTensorView(data.data(), shape); }
};

}  // namespace tconv

#endif  // TCONV_TENSOR_H_
