// What tconv checks before it lets ONNX 1.12's shape inference
// (onnx::shape_inference::InferShapes) see a model. That inference trusts
// the model: Conv's and ConvTranspose's index their attributes and the
// input's dimensions by the weight's rank, and a value's declared shape
// (graph input, output or value_info) stands in for what its producer
// gives. Models that break those assumptions crashed it (a null read in
// Conv's inference, found by the ONNX fuzzer). Only onnx_model.cc uses this.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "tconv/status.h"

namespace tconv {

// Refuses (Invalid, one line naming `source` and the node) a Conv-family
// node whose input and weight ranks differ or whose attributes have the
// wrong length, and a Conv-family or pooling node with a stride, dilation
// or kernel size below 1. Otherwise gives every Conv-family node whose
// weight is a constant its kernel_shape (the weight's spatial dims: the
// same layer, but the inference then checks every length against the
// input it sees). *inferable is false where inference stays unsafe: a
// value given two ranks (declarations, or a declaration and its producer),
// a value declared as no tensor, a Conv input of unknown rank or weight
// that is no constant, a subgraph, a model-local function. The caller then
// skips it, shapes being an extra.
Status PrepareShapeInference(ONNX_NAMESPACE::ModelProto* model, const std::string& source, bool* inferable);

}  // namespace tconv
