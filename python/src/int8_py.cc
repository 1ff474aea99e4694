// int8 plans for the bindings (int8_py.h).
#include "python/src/int8_py.h"

#include <cstdint>
#include <string>
#include <vector>

#include "python/src/convert.h"
#include "python/src/geometry_args.h"

namespace tconv {
namespace pyext {

namespace {

const char* const kQuantKeys[] = {"x_dtype", "x_scale", "x_zero_point", "w_scale", "y_dtype", "y_scale", "y_zero_point"};

std::string TypeName(py::handle obj) { return py::str(py::type::handle_of(obj).attr("__name__")); }

bool NativeDType(const py::array& a, const py::dtype& d) {
  return py::detail::npy_api::get().PyArray_EquivTypes_(a.dtype().ptr(), d.ptr());
}

// numpy's name of a quantized tensor's element type.
const char* NumpyName(QuantType t) {
  return t == QuantType::kUInt8 ? "uint8" : t == QuantType::kInt8 ? "int8" : "float32";
}

py::dtype NumpyDType(QuantType t) {
  return t == QuantType::kUInt8 ? py::dtype::of<uint8_t>()
         : t == QuantType::kInt8 ? py::dtype::of<int8_t>()
                                 : py::dtype::of<float>();
}

// The dict's value for `key`, or None.
py::object Get(const py::dict& d, const char* key) {
  return d.contains(key) ? py::reinterpret_borrow<py::object>(d[key]) : py::none();
}

// An array of element type `t` (numpy dtype `want`), C-contiguous and
// aligned, read (or written) in place. `role` ends the dtype error: what
// this plan or argument takes.
py::array CheckedTyped(py::handle obj, const std::string& name, const py::dtype& want, const std::string& role,
                       bool writeable) {
  const std::string want_name = py::str(py::handle(want));
  if (!py::isinstance<py::array>(obj)) {
    ThrowValue(name + " must be a numpy.ndarray of " + want_name + " (got " + TypeName(obj) + ")");
  }
  auto a = py::reinterpret_borrow<py::array>(obj);
  if (!NativeDType(a, want)) {
    ThrowValue(name + " has dtype " + std::string(py::str(a.dtype())) + " but " + role +
               "; tconv does not convert arrays");
  }
  if (!(a.flags() & py::array::c_style)) {
    ThrowValue(name + " is not C-contiguous (a transposed, sliced or strided view): tconv reads arrays in place; "
               "pass numpy.ascontiguousarray(" + name + ")");
  }
  if (reinterpret_cast<std::uintptr_t>(a.data()) % static_cast<std::uintptr_t>(want.itemsize()) != 0) {
    ThrowValue(name + " is not aligned to " + std::to_string(want.itemsize()) + " bytes; pass a copy");
  }
  if (writeable && !a.writeable()) ThrowValue(name + " is read-only");
  return a;
}

// "u8", "s8" or "f32" (python/tconv/_functional.py's spelling).
QuantType QuantTypeArg(py::handle obj, const char* key) {
  const std::string s = py::str(obj);
  if (s == "u8") return QuantType::kUInt8;
  if (s == "s8") return QuantType::kInt8;
  if (s == "f32") return QuantType::kFloat32;
  ThrowValue(std::string(key) + " must be uint8, int8 or float32 (got '" + s + "')");
}

float ScaleArg(py::handle obj, const std::string& key) {
  if (py::isinstance<py::bool_>(obj) || py::isinstance<py::str>(obj) || !PyNumber_Check(obj.ptr())) {
    ThrowValue(key + " must be a number (got " + TypeName(obj) + ")");
  }
  double v;
  try {
    v = py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(obj)));
  } catch (const py::error_already_set&) {
    ThrowValue(key + " must be a number (got " + TypeName(obj) + ")");
  }
  return static_cast<float>(v);  // as QuantParams holds it; ValidateQuantParams checks the float
}

int32_t ZeroPointArg(py::handle obj, const char* key) {
  if (obj.is_none()) return 0;
  const int64_t v = IntArg(obj, key);
  if (v < INT32_MIN || v > INT32_MAX) ThrowValue(std::string(key) + " is out of range (got " + std::to_string(v) + ")");
  return static_cast<int32_t>(v);
}

// w_scale: one number (per tensor), or a sequence / 0-d or 1-D array of
// numbers (1 or Cout values), each rounded to float32.
std::vector<float> WScaleArg(py::handle obj) {
  if (py::isinstance<py::str>(obj) || py::isinstance<py::bool_>(obj)) {
    ThrowValue("w_scale must be a number or a 1-D array of Cout numbers (got " + TypeName(obj) + ")");
  }
  if (!py::isinstance<py::array>(obj) && !py::isinstance<py::sequence>(obj)) return {ScaleArg(obj, "w_scale")};
  if (py::isinstance<py::array>(obj)) {
    const char kind = py::reinterpret_borrow<py::array>(obj).dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u') {
      ThrowValue("w_scale has dtype " + std::string(py::str(py::reinterpret_borrow<py::array>(obj).dtype())) +
                 "; it must hold numbers");
    }
  }
  py::array_t<double, py::array::c_style | py::array::forcecast> a;
  try {
    a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  } catch (const py::error_already_set&) {
  }
  if (!a) ThrowValue("w_scale must be a number or a 1-D array of Cout numbers (got " + TypeName(obj) + ")");
  if (a.ndim() > 1) ThrowValue("w_scale has " + std::to_string(a.ndim()) + " dimensions: give 1 or Cout values");
  std::vector<float> v(static_cast<size_t>(a.size()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(a.data()[i]);
  return v;
}

// y's type, scale and zero point into q (x_type already set).
void YArgs(const py::dict& quant, QuantParams* q) {
  const py::object yd = Get(quant, "y_dtype"), ys = Get(quant, "y_scale"), yz = Get(quant, "y_zero_point");
  q->y_type = yd.is_none() ? q->x_type : QuantTypeArg(yd, "y_dtype");
  if (q->y_type == QuantType::kFloat32) {
    if (!ys.is_none() || !yz.is_none()) {
      ThrowValue("y_scale and y_zero_point apply to y_dtype uint8 or int8, not float32 (dequantized y)");
    }
    return;
  }
  if (ys.is_none()) {
    ThrowValue(std::string("y_dtype ") + NumpyName(q->y_type) + " needs y_scale (y's quantization scale)");
  }
  q->y_scale = ScaleArg(ys, "y_scale");
  q->y_zero_point = ZeroPointArg(yz, "y_zero_point");
}

QuantParams QuantArgs(const py::dict& quant) {
  QuantParams q;
  const py::object xd = Get(quant, "x_dtype");
  q.x_type = xd.is_none() ? QuantType::kUInt8 : QuantTypeArg(xd, "x_dtype");
  if (q.x_type == QuantType::kFloat32) ThrowValue("x_dtype must be uint8 or int8 (got float32)");
  const py::object xs = Get(quant, "x_scale"), ws = Get(quant, "w_scale");
  if (xs.is_none()) ThrowValue("dtype='int8' needs x_scale (x's quantization scale)");
  if (ws.is_none()) ThrowValue("dtype='int8' needs w_scale (the weight's scale: one, or Cout values)");
  q.x_scale = ScaleArg(xs, "x_scale");
  q.x_zero_point = ZeroPointArg(Get(quant, "x_zero_point"), "x_zero_point");
  q.w_scale = WScaleArg(ws);
  YArgs(quant, &q);
  return q;
}

void CheckShapeIs(const py::array& a, const std::string& name, const Shape& want, const char* verb) {
  if (ShapeOf(a) != want) {
    ThrowValue(name + " has shape " + ShapeString(ShapeOf(a)) + " but this plan " + verb + " " + ShapeString(want));
  }
}

}  // namespace

void CheckQuantArgsUnused(const py::dict& quant, DataType dtype) {
  if (dtype == DataType::kInt8) return;
  for (const char* key : kQuantKeys) {
    if (!Get(quant, key).is_none()) ThrowValue(std::string(key) + " applies to dtype='int8' only");
  }
}

py::dict QuantArgsForInput(const py::dict& quant, py::handle x) {
  py::dict q = quant.attr("copy")();  // the caller's dict is not changed
  if (!Get(q, "x_dtype").is_none()) return q;
  if (py::isinstance<py::array>(x)) {
    const auto a = py::reinterpret_borrow<py::array>(x);
    if (NativeDType(a, py::dtype::of<uint8_t>())) {
      q["x_dtype"] = "u8";
      return q;
    }
    if (NativeDType(a, py::dtype::of<int8_t>())) {
      q["x_dtype"] = "s8";
      return q;
    }
    ThrowValue("x has dtype " + std::string(py::str(a.dtype())) +
               " but dtype='int8' takes x as uint8 or int8 (quantized values); tconv does not convert arrays");
  }
  ThrowValue("x must be a numpy.ndarray of uint8 or int8 (got " + TypeName(x) + ")");
}

std::unique_ptr<Plan> CreateInt8Plan(py::handle weight, py::handle bias, const Shape& input_shape,
                                     const py::dict& geometry, const py::dict& quant, const PlanOptions& options) {
  const py::array w = CheckedTyped(weight, "weight", py::dtype::of<int8_t>(),
                                   "dtype='int8' takes an int8 weight (symmetric: zero point 0)", false);
  py::array b;
  if (!bias.is_none()) {
    b = CheckedTyped(bias, "bias", py::dtype::of<int32_t>(),
                     "dtype='int8' takes an int32 bias (in units of x_scale * w_scale[c])", false);
  }
  const ConvDesc desc = TransposeDescFromArgs(input_shape, ShapeOf(w), geometry, options.layout);
  const QuantParams q = QuantArgs(quant);
  const ConstI8View wv(static_cast<const int8_t*>(w.data()), ShapeOf(w));
  const ConstI32View bv = bias.is_none() ? ConstI32View() : ConstI32View(static_cast<const int32_t*>(b.data()), ShapeOf(b));
  Status st;
  std::unique_ptr<Plan> plan;
  {
    py::gil_scoped_release release;
    plan = Plan::Create(desc, wv, bv, q, options, &st);
  }
  Check(st);
  return plan;
}

py::array RunInt8(const Plan& plan, py::handle x, py::handle out, py::handle out_dtype) {
  const QuantParams& q = *plan.quant();
  if (!out_dtype.is_none()) {
    ThrowValue(std::string("out_dtype applies to bf16 plans; an int8 plan writes its y_dtype (") +
               NumpyName(q.y_type) + "), chosen at creation");
  }
  const std::string x_role = std::string("this int8 plan takes ") + NumpyName(q.x_type) + " x (its x_dtype)";
  const py::array xa = CheckedTyped(x, "x", NumpyDType(q.x_type), x_role, false);
  py::array ya;
  if (out.is_none()) {
    ya = py::array(NumpyDType(q.y_type), std::vector<py::ssize_t>(plan.output_shape().begin(), plan.output_shape().end()));
  } else {
    const std::string y_role = std::string("this int8 plan writes ") + NumpyName(q.y_type) + " y (its y_dtype)";
    ya = CheckedTyped(out, "out", NumpyDType(q.y_type), y_role, true);
    CheckDisjoint(xa, "x", ya);
  }
  CheckShapeIs(xa, "x", plan.input_shape(), "takes");
  CheckShapeIs(ya, "out", plan.output_shape(), "writes");
  const ConstQuantView xv(xa.data(), plan.input_shape());
  const QuantView yv{ya.mutable_data(), plan.output_shape()};
  CheckWithoutGil([&] { return plan.Run(xv, yv); });
  return ya;
}

py::dict QuantDict(const QuantParams& q) {
  py::dict d;
  d["x_dtype"] = NumpyName(q.x_type);
  d["x_scale"] = static_cast<double>(q.x_scale);
  d["x_zero_point"] = q.x_zero_point;
  py::tuple ws(q.w_scale.size());
  for (size_t i = 0; i < q.w_scale.size(); ++i) ws[i] = py::float_(static_cast<double>(q.w_scale[i]));
  d["w_scale"] = ws;
  d["y_dtype"] = NumpyName(q.y_type);
  const bool f32 = q.y_type == QuantType::kFloat32;
  d["y_scale"] = f32 ? py::object(py::none()) : py::object(py::float_(static_cast<double>(q.y_scale)));
  d["y_zero_point"] = f32 ? py::object(py::none()) : py::object(py::int_(q.y_zero_point));
  return d;
}

void CheckNotQuantized(py::handle obj, const std::string& name, const char* plan_dtype) {
  if (!py::isinstance<py::array>(obj)) return;
  const auto a = py::reinterpret_borrow<py::array>(obj);
  const bool s8 = NativeDType(a, py::dtype::of<int8_t>());
  const bool u8 = name == "x" && NativeDType(a, py::dtype::of<uint8_t>());
  if (s8 || u8) {
    ThrowValue(name + " has dtype " + std::string(py::str(a.dtype())) + " but this plan computes " + plan_dtype +
               "; for quantized arrays pass dtype='int8' (with x_scale, w_scale, ...)");
  }
}

}  // namespace pyext
}  // namespace tconv
