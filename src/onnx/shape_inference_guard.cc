// PrepareShapeInference (shape_inference_guard.h): ranks first, then the
// Conv-family and pooling nodes, then the kernel_shape each Conv is given.
#include "src/onnx/shape_inference_guard.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace tconv {

namespace {

namespace onnx_pb = ONNX_NAMESPACE;

bool DefaultDomain(const onnx_pb::NodeProto& n) { return n.domain().empty() || n.domain() == "ai.onnx"; }

// The Conv-family ops whose inference (convPoolShapeInference,
// convTransposeShapeInference) takes the kernel from the weight, and the
// weight's input slot; -1 for any other node.
int WeightSlot(const onnx_pb::NodeProto& n) {
  if (!DefaultDomain(n)) return -1;
  const std::string& op = n.op_type();
  if (op == "Conv" || op == "ConvTranspose" || op == "ConvInteger") return 1;
  if (op == "QLinearConv") return 3;
  return -1;
}

// A Constant node's `value` tensor; null for any other node or form.
const onnx_pb::TensorProto* ConstantValue(const onnx_pb::NodeProto& n) {
  if (n.op_type() != "Constant" || !DefaultDomain(n)) return nullptr;
  for (const auto& a : n.attribute())
    if (a.name() == "value" && a.has_t()) return &a.t();
  return nullptr;
}

// The tensor a value holds where the graph fixes it: an initializer, a
// Constant node's `value`, or either through Identity nodes (torch's export
// shares a weight so); null otherwise.
const onnx_pb::TensorProto* ConstantOf(const onnx_pb::GraphProto& graph, const std::string& name, int depth = 0) {
  for (const auto& t : graph.initializer())
    if (t.name() == name) return &t;
  for (const auto& n : graph.node()) {
    if (!DefaultDomain(n) || n.output_size() != 1 || n.output(0) != name) continue;
    if (n.op_type() == "Identity" && n.input_size() == 1 && depth < 8) return ConstantOf(graph, n.input(0), depth + 1);
    return ConstantValue(n);
  }
  return nullptr;
}

// Each value's rank where the model states or implies it. A value given
// two ranks (two declarations, or a declaration and its producer) counts
// as unknown, and contradicted() turns inference off: ONNX's inference
// would read the declaration where its producer says otherwise.
class Ranks {
 public:
  void Set(const std::string& name, int r) {
    if (name.empty() || r < 0) return;
    auto it = rank_.find(name);
    if (it == rank_.end()) {
      rank_[name] = r;
    } else if (it->second != r) {
      it->second = kContradicted;
      contradicted_ = true;
    }
  }
  int Of(const std::string& name) const {
    auto it = rank_.find(name);
    return it == rank_.end() || it->second < 0 ? -1 : it->second;
  }
  bool contradicted() const { return contradicted_; }

 private:
  static constexpr int kContradicted = -2;
  std::map<std::string, int> rank_;
  bool contradicted_ = false;
};

// The rank node n gives its first output where it follows from its inputs:
// the ops that keep their input's rank, the broadcasting ones, Gemm and
// Flatten (2), Reshape to a constant shape, a Constant's tensor, and the
// Conv family (the weight's rank). -1 for any other op or an unknown
// input. Only the first output: BatchNormalization's others are vectors.
int DerivedRank(const onnx_pb::GraphProto& graph, int64_t opset, const onnx_pb::NodeProto& n, const Ranks& ranks) {
  static const std::set<std::string> kSameRank = {
      "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "HardSigmoid", "Clip",
      "Identity", "Dropout", "Cast", "Neg", "Abs", "Exp", "Log", "Sqrt", "BatchNormalization",
      "InstanceNormalization", "LpNormalization", "Resize", "Upsample", "DepthToSpace", "SpaceToDepth", "Pad",
      "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"};
  static const std::set<std::string> kBroadcast = {"Add", "Sub", "Mul", "Div", "Sum", "Max", "Min"};
  if (!DefaultDomain(n)) return -1;
  const std::string& op = n.op_type();
  const int slot = WeightSlot(n);
  if (slot >= 0) return n.input_size() > slot ? ranks.Of(n.input(slot)) : -1;
  if (op == "Gemm" || op == "Flatten") return 2;
  if (const onnx_pb::TensorProto* t = ConstantValue(n)) return t->dims_size();
  if (op == "Reshape") {
    const onnx_pb::TensorProto* shape = n.input_size() == 2 ? ConstantOf(graph, n.input(1)) : nullptr;
    return shape && shape->dims_size() == 1 && shape->dims(0) <= 8 ? static_cast<int>(shape->dims(0)) : -1;
  }
  if (kSameRank.count(op)) {
    int r = n.input_size() >= 1 ? ranks.Of(n.input(0)) : -1;
    // Resize's and Upsample's scales, sizes and roi hold one value per axis
    // (roi two): a constant of another length leaves the rank unknown.
    for (int i = 1; r >= 0 && i < n.input_size() && (op == "Resize" || op == "Upsample"); ++i) {
      const onnx_pb::TensorProto* t = n.input(i).empty() ? nullptr : ConstantOf(graph, n.input(i));
      if (!t) continue;
      const int64_t len = t->dims_size() == 1 ? t->dims(0) : -1;
      const bool roi_slot = op == "Resize" && i == 1;  // roi (opset 11+) or scales (opset 10)
      if (len != 0 && len != r && !(roi_slot && len == 2 * r)) r = -1;
    }
    return r;
  }
  // Numpy broadcasting (the largest rank) from opset 8 (Add, Sub, Mul and
  // Div from 7); before, and for Concat, the inputs' one rank.
  const bool numpy = opset >= 8 || (opset == 7 && op != "Sum" && op != "Max" && op != "Min");
  if ((!kBroadcast.count(op) && op != "Concat") || n.input_size() == 0) return -1;
  int r = ranks.Of(n.input(0));
  for (const auto& in : n.input()) {
    const int ri = ranks.Of(in);
    if (ri < 0 || (ri != r && !(numpy && op != "Concat"))) return -1;
    r = std::max(r, ri);
  }
  return r;
}

// Declared ranks (initializers, and the graph's inputs, value_info and
// outputs), then the derived ones; *non_tensor where a value is declared
// with another type than a tensor (ONNX's inference would read its shape
// as a tensor's).
void CollectRanks(const onnx_pb::GraphProto& graph, int64_t opset, Ranks* ranks, bool* non_tensor) {
  for (const auto& t : graph.initializer()) ranks->Set(t.name(), t.dims_size());
  for (const auto* list : {&graph.input(), &graph.value_info(), &graph.output()}) {
    for (const auto& v : *list) {
      if (!v.has_type()) continue;
      if (!v.type().has_tensor_type()) {
        *non_tensor = true;
      } else if (v.type().tensor_type().has_shape()) {
        ranks->Set(v.name(), v.type().tensor_type().shape().dim_size());
      }
    }
  }
  for (const auto& n : graph.node())
    if (n.output_size() > 0) ranks->Set(n.output(0), DerivedRank(graph, opset, n, *ranks));
}

bool AnyBelowOne(const onnx_pb::AttributeProto& a) {
  return std::any_of(a.ints().begin(), a.ints().end(), [](int64_t v) { return v < 1; });
}

// A Conv-family node: input and weight ranks equal where both are known,
// attributes of the lengths the weight's rank gives. *inferable false where
// either rank is unknown or the weight is no constant (kernel_shape cannot
// be given).
Status CheckConvNode(const onnx_pb::GraphProto& graph, const onnx_pb::NodeProto& n, int slot, const Ranks& ranks,
                     const std::string& source, bool* inferable) {
  const std::string where = source + ": node '" + n.name() + "' (" + n.op_type() + ")";
  const int wr = n.input_size() > slot ? ranks.Of(n.input(slot)) : -1;
  const int xr = n.input_size() > 0 ? ranks.Of(n.input(0)) : -1;
  if (wr < 0 || xr < 0 || !ConstantOf(graph, n.input(slot))) *inferable = false;
  if (wr < 0) return Status::Ok();
  const int nd = wr - 2;
  if (nd < 1) return Status::Invalid(where + ": the weight has rank " + std::to_string(wr));
  if (xr >= 0 && xr != wr) {
    return Status::Invalid(where + ": input and weight ranks differ (" + std::to_string(xr) + " and " +
                           std::to_string(wr) + ")");
  }
  for (const auto& a : n.attribute()) {
    const std::string& k = a.name();
    const int want = k == "pads" ? 2 * nd : nd;
    const bool sized = k == "strides" || k == "dilations" || k == "kernel_shape" || k == "pads" ||
                       k == "output_padding" || k == "output_shape";
    if (sized && a.ints_size() != want && !(k == "output_shape" && a.ints_size() == nd + 2)) {
      return Status::Invalid(where + ": attribute " + k + " has " + std::to_string(a.ints_size()) +
                             " values, expected " + std::to_string(want));
    }
    if ((k == "group" && a.i() < 1) || ((k == "strides" || k == "dilations" || k == "kernel_shape") && AnyBelowOne(a))) {
      return Status::Invalid(where + ": attribute " + k + " must be >= 1");
    }
  }
  return Status::Ok();
}

// Pooling divides by its strides (ONNX 1.12 without a check): strides,
// dilations and kernel_shape must be >= 1.
Status CheckPoolNode(const onnx_pb::NodeProto& n, const std::string& source) {
  if (!DefaultDomain(n) || (n.op_type() != "MaxPool" && n.op_type() != "AveragePool" && n.op_type() != "LpPool")) {
    return Status::Ok();
  }
  for (const auto& a : n.attribute()) {
    if ((a.name() == "strides" || a.name() == "dilations" || a.name() == "kernel_shape") && AnyBelowOne(a)) {
      return Status::Invalid(source + ": node '" + n.name() + "' (" + n.op_type() + "): attribute " + a.name() +
                             " must be >= 1");
    }
  }
  return Status::Ok();
}

// kernel_shape from the weight's constant where the node has none (the
// caller checked there is one): the inference then checks its length
// against the input's rank instead of reading the input's dimensions by
// the weight's.
void GiveKernelShape(const onnx_pb::GraphProto& graph, int slot, onnx_pb::NodeProto* n) {
  for (const auto& a : n->attribute())
    if (a.name() == "kernel_shape") return;
  const onnx_pb::TensorProto* w = ConstantOf(graph, n->input(slot));
  auto* a = n->add_attribute();
  a->set_name("kernel_shape");
  a->set_type(onnx_pb::AttributeProto::INTS);
  for (int i = 2; i < w->dims_size(); ++i) a->add_ints(w->dims(i));
}

bool HasSubgraph(const onnx_pb::GraphProto& graph) {
  for (const auto& n : graph.node())
    for (const auto& a : n.attribute())
      if (a.has_g() || a.graphs_size() > 0) return true;
  return false;
}

int64_t DefaultOpset(const onnx_pb::ModelProto& model) {
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  return 1;
}

}  // namespace

Status PrepareShapeInference(onnx_pb::ModelProto* model, const std::string& source, bool* inferable) {
  onnx_pb::GraphProto* graph = model->mutable_graph();
  Ranks ranks;
  bool non_tensor = false;
  CollectRanks(*graph, DefaultOpset(*model), &ranks, &non_tensor);
  *inferable = !ranks.contradicted() && !non_tensor && model->functions_size() == 0 && !HasSubgraph(*graph);
  for (const auto& n : graph->node()) {
    const int slot = WeightSlot(n);
    if (slot >= 0) TCONV_RETURN_IF_ERROR(CheckConvNode(*graph, n, slot, ranks, source, inferable));
    TCONV_RETURN_IF_ERROR(CheckPoolNode(n, source));
  }
  if (!*inferable) return Status::Ok();
  for (auto& n : *graph->mutable_node()) {
    const int slot = WeightSlot(n);
    if (slot >= 0) GiveKernelShape(*graph, slot, &n);
  }
  return Status::Ok();
}

}  // namespace tconv
