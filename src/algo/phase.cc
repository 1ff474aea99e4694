// `phase`: sub-pixel (phase) decomposition of the transposed convolution.
//
// Along one axis write o + pb = q*s + r with 0 <= r < s. The taps reaching
// the outputs of residue r are the k with k*d == r (mod s): none when
// gcd(s, d) does not divide r, else k_0 + j*s' (s' = s/gcd(s, d), k_0 from
// src/algo/tap_math.h). Tap k_j reads input q - c_j with c_j = (k_j*d - r)/s,
// so the outputs of one residue are a dense stride-1 correlation of the input
// with the sub-kernel {k_j}. The phases are the s0*s1*s2 residue triples;
// each output belongs to exactly one, and every tap to exactly one residue
// per axis, so the sub-kernels partition the kernel.
//
// Prepare first offers the geometry to the SIMD fast path (PreparePhaseFast,
// src/algo/phase_fast/) and uses it when it accepts. Otherwise the
// general path below: per-phase sub-kernels packed as (Cout, phase, Cin/g,
// taps); Run computes each output row of a phase in a small contiguous
// accumulator on the stack (bias, then every input channel and tap) and
// stores it straight into the output with strided writes. Outputs of phases
// without taps (stride > kernel, or residues gcd(s, d) does not divide) get
// just the bias. Each tap's loops are clipped to the inputs that exist, so
// no multiply-add is wasted and there is no column buffer and no workspace.
//
// Threading: the N x Cout output planes are split over the threads (src/base/parallel.h); each
// element is written by one thread in a fixed order (input channel, then the
// taps of axis 0, 1, 2), so results do not depend on the thread count.
#include "src/algo/phase.h"

#include <algorithm>
#include <string>
#include <vector>

#include "src/algo/channels_last.h"
#include "src/algo/depthwise_nchw.h"
#include "src/algo/phase_axes.h"
#include "src/algo/phase_bf16.h"
#include "src/algo/phase_int8.h"
#include "src/algo/phase_fast.h"
#include "src/algo/tap_math.h"
#include "src/base/parallel.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

class PhaseGeneral : public PreparedAlgo {
 public:
  PhaseGeneral(const Geom3& g, const float* w, const float* bias) : g_(g) {
    for (int ax = 0; ax < 3; ++ax) axes_[ax] = AnalyzeAxis(g, ax, &bias_only_);
    int64_t offset = 0;
    for (const AxisPhase& a0 : axes_[0])
      for (const AxisPhase& a1 : axes_[1])
        for (const AxisPhase& a2 : axes_[2]) {
          Phase p;
          p.ax[0] = &a0;
          p.ax[1] = &a1;
          p.ax[2] = &a2;
          p.taps = static_cast<int64_t>(a0.k.size() * a1.k.size() * a2.k.size());
          p.offset = offset;
          offset += g.cin_g * p.taps;
          phases_.push_back(p);
        }
    // <= cin_g * k_sp: the sub-kernels partition the taps that reach an output.
    per_cout_ = offset;
    // Outputs of residues without taps keep only the bias: Run fills the
    // plane first when there are any (AnalyzeAxis set bias_only_; each
    // output belongs to exactly one phase).
    wp_.resize(static_cast<size_t>(g.cout * per_cout_));
    for (int64_t co = 0; co < g.cout; ++co) {
      const int64_t grp = co / g.cout_g, cog = co % g.cout_g;
      for (const Phase& p : phases_) {
        float* dst = wp_.data() + co * per_cout_ + p.offset;
        for (int64_t cig = 0; cig < g.cin_g; ++cig) {
          const float* src = w + ((grp * g.cin_g + cig) * g.cout_g + cog) * g.k_sp;
          for (int64_t k0 : p.ax[0]->k)
            for (int64_t k1 : p.ax[1]->k)
              for (int64_t k2 : p.ax[2]->k) *dst++ = src[(k0 * g.k[1] + k1) * g.k[2] + k2];
        }
      }
    }
    bias_.assign(static_cast<size_t>(g.cout), 0.0f);
    if (bias) bias_.assign(bias, bias + g.cout);
  }

  std::string Kernel() const override { return "phase_general: scalar loops over each phase's taps"; }
  void Run(ConstBuffer xb, Buffer yb, void*, int threads) const override {
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    const Geom3& g = g_;
    const int64_t planes = g.n * g.cout;
    ParallelForDynamic(threads, planes, 1, [&](int64_t pl) {
      const int64_t n = pl / g.cout, co = pl % g.cout, grp = co / g.cout_g;
      float* yp = y + pl * g.out_sp;
      if (bias_only_) std::fill_n(yp, g.out_sp, bias_[co]);
      const float* xg = x + (n * g.cin + grp * g.cin_g) * g.in_sp;
      const float* wc = wp_.data() + co * per_cout_;
      for (const Phase& p : phases_) {
        AccumulatePhase(g, p, xg, wc + p.offset, bias_[co], [&](int64_t o, const float* acc, int64_t n) {
          for (int64_t q = 0; q < n; ++q) yp[o + q * g.s[2]] = acc[q];
        });
      }
    });
  }

 private:
  Geom3 g_;
  std::vector<AxisPhase> axes_[3];
  std::vector<Phase> phases_;  // residue triples with taps and outputs; point into axes_
  int64_t per_cout_ = 0;
  bool bias_only_ = false;  // some output has no tap at all
  std::vector<float> wp_;    // (Cout, [phase (Cin/g, taps)])
  std::vector<float> bias_;  // (Cout), zeros without bias
};

AlgoCost PhaseCost(const Geom3& g) {
  // The general path: exactly the useful multiply-adds, no workspace. The
  // fast path, when it takes a geometry, reports its own costs through
  // PreparedAlgo::ActualCost.
  AlgoCost c;
  c.macs = UsefulMacs(g);
  c.workspace_bytes = 0;
  c.packed_bytes = SatProduct({g.cin, g.cout_g, g.k_sp, sizeof(float)});
  return c;
}

// A bf16 plan: whether phase widens to f32 (PhaseTuning::bf16_compute; in
// kAuto a named kernel decides by its element type, else Bf16DotPays).
bool Bf16Widens(const PrepareInput& in) {
  using C = PhaseTuning::Bf16Compute;
  if (in.tuning.bf16_compute != C::kAuto) return in.tuning.bf16_compute == C::kWiden;
  if (!in.tuning.kernel.empty()) {
    const kernels::KernelInfo* k = kernels::FindKernelByName(in.tuning.kernel);
    return k && k->dtype == DType::kF32;
  }
  return !Bf16DotPays(in.g);
}

// The SIMD path when it takes the geometry, else the general path; a
// kernel named by PhaseTuning::kernel that cannot run it fails the plan.
std::unique_ptr<PreparedAlgo> PhasePrepare(const PrepareInput& in, std::string* why) {
  if (in.w.dtype == DType::kI8) return PreparePhaseInt8(in, PhasePrepare, PhaseCost, why);
  if (in.w.dtype == DType::kBF16) {
    if (Bf16Widens(in)) return PreparePhaseBf16Widened(in, PhasePrepare, PhaseCost, why);
    return PreparePhaseBf16(in, why);
  }
  std::string declined;
  const kernels::KernelInfo* named = in.tuning.kernel.empty() ? nullptr : kernels::FindKernelByName(in.tuning.kernel);
  if (named && named->op == kernels::KernelOp::kDwNchwExpand) {
    auto dw = PrepareDepthwiseNchw(in, /*forced=*/true, &declined);
    if (!dw && why) *why = "phase: " + named->name + ": " + declined;
    return dw;
  }
  if (in.tuning.kernel.empty() && in.tuning.dw_nchw) {
    if (auto dw = PrepareDepthwiseNchw(in, /*forced=*/false, &declined)) return dw;
  }
  if (auto fast = PreparePhaseFast(in, &declined)) return fast;
  if (!in.tuning.kernel.empty()) {
    if (why) *why = "phase: " + declined;
    return nullptr;
  }
  return PreparePhaseGeneral(in.g, in.w.As<float>(), in.bias.As<float>());
}

// Channels last: int8 by the lanes route natively (else nullptr); bf16
// depthwise layers on windows where that kernel runs them, else by the dot
// kernels natively where they are the route (else nullptr: the widened
// route runs between the plan's conversions);
// depthwise layers natively (x and y); otherwise the SIMD
// path reading x channels last into its padded input and writing y
// channels last (but its direct kernels: the plan converts y); otherwise
// nullptr (the plan converts both).
std::unique_ptr<PreparedAlgo> PhasePrepareChannelsLast(const PrepareInput& in, std::string* /*why*/) {
  if (in.w.dtype == DType::kI8) return PreparePhaseInt8ChannelsLast(in);
  std::string why;
  if (in.w.dtype == DType::kBF16) {
    // Depthwise on windows where auto, or that kernel named, runs it.
    const kernels::KernelInfo* named =
        in.tuning.kernel.empty() ? nullptr : kernels::FindKernelByName(in.tuning.kernel);
    const bool windows_named = named && named->op == kernels::KernelOp::kDwWindowsBf16;
    if (windows_named || (in.tuning.kernel.empty() && in.tuning.bf16_compute == PhaseTuning::Bf16Compute::kAuto)) {
      if (auto dw = PrepareDepthwiseBf16Windows(in, &why)) return dw;
      dispatch::LogDispatch("phase (bf16): channels last: not on windows: %s", why.c_str());
      if (windows_named) return nullptr;
    }
    return Bf16Widens(in) ? nullptr : PreparePhaseBf16(in, nullptr, /*channels_last=*/true);
  }
  if (in.tuning.kernel.empty()) {
    if (auto algo = PrepareDepthwiseChannelsLast(in, &why)) return algo;
    dispatch::LogDispatch("phase: channels last: not the depthwise kernel: %s", why.c_str());
  }
  if (auto fast = PreparePhaseFast(in, &why, /*channels_last=*/true)) return fast;
  dispatch::LogDispatch("phase: channels last: declined: %s", why.c_str());
  return nullptr;
}

}  // namespace

std::unique_ptr<PreparedAlgo> PreparePhaseGeneral(const Geom3& g, const float* w, const float* bias) {
  return std::make_unique<PhaseGeneral>(g, w, bias);
}

const Algorithm kPhaseAlgorithm = {
    "phase", "sub-pixel decomposition: s^D dense stride-1 sub-convolutions written straight into the output",
    PhaseCost, PhasePrepare, PhasePrepareChannelsLast,
    DTypeBit(DType::kF32) | DTypeBit(DType::kBF16) | DTypeBit(DType::kI8)};

}  // namespace tconv
