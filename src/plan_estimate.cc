// The estimates behind `tconv explain`: EstimateAlgorithms and
// AutoAlgorithm (tconv/plan.h), and the candidates Plan::Create tries.
#include <algorithm>
#include <new>

#include "src/algo/gemm_col2im_bf16.h"
#include "src/algo/phase_fast.h"
#include "src/algo/phase_int8.h"
#include "src/base/checked_int.h"
#include "src/plan_internal.h"
#include "src/select.h"
#include "tconv/limits.h"

namespace tconv {
namespace {

// Weights up to this many floats, with at most this many output pixels
// (phase's channels mode tabulates pixel groups), are prepared on zeros by
// EstimateAlgorithms for exact numbers (a few ms; every layer in
// bench/layers.json is below 2^22 floats); larger ones get formulas.
constexpr int64_t kExactEstimateFloats = int64_t{1} << 22;

// phase's numbers without packing: the SIMD path's multiply-adds and a bound
// on its workspace when it takes g (threads' private padded copies add at
// most kPhasePrivateCopiesMaxBytes), else the general path's formula.
AlgoCost PhaseCostWithoutPacking(const Geom3& g, int threads) {
  AlgoCost c = kPhaseAlgorithm.cost(g);
  const PhaseFastProfile prof = ProfilePhaseFast(g);
  if (prof.takes) {
    c.macs = prof.macs;
    c.workspace_bytes = SatAdd(prof.workspace_bound, threads > 1 ? kPhasePrivateCopiesMaxBytes : 0);
  }
  return c;
}

// Whether the algorithms can be prepared on zero weights for exact numbers,
// in a few milliseconds and megabytes.
bool SmallEnoughToPrepare(const Geom3& g) {
  return SatProduct({g.cin, g.cout_g, g.k_sp}) <= kExactEstimateFloats &&
         SatMul(g.n, g.out_sp) <= kExactEstimateFloats;
}

}  // namespace

int64_t OutputBytes(const ConvDesc& d) { return SatMul(NumElements(ConvTransposeOutputShape(d)), sizeof(float)); }

std::vector<const Algorithm*> AutoCandidates(const Geom3& g, int threads, std::string* why, DataType dtype) {
  if (dtype == DataType::kBFloat16) {
    if (Bf16GemmPays(g)) {
      if (why) {
        *why = g.in_sp == 1 ? "bf16: gemm_col2im's one-GEMM route on widened values (one input pixel; phase, then ref, "
                              "if it declines)"
                            : "bf16: gemm_col2im on the AMX tiles (Cout/g < 16, Cin/g >= 32: phase would widen to "
                              "f32; phase, then ref, if it declines)";
      }
      return {&kGemmCol2ImAlgorithm, &kPhaseAlgorithm, &kRefAlgorithm};
    }
    if (why) *why = "bf16: phase's bf16 kernels (ref, the oracle, if phase declines)";
    return {&kPhaseAlgorithm, &kRefAlgorithm};
  }
  if (dtype == DataType::kInt8) {
    if (why) {
      *why = "int8: phase (its route: output channels in the lanes with VNNI, else f32 kernels where exact, else "
             "int16; ref, the oracle, gives the same bits)";
    }
    return {&kPhaseAlgorithm, &kRefAlgorithm};
  }
  const Algorithm* pick = SelectAlgorithm(g, threads, why);
  std::vector<const Algorithm*> list = {pick};
  for (const Algorithm* a : {&kPhaseAlgorithm, &kGemmCol2ImAlgorithm, &kGatherAlgorithm})
    if (a != pick) list.push_back(a);
  return list;
}

std::vector<AlgorithmEstimate> EstimateAlgorithms(const ConvDesc& desc, DataType dtype, int threads) {
  std::vector<AlgorithmEstimate> out;
  const Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  const bool bf16 = dtype == DataType::kBFloat16, int8 = dtype == DataType::kInt8;
  const DType want = bf16 ? DType::kBF16 : int8 ? DType::kI8 : DType::kF32;
  // Each algorithm is prepared on zero weights, when they are small, so the
  // numbers are what a plan would really execute and allocate (a fast path
  // chosen at prepare time reports its own costs) and the kernel it would
  // run is known. Packing is linear in the weights: cheap next to a run,
  // and explain never touches activations. Large layers get formulas.
  std::vector<float> zeros;
  const PhaseTuning tuning;
  for (const Algorithm* a : Algorithms()) {
    if (!(a->dtypes & DTypeBit(want))) {
      AlgorithmEstimate e{a->name, a->summary, 0, 0, 0, true, "", ""};
      e.refused = std::string(a->name) + " computes f32 only";
      out.push_back(e);
      continue;
    }
    if (g.n == 0) {  // a batch of 0: a plan computes, allocates and packs nothing
      out.push_back({a->name, a->summary, 0, 0, 0, true, "", ""});
      continue;
    }
    // (phase's SIMD path picks its mode and workspace at prepare time.)
    AlgoCost c = a->cost(g);
    bool exact = true;
    if (a == &kPhaseAlgorithm && int8) c = PhaseInt8Cost(g, a->cost, &exact);
    if (a == &kPhaseAlgorithm && !bf16 && !int8) {
      c = PhaseCostWithoutPacking(g, threads);
      exact = !ProfilePhaseFast(g).takes;  // the general path's formula is exact
    }
    std::string kernel;
    if (SmallEnoughToPrepare(g)) {
      try {
        if (zeros.empty()) zeros.assign(static_cast<size_t>(g.cin * g.cout_g * g.k_sp), 0.0f);
        std::string why;
        // (bf16 zeros are zero bits too: the same buffer, typed bf16.)
        // (int8 zeros too; a per-tensor QuantParams of ones.)
        const ConstBuffer w(zeros.data(), want);
        const QuantParams unit;
        const PrepareInput in{g, w, ConstBuffer(), tuning, int8 ? &unit : nullptr, std::max(threads, 1)};
        if (auto prepared = a->prepare(in, &why)) {
          c = a->cost(g);
          prepared->ActualCost(&c);
          kernel = prepared->Kernel();
          exact = true;
        }
      } catch (const std::bad_alloc&) {
        // keep the formula's numbers
      }
    }
    out.push_back({a->name, a->summary, c.macs, c.workspace_bytes, c.packed_bytes, exact, kernel, ""});
  }
  return out;
}

std::string AutoAlgorithm(const ConvDesc& desc, std::string* why, int64_t max_memory_bytes, int threads,
                          DataType dtype) {
  Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  g.n = std::max<int64_t>(g.n, 1);  // a batch of 0 is planned as one image
  std::string reason, skipped;
  const std::vector<const Algorithm*> list = AutoCandidates(g, std::max(threads, 1), &reason, dtype);
  const int64_t out_bytes = OutputBytes(desc);
  const Status output_fits = CheckMemory("the output", out_bytes, max_memory_bytes);
  if (!output_fits.ok()) {
    if (why) *why = reason + "; but " + output_fits.message() + ": a plan refuses this layer";
    return list.front()->name;
  }
  for (const Algorithm* a : list) {
    // (phase fits when its general path does: it needs no workspace.)
    const AlgoCost c = a->cost(g);
    const int64_t bytes = SatAdd(SatAdd(out_bytes, c.workspace_bytes), c.packed_bytes);
    if (!CheckMemory(a->name, bytes, max_memory_bytes).ok()) {
      skipped += std::string(skipped.empty() ? "" : ", ") + a->name + " needs " + FormatBytes(bytes);
      continue;
    }
    if (why) {
      *why = skipped.empty() ? reason : reason + "; over the memory limit: " + skipped;
      const int64_t simd = SatAdd(bytes, PhaseCostWithoutPacking(g, threads).workspace_bytes);
      if (a == &kPhaseAlgorithm && dtype == DataType::kFloat32 && !CheckMemory("", simd, max_memory_bytes).ok()) {
        *why += "; phase's general path: its SIMD path's padded input does not fit";
      }
    }
    return a->name;
  }
  if (why) *why = reason + "; nothing fits the memory limit: " + skipped;
  return list.front()->name;
}

}  // namespace tconv
