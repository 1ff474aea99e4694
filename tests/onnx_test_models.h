// Test helper: small ONNX models built in C++ with the protobuf API (only
// when tconv was built with ONNX, TCONV_TEST_HAVE_ONNX), for the inspect
// tests: one-node models from the conformance cases, hand-made chains,
// resize-conv and sub-pixel paths.
#ifndef TCONV_TESTS_ONNX_TEST_MODELS_H_
#define TCONV_TESTS_ONNX_TEST_MODELS_H_

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "tconv/inspect.h"
#include "tconv/tensor.h"

namespace tconv {
namespace testing {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 13) {
    m_.set_ir_version(7);
    m_.set_producer_name("tconv-test");
    auto* op = m_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    m_.mutable_graph()->set_name("g");
  }
  // A float graph input or output; -1 is an unknown (named) dimension. The
  // ONNX checker wants every value's shape field, so an output of unknown
  // shape still names its rank.
  void Input(const std::string& name, const Shape& shape) { Value(m_.mutable_graph()->add_input(), name, shape); }
  void Output(const std::string& name, int rank = 4) {
    Value(m_.mutable_graph()->add_output(), name, Shape(static_cast<size_t>(rank), -1));
  }
  // A shape the model declares for an inner value (graph.value_info).
  void Declare(const std::string& name, const Shape& shape) { Value(m_.mutable_graph()->add_value_info(), name, shape); }
  void Init(const std::string& name, const Tensor& t) {
    auto* init = m_.mutable_graph()->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : t.shape) init->add_dims(d);
    for (float v : t.data) init->add_float_data(v);
  }
  // A 1-D int64 initializer (Reshape's shape).
  void InitInts(const std::string& name, const std::vector<int64_t>& v) {
    auto* init = m_.mutable_graph()->add_initializer();
    init->set_name(name);
    init->set_data_type(onnx::TensorProto::INT64);
    init->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) init->add_int64_data(x);
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out, const std::string& name) {
    auto* n = m_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return n;
  }
  static void Ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void Int(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void Str(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  std::string Bytes() const { return m_.SerializeAsString(); }
  // The model through LoadOnnxBytes, named m.onnx.
  Status Load(ModelGraph* g) const {
    const std::string bytes = Bytes();
    return LoadOnnxBytes(bytes.data(), bytes.size(), "m.onnx", g);
  }

 private:
  static void Value(onnx::ValueInfoProto* v, const std::string& name, const Shape& shape) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    auto* sh = tt->mutable_shape();
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] >= 0) {
        sh->add_dim()->set_dim_value(shape[i]);
      } else {
        sh->add_dim()->set_dim_param(name + "_d" + std::to_string(i));
      }
    }
  }
  onnx::ModelProto m_;
};

// x (1, C, *in) -> ConvTranspose(w, k s p a) -> y: one node.
inline std::string OneDeconvModel(const Shape& x, const Tensor& w, const std::vector<int64_t>& strides,
                                  const std::vector<int64_t>& pads, const std::vector<int64_t>& output_padding) {
  OnnxBuilder b;
  b.Input("x", x);
  b.Output("y", static_cast<int>(x.size()));
  b.Init("w", w);
  auto* n = b.Node("ConvTranspose", {"x", "w"}, {"y"}, "up");
  OnnxBuilder::Ints(n, "strides", strides);
  if (!pads.empty()) OnnxBuilder::Ints(n, "pads", pads);
  if (!output_padding.empty()) OnnxBuilder::Ints(n, "output_padding", output_padding);
  return b.Bytes();
}

}  // namespace testing
}  // namespace tconv

#endif  // TCONV_TESTS_ONNX_TEST_MODELS_H_
