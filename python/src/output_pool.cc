// OutputPool (output_pool.h).
#include "python/src/output_pool.h"

#include <utility>

namespace tconv {
namespace pyext {

size_t OutputPool::held() const { return free_.size(); }

void OutputPool::Give(py::array buffer) {
  if (free_.size() < keep_) free_.push_back(std::move(buffer));
}

bool OutputPool::Pools(const Shape& shape) const {
  size_t count = 1;
  for (const int64_t d : shape) count *= static_cast<size_t>(d);
  return count != 0 && count * sizeof(float) >= min_bytes_;
}

py::array OutputPool::Take(const Shape& shape) {
  py::ssize_t count = 1;
  for (const int64_t d : shape) count *= static_cast<py::ssize_t>(d);
  if (!Pools(shape)) return py::array_t<float>(shape);
  py::object buffer;  // (a default py::array is not empty but a 0-size array)
  for (size_t i = 0; i < free_.size(); ++i) {
    if (free_[i].size() == count) {
      buffer = std::move(free_[i]);
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  if (!buffer) buffer = py::array_t<float>(count);
  // The capsule holds the buffer (and keeps the pool alive) until the last
  // array or tensor over it is gone; then the buffer goes back to the pool.
  struct Owner {
    std::shared_ptr<OutputPool> pool;
    py::array buffer;
  };
  auto array = py::reinterpret_steal<py::array>(buffer.release());
  auto* data = static_cast<float*>(array.mutable_data());
  auto* owner = new Owner{shared_from_this(), std::move(array)};
  py::capsule base(owner, [](void* p) {
    std::unique_ptr<Owner> o(static_cast<Owner*>(p));
    o->pool->Give(std::move(o->buffer));
  });
  return py::array_t<float>(shape, data, base);
}

}  // namespace pyext
}  // namespace tconv
