// Internal: what Plan::Create (src/plan.cc) and the estimates
// (src/plan_estimate.cc: EstimateAlgorithms, AutoAlgorithm) share.
#ifndef TCONV_SRC_PLAN_INTERNAL_H_
#define TCONV_SRC_PLAN_INTERNAL_H_

#include <string>
#include <vector>

#include "src/algo/algorithm.h"
#include "tconv/plan.h"

namespace tconv {

// Bytes of the float32 output of desc (saturating).
int64_t OutputBytes(const ConvDesc& d);

// The order `auto` tries: the cost model's pick, then the other two that
// `auto` may pick, then gather (no workspace, useful multiply-adds only).
// bf16: phase, then ref (gemm_col2im first where Bf16GemmPays); int8:
// phase, then ref.
std::vector<const Algorithm*> AutoCandidates(const Geom3& g, int threads, std::string* why,
                                             DataType dtype = DataType::kFloat32);

// Plan::Create's checks for an int8 plan (src/plan_int8.cc): the desc,
// the weight and bias shapes, quant (ValidateQuantParams), the int32
// accumulator bound, threads, the algorithm (one whose dtypes hold kI8, or
// auto), layout NCHW, dtype kInt8, and the output's memory.
Status CheckCreateArgsInt8(const ConvDesc& desc, ConstI8View weight, ConstI32View bias, const QuantParams& quant,
                           const PlanOptions& options);

}  // namespace tconv

#endif  // TCONV_SRC_PLAN_INTERNAL_H_
