// Argument conversion for the bindings (convert.h).
#include "python/src/convert.h"

#include <cstdint>
#include <string>

#include "tconv/limits.h"

namespace tconv {
namespace pyext {

namespace {

std::string TypeName(py::handle obj) { return py::str(py::type::handle_of(obj).attr("__name__")); }

bool IsInteger(py::handle obj) {
  // bool is an int subclass in Python; stride=True is a mistake, not 1.
  return PyIndex_Check(obj.ptr()) && !PyBool_Check(obj.ptr()) && !py::isinstance<py::array>(obj);
}

}  // namespace

void ThrowStatus(const Status& st) { throw py::value_error(st.message()); }
void ThrowValue(const std::string& message) { throw py::value_error(message); }

py::array CheckedArray(py::handle obj, const std::string& name, bool writeable) {
  if (!py::isinstance<py::array>(obj)) {
    ThrowValue(name + " must be a numpy.ndarray of float32 (got " + TypeName(obj) +
               "); convert it with numpy.ascontiguousarray(" + name + ", dtype=numpy.float32)");
  }
  auto a = py::reinterpret_borrow<py::array>(obj);
  // EquivTypes is false for byte-swapped float32 too, which the kernels
  // would read as garbage.
  auto& api = py::detail::npy_api::get();
  if (!api.PyArray_EquivTypes_(a.dtype().ptr(), py::dtype::of<float>().ptr())) {
    ThrowValue(name + " has dtype " + std::string(py::str(a.dtype())) +
               " but tconv computes float32 in native byte order and does not copy; convert it with " + name +
               ".astype(numpy.float32)");
  }
  if (!(a.flags() & py::array::c_style)) {
    ThrowValue(name + " is not C-contiguous (a transposed, sliced or strided view): tconv reads arrays in place; "
               "pass numpy.ascontiguousarray(" + name + ")");
  }
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(float) != 0) {
    ThrowValue(name + " is not aligned to 4 bytes (a view at an odd byte offset); pass a copy");
  }
  if (writeable && !a.writeable()) ThrowValue(name + " is read-only");
  return a;
}

Shape ShapeOf(const py::array& a) { return Shape(a.shape(), a.shape() + a.ndim()); }

ConstTensorView ConstView(const py::array& a) {
  return ConstTensorView(static_cast<const float*>(a.data()), ShapeOf(a));
}

TensorView MutableView(py::array& a) { return TensorView(static_cast<float*>(a.mutable_data()), ShapeOf(a)); }

void CheckDisjoint(const py::array& in, const std::string& in_name, const py::array& out) {
  const auto* a = static_cast<const char*>(in.data());
  const auto* b = static_cast<const char*>(out.data());
  if (in.nbytes() > 0 && out.nbytes() > 0 && a < b + out.nbytes() && b < a + in.nbytes()) {
    ThrowValue("out shares memory with " + in_name + ": the output would overwrite input still being read");
  }
}

int64_t IntArg(py::handle obj, const std::string& name) {
  if (!IsInteger(obj)) ThrowValue(name + " must be an int (got " + TypeName(obj) + ")");
  // Out-of-range values (beyond 64 bits) raise OverflowError in the cast;
  // report them as the bad value they are.
  try {
    return py::cast<int64_t>(py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr())));
  } catch (const py::cast_error&) {
    ThrowValue(name + " does not fit in 64 bits (got " + std::string(py::str(obj)) + ")");
  }
}

std::vector<int64_t> IntListArg(py::handle obj, const std::string& name) {
  if (IsInteger(obj) || py::isinstance<py::str>(obj) || !py::isinstance<py::sequence>(obj)) {
    ThrowValue(name + " must be a sequence of ints (got " + TypeName(obj) + ")");
  }
  std::vector<int64_t> out;
  auto seq = py::reinterpret_borrow<py::sequence>(obj);
  for (size_t i = 0; i < seq.size(); ++i) out.push_back(IntArg(seq[i], name + "[" + std::to_string(i) + "]"));
  return out;
}

Shape ShapeArg(py::handle obj, const std::string& name) {
  if (py::isinstance<py::array>(obj)) return ShapeOf(py::reinterpret_borrow<py::array>(obj));
  return IntListArg(obj, name);
}

Dims AxisArg(py::handle obj, const std::string& name, int ndim) {
  Dims d = {1, 1, 1};
  if (IsInteger(obj)) {
    const int64_t v = IntArg(obj, name);
    for (int a = 0; a < ndim; ++a) d[a] = v;
    return d;
  }
  if (py::isinstance<py::str>(obj) || !py::isinstance<py::sequence>(obj)) {
    ThrowValue(name + " must be an int or a sequence of ints (got " + TypeName(obj) + ")");
  }
  const std::vector<int64_t> v = IntListArg(obj, name);
  if (static_cast<int>(v.size()) != ndim) {
    ThrowValue(name + " has " + std::to_string(v.size()) + " values but the input has " + std::to_string(ndim) +
               " spatial axes (give one int, or one per axis)");
  }
  for (int a = 0; a < ndim; ++a) d[a] = v[a];
  return d;
}

int ThreadsArg(py::handle obj) {
  if (obj.is_none()) return 1;
  const int64_t t = IntArg(obj, "threads");
  Check(CheckThreads("threads", t));
  return static_cast<int>(t);
}

Layout LayoutArg(const std::string& text) {
  Layout layout;
  Check(ParseLayout("layout", text, &layout));
  return layout;
}

py::tuple ShapeTuple(const Shape& s) {
  py::tuple t(s.size());
  for (size_t i = 0; i < s.size(); ++i) t[i] = py::int_(s[i]);
  return t;
}

py::tuple DimsTuple(const Dims& d, int ndim) { return ShapeTuple(Shape(d.begin(), d.begin() + ndim)); }

}  // namespace pyext
}  // namespace tconv
