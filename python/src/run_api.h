// A plan's run as plain C for tconv._tconv_torch (python/torch_src/), which
// links libtorch but not the library: Plan._run_api() hands out a capsule
// (name kRunApiCapsule) holding a RunApi for that plan. The capsule keeps
// nothing alive: its holder keeps the Plan object referenced.
#ifndef TCONV_PYTHON_SRC_RUN_API_H_
#define TCONV_PYTHON_SRC_RUN_API_H_

#include <Python.h>

#include <cstddef>
#include <cstdint>

namespace tconv {
namespace pyext {

constexpr const char* kRunApiCapsule = "tconv._tconv.RunApi";

struct RunApi {
  const void* ctx;  // the plan (private to _tconv)
  int bf16;         // 0: float32 in and out; 1: bf16 bits (uint16) in and out
  int ndim;         // of the plan's input and output shapes (batched)
  int64_t input_shape[5];
  int64_t output_shape[5];
  // Runs the plan on x into y (C-contiguous, the shapes above, aligned to
  // their element). Touches no Python object: call it without the GIL.
  // Returns nullptr, or the error's message (valid until the next call
  // from this thread).
  const char* (*run)(const void* ctx, const void* x, void* y);
  // float32 plans: a new reference to a new output array (numpy's
  // allocator, as Plan.run's), from the plan's pool of freed outputs when
  // that large (python/src/output_pool.h); nullptr with a Python error set
  // when it fails. With the GIL.
  PyObject* (*take_output)(const void* ctx);
};

}  // namespace pyext
}  // namespace tconv

#endif  // TCONV_PYTHON_SRC_RUN_API_H_
