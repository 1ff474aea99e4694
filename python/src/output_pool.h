// Output arrays for a plan's repeated calls whose memory is reused
// (output_pool.cc).
//
// A new output per call is what torch's modules return, but a large one
// (above glibc's mmap threshold, at most 32 MiB) is a fresh mapping every
// call: its pages fault in and are zeroed by the kernel on first write
// (unet_up4, 39 MB: 57 ms a call against 34 ms into a reused array). An
// OutputPool hands out numpy arrays whose base is a capsule that gives the
// memory back to the pool when the array's last reference dies (the
// tensor torch.from_numpy made of it, and every view of that), so the next
// call writes into pages already mapped. Memory is reused only after the
// caller dropped every reference to it: no output is ever written while
// someone can still read it. The pool keeps at most `keep` freed buffers;
// the rest are freed at once. Only outputs of at least `min_bytes` are
// pooled: smaller ones come from malloc's heap, whose most recently freed
// chunk (often another layer's, still in cache) is warmer than a buffer
// only this plan touches (measured on dw_k4s2, 4 MB: a pooled output ran
// slower). glibc maps every allocation of 32 MiB or more afresh
// (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit), so that is the default bound. The buffers are numpy arrays (numpy's
// allocator, which asks for transparent huge pages on large arrays, as for
// every other output of the module); the pool is used with the GIL held.
#ifndef TCONV_PYTHON_SRC_OUTPUT_POOL_H_
#define TCONV_PYTHON_SRC_OUTPUT_POOL_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "python/src/convert.h"

namespace tconv {
namespace pyext {

class OutputPool : public std::enable_shared_from_this<OutputPool> {
 public:
  OutputPool(size_t keep, size_t min_bytes) : keep_(keep), min_bytes_(min_bytes) {}
  OutputPool(const OutputPool&) = delete;
  OutputPool& operator=(const OutputPool&) = delete;

  // A writeable, C-contiguous float32 array of `shape` (uninitialised).
  py::array Take(const Shape& shape);
  // True when outputs of `shape` are pooled (Take's arrays of that size
  // come from the pool and go back to it).
  bool Pools(const Shape& shape) const;
  // Freed buffers held now (for the tests).
  size_t held() const;

 private:
  void Give(py::array buffer);

  const size_t keep_;
  const size_t min_bytes_;
  std::vector<py::array> free_;  // 1-D float32 arrays
};

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_OUTPUT_POOL_H_
