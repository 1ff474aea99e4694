// OutputPool (output_pool.h).
#include "python/src/output_pool.h"

#include <new>
#include <utility>

namespace tconv {
namespace pyext {

namespace {

constexpr std::align_val_t kAlign{64};

void FreeBytes(void* p) { ::operator delete(p, kAlign); }

}  // namespace

OutputPool::~OutputPool() {
  for (const Buffer& b : free_) FreeBytes(b.data);
}

size_t OutputPool::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return free_.size();
}

void OutputPool::Give(Buffer b) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < keep_) {
      free_.push_back(b);
      return;
    }
  }
  FreeBytes(b.data);
}

py::array OutputPool::Take(const Shape& shape) {
  size_t count = 1;
  for (const int64_t d : shape) count *= static_cast<size_t>(d);
  if (count == 0) return py::array_t<float>(shape);  // nothing to reuse
  const size_t bytes = count * sizeof(float);
  Buffer b{nullptr, bytes};
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].bytes == bytes) {
        b = free_[i];
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }
  if (b.data == nullptr) b.data = ::operator new(bytes, kAlign);
  // The capsule owns the buffer (and keeps the pool alive) until the last
  // array or tensor over it is gone; then the buffer goes back to the pool.
  struct Owner {
    std::shared_ptr<OutputPool> pool;
    Buffer buffer;
  };
  auto* owner = new Owner{shared_from_this(), b};
  py::capsule base(owner, [](void* p) {
    std::unique_ptr<Owner> o(static_cast<Owner*>(p));
    o->pool->Give(o->buffer);
  });
  return py::array_t<float>(shape, static_cast<float*>(b.data), base);
}

}  // namespace pyext
}  // namespace tconv
