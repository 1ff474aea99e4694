// The plan: create once, run many times.
//
// Plan::Create validates the geometry and the weight/bias shapes, selects the
// algorithm (or takes the one forced by options.algo), packs the weights and
// sizes the workspace. Run computes only.
//
//   tconv::PlanOptions opts;  opts.threads = 2;          // opts.algo = "auto"
//   tconv::Status st;
//   auto plan = tconv::Plan::Create(desc, weight, bias, opts, &st);
//   if (!st.ok()) { ... st.message() ... }
//   st = plan->Run(x, y);
#ifndef TCONV_PLAN_H_
#define TCONV_PLAN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tconv/desc.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

struct PlanOptions {
  std::string algo = "auto";  // "auto", or a name from AlgorithmNames()
  int threads = 1;            // >= 1
};

// What one algorithm would cost for a desc (for `tconv explain`).
struct AlgorithmEstimate {
  std::string name;
  std::string summary;
  int64_t macs = 0;             // multiply-adds executed
  int64_t workspace_bytes = 0;  // scratch per run
  int64_t packed_bytes = 0;     // packed weights kept by the plan
};

// Names accepted by PlanOptions::algo besides "auto", registry order.
std::vector<std::string> AlgorithmNames();
// One estimate per algorithm; desc must be valid for conv_transpose.
std::vector<AlgorithmEstimate> EstimateAlgorithms(const ConvDesc& desc);
// The algorithm `auto` picks for desc, and a one-line reason.
std::string AutoAlgorithm(const ConvDesc& desc, std::string* why);

class Plan {
 public:
  // Returns nullptr and sets *status on any invalid input.
  static std::unique_ptr<Plan> Create(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias,
                                      const PlanOptions& options, Status* status);
  ~Plan();

  // x: ConvTransposeInputShape(desc), y: ConvTransposeOutputShape(desc).
  Status Run(ConstTensorView x, TensorView y) const;

  const ConvDesc& desc() const;
  const std::string& algorithm() const;  // the algorithm that runs
  int64_t workspace_bytes() const;
  int64_t packed_bytes() const;

 private:
  struct Impl;
  explicit Plan(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One-shot convenience: Create + Run.
Status ConvTranspose(const ConvDesc& desc, ConstTensorView x, ConstTensorView weight, ConstTensorView bias,
                     TensorView y, const PlanOptions& options = PlanOptions());

}  // namespace tconv

#endif  // TCONV_PLAN_H_
