// bf16 arrays and conversions for the bindings (bf16_py.h).
#include "python/src/bf16_py.h"

#include <cstdint>
#include <string>
#include <vector>

#include "python/src/convert.h"

namespace tconv {
namespace pyext {

namespace {

bool NativeDType(const py::array& a, const py::dtype& d) {
  // EquivTypes is false for byte-swapped arrays, which would read as garbage.
  return py::detail::npy_api::get().PyArray_EquivTypes_(a.dtype().ptr(), d.ptr());
}

std::string DTypeOf(const py::array& a) { return py::str(a.dtype()); }

py::array ArrayArg(py::handle obj, const std::string& name, const std::string& wanted) {
  if (!py::isinstance<py::array>(obj)) {
    ThrowValue(name + " must be a numpy.ndarray of " + wanted + " (got " +
               std::string(py::str(py::type::handle_of(obj).attr("__name__"))) + ")");
  }
  return py::reinterpret_borrow<py::array>(obj);
}

// A new float32 array of a's shape with the bf16 bits of `bits` widened.
py::array Widen(const py::array& bits) {
  const py::array c = py::array::ensure(bits, py::array::c_style);
  py::array_t<float> out(std::vector<py::ssize_t>(c.shape(), c.shape() + c.ndim()));
  const auto* src = static_cast<const uint16_t*>(c.data());
  float* dst = out.mutable_data();
  const py::ssize_t n = c.size();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) dst[i] = ToFloat(BFloat16{src[i]});
  }
  return out;
}

// tconv.to_bf16_bits: float32 -> uint16 bf16 bits, nearest even.
py::array ToBf16Bits(py::handle obj) {
  const py::array a = ArrayArg(obj, "x", "float32");
  if (!IsFloat32(a)) {
    ThrowValue("x has dtype " + DTypeOf(a) + " but to_bf16_bits rounds float32 (a float64 array would be rounded "
               "twice); pass x.astype(numpy.float32)");
  }
  const py::array c = py::array::ensure(a, py::array::c_style);
  py::array_t<uint16_t> out(std::vector<py::ssize_t>(c.shape(), c.shape() + c.ndim()));
  const auto* src = static_cast<const float*>(c.data());
  uint16_t* dst = out.mutable_data();
  const py::ssize_t n = c.size();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) dst[i] = ToBFloat16(src[i]).bits;
  }
  return out;
}

py::array FromBf16Bits(py::handle obj) {
  const py::array a = ArrayArg(obj, "bits", "uint16");
  if (!IsBf16Bits(a)) {
    ThrowValue("bits has dtype " + DTypeOf(a) + " but from_bf16_bits takes uint16 bf16 bit patterns");
  }
  return Widen(a);
}

}  // namespace

DataType DTypeArg(py::handle obj) {
  if (!py::isinstance<py::str>(obj)) {
    throw py::type_error("dtype must be a str, 'f32', 'bf16' or 'int8' (got " +
                         std::string(py::str(py::type::handle_of(obj).attr("__name__"))) + ")");
  }
  const std::string s = py::cast<std::string>(obj);
  if (s == "f32") return DataType::kFloat32;
  if (s == "bf16") return DataType::kBFloat16;
  if (s == "int8") return DataType::kInt8;
  ThrowValue("dtype must be 'f32', 'bf16' or 'int8' (got '" + s + "')");
}

bool IsBf16Bits(const py::array& a) { return NativeDType(a, py::dtype::of<uint16_t>()); }
bool IsFloat32(const py::array& a) { return NativeDType(a, py::dtype::of<float>()); }

py::array CheckedBf16Bits(py::handle obj, const std::string& name, bool writeable) {
  const py::array a = ArrayArg(obj, name, "uint16 (bf16 bits)");
  if (!IsBf16Bits(a)) ThrowValue(name + " has dtype " + DTypeOf(a) + " but bf16 bits are uint16");
  if (!(a.flags() & py::array::c_style)) {
    ThrowValue(name + " is not C-contiguous: tconv reads arrays in place; pass numpy.ascontiguousarray(" + name + ")");
  }
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(uint16_t) != 0) {
    ThrowValue(name + " is not aligned to 2 bytes (a view at an odd byte offset); pass a copy");
  }
  if (writeable && !a.writeable()) ThrowValue(name + " is read-only");
  return a;
}

py::array WeightArray(py::handle obj, DataType dtype) {
  if (dtype == DataType::kBFloat16 && py::isinstance<py::array>(obj) &&
      IsBf16Bits(py::reinterpret_borrow<py::array>(obj))) {
    return Widen(py::reinterpret_borrow<py::array>(obj));
  }
  return CheckedArray(obj, "weight", false);
}

const BFloat16* Bf16Input::data() const {
  return floats ? rounded.data() : static_cast<const BFloat16*>(array.data());
}

Bf16Input CheckedBf16Input(py::handle obj, const std::string& name) {
  const py::array a = ArrayArg(obj, name, "uint16 (bf16 bits) or float32");
  Bf16Input in;
  if (IsFloat32(a)) {
    in.array = CheckedArray(a, name, false);
    in.floats = static_cast<const float*>(in.array.data());
  } else if (IsBf16Bits(a)) {
    in.array = CheckedBf16Bits(a, name, false);
  } else {
    ThrowValue(name + " has dtype " + DTypeOf(a) + " but a bf16 plan takes uint16 (bf16 bits, read in place) or "
               "float32 (rounded to bf16, nearest even, into a copy)");
  }
  in.size = static_cast<size_t>(in.array.size());
  return in;
}

void RoundInput(Bf16Input* in) {
  if (!in->floats) return;
  in->rounded.resize(in->size);
  for (size_t i = 0; i < in->size; ++i) in->rounded[i] = ToBFloat16(in->floats[i]);
}

void RegisterBf16(py::module_& m) {
  m.def("to_bf16_bits", &ToBf16Bits, py::arg("x"));
  m.def("from_bf16_bits", &FromBf16Bits, py::arg("bits"));
}

}  // namespace pyext
}  // namespace tconv
