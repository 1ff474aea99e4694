// tconv._tconv_torch: the cached inference fast path of tconv.torch's
// modules (python/tconv/torch.py, _TconvMixin.__call__) in one C++ call.
//
// Built only where libtorch's C++ and Python headers are found
// (python/CMakeLists.txt); tconv.torch runs its Python fast path without
// it. It links libtorch but not tconv's library: the plan runs through the
// RunApi a tconv Plan hands out (python/src/run_api.h).
//
// A FastEntry is made by the general path after a call it ran with a plan
// (cache_plan=True, no output_size, no graph to record). It holds what that
// call's checks and plan depended on; entry(module, x) returns the output
// tensor when all of it still holds, and None otherwise (the caller then
// runs nn.Module.__call__, i.e. hooks, forward and the general path, which
// checks, raises and re-plans as before):
//  - the module: no forward hooks, pre-hooks or backward hooks (its own or
//    global), no JIT tracing, its class's forward the one the entry was
//    made under and none on the instance, the same Parameter objects under
//    "weight" and "bias" (not shadowed in the instance dict), and the same
//    values of stride, padding, output_padding, dilation, groups,
//    padding_mode, threads and cache_plan; torch.get_num_threads() as then;
//  - the parameters: version counter, storage address, dtype and sizes as
//    then (an in-place edit or optimizer step bumps the version; `.data =`
//    swaps the storage), none requiring grad while grad mode is on;
//  - x: exactly torch.Tensor (no subclass), the same dispatch key set as
//    the input the general path ran (CPU, dense, no negative bit or
//    functorch wrapper), the plan's dtype, contiguous, the plan's shape
//    (or its unbatched form when the entry was made unbatched), not
//    requiring grad while grad mode is on.
// An edit through `param.data` in place bumps no version counter and goes
// unseen, as with the plan cache itself (documented).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <torch/csrc/autograd/python_variable.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/utils/tensor_numpy.h>

#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "python/src/run_api.h"

namespace py = pybind11;

namespace tconv {
namespace pyext {
namespace {

struct ParamState {
  int64_t version = 0;
  const void* data = nullptr;
  c10::ScalarType dtype = c10::ScalarType::Float;
  std::vector<int64_t> sizes;
};

ParamState StateOf(const at::Tensor& t) {
  return ParamState{t._version(), t.data_ptr(), t.scalar_type(), t.sizes().vec()};
}

bool Same(const ParamState& s, const at::Tensor& t) {
  return t._version() == s.version && t.data_ptr() == s.data && t.scalar_type() == s.dtype &&
         t.sizes() == c10::IntArrayRef(s.sizes);
}

// (Module hook dicts are OrderedDicts: dict subclasses.)
bool EmptyDict(PyObject* d) { return d != nullptr && PyDict_Check(d) && PyDict_GET_SIZE(d) == 0; }

class FastEntry {
 public:
  // plan: the tconv Plan; weight, bias: the module's Parameters (bias may
  // be None); x: the input the general path just ran; unbatched: whether
  // x was unbatched; attrs: {name: value} of the module attributes to
  // compare; forward: the class's forward then; global_hooks: torch's
  // module-global hook dicts.
  FastEntry(py::object plan, py::object weight, py::object bias, py::handle x, bool unbatched, py::dict attrs,
            py::object forward, py::tuple global_hooks)
      : plan_(std::move(plan)), weight_(std::move(weight)), bias_(std::move(bias)), unbatched_(unbatched),
        forward_(std::move(forward)), global_hooks_(std::move(global_hooks)) {
    const py::object capsule = plan_.attr("_run_api")();
    if (capsule.is_none()) throw py::value_error("this plan has no run API (int8 or more than 3 spatial axes)");
    api_ = static_cast<const RunApi*>(PyCapsule_GetPointer(capsule.ptr(), kRunApiCapsule));
    if (api_ == nullptr) throw py::error_already_set();
    if (!THPVariable_CheckExact(x.ptr()) || !THPVariable_Check(weight_.ptr())) {
      throw py::type_error("FastEntry takes tensors");
    }
    const at::Tensor& xt = THPVariable_Unpack(x.ptr());
    dtype_ = api_->bf16 ? c10::ScalarType::BFloat16 : c10::ScalarType::Float;
    keys_ = xt.key_set();
    in_sizes_.assign(api_->input_shape + (unbatched ? 1 : 0), api_->input_shape + api_->ndim);
    if (xt.scalar_type() != dtype_ || xt.sizes() != c10::IntArrayRef(in_sizes_)) {
      throw py::value_error("x does not match the plan");
    }
    weight_state_ = StateOf(THPVariable_Unpack(weight_.ptr()));
    if (!bias_.is_none()) bias_state_ = StateOf(THPVariable_Unpack(bias_.ptr()));
    for (const auto& item : attrs) attrs_.emplace_back(py::reinterpret_borrow<py::str>(item.first),
                                                       py::reinterpret_borrow<py::object>(item.second));
    threads_ = at::get_num_threads();
  }

  // The output, or None when the general path must run this call.
  py::object Call(py::handle module, py::handle x) const {
    if (!ModuleUnchanged(module) || !THPVariable_CheckExact(x.ptr())) return py::none();
    const at::Tensor& xt = THPVariable_Unpack(x.ptr());
    if (xt.key_set() != keys_ || xt.scalar_type() != dtype_ || xt.layout() != c10::kStrided ||
        xt.sizes() != c10::IntArrayRef(in_sizes_) || !xt.is_contiguous() || xt.is_neg() || !xt.has_storage()) {
      return py::none();
    }
    const at::Tensor& w = THPVariable_Unpack(weight_.ptr());
    if (!Same(weight_state_, w)) return py::none();
    const bool grad = c10::GradMode::is_enabled();
    if (grad && (xt.requires_grad() || w.requires_grad())) return py::none();
    if (!bias_.is_none()) {
      const at::Tensor& b = THPVariable_Unpack(bias_.ptr());
      if (!Same(bias_state_, b) || (grad && b.requires_grad())) return py::none();
    }
    if (at::get_num_threads() != threads_) return py::none();
    return Run(xt);
  }

 private:
  bool ModuleUnchanged(py::handle module) const {
    const py::object dict = py::reinterpret_steal<py::object>(PyObject_GenericGetDict(module.ptr(), nullptr));
    if (!dict || !PyDict_Check(dict.ptr())) {
      PyErr_Clear();
      return false;
    }
    PyObject* d = dict.ptr();
    if (!EmptyDict(PyDict_GetItem(d, names_.forward_hooks.ptr())) ||
        !EmptyDict(PyDict_GetItem(d, names_.forward_pre_hooks.ptr())) ||
        !EmptyDict(PyDict_GetItem(d, names_.backward_hooks.ptr()))) {
      return false;
    }
    for (const py::handle h : global_hooks_) {
      if (!EmptyDict(h.ptr())) return false;
    }
    if (torch::jit::tracer::isTracing()) return false;
    if (PyDict_GetItem(d, names_.forward.ptr()) != nullptr || PyDict_GetItem(d, names_.weight.ptr()) != nullptr ||
        PyDict_GetItem(d, names_.bias.ptr()) != nullptr) {
      return false;
    }
    PyObject* forward = _PyType_Lookup(Py_TYPE(module.ptr()), names_.forward.ptr());
    if (forward != forward_.ptr()) return false;
    PyObject* params = PyDict_GetItem(d, names_.parameters.ptr());
    if (params == nullptr || !PyDict_Check(params)) return false;
    if (PyDict_GetItem(params, names_.weight.ptr()) != weight_.ptr()) return false;
    PyObject* bias = PyDict_GetItem(params, names_.bias.ptr());
    if (bias != bias_.ptr() && !(bias == nullptr && bias_.is_none())) return false;
    for (const auto& attr : attrs_) {
      PyObject* now = PyDict_GetItem(d, attr.first.ptr());
      if (now == nullptr) return false;
      if (now == attr.second.ptr()) continue;
      const int eq = PyObject_RichCompareBool(now, attr.second.ptr(), Py_EQ);
      if (eq != 1) {
        PyErr_Clear();
        return false;
      }
    }
    return true;
  }

  py::object Run(const at::Tensor& xt) const {
    // Outputs are numpy arrays, as Plan.run's (numpy's allocator asks for
    // transparent huge pages on large ones; torch's allocator, tried here
    // first, made dw_k4s2's 4 MB output cost page faults in some runs).
    py::object array;
    if (api_->bf16) {
      array = py::array_t<int16_t>(std::vector<py::ssize_t>(api_->output_shape, api_->output_shape + api_->ndim));
    } else {
      array = py::reinterpret_steal<py::object>(api_->take_output(api_->ctx));
      if (!array) throw py::error_already_set();
    }
    at::Tensor y = torch::utils::tensor_from_numpy(array.ptr(), /*warn_if_not_writeable=*/false);
    if (api_->bf16) y = y.view(c10::ScalarType::BFloat16);
    if (unbatched_) y = y.squeeze(0);
    const void* xp = xt.data_ptr();
    void* yp = y.data_ptr();
    const char* error = nullptr;
    {
      py::gil_scoped_release release;
      error = api_->run(api_->ctx, xp, yp);
    }
    if (error != nullptr) throw std::runtime_error(error);
    return py::reinterpret_steal<py::object>(THPVariable_Wrap(std::move(y)));
  }

  py::object plan_;
  py::object weight_;
  py::object bias_;
  const RunApi* api_ = nullptr;
  bool unbatched_;
  py::object forward_;
  py::tuple global_hooks_;
  // The dictionary keys looked up on every call (made once: their hashes are cached).
  struct Names {
    py::str forward_hooks{"_forward_hooks"}, forward_pre_hooks{"_forward_pre_hooks"},
        backward_hooks{"_backward_hooks"}, forward{"forward"}, weight{"weight"}, bias{"bias"},
        parameters{"_parameters"};
  } names_;
  c10::ScalarType dtype_ = c10::ScalarType::Float;
  c10::DispatchKeySet keys_;
  std::vector<int64_t> in_sizes_;
  ParamState weight_state_;
  ParamState bias_state_;
  std::vector<std::pair<py::str, py::object>> attrs_;
  int threads_ = 0;
};

// The modules' __call__ (torch.py installs it as `__call__`): the C++
// entry of self._plan_cache when it is on and holds (one call, no Python
// frame), else nn.Module.__call__ (looked up at every call, so that a
// patched one, as torch.fx's tracer installs, runs).
py::object ModuleCall(const py::args& args, const py::kwargs& kwargs) {
  static const py::str cache_name("_plan_cache"), native_name("native"), use_fast_name("use_fast"),
      use_native_name("use_native");
  if (args.size() == 2 && kwargs.empty()) {
    const py::handle self = args[0];
    const py::object dict = py::reinterpret_steal<py::object>(PyObject_GenericGetDict(self.ptr(), nullptr));
    if (!dict) throw py::error_already_set();
    PyObject* cache = PyDict_GetItem(dict.ptr(), cache_name.ptr());
    if (cache != nullptr && cache != Py_None) {
      const py::handle c(cache);
      const py::object native = c.attr(native_name);
      if (py::isinstance<FastEntry>(native) && c.attr(use_fast_name).cast<bool>() &&
          c.attr(use_native_name).cast<bool>()) {
        py::object y = native.cast<const FastEntry&>().Call(self, args[1]);
        if (!y.is_none()) return y;
      }
    }
  }
  static const py::object* const nn_module = new py::object(py::module_::import("torch.nn").attr("Module"));
  return nn_module->attr("__call__")(*args, **kwargs);
}

}  // namespace
}  // namespace pyext
}  // namespace tconv

PYBIND11_MODULE(_tconv_torch, m) {
  using tconv::pyext::FastEntry;
  m.doc() = "tconv.torch's cached inference fast path in C++ (python/torch_src/torch_fast.cc)";
  py::class_<FastEntry>(m, "FastEntry")
      .def(py::init<py::object, py::object, py::object, py::handle, bool, py::dict, py::object, py::tuple>(),
           py::arg("plan"), py::arg("weight"), py::arg("bias"), py::arg("x"), py::arg("unbatched"), py::arg("attrs"),
           py::arg("forward"), py::arg("global_hooks"))
      .def("__call__", &FastEntry::Call, py::arg("module"), py::arg("x"));
  // An instancemethod binds the module as the first argument, as a Python
  // function in a class body would be.
  const py::cpp_function call(&tconv::pyext::ModuleCall);
  m.attr("module_call") = py::reinterpret_steal<py::object>(PyInstanceMethod_New(call.ptr()));
}
