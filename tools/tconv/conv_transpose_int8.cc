// `tconv conv-transpose --dtype int8` (tools/tconv/conv_transpose_int8.h).
#include "tools/tconv/conv_transpose_int8.h"

#include <memory>
#include <new>
#include <string>
#include <vector>

#include "tconv/layout.h"
#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tconv/quant.h"

namespace tconv {
namespace cli {
namespace {

Status OneFloat(const std::string& flag, const std::string& text, float* out) {
  std::vector<double> v;
  TCONV_RETURN_IF_ERROR(ParseFloatList(flag, text, &v));
  if (v.size() != 1) return Status::Invalid(flag + " takes one number (got " + std::to_string(v.size()) + ")");
  *out = static_cast<float>(v[0]);
  return Status::Ok();
}

Status OneInt(const std::string& flag, const std::string& text, int32_t* out) {
  if (text.empty()) return Status::Ok();  // the default, 0
  std::vector<int64_t> v;
  TCONV_RETURN_IF_ERROR(ParseIntList(flag, text, &v));
  if (v.size() != 1) return Status::Invalid(flag + " takes one integer (got " + std::to_string(v.size()) + ")");
  if (v[0] < INT32_MIN || v[0] > INT32_MAX) return Status::Invalid(flag + " is out of range (got " + text + ")");
  *out = static_cast<int32_t>(v[0]);
  return Status::Ok();
}

// --w-scale: a comma list, or a float32 .npy of rank 0 or 1.
Status WScales(const std::string& text, std::vector<float>* out) {
  if (text.size() > 4 && text.compare(text.size() - 4, 4, ".npy") == 0) {
    Tensor t;
    TCONV_RETURN_IF_ERROR(LoadTensor("--w-scale", text, &t));
    if (t.shape.size() > 1) return Status::Invalid("--w-scale: " + ShapeString(t.shape) + " is not a vector");
    *out = t.data;
    return Status::Ok();
  }
  std::vector<double> v;
  TCONV_RETURN_IF_ERROR(ParseFloatList("--w-scale", text, &v));
  out->assign(v.begin(), v.end());
  return Status::Ok();
}

// The library's field names as the flags that set them.
Status AsFlags(const Status& st) {
  std::string m = st.message();
  for (const char* field : {"x_scale", "x_zero_point", "w_scale", "y_scale", "y_zero_point"}) {
    const std::string f = field;
    if (m.compare(0, f.size(), f) == 0) {
      std::string flag = "--" + f;
      for (char& c : flag) c = c == '_' ? '-' : c;
      return Status(st.code(), flag + m.substr(f.size()));
    }
  }
  return st;
}

Status ParseQuant(const Int8Flags& f, QuantType x_type, QuantParams* q) {
  q->x_type = x_type;
  if (f.x_scale.empty()) return Status::Invalid("--dtype int8 needs --x-scale");
  if (f.w_scale.empty()) return Status::Invalid("--dtype int8 needs --w-scale");
  TCONV_RETURN_IF_ERROR(OneFloat("--x-scale", f.x_scale, &q->x_scale));
  TCONV_RETURN_IF_ERROR(OneInt("--x-zero-point", f.x_zero_point, &q->x_zero_point));
  TCONV_RETURN_IF_ERROR(WScales(f.w_scale, &q->w_scale));
  const std::string yd = f.y_dtype.empty() ? QuantTypeName(x_type) : f.y_dtype;
  if (yd == "f32") {
    if (!f.y_scale.empty() || !f.y_zero_point.empty()) {
      return Status::Invalid("--y-scale and --y-zero-point apply to --y-dtype u8 or s8, not f32");
    }
    q->y_type = QuantType::kFloat32;
    return Status::Ok();
  }
  if (yd != "u8" && yd != "s8") {
    return Status::Invalid("--y-dtype must be u8, s8 or f32 (got '" + EscapeForMessage(yd) + "')");
  }
  q->y_type = yd == "u8" ? QuantType::kUInt8 : QuantType::kInt8;
  if (f.y_scale.empty()) return Status::Invalid("--y-dtype " + yd + " needs --y-scale");
  TCONV_RETURN_IF_ERROR(OneFloat("--y-scale", f.y_scale, &q->y_scale));
  return OneInt("--y-zero-point", f.y_zero_point, &q->y_zero_point);
}

Status LoadInt(const std::string& flag, const std::string& path, IntTensor* t) {
  const Status st = ReadNpyInt(path, t);
  return st.ok() ? st : Status(st.code(), flag + ": " + st.message());
}

// Loads, plans, runs and writes.
Status Run(const Int8Job& j) {
  IntTensor x, w, b;
  TCONV_RETURN_IF_ERROR(LoadInt("--input", j.input, &x));
  if (x.type == NpyIntType::kInt32) return Status::Invalid("--input must be uint8 or int8 with --dtype int8 (got int32)");
  TCONV_RETURN_IF_ERROR(LoadInt("--weight", j.weight, &w));
  if (w.type != NpyIntType::kInt8) {
    return Status::Invalid(std::string("--weight must be int8 with --dtype int8 (got ") + NpyIntTypeName(w.type) + ")");
  }
  if (!j.bias.empty()) {
    TCONV_RETURN_IF_ERROR(LoadInt("--bias", j.bias, &b));
    if (b.type != NpyIntType::kInt32) {
      return Status::Invalid(std::string("--bias must be int32 with --dtype int8 (got ") + NpyIntTypeName(b.type) + ")");
    }
  }
  QuantParams q;
  TCONV_RETURN_IF_ERROR(ParseQuant(j.q, x.type == NpyIntType::kUInt8 ? QuantType::kUInt8 : QuantType::kInt8, &q));
  Layout layout = Layout::kNCHW;
  TCONV_RETURN_IF_ERROR(ParseLayout("--layout", j.layout, &layout));
  Shape x_nchw;
  TCONV_RETURN_IF_ERROR(InputShapeNCHW(x.shape, layout, &x_nchw));
  ConvDesc d;
  TCONV_RETURN_IF_ERROR(InferConvDesc(OpKind::kConvTranspose, x_nchw, w.shape, j.geo.groups, "--input", "--weight", &d));
  TCONV_RETURN_IF_ERROR(ResolveConvTransposeDesc(j.geo, j.tr, &d));
  if (!j.bias.empty() && b.shape != Shape{d.out_channels}) {
    return Status::Invalid("--bias has shape " + ShapeString(b.shape) + ", expected (" +
                           std::to_string(d.out_channels) + ",): one value per output channel");
  }
  TCONV_RETURN_IF_ERROR(AsFlags(ValidateQuantParams(q, d.out_channels)));
  PlanOptions opts;
  opts.dtype = DataType::kInt8;
  opts.algo = j.algo;
  opts.threads = j.geo.threads;
  opts.layout = layout;
  TCONV_RETURN_IF_ERROR(MemoryLimit(j.geo, &opts.max_memory_bytes));
  const std::vector<int8_t> w8(w.data.begin(), w.data.end());
  Status st;
  auto plan = Plan::Create(d, ConstI8View(w8.data(), w.shape),
                           j.bias.empty() ? ConstI32View() : ConstI32View(b.data.data(), b.shape), q, opts, &st);
  if (!plan) return AsFlags(st);
  std::vector<uint8_t> x8(x.data.size());
  for (size_t i = 0; i < x8.size(); ++i) x8[i] = static_cast<uint8_t>(x.data[i]);  // the bytes of u8 or s8
  if (q.y_type == QuantType::kFloat32) {
    Tensor y(plan->output_shape());
    TCONV_RETURN_IF_ERROR(plan->Run(ConstQuantView(x8.data(), x.shape), QuantView{y.data.data(), y.shape}));
    return WriteOutput("--output", j.output, y);
  }
  std::vector<uint8_t> y8(static_cast<size_t>(NumElements(plan->output_shape())));
  TCONV_RETURN_IF_ERROR(plan->Run(ConstQuantView(x8.data(), x.shape), QuantView{y8.data(), plan->output_shape()}));
  IntTensor y;
  y.type = q.y_type == QuantType::kUInt8 ? NpyIntType::kUInt8 : NpyIntType::kInt8;
  y.shape = plan->output_shape();
  y.data.resize(y8.size());
  for (size_t i = 0; i < y8.size(); ++i) y.data[i] = y.type == NpyIntType::kUInt8 ? y8[i] : static_cast<int8_t>(y8[i]);
  const Status ws = WriteNpyIntAtomic(j.output, y);
  return ws.ok() ? ws : Status(ws.code(), "--output: " + ws.message());
}

}  // namespace

void AddInt8Options(CLI::App* sub, Int8Flags* f) {
  sub->add_option("--x-scale", f->x_scale, "with --dtype int8: x's scale (finite, > 0)");
  sub->add_option("--x-zero-point", f->x_zero_point, "with --dtype int8: x's zero point (default 0)");
  sub->add_option("--w-scale", f->w_scale,
                  "with --dtype int8: the weight's scale: one (per tensor), Cout as a comma list or a float32 .npy");
  sub->add_option("--y-dtype", f->y_dtype, "with --dtype int8: u8, s8 (requantized) or f32 (default: x's type)");
  sub->add_option("--y-scale", f->y_scale, "with --dtype int8 and --y-dtype u8/s8: y's scale");
  sub->add_option("--y-zero-point", f->y_zero_point, "with --dtype int8 and --y-dtype u8/s8: y's zero point (0)");
}

std::string FirstInt8Flag(const Int8Flags& f) {
  return !f.x_scale.empty()        ? "--x-scale"
         : !f.x_zero_point.empty() ? "--x-zero-point"
         : !f.w_scale.empty()      ? "--w-scale"
         : !f.y_dtype.empty()      ? "--y-dtype"
         : !f.y_scale.empty()      ? "--y-scale"
         : !f.y_zero_point.empty() ? "--y-zero-point"
                                   : "";
}

int RunConvTransposeInt8(const Int8Job& job) {
  try {
    const Status st = Run(job);
    return st.ok() ? 0 : Fail(st);
  } catch (const std::bad_alloc&) {
    return Fail(Status::OutOfMemory("out of memory"));
  }
}

}  // namespace cli
}  // namespace tconv
