// ONNX file -> ModelGraph (tconv/inspect.h) through Debian's libonnx-dev and
// libprotobuf-dev: protobuf parses, onnx::checker validates, ONNX shape
// inference adds the value shapes (after shape_inference_guard.h's checks).
// Only this file and that guard see protobuf; built when CMake finds ONNX
// (else onnx_model_unavailable.cc stands in).
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "src/onnx/shape_inference_guard.h"
#include "tconv/inspect.h"

namespace tconv {

namespace {

// Names come from the file and may hold any byte: messages and reports
// show control bytes (and DEL) as \xNN, so each stays one line.
std::string Printable(const std::string& text) {
  std::string r;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) {
      static const char kHex[] = "0123456789abcdef";
      r += "\\x";
      r += kHex[c >> 4];
      r += kHex[c & 15];
    } else {
      r += static_cast<char>(c);
    }
  }
  return r;
}

namespace onnx_pb = ONNX_NAMESPACE;

std::string FirstLine(const std::string& s) {
  const size_t nl = s.find('\n');
  std::string line = nl == std::string::npos ? s : s.substr(0, nl);
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

// Element count of a tensor's dims, or -1 when a dim is negative or the
// count passes 2^40 (tconv's bound for any tensor).
int64_t CheckedCount(const onnx_pb::TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > (int64_t{1} << 40) / d)) return -1;
    n *= d;
  }
  return n;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

// Reads n values of the tensor's type from raw_data (little-endian) or the
// typed field; returns false when their number is not n.
template <typename Raw, typename Field, typename Conv>
bool ReadValues(const onnx_pb::TensorProto& t, int64_t n, const Field& field, Conv conv, std::vector<float>* out) {
  // The count is checked against the stored values before anything is
  // allocated: dims may declare 2^40 elements that the file does not hold.
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != static_cast<size_t>(n) * sizeof(Raw)) return false;
    out->resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      Raw v;
      std::memcpy(&v, raw.data() + i * sizeof(Raw), sizeof(Raw));
      (*out)[i] = conv(v);
    }
    return true;
  }
  if (field.size() != n) return false;
  out->resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) (*out)[i] = conv(static_cast<Raw>(field.Get(static_cast<int>(i))));
  return true;
}

// One initializer or Constant value into g->constants (or g->opaque when its
// type is not a float one, or it lives in an external file).
Status AddTensor(const onnx_pb::TensorProto& t, const std::string& name, const std::string& source, ModelGraph* g) {
  if (t.data_location() == onnx_pb::TensorProto::EXTERNAL) {
    g->opaque[name] = "stored in an external data file";
    return Status::Ok();
  }
  const int64_t n = CheckedCount(t);
  if (n < 0) return Status::Invalid(source + ": initializer '" + name + "' has a negative or huge shape");
  Tensor out;
  out.shape.assign(t.dims().begin(), t.dims().end());
  bool ok = true;
  using TP = onnx_pb::TensorProto;
  switch (t.data_type()) {
    case TP::FLOAT:
      ok = ReadValues<float>(t, n, t.float_data(), [](float v) { return v; }, &out.data);
      break;
    case TP::DOUBLE:
      ok = ReadValues<double>(t, n, t.double_data(), [](double v) { return static_cast<float>(v); }, &out.data);
      break;
    case TP::FLOAT16:
      ok = ReadValues<uint16_t>(t, n, t.int32_data(), HalfToFloat, &out.data);
      break;
    case TP::INT64:  // Resize sizes, Reshape shapes: small
      if (n > 64) {
        g->opaque[name] = "an int64 tensor";
        return Status::Ok();
      }
      ok = ReadValues<int64_t>(t, n, t.int64_data(), [](int64_t v) { return static_cast<float>(v); }, &out.data);
      break;
    default:
      g->opaque[name] = "element type " + std::to_string(t.data_type()) + " (not float)";
      return Status::Ok();
  }
  if (!ok) {
    return Status::Invalid(source + ": initializer '" + name + "': its data does not hold the " + std::to_string(n) +
                           " values of shape " + ShapeString(out.shape));
  }
  g->constants[name] = std::move(out);
  return Status::Ok();
}

void AddShape(const onnx_pb::ValueInfoProto& v, ModelGraph* g) {
  if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
  Shape s;
  for (const auto& d : v.type().tensor_type().shape().dim()) s.push_back(d.has_dim_value() ? d.dim_value() : -1);
  g->shapes[v.name()] = s;
}

Status AddNode(const onnx_pb::NodeProto& n, int index, const std::string& source, ModelGraph* g) {
  ModelNode node;
  node.op = n.op_type();
  node.name = Printable(n.name().empty() ? n.op_type() + "#" + std::to_string(index) : n.name());
  node.inputs.assign(n.input().begin(), n.input().end());
  node.outputs.assign(n.output().begin(), n.output().end());
  for (const auto& a : n.attribute()) {
    using AP = onnx_pb::AttributeProto;
    switch (a.type()) {
      case AP::INT: node.ints[a.name()] = {a.i()}; break;
      case AP::INTS: node.ints[a.name()].assign(a.ints().begin(), a.ints().end()); break;
      case AP::FLOAT: node.floats[a.name()] = {a.f()}; break;
      case AP::FLOATS: node.floats[a.name()].assign(a.floats().begin(), a.floats().end()); break;
      case AP::STRING: node.strings[a.name()] = a.s(); break;
      case AP::TENSOR:
        if (node.op == "Constant" && a.name() == "value" && node.outputs.size() == 1) {
          TCONV_RETURN_IF_ERROR(AddTensor(a.t(), node.outputs[0], source, g));
        }
        break;
      default: break;
    }
  }
  if (node.op == "Constant" && node.outputs.size() == 1) {  // value_float(s), value_int(s)
    const std::string& o = node.outputs[0];
    Tensor t;
    if (node.floats.count("value_floats") || node.floats.count("value_float")) {
      const auto& v = node.floats.count("value_floats") ? node.floats["value_floats"] : node.floats["value_float"];
      t.data.assign(v.begin(), v.end());
    } else if (node.ints.count("value_ints") || node.ints.count("value_int")) {
      const auto& v = node.ints.count("value_ints") ? node.ints["value_ints"] : node.ints["value_int"];
      for (int64_t x : v) t.data.push_back(static_cast<float>(x));
    }
    if (!t.data.empty()) {
      t.shape = {static_cast<int64_t>(t.data.size())};
      g->constants[o] = std::move(t);
    }
  }
  // torch's exporter shares equal weights through Identity nodes.
  if (node.op == "Identity" && node.inputs.size() == 1 && node.outputs.size() == 1) {
    if (g->constants.count(node.inputs[0])) g->constants[node.outputs[0]] = g->constants[node.inputs[0]];
    if (g->opaque.count(node.inputs[0])) g->opaque[node.outputs[0]] = g->opaque[node.inputs[0]];
  }
  g->nodes.push_back(std::move(node));
  return Status::Ok();
}

// Every node input must name a graph input, an initializer or an earlier
// node's output (the checker tolerates some of this in old IR versions).
Status CheckWiring(const onnx_pb::GraphProto& graph, const std::string& source) {
  std::map<std::string, bool> known;
  for (const auto& v : graph.input()) known[v.name()] = true;
  for (const auto& t : graph.initializer()) known[t.name()] = true;
  for (const auto& n : graph.node()) {
    for (const auto& in : n.input()) {
      if (!in.empty() && !known.count(in)) {
        return Status::Invalid(source + ": node '" + n.name() + "' (" + n.op_type() + ") reads '" + in +
                               "', which no input, initializer or earlier node provides");
      }
    }
    for (const auto& out : n.output()) known[out] = true;
  }
  return Status::Ok();
}

}  // namespace

bool OnnxSupported() { return true; }

Status LoadOnnxBytesImpl(const void* data, size_t size, const std::string& source, ModelGraph* out) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::Invalid(source + ": larger than 2 GiB, which protobuf cannot parse in one message");
  }
  onnx_pb::ModelProto model;
  if (size == 0 || !model.ParseFromArray(data, static_cast<int>(size))) {
    return Status::Invalid(source + ": not an ONNX model (protobuf parsing failed: truncated or another format)");
  }
  if (!model.has_graph() || model.graph().node_size() == 0) {
    return Status::Invalid(source + ": not an ONNX model (no graph, or a graph without nodes)");
  }
  try {
    onnx_pb::checker::check_model(model);
  } catch (const std::exception& e) {
    return Status::Invalid(source + ": invalid ONNX model: " + FirstLine(e.what()));
  }
  TCONV_RETURN_IF_ERROR(CheckWiring(model.graph(), source));
  bool inferable = false;
  TCONV_RETURN_IF_ERROR(PrepareShapeInference(&model, source, &inferable));
  try {
    if (inferable) onnx_pb::shape_inference::InferShapes(model);
  } catch (const std::exception&) {
    // Shapes are an extra (sizes in the report); the model stays usable.
  }
  ModelGraph g;
  g.producer = Printable(model.producer_name() +
                         (model.producer_version().empty() ? "" : " " + model.producer_version()));
  const auto& graph = model.graph();
  for (const auto& t : graph.initializer()) TCONV_RETURN_IF_ERROR(AddTensor(t, t.name(), source, &g));
  for (const auto& v : graph.input()) AddShape(v, &g);
  for (const auto& v : graph.value_info()) AddShape(v, &g);
  for (const auto& v : graph.output()) AddShape(v, &g);
  for (int i = 0; i < graph.node_size(); ++i) TCONV_RETURN_IF_ERROR(AddNode(graph.node(i), i, source, &g));
  *out = std::move(g);
  return Status::Ok();
}

Status LoadOnnxBytes(const void* data, size_t size, const std::string& source, ModelGraph* out) {
  *out = ModelGraph();
  const Status st = LoadOnnxBytesImpl(data, size, source, out);
  if (st.ok()) return st;
  *out = ModelGraph();
  return Status(st.code(), Printable(st.message()));
}

Status LoadOnnxFile(const std::string& path, ModelGraph* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Io(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return Status::Io(path + ": cannot read");
  const std::string bytes = ss.str();
  return LoadOnnxBytes(bytes.data(), bytes.size(), path, out);
}

}  // namespace tconv
