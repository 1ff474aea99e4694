// Internal algorithm interface: what every transposed-convolution algorithm
// in src/algo/ provides, and the registry that lists them.
//
// An algorithm is a name, a cost function (multiply-adds it executes and the
// workspace it needs, so `tconv explain` can show zero_insert's waste and
// gemm_col2im's column buffer as numbers), and a Prepare step that packs the
// weights once for a fixed geometry. Running a prepared algorithm computes
// only: no allocation, no validation.
//
// Tensors cross this seam type-erased (src/base/dtype.h): a prepared
// algorithm computes in one element type and checks it in debug builds.
// Every algorithm computes f32; those whose `dtypes` hold kBF16 compute bf16
// too: PrepareInput::w is then bf16 (the plan rounded it), the bias f32,
// and Run gets x bf16 and y f32 or bf16. Those holding kI8 compute int8
// (tconv/quant.h): w int8, bias int32, PrepareInput::quant set, and Run
// gets x u8 or i8 (quant->x_type) and y u8, i8 or f32 (quant->y_type).
#ifndef TCONV_SRC_ALGO_ALGORITHM_H_
#define TCONV_SRC_ALGO_ALGORITHM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/base/dtype.h"
#include "src/geom3.h"
#include "tconv/quant.h"
#include "tconv/tuning.h"

namespace tconv {

struct AlgoCost {
  int64_t macs = 0;             // multiply-adds actually executed
  int64_t workspace_bytes = 0;  // scratch needed by one Run
  int64_t packed_bytes = 0;     // packed weights kept by the prepared algo
};

class PreparedAlgo {
 public:
  virtual ~PreparedAlgo() = default;
  // x: (N, Cin, *in), y: (N, Cout, *out), dense C order, in the element type
  // the algorithm was prepared for. `ws` points to at least
  // Cost().workspace_bytes bytes, 64-byte aligned. Every element of y is
  // written (bias included). `threads` >= 1; the result must not depend on
  // it.
  virtual void Run(ConstBuffer x, Buffer y, void* ws, int threads) const = 0;
  // A prepared algorithm whose costs differ from Algorithm::cost (e.g. a
  // fast path chosen at prepare time with its own workspace) reports them
  // here and returns true; the plan then sizes the workspace from *cost.
  virtual bool ActualCost(AlgoCost* cost) const { return false; }
  // Only for an algorithm from Algorithm::prepare_channels_last (whose Run
  // reads x channels last): whether Run writes y channels last too. When
  // false it writes y (N, Cout, *out) and the plan converts it.
  virtual bool WritesChannelsLast() const { return true; }
  // The kernel that does the work, as Plan::kernel() shows it: a name from
  // the kernel list (src/kernels/list.inc) or a description of the loops.
  virtual std::string Kernel() const = 0;
};

// What Prepare gets: the geometry, the weights (Cin, Cout/g, *k), the bias
// (Cout) or an absent buffer, and the tuning of the plan's options.
struct PrepareInput {
  const Geom3& g;
  ConstBuffer w;
  ConstBuffer bias;
  const PhaseTuning& tuning;
  const QuantParams* quant = nullptr;  // int8 plans only
  // The plan's thread count (PlanOptions::threads): Run gets at most this
  // many. Only sizes what is per thread (phase's private padded copies);
  // a Run with more threads than prepared for still computes the same y.
  int threads = 1;
};

// phase's f32 prepare and cost, as the bf16 and int8 paths that widen to
// f32 take them (src/algo/phase.cc passes its own).
using PrepareF32 = std::unique_ptr<PreparedAlgo> (*)(const PrepareInput& in, std::string* why);
using CostF32 = AlgoCost (*)(const Geom3& g);

struct Algorithm {
  const char* name;     // as in `--algo NAME`, tests and bench labels
  const char* summary;  // one line for `tconv explain` / README
  AlgoCost (*cost)(const Geom3& g);
  // nullptr only when a tuning option forces something the geometry does
  // not allow (*why says what).
  std::unique_ptr<PreparedAlgo> (*prepare)(const PrepareInput& in, std::string* why);
  // Optional (src/algo/channels_last.h): a prepared algorithm whose Run takes
  // x (N, *in, Cin) and y (N, *out, Cout) (or, WritesChannelsLast() false,
  // y channels first), or nullptr for a geometry it does not take; the plan
  // then converts around `prepare`.
  std::unique_ptr<PreparedAlgo> (*prepare_channels_last)(const PrepareInput& in, std::string* why) = nullptr;
  // The element types it computes (DTypeBit of each).
  uint32_t dtypes = DTypeBit(DType::kF32);
};

// Every algorithm, in registry order (ref last).
const std::vector<const Algorithm*>& Algorithms();
// nullptr when unknown.
const Algorithm* FindAlgorithm(const std::string& name);

// Each algorithm's translation unit defines one of these.
extern const Algorithm kRefAlgorithm;
extern const Algorithm kPhaseAlgorithm;
extern const Algorithm kGemmCol2ImAlgorithm;
extern const Algorithm kGatherAlgorithm;
extern const Algorithm kZeroInsertAlgorithm;

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_ALGORITHM_H_
