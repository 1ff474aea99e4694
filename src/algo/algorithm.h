// Internal algorithm interface: what every transposed-convolution algorithm
// in src/algo/ provides, and the registry that lists them.
//
// An algorithm is a name, a cost function (multiply-adds it executes and the
// workspace it needs, so `tconv explain` can show zero_insert's waste and
// gemm_col2im's column buffer as numbers), and a Prepare step that packs the
// weights once for a fixed geometry. Running a prepared algorithm computes
// only: no allocation, no validation.
#ifndef TCONV_SRC_ALGO_ALGORITHM_H_
#define TCONV_SRC_ALGO_ALGORITHM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/geom3.h"

namespace tconv {

struct AlgoCost {
  int64_t macs = 0;             // multiply-adds actually executed
  int64_t workspace_bytes = 0;  // scratch needed by one Run
  int64_t packed_bytes = 0;     // packed weights kept by the prepared algo
};

class PreparedAlgo {
 public:
  virtual ~PreparedAlgo() = default;
  // x: (N, Cin, *in), y: (N, Cout, *out), dense C order. `ws` points to at
  // least Cost().workspace_bytes bytes, 64-byte aligned. Every element of y
  // is written (bias included). `threads` >= 1; the result must not depend
  // on it.
  virtual void Run(const float* x, float* y, void* ws, int threads) const = 0;
  // A prepared algorithm whose costs differ from Algorithm::cost (e.g. a
  // fast path chosen at prepare time with its own workspace) reports them
  // here and returns true; the plan then sizes the workspace from *cost.
  virtual bool ActualCost(AlgoCost* cost) const { return false; }
  // Only for an algorithm from Algorithm::prepare_channels_last (whose Run
  // reads x channels last): whether Run writes y channels last too. When
  // false it writes y (N, Cout, *out) and the plan converts it.
  virtual bool WritesChannelsLast() const { return true; }
};

struct Algorithm {
  const char* name;     // as in `--algo NAME`, tests and bench labels
  const char* summary;  // one line for `tconv explain` / README
  AlgoCost (*cost)(const Geom3& g);
  // w: (Cin, Cout/g, *k); bias: (Cout) or nullptr.
  std::unique_ptr<PreparedAlgo> (*prepare)(const Geom3& g, const float* w, const float* bias);
  // Optional (src/algo/channels_last.h): a prepared algorithm whose Run takes
  // x (N, *in, Cin) and y (N, *out, Cout) (or, WritesChannelsLast() false,
  // y channels first), or nullptr for a geometry it does not take; the plan
  // then converts around `prepare`.
  std::unique_ptr<PreparedAlgo> (*prepare_channels_last)(const Geom3& g, const float* w, const float* bias) = nullptr;
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
