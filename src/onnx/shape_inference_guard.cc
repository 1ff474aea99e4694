// PrepareShapeInference (shape_inference_guard.h): ranks first, then the
// Conv-family nodes, then the kernel_shape each is given.
#include "src/onnx/shape_inference_guard.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace tconv {

namespace {

namespace onnx_pb = ONNX_NAMESPACE;

// The Conv-family ops whose inference (convPoolShapeInference,
// convTransposeShapeInference) takes the kernel from the weight, and the
// weight's input slot.
int WeightSlot(const std::string& op) {
  if (op == "Conv" || op == "ConvTranspose" || op == "ConvInteger") return 1;
  if (op == "QLinearConv") return 3;
  return -1;
}

class Ranks {
 public:
  explicit Ranks(const std::string& source) : source_(source) {}

  // A shape the model states: initializers, and the graph's inputs,
  // value_info and outputs that carry a shape.
  Status Declare(const std::string& name, int r) {
    auto it = rank_.find(name);
    if (it != rank_.end() && it->second != r) {
      return Status::Invalid(source_ + ": value '" + name + "' is declared with rank " + std::to_string(it->second) +
                             " and with rank " + std::to_string(r));
    }
    rank_[name] = r;
    return Status::Ok();
  }

  // The rank node n gives its first output (r < 0: unknown). A declared
  // rank stands where the node's is unknown, and must agree where it is not.
  Status Derive(const onnx_pb::NodeProto& n, int r) {
    if (n.output_size() == 0 || n.output(0).empty() || r < 0) return Status::Ok();
    auto it = rank_.find(n.output(0));
    if (it != rank_.end() && it->second != r) {
      return Status::Invalid(source_ + ": value '" + n.output(0) + "' is declared with rank " +
                             std::to_string(it->second) + ", but node '" + n.name() + "' (" + n.op_type() +
                             ") gives it rank " + std::to_string(r));
    }
    rank_[n.output(0)] = r;
    return Status::Ok();
  }

  int Of(const std::string& name) const {
    auto it = rank_.find(name);
    return it == rank_.end() ? -1 : it->second;
  }

 private:
  std::string source_;
  std::map<std::string, int> rank_;
};

// The rank a node gives its first output where it follows from its inputs'
// ranks alone: the ops that keep their input's rank, broadcasting ones, and
// the Conv family (the weight's rank). -1 for any other op or an unknown
// input. Only the first output: BatchNormalization's others are vectors.
int DerivedRank(const onnx_pb::GraphProto& graph, const onnx_pb::NodeProto& n, const Ranks& ranks) {
  static const std::set<std::string> kSameRank = {
      "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus", "HardSigmoid", "Clip",
      "Identity", "Dropout", "Cast", "Neg", "Abs", "Exp", "Log", "Sqrt", "BatchNormalization",
      "InstanceNormalization", "LpNormalization", "Resize", "Upsample", "DepthToSpace", "SpaceToDepth", "Pad"};
  static const std::set<std::string> kBroadcast = {"Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Concat"};
  const std::string& op = n.op_type();
  const int slot = WeightSlot(op);
  if (slot >= 0) return n.input_size() > slot ? ranks.Of(n.input(slot)) : -1;
  if (kSameRank.count(op)) {
    int r = n.input_size() >= 1 ? ranks.Of(n.input(0)) : -1;
    // Resize's and Upsample's scales, sizes and roi hold one value per axis
    // (roi two): a constant of another length leaves the rank unknown.
    for (int i = 1; r >= 0 && i < n.input_size() && (op == "Resize" || op == "Upsample"); ++i) {
      const auto it = std::find_if(graph.initializer().begin(), graph.initializer().end(),
                                   [&](const onnx_pb::TensorProto& t) { return t.name() == n.input(i); });
      if (it == graph.initializer().end()) continue;
      const int64_t len = it->dims_size() == 1 ? it->dims(0) : -1;
      const bool roi_slot = op == "Resize" && i == 1;  // roi (opset 11+) or scales (opset 10)
      if (len != 0 && len != r && !(roi_slot && len == 2 * r)) r = -1;
    }
    return r;
  }
  if (!kBroadcast.count(op) || n.input_size() == 0) return -1;
  int r = 0;
  for (const auto& in : n.input()) {
    if (ranks.Of(in) < 0) return -1;
    r = std::max(r, ranks.Of(in));
  }
  return r;
}

Status CollectRanks(const onnx_pb::GraphProto& graph, Ranks* ranks) {
  for (const auto& t : graph.initializer()) TCONV_RETURN_IF_ERROR(ranks->Declare(t.name(), t.dims_size()));
  for (const auto* list : {&graph.input(), &graph.value_info(), &graph.output()}) {
    for (const auto& v : *list) {
      if (v.type().has_tensor_type() && v.type().tensor_type().has_shape()) {
        TCONV_RETURN_IF_ERROR(ranks->Declare(v.name(), v.type().tensor_type().shape().dim_size()));
      }
    }
  }
  for (const auto& n : graph.node()) TCONV_RETURN_IF_ERROR(ranks->Derive(n, DerivedRank(graph, n, *ranks)));
  return Status::Ok();
}

// A Conv-family node: input and weight ranks equal where both are known,
// attributes of the lengths the weight's rank gives. *inferable false where
// either rank is unknown.
Status CheckConvNode(const onnx_pb::NodeProto& n, int slot, const Ranks& ranks, const std::string& source,
                     bool* inferable) {
  const std::string where = source + ": node '" + n.name() + "' (" + n.op_type() + ")";
  const int wr = n.input_size() > slot ? ranks.Of(n.input(slot)) : -1;
  const int xr = n.input_size() > 0 ? ranks.Of(n.input(0)) : -1;
  if (wr < 0 || xr < 0) *inferable = false;
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
    if ((k == "group" && a.i() < 1) || ((k == "strides" || k == "dilations" || k == "kernel_shape") &&
                                        std::any_of(a.ints().begin(), a.ints().end(), [](int64_t v) { return v < 1; }))) {
      return Status::Invalid(where + ": attribute " + k + " must be >= 1");
    }
  }
  return Status::Ok();
}

// kernel_shape from the weight's initializer where the node has none: the
// inference then checks its length against the input's rank instead of
// reading the input's dimensions by the weight's. *inferable false where
// the weight is no initializer.
void GiveKernelShape(const onnx_pb::GraphProto& graph, int slot, onnx_pb::NodeProto* n, bool* inferable) {
  for (const auto& a : n->attribute())
    if (a.name() == "kernel_shape") return;
  const auto w = std::find_if(graph.initializer().begin(), graph.initializer().end(),
                              [&](const onnx_pb::TensorProto& t) { return t.name() == n->input(slot); });
  if (w == graph.initializer().end()) {
    *inferable = false;
    return;
  }
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

}  // namespace

Status PrepareShapeInference(onnx_pb::ModelProto* model, const std::string& source, bool* inferable) {
  onnx_pb::GraphProto* graph = model->mutable_graph();
  Ranks ranks(source);
  TCONV_RETURN_IF_ERROR(CollectRanks(*graph, &ranks));
  *inferable = model->functions_size() == 0 && !HasSubgraph(*graph);
  for (const auto& n : graph->node()) {
    const int slot = WeightSlot(n.op_type());
    if (slot >= 0) TCONV_RETURN_IF_ERROR(CheckConvNode(n, slot, ranks, source, inferable));
  }
  if (!*inferable) return Status::Ok();
  for (auto& n : *graph->mutable_node()) {
    const int slot = WeightSlot(n.op_type());
    if (slot >= 0) GiveKernelShape(*graph, slot, &n, inferable);
  }
  return Status::Ok();
}

}  // namespace tconv
