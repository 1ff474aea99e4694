// `phase` in int8: see src/algo/phase_int8.h.
#include "src/algo/phase_int8.h"

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "src/algo/phase_axes.h"
#include "src/algo/tap_math.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/phase_int8_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

// One output row of a phase: (phase index, q0, q1).
struct RowTask {
  size_t phase;
  int64_t q0, q1;
};

class PhaseInt8 : public PreparedAlgo {
 public:
  PhaseInt8(const Geom3& g, const int8_t* w, const int32_t* bias, const QuantParams& q)
      : g_(g), q_(q), dot_(g.cin_g >= kInt8DotMinChannels), cpad_(InputChannelsStored(g)) {
    if (dot_) kernel_ = kernels::FindKernel(kernels::KernelOp::kPhaseInt8Dot, DType::kI8, 0, 0);
    for (int ax = 0; ax < 3; ++ax) axes_[ax] = AnalyzeAxis(g, ax, &bias_only_);
    int64_t offset = 0;
    for (const AxisPhase& a0 : axes_[0])
      for (const AxisPhase& a1 : axes_[1])
        for (const AxisPhase& a2 : axes_[2]) {
          Phase p{{&a0, &a1, &a2}, static_cast<int64_t>(a0.k.size() * a1.k.size() * a2.k.size()), offset};
          offset += cpad_ * p.taps;
          for (int64_t q0 = a0.qlo; q0 < a0.qhi; ++q0)
            for (int64_t q1 = a1.qlo; q1 < a1.qhi; ++q1) rows_.push_back({phases_.size(), q0, q1});
          phases_.push_back(p);
        }
    per_cout_ = offset;
    wp_.assign(static_cast<size_t>(g.cout * per_cout_), 0);  // (padding channels stay 0)
    for (int64_t co = 0; co < g.cout; ++co) {
      const int64_t grp = co / g.cout_g, cog = co % g.cout_g;
      for (const Phase& p : phases_) {
        int16_t* dst = wp_.data() + co * per_cout_ + p.offset;
        for (int64_t cig = 0; cig < g.cin_g; ++cig) {
          const int8_t* src = w + ((grp * g.cin_g + cig) * g.cout_g + cog) * g.k_sp;
          int64_t t = 0;  // dot: [tap][channel]; rows: [channel][tap]
          for (int64_t k0 : p.ax[0]->k)
            for (int64_t k1 : p.ax[1]->k)
              for (int64_t k2 : p.ax[2]->k) {
                dst[dot_ ? t * cpad_ + cig : cig * p.taps + t] = src[(k0 * g.k[1] + k1) * g.k[2] + k2];
                ++t;
              }
        }
      }
    }
    bias_.assign(static_cast<size_t>(g.cout), 0);
    if (bias) bias_.assign(bias, bias + g.cout);
    for (int64_t co = 0; co < g.cout; ++co) mult_.push_back(RequantMultiplier(q, co));
  }

  std::string Kernel() const override {
    return dot_ ? kernel_->name
                : "i8_phase_rows__int32: int16 x int16 -> int32 loops over each phase's taps, then requantization";
  }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = PhaseInt16Cost(g_);
    return true;
  }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    int16_t* xz = static_cast<int16_t*>(ws);
    if (q_.x_type == QuantType::kUInt8) {
      Center(static_cast<const uint8_t*>(xb.data), xz, threads);
    } else {
      Center(static_cast<const int8_t*>(xb.data), xz, threads);
    }
    if (q_.y_type == QuantType::kFloat32) {
      RunTyped(xz, static_cast<float*>(yb.data), threads);
    } else if (q_.y_type == QuantType::kUInt8) {
      RunTyped(xz, static_cast<uint8_t*>(yb.data), threads);
    } else {
      RunTyped(xz, static_cast<int8_t*>(yb.data), threads);
    }
  }

 private:
  template <typename X>
  void Center(const X* x, int16_t* xz, int threads) const {
    const int64_t n = g_.n * g_.cin * g_.in_sp;
    const int32_t zp = q_.x_zero_point;
    if (dot_) {  // (N, groups, *in, cpad_), then one pixel of zeros
      const int64_t planes = g_.n * g_.groups, cg = g_.cin_g, sp = g_.in_sp, cp = cpad_;
      ParallelFor(n > 65536 ? threads : 1, planes, [&](int64_t pl) {
        int16_t* xo = xz + pl * sp * cp;
        for (int64_t i = 0; i < sp; ++i) std::fill(xo + i * cp + cg, xo + (i + 1) * cp, int16_t{0});
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t i = 0; i < sp; ++i) {
            xo[i * cp + c] = static_cast<int16_t>(static_cast<int32_t>(x[(pl * cg + c) * sp + i]) - zp);
          }
      });
      std::fill_n(xz + planes * sp * cp, cp, int16_t{0});
      return;
    }
    ParallelFor(n > 65536 ? threads : 1, n,
                [&](int64_t i) { xz[i] = static_cast<int16_t>(static_cast<int32_t>(x[i]) - zp); });
  }

  // acc (+ the bias, in int64) to y's element type.
  template <typename Y>
  Y Out(int64_t acc, int64_t co) const {
    const int64_t a = acc + bias_[co];
    if constexpr (std::is_same<Y, float>::value) {
      return Dequantize(a, mult_[co]);
    } else {
      return static_cast<Y>(
          Requantize(a, mult_[co], q_.y_zero_point, QuantTypeMin(q_.y_type), QuantTypeMax(q_.y_type)));
    }
  }

  template <typename Y>
  void RunTyped(const int16_t* xz, Y* y, int threads) const {
    if (dot_) return RunDot(xz, y, threads);
    const Geom3& g = g_;
    const int64_t planes = g.n * g.cout;
    ParallelForDynamic(threads, planes, 1, [&](int64_t pl) {
      const int64_t n = pl / g.cout, co = pl % g.cout, grp = co / g.cout_g;
      Y* yp = y + pl * g.out_sp;
      if (bias_only_) std::fill_n(yp, g.out_sp, Out<Y>(0, co));
      const int16_t* xg = xz + (n * g.cin + grp * g.cin_g) * g.in_sp;
      const int16_t* wc = wp_.data() + co * per_cout_;
      for (const Phase& p : phases_) {
        AccumulatePhase(g, p, xg, wc + p.offset, int32_t{0}, [&](int64_t o, const int32_t* acc, int64_t n) {
          for (int64_t q = 0; q < n; ++q) yp[o + q * g.s[2]] = Out<Y>(acc[q], co);
        });
      }
    });
  }

  // The dot path: tasks are output rows (n, group, phase, q0, q1); the
  // kernel sums up to kInt8MaxPixels pixels of a row for every output
  // channel of the group, each tap reading the zero pixel where its input
  // does not exist.
  template <typename Y>
  void RunDot(const int16_t* xz, Y* y, int threads) const {
    const Geom3& g = g_;
    if (bias_only_) {
      ParallelFor(threads, g.n * g.cout,
                  [&](int64_t pl) { std::fill_n(y + pl * g.out_sp, g.out_sp, Out<Y>(0, pl % g.cout)); });
    }
    const int64_t nrows = static_cast<int64_t>(rows_.size()), tasks = g.n * g.groups * nrows;
    ParallelForDynamic(threads, tasks, 1,
                       [&](int64_t t) { DotRow(xz, y, t / nrows, rows_[static_cast<size_t>(t % nrows)]); });
  }

  template <typename Y>
  void DotRow(const int16_t* xz, Y* y, int64_t ng, const RowTask& row) const {
    const Geom3& g = g_;
    const Phase& p = phases_[row.phase];
    const AxisPhase &a0 = *p.ax[0], &a1 = *p.ax[1], &a2 = *p.ax[2];
    const int64_t n = ng / g.groups, grp = ng % g.groups, ntaps = p.taps;
    const int16_t* xg = xz + ng * g.in_sp * cpad_;
    const int64_t zero = (g.n * g.groups * g.in_sp - ng * g.in_sp) * cpad_;  // the zero pixel, from xg
    const int64_t o0 = row.q0 * g.s[0] + a0.r - g.pb[0], o1 = row.q1 * g.s[1] + a1.r - g.pb[1];
    std::vector<int64_t> off(static_cast<size_t>(kernels::kInt8MaxPixels * ntaps));
    std::vector<int32_t> acc(static_cast<size_t>(kernels::kInt8MaxPixels * g.cout_g));
    kernels::Int8DotArgs args;
    args.x = xg, args.x_off = off.data(), args.ntaps = ntaps, args.cin = cpad_;
    args.w = wp_.data() + grp * g.cout_g * per_cout_ + p.offset, args.w_co_stride = per_cout_;
    args.nco = g.cout_g, args.acc = acc.data();
    const auto fn = kernel_->As<kernels::Int8DotFn>();
    for (int64_t qa = a2.qlo; qa < a2.qhi; qa += kernels::kInt8MaxPixels) {
      args.npix = std::min(kernels::kInt8MaxPixels, a2.qhi - qa);
      for (int64_t i = 0; i < args.npix; ++i) {
        int64_t* o = off.data() + i * ntaps;
        for (size_t j0 = 0; j0 < a0.k.size(); ++j0)
          for (size_t j1 = 0; j1 < a1.k.size(); ++j1)
            for (size_t j2 = 0; j2 < a2.k.size(); ++j2) {
              const int64_t ix0 = row.q0 - a0.c[j0], ix1 = row.q1 - a1.c[j1], ix2 = qa + i - a2.c[j2];
              const bool in = ix0 >= 0 && ix0 < g.in[0] && ix1 >= 0 && ix1 < g.in[1] && ix2 >= 0 && ix2 < g.in[2];
              *o++ = in ? ((ix0 * g.in[1] + ix1) * g.in[2] + ix2) * cpad_ : zero;
            }
      }
      fn(args);
      for (int64_t co = 0; co < g.cout_g; ++co) {
        const int64_t c = grp * g.cout_g + co;
        Y* yrow = y + (n * g.cout + c) * g.out_sp + (o0 * g.out[1] + o1) * g.out[2];
        for (int64_t i = 0; i < args.npix; ++i) {
          yrow[(qa + i) * g.s[2] + a2.r - g.pb[2]] = Out<Y>(acc[static_cast<size_t>(i * g.cout_g + co)], c);
        }
      }
    }
  }

  Geom3 g_;
  QuantParams q_;
  bool dot_;                                     // the dot path (Cin/g >= kInt8DotMinChannels), else the rows loops
  int64_t cpad_;                                 // channels stored per pixel of x and per tap of w
  const kernels::KernelInfo* kernel_ = nullptr;  // the dot path's, at the ISA active at Create
  std::vector<RowTask> rows_;                    // the dot path's tasks within one (image, group)
  std::vector<AxisPhase> axes_[3];
  std::vector<Phase> phases_;  // point into axes_
  int64_t per_cout_ = 0;
  bool bias_only_ = false;
  std::vector<int16_t> wp_;    // (Cout, [phase (Cin/g, taps)])
  std::vector<int64_t> bias_;  // (Cout), zeros without bias
  std::vector<double> mult_;   // (Cout): RequantMultiplier
};

}  // namespace

int64_t InputChannelsStored(const Geom3& g) {
  return g.cin_g >= kInt8DotMinChannels ? RoundUp(g.cin_g, kernels::kInt8ChannelAlign) : g.cin_g;
}

AlgoCost PhaseInt8Cost(const Geom3& g, CostF32 cost_f32, bool* exact) {
  AlgoCost c;
  if (exact) *exact = true;
  if (const kernels::KernelInfo* k = Int8LanesKernel(g)) {
    if (Int8LanesCost(g, k, &c)) return c;
  }
  if (Int8WidenIsExact(g)) {
    c = cost_f32(g);
    const int64_t x = SatProduct({g.n, g.cin, g.in_sp, 4}), y = SatProduct({g.n, g.cout, g.out_sp, 4});
    c.workspace_bytes = SatAdd(c.workspace_bytes, SatAdd(x, y));
    if (exact) *exact = false;
    return c;
  }
  return PhaseInt16Cost(g);
}

AlgoCost PhaseInt16Cost(const Geom3& g) {
  AlgoCost c;
  const int64_t cs = InputChannelsStored(g);
  c.macs = UsefulMacs(g);
  // x as int16 (the dot path: cs channels per pixel and one zero pixel).
  c.workspace_bytes = SatMul(SatAdd(SatProduct({g.n, g.groups, g.in_sp}), g.cin_g >= kInt8DotMinChannels ? 1 : 0),
                             SatMul(cs, sizeof(int16_t)));
  c.packed_bytes = SatProduct({g.groups, cs, g.cout_g, g.k_sp, sizeof(int16_t)});
  return c;
}

namespace {

// The lanes route's kernels: vpdpbusd's and the AMX tiles'.
bool IsLanesKernel(const kernels::KernelInfo& k) {
  return k.op == kernels::KernelOp::kPhaseInt8Vnni || k.op == kernels::KernelOp::kPhaseInt8Amx;
}

}  // namespace

// A kernel named by in.tuning: the path that runs it, or nullptr and *why.
std::unique_ptr<PreparedAlgo> PrepareNamed(const PrepareInput& in, PrepareF32 prepare_f32, CostF32 cost_f32,
                                           std::string* why) {
  using C = PhaseTuning::Int8Compute;
  const kernels::KernelInfo* k = kernels::FindKernelByName(in.tuning.kernel);
  const bool widen = k && (k->dtype == DType::kF32 || k->op == kernels::KernelOp::kInt8Requant);
  const C route = !k                                           ? C::kAuto
                  : widen                                      ? C::kWiden
                  : IsLanesKernel(*k)                          ? C::kLanes
                                                               : C::kInt16;
  if (k && in.tuning.int8_compute != C::kAuto && in.tuning.int8_compute != route) {
    *why = "phase: " + k->name + " does not run the int8_compute route the tuning asks for";
  } else if (!k) {
    *why = "phase: no kernel named '" + in.tuning.kernel + "' at isa " + dispatch::ActiveIsaName();
  } else if (widen) {
    return PreparePhaseInt8Widened(in, prepare_f32, cost_f32, why);  // the f32 kernel, or the route
  } else if (k->dtype != DType::kI8) {
    *why = "phase: " + k->name + " computes " + DTypeName(k->dtype) + ", the plan int8 (PlanOptions::dtype)";
  } else if (k->op == kernels::KernelOp::kPlanesToWords || k->op == kernels::KernelOp::kWordsToPlanes) {
    *why = "phase: " + k->name + " is not an int8 phase kernel (it transposes channels)";
  } else if (IsLanesKernel(*k)) {
    return PreparePhaseInt8Lanes(in, k, why);
  } else if (k->op == kernels::KernelOp::kDwNhwcRowInt8) {
    // (Channels last it ran before this, in PreparePhaseInt8ChannelsLast.)
    *why = "phase: " + k->name + " runs depthwise layers (one channel per group, at most " +
           std::to_string(kInt8WidenMaxProducts) + " taps per output) in layout NHWC only";
  } else if (k->op == kernels::KernelOp::kDwWindowsInt8) {
    std::string no;
    if (auto p = PrepareDepthwiseInt8Windows(in, /*channels_last=*/false, &no)) return p;
    *why = "phase: " + k->name + " runs 2-D depthwise layers (kernel <= 2 x stride, dilation 1, y u8 or s8): " + no;
  } else if (in.g.cin_g < kInt8DotMinChannels) {
    *why = "phase: " + k->name + " needs Cin/groups >= " + std::to_string(kInt8DotMinChannels) + " (got " +
           std::to_string(in.g.cin_g) + ")";
  } else {
    return std::make_unique<PhaseInt8>(in.g, in.w.As<int8_t>(), in.bias.As<int32_t>(), *in.quant);
  }
  return nullptr;
}

std::unique_ptr<PreparedAlgo> PreparePhaseInt8(const PrepareInput& in, PrepareF32 prepare_f32, CostF32 cost_f32,
                                               std::string* why) {
  using C = PhaseTuning::Int8Compute;
  const C route = in.tuning.int8_compute;
  std::string reason;
  std::unique_ptr<PreparedAlgo> p;
  if (!in.tuning.kernel.empty()) {
    p = PrepareNamed(in, prepare_f32, cost_f32, &reason);
  } else if (route == C::kLanes) {
    const kernels::KernelInfo* k = Int8LanesKernel(in.g, true);
    if (k)
      p = PreparePhaseInt8Lanes(in, k, &reason);
    else
      reason = std::string("phase: int8_compute kLanes needs AVX512_VNNI (isa ") + dispatch::ActiveIsaName() + ")";
  } else if (route == C::kWiden) {
    p = PreparePhaseInt8Widened(in, prepare_f32, cost_f32, &reason);
  } else if (route == C::kInt16) {
    p = std::make_unique<PhaseInt8>(in.g, in.w.As<int8_t>(), in.bias.As<int32_t>(), *in.quant);
  } else {
    // Depthwise layers on windows where that kernel runs them; output
    // channels in the lanes (vpdpbusd) where they fill a vector; else f32's
    // kernels where their sums are exact; else the int16 paths.
    if (in.g.cin_g == 1 && in.g.cout_g == 1) {
      if ((p = PrepareDepthwiseInt8Windows(in, /*channels_last=*/false, &reason))) return p;
      dispatch::LogDispatch("phase (int8): not on windows: %s", reason.c_str());
    }
    if (const kernels::KernelInfo* k = Int8LanesKernel(in.g)) {
      if ((p = PreparePhaseInt8Lanes(in, k, &reason))) return p;
      dispatch::LogDispatch("phase (int8): lanes declined: %s", reason.c_str());
    }
    if (Int8WidenIsExact(in.g)) {
      if ((p = PreparePhaseInt8Widened(in, prepare_f32, cost_f32, &reason))) return p;
      dispatch::LogDispatch("phase (int8): widening declined: %s", reason.c_str());
    }
    return std::make_unique<PhaseInt8>(in.g, in.w.As<int8_t>(), in.bias.As<int32_t>(), *in.quant);
  }
  if (!p) {
    dispatch::LogDispatch("phase (int8): declined: %s", reason.c_str());
    if (why) *why = reason;
  }
  return p;
}

std::unique_ptr<PreparedAlgo> PreparePhaseInt8ChannelsLast(const PrepareInput& in) {
  using C = PhaseTuning::Int8Compute;
  const kernels::KernelInfo* k = nullptr;
  const kernels::KernelInfo* named =
      in.tuning.kernel.empty() ? nullptr : kernels::FindKernelByName(in.tuning.kernel);
  if ((named && (named->op == kernels::KernelOp::kDwNhwcRowInt8 || named->op == kernels::KernelOp::kDwWindowsInt8)) ||
      (!named && in.tuning.kernel.empty() && in.tuning.int8_compute == C::kAuto)) {
    std::string why;
    if (auto p = PrepareDepthwiseInt8ChannelsLast(in, &why)) return p;
    dispatch::LogDispatch("phase (int8): channels last: not the depthwise kernel: %s", why.c_str());
  }
  if (!in.tuning.kernel.empty()) {
    k = kernels::FindKernelByName(in.tuning.kernel);
    if (k && !IsLanesKernel(*k)) k = nullptr;
  } else if (in.tuning.int8_compute == C::kLanes || in.tuning.int8_compute == C::kAuto) {
    k = Int8LanesKernel(in.g, in.tuning.int8_compute == C::kLanes);
  }
  std::string why;
  std::unique_ptr<PreparedAlgo> p = k ? PreparePhaseInt8Lanes(in, k, &why, /*channels_last=*/true) : nullptr;
  if (!p) dispatch::LogDispatch("phase (int8): channels last: not the lanes route%s%s", why.empty() ? "" : ": ", why.c_str());
  return p;
}

}  // namespace tconv
