// CheckCreateArgsInt8 (src/plan_internal.h): what Plan::Create checks for
// an int8 plan before it chooses and prepares an algorithm.
#include <string>

#include "src/algo/algorithm.h"
#include "src/algo/phase_int8.h"
#include "src/base/checked_int.h"
#include "src/geom3.h"
#include "src/plan_internal.h"
#include "tconv/limits.h"
#include "tconv/reference.h"

namespace tconv {

Status CheckCreateArgsInt8(const ConvDesc& desc, ConstI8View weight, ConstI32View bias, const QuantParams& quant,
                           const PlanOptions& options) {
  if (options.dtype != DataType::kInt8) {
    return Status::Invalid(std::string("int8 weights need options.dtype int8 (got ") + DataTypeName(options.dtype) +
                           ")");
  }
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", weight.shape, ConvTransposeWeightShape(desc)));
  if (!weight.data) return Status::Invalid("weight data is null");
  if (bias.data) TCONV_RETURN_IF_ERROR(CheckShape("bias", bias.shape, {desc.out_channels}));
  TCONV_RETURN_IF_ERROR(ValidateQuantParams(quant, desc.out_channels));
  const Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  // (An output sums Cin/g x the taps of its phase: with stride s a k-tap
  // axis gives each output at most ceil(k / s') of them, not k.)
  const int64_t products = Int8ProductsPerOutput(g);
  if (products > kMaxInt8Products) {
    return Status::Unsupported("int8: an output may sum Cin/groups x its taps = " + std::to_string(products) +
                               " products, more than the int32 accumulator holds (" + std::to_string(kMaxInt8Products) +
                               ")");
  }
  TCONV_RETURN_IF_ERROR(CheckThreads("threads", options.threads));
  if (options.max_memory_bytes < 0) {
    return Status::Invalid("max_memory_bytes must be >= 0 (0: physical memory) (got " +
                           std::to_string(options.max_memory_bytes) + ")");
  }
  const Algorithm* a = FindAlgorithm(options.algo);
  if (a && !(a->dtypes & DTypeBit(DType::kI8))) {
    return Status::Unsupported("algorithm " + options.algo +
                               " does not compute int8; int8: auto, phase, gemm_col2im or ref");
  }
  return CheckMemory("the output " + ShapeString(ConvTransposeOutputShape(desc)), OutputBytes(desc),
                     options.max_memory_bytes);
}

}  // namespace tconv
