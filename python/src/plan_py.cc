// tconv.Plan, tconv.conv_transpose and tconv.explain over tconv::Plan.
//
// The GIL is released while a plan is created (weight packing) and while it
// runs: the arrays involved stay referenced by this frame, so Python cannot
// free them. Run is const and safe on one plan from several threads at once
// (tests/concurrent_run_test.cc, run under TSan), so one Plan may serve
// many Python threads.
#include "python/src/plan_py.h"

#include <pybind11/stl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "python/src/bf16_py.h"
#include "python/src/convert.h"
#include "python/src/geometry_args.h"
#include "python/src/int8_py.h"
#include "python/src/output_pool.h"
#include "python/src/run_api.h"
#include "tconv/plan.h"

namespace tconv {
namespace pyext {

namespace {

class PyPlan {
 public:
  PyPlan(py::handle weight, py::handle bias, py::handle input_shape, const py::dict& geometry,
         const std::string& algorithm, py::handle threads, const std::string& layout, py::handle dtype,
         const py::dict& quant) {
    PlanOptions options;
    options.dtype = DTypeArg(dtype);
    CheckQuantArgsUnused(quant, options.dtype);
    options.algo = algorithm;
    options.threads = ThreadsArg(threads);
    options.layout = LayoutArg(layout);
    if (options.dtype == DataType::kInt8) {
      plan_ = CreateInt8Plan(weight, bias, ShapeArg(input_shape, "input_shape"), geometry, quant, options);
      return;
    }
    CheckNotQuantized(weight, "weight", DataTypeName(options.dtype));
    // A bf16 plan takes its weight as float32 (rounded by Create) or as
    // uint16 bf16 bits (widened here, exactly); the bias stays float32.
    const py::array w = WeightArray(weight, options.dtype);
    py::array b;
    if (!bias.is_none()) b = CheckedArray(bias, "bias", false);
    const ConvDesc desc =
        TransposeDescFromArgs(ShapeArg(input_shape, "input_shape"), ShapeOf(w), geometry, options.layout);
    const ConstTensorView wv = ConstView(w);
    const ConstTensorView bv = bias.is_none() ? ConstTensorView() : ConstView(b);
    Status st;
    {
      py::gil_scoped_release release;
      plan_ = Plan::Create(desc, wv, bv, options, &st);
    }
    Check(st);
  }

  // y = plan(x): into `out` when given (checked, written in place), else a
  // new array. out_dtype: None, "float32" or "uint16" (bf16 bits; bf16
  // plans only), normalised by python/tconv/_plan.py.
  py::array Run(py::handle x, py::handle out, py::handle out_dtype) const {
    if (plan_->dtype() == DataType::kInt8) return RunInt8(*plan_, x, out, out_dtype);
    CheckNotQuantized(x, "x", DataTypeName(plan_->dtype()));
    if (plan_->dtype() == DataType::kBFloat16) return RunBf16(x, out, out_dtype);
    if (!out_dtype.is_none() && py::str(out_dtype).cast<std::string>() != "float32") {
      ThrowValue("out_dtype " + std::string(py::str(out_dtype)) +
                 " (bf16 bits) needs a bf16 plan; this plan computes f32 (make it with dtype='bf16')");
    }
    if (py::isinstance<py::array>(x) && IsBf16Bits(py::reinterpret_borrow<py::array>(x))) {
      ThrowValue("x has dtype uint16 but this plan computes f32; for bf16 bits make the plan with dtype='bf16'");
    }
    const py::array xa = CheckedArray(x, "x", false);
    py::array ya;
    if (out.is_none()) {
      ya = py::array_t<float>(plan_->output_shape());
    } else {
      ya = CheckedArray(out, "out", true);
      CheckDisjoint(xa, "x", ya);
    }
    // Shapes are checked by Run too; checking here names the argument.
    if (ShapeOf(xa) != plan_->input_shape()) {
      ThrowValue("x has shape " + ShapeString(ShapeOf(xa)) + " but this plan takes " +
                 ShapeString(plan_->input_shape()));
    }
    if (ShapeOf(ya) != plan_->output_shape()) {
      ThrowValue("out has shape " + ShapeString(ShapeOf(ya)) + " but this plan writes " +
                 ShapeString(plan_->output_shape()));
    }
    const ConstTensorView xv = ConstView(xa);
    const TensorView yv = MutableView(ya);
    CheckWithoutGil([&] { return plan_->Run(xv, yv); });
    return ya;
  }

  // For tconv.torch's cached inference forward (python/tconv/torch.py),
  // which has checked, once for this plan, that its input tensors are
  // C-contiguous float32 of the plan's input shape, and keeps the tensor
  // alive during the call: x is that tensor's data_ptr(). A large output
  // comes from the plan's OutputPool (its pages reused once the caller
  // dropped the previous output). Private: an address cannot be checked here
  // beyond its alignment.
  py::array RunAt(uintptr_t x_address) const {
    if (x_address % alignof(float) != 0) ThrowValue("x's address is not aligned to 4 bytes");
    py::array ya = pool_->Take(plan_->output_shape());
    const ConstTensorView xv(reinterpret_cast<const float*>(x_address), plan_->input_shape());
    const TensorView yv = MutableView(ya);
    CheckWithoutGil([&] { return plan_->Run(xv, yv); });
    return ya;
  }

  // A bf16 plan's run: x uint16 bits (in place) or float32 (rounded into a
  // copy); y float32 (the f32 accumulators) or uint16 (bf16 bits, rounded
  // once), as out's dtype or out_dtype says (default float32).
  py::array RunBf16(py::handle x, py::handle out, py::handle out_dtype) const {
    Bf16Input in = CheckedBf16Input(x, "x");
    std::string want = out_dtype.is_none() ? "" : py::str(out_dtype).cast<std::string>();
    py::array ya;
    if (out.is_none()) {
      if (want == "uint16") {
        ya = py::array_t<uint16_t>(plan_->output_shape());
      } else {
        ya = py::array_t<float>(plan_->output_shape());
      }
    } else {
      const bool bits = py::isinstance<py::array>(out) && IsBf16Bits(py::reinterpret_borrow<py::array>(out));
      ya = bits ? CheckedBf16Bits(out, "out", true) : CheckedArray(out, "out", true);
      const std::string got = bits ? "uint16" : "float32";
      if (!want.empty() && want != got) ThrowValue("out has dtype " + got + " but out_dtype is " + want);
      CheckDisjoint(in.array, "x", ya);
    }
    if (ShapeOf(in.array) != plan_->input_shape()) {
      ThrowValue("x has shape " + ShapeString(ShapeOf(in.array)) + " but this plan takes " +
                 ShapeString(plan_->input_shape()));
    }
    if (ShapeOf(ya) != plan_->output_shape()) {
      ThrowValue("out has shape " + ShapeString(ShapeOf(ya)) + " but this plan writes " +
                 ShapeString(plan_->output_shape()));
    }
    const Shape& xs = plan_->input_shape();
    const Shape& ys = plan_->output_shape();
    if (IsBf16Bits(ya)) {
      BFloat16* y = static_cast<BFloat16*>(ya.mutable_data());
      CheckWithoutGil([&] {
        RoundInput(&in);
        return plan_->Run(ConstBF16View(in.data(), xs), BF16View(y, ys));
      });
    } else {
      float* y = static_cast<float*>(ya.mutable_data());
      CheckWithoutGil([&] {
        RoundInput(&in);
        return plan_->Run(ConstBF16View(in.data(), xs), TensorView(y, ys));
      });
    }
    return ya;
  }

  size_t pool_held() const { return pool_->held(); }

  // The plan's run for tconv._tconv_torch (python/src/run_api.h): f32 and
  // bf16 plans of at most 5 dimensions; None for others.
  py::object RunApiCapsule() {
    const Plan& p = *plan_;
    const Shape& in = p.input_shape();
    if (p.dtype() == DataType::kInt8 || in.size() > 5) return py::none();
    api_.ctx = this;
    api_.bf16 = p.dtype() == DataType::kBFloat16 ? 1 : 0;
    api_.ndim = static_cast<int>(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      api_.input_shape[i] = in[i];
      api_.output_shape[i] = p.output_shape()[i];
    }
    api_.run = &ApiRun;
    api_.take_output = &ApiTakeOutput;
    return py::capsule(&api_, kRunApiCapsule);
  }

  // For bench/python_overhead_bench.py: `repeats` calls of Plan::Run on
  // the same arrays timed in C++ (steady_clock around each call, GIL
  // released), so that the Python call's overhead is measured in one
  // process on one plan. Seconds per call.
  std::vector<double> TimeRun(py::handle x, py::handle out, int repeats) const {
    const py::array xa = CheckedArray(x, "x", false);
    py::array ya = CheckedArray(out, "out", true);
    if (ShapeOf(xa) != plan_->input_shape() || ShapeOf(ya) != plan_->output_shape()) {
      ThrowValue("x and out must have the plan's input and output shapes");
    }
    if (repeats < 1) ThrowValue("repeats must be >= 1");
    const ConstTensorView xv = ConstView(xa);
    const TensorView yv = MutableView(ya);
    std::vector<double> seconds(static_cast<size_t>(repeats));
    CheckWithoutGil([&] {
      for (double& s : seconds) {
        const auto start = std::chrono::steady_clock::now();
        const Status st = plan_->Run(xv, yv);
        s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!st.ok()) return st;
      }
      return Status::Ok();
    });
    return seconds;
  }

  const Plan& plan() const { return *plan_; }

 private:
  static const char* ApiRun(const void* ctx, const void* x, void* y) {
    const Plan& p = *static_cast<const PyPlan*>(ctx)->plan_;
    const Status st =
        p.dtype() == DataType::kBFloat16
            ? p.Run(ConstBF16View(static_cast<const BFloat16*>(x), p.input_shape()),
                    BF16View(static_cast<BFloat16*>(y), p.output_shape()))
            : p.Run(ConstTensorView(static_cast<const float*>(x), p.input_shape()),
                    TensorView(static_cast<float*>(y), p.output_shape()));
    if (st.ok()) return nullptr;
    thread_local std::string message;
    message = st.message();
    return message.c_str();
  }

  static PyObject* ApiTakeOutput(const void* ctx) {
    const PyPlan& self = *static_cast<const PyPlan*>(ctx);
    try {
      return self.pool_->Take(self.plan_->output_shape()).release().ptr();
    } catch (py::error_already_set& e) {
      e.restore();
      return nullptr;
    }
  }

 public:

  py::dict Explain() const {
    const ConvDesc& d = plan_->desc();
    py::dict r;
    r["algorithm"] = plan_->algorithm();
    r["kernel"] = plan_->kernel();
    r["note"] = plan_->note();
    r["layout"] = LayoutName(plan_->layout());
    r["dtype"] = DataTypeName(plan_->dtype());
    r["input_shape"] = ShapeTuple(plan_->input_shape());
    r["output_shape"] = ShapeTuple(plan_->output_shape());
    r["workspace_bytes"] = plan_->workspace_bytes();
    r["packed_bytes"] = plan_->packed_bytes();
    r["flops"] = ConvTransposeFlops(d);
    r["pad_begin"] = DimsTuple(d.pad_begin, d.ndim);
    r["pad_end"] = DimsTuple(d.pad_end, d.ndim);
    r["output_padding"] = DimsTuple(d.output_padding, d.ndim);
    r["desc"] = DescString(d);
    if (plan_->quant()) r["quant"] = QuantDict(*plan_->quant());
    return r;
  }

 private:
  std::unique_ptr<Plan> plan_;
  // One freed output kept: `y = module(x)` in a loop frees the previous
  // output after the call, so one buffer alternates with the caller's.
  // Outputs under 32 MiB are not pooled (output_pool.h).
  std::shared_ptr<OutputPool> pool_ = std::make_shared<OutputPool>(1, size_t{32} << 20);
  RunApi api_{};
};

py::dict EstimateDict(const AlgorithmEstimate& e) {
  py::dict r;
  r["name"] = e.name;
  r["summary"] = e.summary;
  r["macs"] = e.macs;
  r["workspace_bytes"] = e.workspace_bytes;
  r["packed_bytes"] = e.packed_bytes;
  r["exact"] = e.exact;
  r["kernel"] = e.kernel;
  r["refused"] = e.refused;
  return r;
}

// What a layer would do, without data (tconv explain): sizes, pads in
// effect, flops, every algorithm's estimate, and what would run.
py::dict Explain(py::handle x, py::handle weight, const py::dict& geometry, const std::string& algorithm,
                 const std::string& layout_text, py::handle dtype_arg) {
  const DataType dtype = DTypeArg(dtype_arg);
  const Layout layout = LayoutArg(layout_text);
  const ConvDesc d = TransposeDescFromArgs(ShapeArg(x, "x"), ShapeArg(weight, "weight"), geometry, layout);
  py::dict r;
  r["input_shape"] = ShapeTuple(ShapeInLayout(ConvTransposeInputShape(d), layout));
  r["weight_shape"] = ShapeTuple(ConvTransposeWeightShape(d));
  r["output_shape"] = ShapeTuple(ShapeInLayout(ConvTransposeOutputShape(d), layout));
  r["pad_begin"] = DimsTuple(d.pad_begin, d.ndim);
  r["pad_end"] = DimsTuple(d.pad_end, d.ndim);
  r["output_padding"] = DimsTuple(d.output_padding, d.ndim);
  r["flops"] = ConvTransposeFlops(d);
  r["layout"] = LayoutName(layout);
  r["dtype"] = DataTypeName(dtype);
  r["layout_conversion_bytes"] = LayoutConversionBytes(d, layout);
  r["desc"] = DescString(d);
  py::list estimates;
  std::string chosen_kernel;
  std::string why;
  std::string refused;
  bool found = false;
  const std::string chosen = algorithm == "auto" ? AutoAlgorithm(d, &why, 0, 1, dtype) : algorithm;
  for (const AlgorithmEstimate& e : EstimateAlgorithms(d, dtype)) {
    estimates.append(EstimateDict(e));
    if (e.name == chosen) {
      found = true;
      chosen_kernel = e.kernel;
      refused = e.refused;
    }
  }
  if (algorithm != "auto" && !found) {
    ThrowValue("algorithm '" + algorithm + "' is not 'auto' or one of the algorithms " +
               std::string(py::str(py::cast(AlgorithmNames()))));
  }
  // A plan would refuse it (e.g. gemm_col2im in bf16): say so, as Create.
  if (!refused.empty()) ThrowValue("algorithm " + algorithm + ": " + refused);
  r["algorithm"] = chosen;
  r["why"] = algorithm == "auto" ? why : std::string("forced by algorithm=");
  r["kernel"] = chosen_kernel;
  r["estimates"] = estimates;
  return r;
}

}  // namespace

void RegisterPlan(py::module_& m) {
  py::class_<PyPlan>(m, "Plan")
      .def(py::init<py::handle, py::handle, py::handle, const py::dict&, const std::string&, py::handle,
                    const std::string&, py::handle, const py::dict&>(),
           py::arg("weight"), py::arg("bias"), py::arg("input_shape"), py::arg("geometry"), py::arg("algorithm"),
           py::arg("threads"), py::arg("layout"), py::arg("dtype") = "f32", py::arg("quant") = py::dict())
      .def("run", &PyPlan::Run, py::arg("x"), py::arg("out") = py::none(), py::arg("out_dtype") = py::none())
      .def("explain", &PyPlan::Explain)
      .def("_run_at", &PyPlan::RunAt, py::arg("x_address"))
      .def_property_readonly("_pool_held", &PyPlan::pool_held)
      .def("_run_api", &PyPlan::RunApiCapsule)
      .def("_time_run", &PyPlan::TimeRun, py::arg("x"), py::arg("out"), py::arg("repeats"))
      .def_property_readonly("algorithm", [](const PyPlan& p) { return p.plan().algorithm(); })
      .def_property_readonly("kernel", [](const PyPlan& p) { return p.plan().kernel(); })
      .def_property_readonly("note", [](const PyPlan& p) { return p.plan().note(); })
      .def_property_readonly("layout", [](const PyPlan& p) { return std::string(LayoutName(p.plan().layout())); })
      .def_property_readonly("dtype", [](const PyPlan& p) { return std::string(DataTypeName(p.plan().dtype())); })
      .def_property_readonly("quant",
                             [](const PyPlan& p) {
                               const QuantParams* q = p.plan().quant();
                               return q ? py::object(QuantDict(*q)) : py::object(py::none());
                             })
      .def_property_readonly("input_shape", [](const PyPlan& p) { return ShapeTuple(p.plan().input_shape()); })
      .def_property_readonly("output_shape", [](const PyPlan& p) { return ShapeTuple(p.plan().output_shape()); })
      .def_property_readonly("workspace_bytes", [](const PyPlan& p) { return p.plan().workspace_bytes(); })
      .def_property_readonly("packed_bytes", [](const PyPlan& p) { return p.plan().packed_bytes(); });

  m.def(
      "conv_transpose",
      [](py::handle x, py::handle weight, py::handle bias, const py::dict& geometry, const std::string& algorithm,
         py::handle threads, const std::string& layout, py::handle out, py::handle dtype, py::handle out_dtype,
         const py::dict& quant) {
        // dtype='int8': x's array dtype (uint8 or int8) is the plan's x_dtype.
        const py::dict q = DTypeArg(dtype) == DataType::kInt8 ? QuantArgsForInput(quant, x) : quant;
        if (!py::isinstance<py::array>(x)) CheckedArray(x, "x", false);  // its error
        const py::array xa = py::reinterpret_borrow<py::array>(x);
        return PyPlan(weight, bias, py::cast(ShapeOf(xa)), geometry, algorithm, threads, layout, dtype, q)
            .Run(xa, out, out_dtype);
      },
      py::arg("x"), py::arg("weight"), py::arg("bias"), py::arg("geometry"), py::arg("algorithm"), py::arg("threads"),
      py::arg("layout"), py::arg("out"), py::arg("dtype") = "f32", py::arg("out_dtype") = py::none(),
      py::arg("quant") = py::dict());
  m.def("explain", &Explain, py::arg("x"), py::arg("weight"), py::arg("geometry"), py::arg("algorithm"),
        py::arg("layout"), py::arg("dtype") = "f32");
  m.def("algorithm_names", &AlgorithmNames);
}

}  // namespace pyext
}  // namespace tconv
