// The plan: create once, run many times.
//
// Plan::Create validates the geometry and the weight/bias shapes, selects the
// algorithm (or takes the one forced by options.algo), packs the weights and
// sizes the workspace. Run computes only.
//
//   tconv::PlanOptions opts;  opts.threads = 2;          // opts.algo = "auto"
//   opts.layout = tconv::Layout::kNHWC;                  // optional: channels last
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

#include "tconv/bfloat16.h"
#include "tconv/desc.h"
#include "tconv/layout.h"
#include "tconv/quant.h"
#include "tconv/status.h"
#include "tconv/tensor.h"
#include "tconv/tuning.h"

namespace tconv {

class Wisdom;  // tconv/wisdom.h

// How `auto` chooses (PlanOptions::tune). Either way a wisdom entry for the
// layer, when there is one, decides first (tconv/wisdom.h).
enum class Tune {
  kEstimate,  // the cost model (src/cost_model.h): no time spent at Create
  kMeasure,   // time each algorithm that can run the layer at Create, keep
              // the fastest and record it in the wisdom store (FFTW's
              // FFTW_MEASURE): Create takes up to about 0.1 s per algorithm
};

struct PlanOptions {
  std::string algo = "auto";  // "auto", or a name from AlgorithmNames()
  int threads = 1;            // 1 .. MaxThreads() (tconv/limits.h: 4 x the CPUs online)
  // Layout of x and y in Run (the weight is always (Cin, Cout/groups, *k)).
  // Algorithms compute NCHW; with kNHWC the plan converts x in and y out
  // through its workspace (included in workspace_bytes and in Run's time),
  // skipping a tensor whose C or spatial size is 1 (both layouts coincide),
  // unless the algorithm takes channels last itself: phase on depthwise
  // layers (no conversions; the bf16 and int8 kernels on windows copy x
  // with a border into the workspace), and phase's SIMD path, which reads x
  // channels last into its padded input and writes y channels last (its
  // direct kernel, one output channel per group, has y converted).
  Layout layout = Layout::kNCHW;
  // Bytes the plan may plan for: the output, the workspace and the packed
  // weights. 0 means the machine's physical memory (PhysicalMemoryBytes()).
  // Create checks this before it allocates or packs anything and refuses
  // with kOutOfMemory; `auto` first falls back on another algorithm (phase's
  // general path, gemm_col2im, gather: a workspace that cannot be had is a
  // reason to pick another), a forced algorithm is refused.
  int64_t max_memory_bytes = 0;
  // The element type the plan computes in (tconv/bfloat16.h). kBFloat16:
  // x is bf16 and y float32 or bf16 (Run's BFloat16 overloads), the weight
  // is rounded to bf16 by Create, products are accumulated in float32.
  // `phase` (its bf16 kernels), `gemm_col2im` (its GEMM on AMX tiles where
  // the CPU has them, else on f32 widened values: Debian's OpenBLAS has no
  // bf16 GEMM) and `ref` compute bf16; `auto` picks phase, or gemm_col2im
  // for few output channels per group on AMX and for one-pixel inputs
  // (docs/ALGORITHMS.md); a forced other algorithm is refused. With kNHWC,
  // phase's dot kernels read and write channels last themselves; its
  // widening route, gemm_col2im and ref run between the plan's conversions.
  // kInt8 (tconv/quant.h): plans come from the Create overload taking int8
  // weights, an int32 bias and QuantParams (the float one refuses it); x
  // and y are ConstQuantView / QuantView. `phase` (int32 accumulation),
  // `gemm_col2im` and `ref` (the integer oracle) compute int8, bit for bit
  // alike; `auto` picks phase; other algorithms are refused. With kNHWC,
  // phase's vpdpbusd route reads and writes channels last itself; the
  // others run between the plan's conversions (bytes, or f32 y).
  DataType dtype = DataType::kFloat32;
  // Tuning of `phase`'s SIMD path (include/tconv/tuning.h): the defaults
  // are its planner's own choices.
  PhaseTuning phase;
  // With algo "auto" only: how to choose (see Tune), and the wisdom store
  // consulted first and recorded into (nullptr: Wisdom::Global()). A
  // forced algorithm ignores both.
  Tune tune = Tune::kEstimate;
  Wisdom* wisdom = nullptr;
};

// What one algorithm would cost for a desc (for `tconv explain`).
struct AlgorithmEstimate {
  std::string name;
  std::string summary;
  int64_t macs = 0;             // multiply-adds executed
  int64_t workspace_bytes = 0;  // scratch per run
  int64_t packed_bytes = 0;     // packed weights kept by the plan
  // True when the numbers are what a plan would allocate (small layers are
  // prepared on zero weights); false when they come from formulas without
  // packing (large layers: phase's workspace is then an upper bound).
  bool exact = true;
  std::string kernel;           // the kernel it would run (Plan::kernel())
  // Non-empty when the algorithm does not compute the dtype asked for
  // (EstimateAlgorithms' dtype): why a plan refuses it.
  std::string refused;
};

// Names accepted by PlanOptions::algo besides "auto", registry order.
std::vector<std::string> AlgorithmNames();
// One estimate per algorithm; desc must be valid for conv_transpose.
// Bounded time and memory whatever the sizes (no weight of the layer's size
// is allocated; saturating counts: INT64_MAX means more than 2^63).
// With dtype kBFloat16 the kernels are bf16's, and the algorithms that do
// not compute bf16 carry `refused`. `threads` as PlanOptions::threads (the
// workspace may hold a padded input per thread).
std::vector<AlgorithmEstimate> EstimateAlgorithms(const ConvDesc& desc, DataType dtype = DataType::kFloat32,
                                                  int threads = 1);
// Workspace bytes a plan in `layout` adds for channels-first copies of x and
// y when its algorithm computes channels first (0 for kNCHW, and for a
// tensor whose C or spatial size is 1). An algorithm that reads or writes
// channels last itself needs less: Plan::workspace_bytes() is exact.
int64_t LayoutConversionBytes(const ConvDesc& desc, Layout layout);
// The algorithm `auto` picks for desc at `threads` threads in `dtype`, and a
// one-line reason: the cost model's choice, or the fallback when its memory
// does not fit max_memory_bytes (0: physical memory), as Plan::Create
// decides with finite weights and no wisdom entry for the layer.
std::string AutoAlgorithm(const ConvDesc& desc, std::string* why, int64_t max_memory_bytes = 0, int threads = 1,
                          DataType dtype = DataType::kFloat32);
// The kernels PlanOptions::phase.kernel accepts at the active ISA, in the
// order of the kernel list (src/kernels/list.inc), e.g.
// "f32_phase_pixels_8x3__avx512".
std::vector<std::string> PhaseKernelNames();

class Plan {
 public:
  // Returns nullptr and sets *status on any invalid input, a thread count
  // outside 1..MaxThreads(), or a plan beyond options.max_memory_bytes.
  //
  // Non-finite values (DESIGN.md): every plan gives ref's result, the IEEE
  // sum over the real contributions only. A NaN or Inf in x needs nothing
  // special (no algorithm multiplies x by anything but a real tap). A NaN or
  // Inf in the weights would meet inserted zeros (zero_insert) or padded
  // input (phase's SIMD path): Create finds them (one pass over the
  // weights) and runs phase's general path instead, which touches only real
  // taps; note() says so. A batch of 0 is legal: Run checks the shapes and
  // writes nothing.
  static std::unique_ptr<Plan> Create(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias,
                                      const PlanOptions& options, Status* status);
  // An int8 plan (options.dtype must be DataType::kInt8): weight int8
  // (Cin, Cout/groups, *k), bias int32 (Cout) or data nullptr, quant as
  // tconv/quant.h describes (validated here, with the desc). Also refused:
  // a layer whose outputs may sum more than kMaxInt8Products products
  // (Cin/groups x the taps that reach one output: with stride s and kernel
  // k, ceil(k/s) per axis where d = 1), which int32 accumulators could not
  // hold.
  static std::unique_ptr<Plan> Create(const ConvDesc& desc, ConstI8View weight, ConstI32View bias,
                                      const QuantParams& quant, const PlanOptions& options, Status* status);
  ~Plan();

  // x: input_shape(), y: output_shape(): ConvTransposeInputShape(desc) and
  // ConvTransposeOutputShape(desc) in the plan's layout.
  //
  // Thread safety: Run is const and may be called from many threads at
  // once on one plan, each with its own x and y (a y shared by two calls is
  // a data race); each call takes a workspace from the plan's pool or
  // allocates one, so calls never share scratch. Tested under ASan and TSan
  // (tests/concurrent_run_test.cc). Create and the destructor are not to
  // overlap with Run on the same plan.
  Status Run(ConstTensorView x, TensorView y) const;
  // The same for a plan of dtype kBFloat16: x bf16, y float32 (the f32
  // accumulators) or bf16 (each rounded to nearest even once). A view of
  // the other element type than the plan's is refused with kInvalid.
  Status Run(ConstBF16View x, TensorView y) const;
  Status Run(ConstBF16View x, BF16View y) const;
  // The same for an int8 plan: x.data points to quant().x_type elements
  // (uint8 or int8), y.data to quant().y_type ones (uint8, int8 or float);
  // the element types cannot be checked, the shapes are.
  Status Run(ConstQuantView x, QuantView y) const;

  const ConvDesc& desc() const;
  const std::string& algorithm() const;  // the algorithm that runs
  // Why it is not the one asked for or picked first, or "" (e.g. "weights
  // hold non-finite values: zero_insert would multiply inserted zeros by
  // them; phase's general path runs instead"); for an `auto` plan chosen
  // by wisdom or measurement, how ("wisdom: phase (measured 0.231 ms)",
  // "tune measure: phase 0.12 ms, gemm_col2im 0.31 ms, ... -> phase").
  const std::string& note() const;
  // The kernel that does its work: a name from the kernel list
  // (<dtype>_<op>_<tile>__<isa>, e.g. "f32_phase_pixels_8x3__avx512"), or
  // a description of the loops of an algorithm without SIMD kernels.
  const std::string& kernel() const;
  Layout layout() const;
  DataType dtype() const;
  const QuantParams* quant() const;  // int8 plans; nullptr otherwise
  const Shape& input_shape() const;
  const Shape& output_shape() const;
  int64_t workspace_bytes() const;  // the algorithm's scratch + layout buffers
  int64_t packed_bytes() const;

 private:
  struct Impl;
  explicit Plan(std::unique_ptr<Impl> impl);
  static std::unique_ptr<Plan> Finish(std::unique_ptr<Impl> impl, ConstTensorView weight, ConstTensorView bias,
                                      const PlanOptions& options, Status& st);
  std::unique_ptr<Impl> impl_;
};

// One-shot convenience: Create + Run.
Status ConvTranspose(const ConvDesc& desc, ConstTensorView x, ConstTensorView weight, ConstTensorView bias,
                     TensorView y, const PlanOptions& options = PlanOptions());

}  // namespace tconv

#endif  // TCONV_PLAN_H_
