// Shared helpers for the tconv subcommands (see cli_common.h).
#include "tools/tconv/cli_common.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "src/base/checked_int.h"
#include "tconv/limits.h"
#include "tconv/npy.h"

namespace tconv {
namespace cli {
namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    size_t c = text.find(',', start);
    items.push_back(Trim(text.substr(start, c == std::string::npos ? std::string::npos : c - start)));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return items;
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

namespace {
std::FILE* g_error_stream = nullptr;  // stderr unless SetErrorStream
}  // namespace

void SetErrorStream(std::FILE* stream) { g_error_stream = stream; }

std::string EscapeForMessage(const std::string& text) {
  std::string out;
  auto hex = [&out](unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
  };
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    // UTF-8 sequence length from the lead byte (0: not a lead byte).
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool valid = len > 0 && i + len <= text.size();
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t j = 1; valid && j < len; ++j) {
      const unsigned char b = static_cast<unsigned char>(text[i + j]);
      valid = (b & 0xc0) == 0x80;
      cp = (cp << 6) | (b & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid.
    valid = valid && !(len == 2 && cp < 0x80) && !(len == 3 && cp < 0x800) &&
            !(len == 4 && (cp < 0x10000 || cp > 0x10ffff)) && !(cp >= 0xd800 && cp <= 0xdfff);
    if (!valid) {
      hex(c);
      ++i;
      continue;
    }
    // C0 controls (newline, carriage return, ESC), DEL and C1 controls.
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      for (size_t j = 0; j < len; ++j) hex(static_cast<unsigned char>(text[i + j]));
    } else {
      out.append(text, i, len);
    }
    i += len;
  }
  return out;
}

std::string ErrorLine(const std::string& msg) { return "tconv: error: " + EscapeForMessage(msg) + "\n"; }

int Fail(const std::string& msg) {
  std::FILE* f = g_error_stream ? g_error_stream : stderr;
  const std::string line = ErrorLine(msg);
  std::fputs(line.c_str(), f);
  std::fflush(f);
  return 2;
}

int Fail(const Status& st) { return Fail(st.message()); }

void RejectEmptyValues(CLI::App* app) {
  for (CLI::Option* opt : app->get_options()) {
    if (opt->get_type_size_max() == 0) continue;  // a flag
    opt->check(CLI::Validator(
        [](std::string& value) { return value.empty() ? std::string("the value is empty") : std::string(); }, "",
        "NonEmpty"));
  }
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) RejectEmptyValues(sub);
}

Status ParseUint64(const std::string& flag, const std::string& text, uint64_t* out) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid(flag + " must be a non-negative integer of at most 20 digits (got '" + text + "')");
  }
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE) return Status::Invalid(flag + " must be below 2^64 (got '" + text + "')");
  *out = v;
  return Status::Ok();
}

Status ParseByteSize(const std::string& flag, const std::string& text, int64_t* out) {
  const std::string rule = flag + " must be a byte count >= 1, optionally with K, M, G or T (got '" + text + "')";
  const size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0 || text.empty()) return Status::Invalid(rule);
  std::string unit = text.substr(digits == std::string::npos ? text.size() : digits);
  for (char& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  int shift = 0;
  if (unit == "" || unit == "B")
    shift = 0;
  else if (unit == "K" || unit == "KB" || unit == "KIB")
    shift = 10;
  else if (unit == "M" || unit == "MB" || unit == "MIB")
    shift = 20;
  else if (unit == "G" || unit == "GB" || unit == "GIB")
    shift = 30;
  else if (unit == "T" || unit == "TB" || unit == "TIB")
    shift = 40;
  else
    return Status::Invalid(rule);
  uint64_t v = 0;
  TCONV_RETURN_IF_ERROR(ParseUint64(flag, text.substr(0, digits), &v));
  if (v < 1 || v > (uint64_t{INT64_MAX} >> shift)) return Status::Invalid(rule + ": below 2^63 bytes");
  *out = static_cast<int64_t>(v << shift);
  return Status::Ok();
}

Status ParseIntList(const std::string& flag, const std::string& text, std::vector<int64_t>* out) {
  out->clear();
  if (Trim(text).empty()) return Status::Invalid(flag + " needs a value: an integer or a comma list of integers");
  for (const std::string& item : SplitComma(text)) {
    if (item.empty()) {
      return Status::Invalid(flag + " '" + text + "' has an empty item: expected integers separated by commas");
    }
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (end == item.c_str() || *end != '\0') {
      return Status::Invalid(flag + " '" + text + "': '" + item + "' is not an integer");
    }
    if (errno == ERANGE) return Status::Invalid(flag + " '" + text + "': '" + item + "' is out of range");
    out->push_back(static_cast<int64_t>(v));
  }
  return Status::Ok();
}

Status ParseFloatList(const std::string& flag, const std::string& text, std::vector<double>* out) {
  out->clear();
  if (Trim(text).empty()) return Status::Invalid(flag + " needs a value: a number or a comma list of numbers");
  for (const std::string& item : SplitComma(text)) {
    if (item.empty()) {
      return Status::Invalid(flag + " '" + text + "' has an empty item: expected numbers separated by commas");
    }
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(item.c_str(), &end);
    if (end == item.c_str() || *end != '\0' || !std::isfinite(v)) {
      return Status::Invalid(flag + " '" + text + "': '" + item + "' is not a finite number");
    }
    out->push_back(v);
  }
  return Status::Ok();
}

Status ParseAxisList(const std::string& flag, const std::string& text, int ndim, Dims* out) {
  if (text.empty()) return Status::Ok();
  std::vector<int64_t> v;
  TCONV_RETURN_IF_ERROR(ParseIntList(flag, text, &v));
  if (v.size() == 1) {
    for (int a = 0; a < ndim; ++a) (*out)[a] = v[0];
    return Status::Ok();
  }
  if (static_cast<int>(v.size()) != ndim) {
    return Status::Invalid(flag + " has " + Plural(v.size(), "value") + " but the input has " + std::to_string(ndim) +
                           (ndim == 1 ? " spatial axis" : " spatial axes") + " (give one value, or one per axis)");
  }
  for (int a = 0; a < ndim; ++a) (*out)[a] = v[a];
  return Status::Ok();
}

Status ParseAxisListF(const std::string& flag, const std::string& text, int ndim, std::vector<double>* out) {
  if (text.empty()) return Status::Ok();
  std::vector<double> v;
  TCONV_RETURN_IF_ERROR(ParseFloatList(flag, text, &v));
  if (v.size() == 1) {
    out->assign(ndim, v[0]);
    return Status::Ok();
  }
  if (static_cast<int>(v.size()) != ndim) {
    return Status::Invalid(flag + " has " + Plural(v.size(), "value") + " but the input has " + std::to_string(ndim) +
                           (ndim == 1 ? " spatial axis" : " spatial axes") + " (give one value, or one per axis)");
  }
  *out = v;
  return Status::Ok();
}

Status ParsePadList(const std::string& flag, const std::string& text, int ndim, Dims* begin, Dims* end) {
  if (text.empty()) return Status::Ok();
  std::vector<int64_t> v;
  TCONV_RETURN_IF_ERROR(ParseIntList(flag, text, &v));
  if (v.size() == 1) {
    for (int a = 0; a < ndim; ++a) (*begin)[a] = (*end)[a] = v[0];
    return Status::Ok();
  }
  if (static_cast<int>(v.size()) != 2 * ndim) {
    return Status::Invalid(flag + " has " + Plural(v.size(), "value") + " but the input has " + std::to_string(ndim) +
                           (ndim == 1 ? " spatial axis" : " spatial axes") + ", so it needs " +
                           std::to_string(2 * ndim) + " (all begins, then all ends: B1,..,Bn,E1,..,En)");
  }
  for (int a = 0; a < ndim; ++a) {
    (*begin)[a] = v[a];
    (*end)[a] = v[ndim + a];
  }
  return Status::Ok();
}

void AddGeometryOptions(CLI::App* sub, GeometryFlags* f) {
  sub->add_option("--stride", f->stride, "stride S, or S1,..,Sn per spatial axis (default 1)");
  sub->add_option("--dilation", f->dilation, "dilation D, or D1,..,Dn (default 1)");
  sub->add_option("--pad", f->pad, "symmetric padding P, or P1,..,Pn (default 0)");
  sub->add_option("--pads", f->pads, "ONNX pads B1,..,Bn,E1,..,En (all begins, then all ends)");
  sub->add_option("--groups", f->groups, "number of channel groups (default 1)");
  sub->add_option("--threads", f->threads, "worker threads, 1 to 4 x the CPUs (default 1)");
  sub->add_option("--max-memory", f->max_memory,
                  "bytes the command may plan for (output, workspace, ...), e.g. 4G (default: physical memory)");
}

Status MemoryLimit(const GeometryFlags& f, int64_t* bytes) {
  *bytes = 0;
  if (f.max_memory.empty()) return Status::Ok();
  return ParseByteSize("--max-memory", f.max_memory, bytes);
}

bool HasExplicitPads(const GeometryFlags& f) { return !f.pad.empty() || !f.pads.empty(); }

Status ApplyGeometry(const GeometryFlags& f, ConvDesc* d) {
  if (!f.pad.empty() && !f.pads.empty()) {
    return Status::Invalid("--pad and --pads cannot both be given (--pad P is symmetric, --pads is ONNX begin/end order)");
  }
  TCONV_RETURN_IF_ERROR(ParseAxisList("--stride", f.stride, d->ndim, &d->stride));
  TCONV_RETURN_IF_ERROR(ParseAxisList("--dilation", f.dilation, d->ndim, &d->dilation));
  if (!f.pad.empty()) {
    Dims p = {0, 0, 0};
    TCONV_RETURN_IF_ERROR(ParseAxisList("--pad", f.pad, d->ndim, &p));
    d->pad_begin = d->pad_end = p;
  }
  TCONV_RETURN_IF_ERROR(ParsePadList("--pads", f.pads, d->ndim, &d->pad_begin, &d->pad_end));
  if (f.groups < 1) return Status::Invalid("--groups must be >= 1 (got " + std::to_string(f.groups) + ")");
  TCONV_RETURN_IF_ERROR(CheckThreads("--threads", f.threads));
  int64_t limit;
  TCONV_RETURN_IF_ERROR(MemoryLimit(f, &limit));
  d->groups = f.groups;
  return Status::Ok();
}

CLI::Option* AddPathOption(CLI::App* sub, const std::string& flag, std::string* path, const std::string& help,
                           bool required) {
  CLI::Option* o = sub->add_option(flag, *path, help);
  if (required) o->required();
  return o;
}

Status InputShapeNCHW(const Shape& stored, Layout layout, Shape* nchw) {
  const int rank = static_cast<int>(stored.size());
  if (layout == Layout::kNHWC && (rank < 3 || rank > 2 + kMaxSpatialDims)) {
    return Status::Invalid("--input has shape " + ShapeString(stored) + " of rank " + std::to_string(rank) +
                           ": expected (N, D1[, D2[, D3]], C) with --layout nhwc, rank 3, 4 or 5");
  }
  *nchw = ShapeToNCHW(stored, layout);
  return Status::Ok();
}

Status InferConvDesc(OpKind op, const Shape& input, const Shape& weight, int64_t groups, const std::string& input_flag,
                     const std::string& weight_flag, ConvDesc* d) {
  // The flag's own name in the one message the library words as "groups".
  if (groups < 1) return Status::Invalid("--groups must be >= 1 (got " + std::to_string(groups) + ")");
  return tconv::InferConvDesc(op == OpKind::kConvTranspose ? ConvOp::kConvTranspose : ConvOp::kConv, input, weight,
                              groups, input_flag, weight_flag, d);
}

void AddTransposeOptions(CLI::App* sub, TransposeFlags* f) {
  sub->add_option("--output-padding", f->output_padding, "output padding A, or A1,..,An (default 0)");
  sub->add_option("--output-shape", f->output_shape, "ONNX output_shape O1,..,On (spatial); derives the pads");
  sub->add_option("--auto-pad", f->auto_pad, "ONNX auto_pad: notset|same_upper|same_lower|valid (any case)");
  sub->add_option("--target-shape", f->target_shape, "MXNet target_shape T1,..,Tn; derives pads and output padding");
}

Status ResolveConvTransposeDesc(const GeometryFlags& g, const TransposeFlags& t, ConvDesc* d) {
  TCONV_RETURN_IF_ERROR(ApplyGeometry(g, d));
  PadRequest req;
  if (!t.auto_pad.empty()) {
    Status st = ParseAutoPad(t.auto_pad, &req.auto_pad);
    if (!st.ok()) {
      return Status::Invalid("--auto-pad must be one of notset, same_upper, same_lower, valid (got '" + t.auto_pad +
                             "')");
    }
  }
  const bool pads = HasExplicitPads(g);
  const char* pad_flag = !g.pads.empty() ? "--pads" : "--pad";
  if (pads && req.auto_pad != AutoPad::kNotSet) {
    return Status::Invalid(std::string(pad_flag) + " cannot be combined with --auto-pad " + AutoPadName(req.auto_pad) +
                           " (auto_pad derives the pads)");
  }
  if (!t.target_shape.empty()) {
    if (!t.output_shape.empty()) return Status::Invalid("--target-shape cannot be combined with --output-shape");
    if (!t.auto_pad.empty()) return Status::Invalid("--target-shape cannot be combined with --auto-pad");
    if (!t.output_padding.empty()) {
      return Status::Invalid("--target-shape cannot be combined with --output-padding (target_shape derives it)");
    }
    if (pads) return Status::Invalid(std::string("--target-shape cannot be combined with ") + pad_flag + " (target_shape derives the pads)");
  }
  if (!t.output_shape.empty() && pads) {
    return Status::Invalid(std::string("--output-shape cannot be combined with ") + pad_flag +
                           " (output_shape derives the pads)");
  }
  TCONV_RETURN_IF_ERROR(ParseAxisList("--output-padding", t.output_padding, d->ndim, &d->output_padding));
  if (!t.output_shape.empty()) {
    std::vector<int64_t> v;
    TCONV_RETURN_IF_ERROR(ParseIntList("--output-shape", t.output_shape, &v));
    // Accept the full (N, C, *spatial) form too, as ONNX sometimes writes it.
    if (static_cast<int>(v.size()) == d->ndim + 2) v.erase(v.begin(), v.begin() + 2);
    if (static_cast<int>(v.size()) != d->ndim) {
      return Status::Invalid("--output-shape has " + Plural(v.size(), "value") + " but the input has " +
                             std::to_string(d->ndim) + (d->ndim == 1 ? " spatial axis" : " spatial axes") +
                             " (give one per spatial axis)");
    }
    req.has_output_shape = true;
    for (int a = 0; a < d->ndim; ++a) req.output_shape[a] = v[a];
  }
  if (!t.target_shape.empty()) {
    std::vector<int64_t> v;
    TCONV_RETURN_IF_ERROR(ParseIntList("--target-shape", t.target_shape, &v));
    if (static_cast<int>(v.size()) != d->ndim) {
      return Status::Invalid("--target-shape has " + Plural(v.size(), "value") + " but the input has " +
                             std::to_string(d->ndim) + (d->ndim == 1 ? " spatial axis" : " spatial axes") +
                             " (give one per spatial axis)");
    }
    req.has_target_shape = true;
    for (int a = 0; a < d->ndim; ++a) req.target_shape[a] = v[a];
  }
  TCONV_RETURN_IF_ERROR(ResolvePads(req, d));
  return ValidateConvTranspose(*d);
}

Status ResolveConvDesc(const GeometryFlags& g, ConvDesc* d) {
  TCONV_RETURN_IF_ERROR(ApplyGeometry(g, d));
  return ValidateConv(*d);
}

Status ParseDType(const std::string& flag, const std::string& text, DataType* out) {
  if (text == "f32" || text == "float32") {
    *out = DataType::kFloat32;
  } else if (text == "bf16" || text == "bfloat16") {
    *out = DataType::kBFloat16;
  } else if (text == "int8") {
    *out = DataType::kInt8;
  } else {
    return Status::Invalid(flag + " must be f32, bf16 or int8 (got '" + EscapeForMessage(text) + "')");
  }
  return Status::Ok();
}

Status LoadTensor(const std::string& flag, const std::string& path, Tensor* out) {
  if (path.empty()) return Status::Invalid(flag + " needs a file name");
  Status st = ReadNpy(path, out);
  if (!st.ok()) return Status(st.code(), flag + ": " + st.message());
  return Status::Ok();
}

Status WriteOutput(const std::string& flag, const std::string& path, const Tensor& t) {
  if (path.empty()) return Status::Invalid(flag + " needs a file name");
  Status st = WriteNpyAtomic(path, t);
  if (!st.ok()) return Status(st.code(), flag + ": " + st.message());
  return Status::Ok();
}

std::string JoinDims(const Dims& v, int ndim, const char* sep) {
  std::string s;
  for (int a = 0; a < ndim; ++a) s += (a ? sep : "") + std::to_string(v[a]);
  return s;
}

}  // namespace cli
}  // namespace tconv
