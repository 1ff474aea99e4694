// InferConvDesc (include/tconv/desc.h): a desc's shapes from the tensors'
// shapes, shared by the CLI and the Python module so that both word their
// channel and rank errors the same way.
#include <string>

#include "src/base/checked_int.h"
#include "tconv/desc.h"

namespace tconv {

Status InferConvDesc(ConvOp op, const Shape& input, const Shape& weight, int64_t groups, const std::string& input_name,
                     const std::string& weight_name, ConvDesc* d) {
  const int rank = static_cast<int>(input.size());
  if (rank < 3 || rank > 2 + kMaxSpatialDims) {
    return Status::Invalid(input_name + " has shape " + ShapeString(input) + " of rank " + std::to_string(rank) +
                           ": expected (N, C, D1[, D2[, D3]]), rank 3, 4 or 5");
  }
  if (static_cast<int>(weight.size()) != rank) {
    return Status::Invalid(weight_name + " has shape " + ShapeString(weight) + " of rank " +
                           std::to_string(weight.size()) + " but " + input_name + " has rank " + std::to_string(rank) +
                           " (" + std::to_string(rank - 2) + " spatial axes): the weight must have rank " +
                           std::to_string(rank));
  }
  if (groups < 1) return Status::Invalid("groups must be >= 1 (got " + std::to_string(groups) + ")");
  const int ndim = rank - 2;
  d->ndim = ndim;
  d->batch = input[0];
  d->in_channels = input[1];
  d->groups = groups;
  for (int a = 0; a < ndim; ++a) {
    d->in[a] = input[2 + a];
    d->kernel[a] = weight[2 + a];
  }
  for (int a = ndim; a < kMaxSpatialDims; ++a) d->in[a] = d->kernel[a] = 1;
  if (op == ConvOp::kConvTranspose) {
    if (weight[0] != input[1]) {
      return Status::Invalid(weight_name + " dim 0 is " + std::to_string(weight[0]) + " but must equal the input channels " +
                             std::to_string(input[1]) + " (transposed weight is (Cin, Cout/groups, *kernel))");
    }
    // (Overflow-checked: groups comes from the user.)
    if (!CheckedMul(weight[1], groups, &d->out_channels)) {
      return Status::Invalid(weight_name + " dim 1 is " + std::to_string(weight[1]) + " and groups is " +
                             std::to_string(groups) + ": the output channels dim1 * groups overflow");
    }
  } else {
    int64_t cin = 0;
    if (!CheckedMul(weight[1], groups, &cin) || cin != input[1]) {
      return Status::Invalid(weight_name + " dim 1 is " + std::to_string(weight[1]) + " and groups is " +
                             std::to_string(groups) + ": dim1 * groups must equal the input channels " +
                             std::to_string(input[1]) + " (convolution weight is (Cout, Cin/groups, *kernel))");
    }
    d->out_channels = weight[0];
    if (groups > 0 && weight[0] % groups != 0) {
      return Status::Invalid(weight_name + " dim 0 (output channels) is " + std::to_string(weight[0]) +
                             ", must be divisible by groups " + std::to_string(groups));
    }
  }
  return Status::Ok();
}

}  // namespace tconv
