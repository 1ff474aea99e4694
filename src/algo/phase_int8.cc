// `phase` in int8: see src/algo/phase_int8.h.
#include "src/algo/phase_int8.h"

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "src/algo/phase_axes.h"
#include "src/algo/tap_math.h"
#include "src/base/checked_int.h"

namespace tconv {
namespace {

class PhaseInt8 : public PreparedAlgo {
 public:
  PhaseInt8(const Geom3& g, const int8_t* w, const int32_t* bias, const QuantParams& q)
      : g_(g), q_(q), dot_(g.cin_g >= kDotMinChannels) {
    for (int ax = 0; ax < 3; ++ax) axes_[ax] = AnalyzeAxis(g, ax, &bias_only_);
    int64_t offset = 0;
    for (const AxisPhase& a0 : axes_[0])
      for (const AxisPhase& a1 : axes_[1])
        for (const AxisPhase& a2 : axes_[2]) {
          Phase p{{&a0, &a1, &a2}, static_cast<int64_t>(a0.k.size() * a1.k.size() * a2.k.size()), offset};
          offset += g.cin_g * p.taps;
          phases_.push_back(p);
        }
    per_cout_ = offset;
    wp_.resize(static_cast<size_t>(g.cout * per_cout_));
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
                dst[dot_ ? t * g.cin_g + cig : cig * p.taps + t] = src[(k0 * g.k[1] + k1) * g.k[2] + k2];
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
    return dot_ ? "i8_phase_dot__int32: int16 dot products over channels (channels-last x), then requantization"
                : "i8_phase_rows__int32: int16 x int16 -> int32 loops over each phase's taps, then requantization";
  }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = PhaseInt8Cost(g_);
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
    if (dot_) {  // (N, groups, *in, Cin/g): each pixel's channels contiguous
      const int64_t planes = g_.n * g_.groups, cg = g_.cin_g, sp = g_.in_sp;
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1 && n > 65536)
      for (int64_t pl = 0; pl < planes; ++pl)
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t i = 0; i < sp; ++i) {
            xz[(pl * sp + i) * cg + c] = static_cast<int16_t>(static_cast<int32_t>(x[(pl * cg + c) * sp + i]) - zp);
          }
      return;
    }
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1 && n > 65536)
    for (int64_t i = 0; i < n; ++i) xz[i] = static_cast<int16_t>(static_cast<int32_t>(x[i]) - zp);
  }

  // acc (+ the bias, in int64) to y's element type.
  template <typename Y>
  Y Out(int64_t acc, int64_t co) const {
    const int64_t a = acc + bias_[co];
    if constexpr (std::is_same<Y, float>::value) {
      return Dequantize(a, mult_[co]);
    } else {
      return static_cast<Y>(Requantize(a, mult_[co], q_.y_zero_point, QuantTypeMin(q_.y_type), QuantTypeMax(q_.y_type)));
    }
  }

  template <typename Y>
  void RunTyped(const int16_t* xz, Y* y, int threads) const {
    const Geom3& g = g_;
    const int64_t planes = g.n * g.cout;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (threads > 1 && planes > 1)
    for (int64_t pl = 0; pl < planes; ++pl) {
      const int64_t n = pl / g.cout, co = pl % g.cout, grp = co / g.cout_g;
      Y* yp = y + pl * g.out_sp;
      if (bias_only_) std::fill_n(yp, g.out_sp, Out<Y>(0, co));
      const int16_t* xg = xz + (n * g.cin + grp * g.cin_g) * g.in_sp;
      const int16_t* wc = wp_.data() + co * per_cout_;
      for (const Phase& p : phases_) {
        if (dot_) {
          AccumulatePhaseDot(p, xg, wc + p.offset, co, yp);
        } else {
          AccumulatePhase(p, xg, wc + p.offset, co, yp);
        }
      }
    }
  }

  // As PhaseGeneral::AccumulatePhase (src/algo/phase.cc), in int32.
  template <typename Y>
  void AccumulatePhase(const Phase& p, const int16_t* xg, const int16_t* w, int64_t co, Y* yp) const {
    const Geom3& g = g_;
    const AxisPhase &a0 = *p.ax[0], &a1 = *p.ax[1], &a2 = *p.ax[2];
    const int64_t t1 = static_cast<int64_t>(a1.k.size()), t2 = static_cast<int64_t>(a2.k.size());
    int32_t acc[kChunk];
    for (int64_t q0 = a0.qlo; q0 < a0.qhi; ++q0) {
      const int64_t o0 = q0 * g.s[0] + a0.r - g.pb[0];
      for (int64_t q1 = a1.qlo; q1 < a1.qhi; ++q1) {
        const int64_t o1 = q1 * g.s[1] + a1.r - g.pb[1];
        Y* yrow = yp + (o0 * g.out[1] + o1) * g.out[2];
        for (int64_t qa = a2.qlo; qa < a2.qhi; qa += kChunk) {
          const int64_t qb = std::min(a2.qhi, qa + kChunk);
          std::fill_n(acc, qb - qa, 0);
          for (int64_t cig = 0; cig < g.cin_g; ++cig) {
            const int16_t* xc = xg + cig * g.in_sp;
            const int16_t* wt = w + cig * p.taps;
            for (size_t j0 = 0; j0 < a0.k.size(); ++j0) {
              const int64_t ix0 = q0 - a0.c[j0];
              if (ix0 < 0 || ix0 >= g.in[0]) continue;
              for (size_t j1 = 0; j1 < a1.k.size(); ++j1) {
                const int64_t ix1 = q1 - a1.c[j1];
                if (ix1 < 0 || ix1 >= g.in[1]) continue;
                const int16_t* xrow = xc + (ix0 * g.in[1] + ix1) * g.in[2];
                const int16_t* wj = wt + (static_cast<int64_t>(j0) * t1 + static_cast<int64_t>(j1)) * t2;
                for (int64_t j2 = 0; j2 < t2; ++j2) {
                  const int64_t c2 = a2.c[j2];
                  const int64_t lo = std::max(qa, c2), hi = std::min(qb, c2 + g.in[2]);
                  const int32_t wv = wj[j2];
                  for (int64_t q = lo; q < hi; ++q) acc[q - qa] += wv * static_cast<int32_t>(xrow[q - c2]);
                }
              }
            }
          }
          const int64_t o2 = qa * g.s[2] + a2.r - g.pb[2];
          for (int64_t q = 0; q < qb - qa; ++q) yrow[o2 + q * g.s[2]] = Out<Y>(acc[q], co);
        }
      }
    }
  }

  // Channels-last x: each output of phase p sums, per tap whose input
  // exists, the dot product of that input pixel's Cin/g channels with the
  // tap's weights (the compiler vectorizes it, pmaddwd on x86).
  template <typename Y>
  void AccumulatePhaseDot(const Phase& p, const int16_t* xg, const int16_t* w, int64_t co, Y* yp) const {
    const Geom3& g = g_;
    const AxisPhase &a0 = *p.ax[0], &a1 = *p.ax[1], &a2 = *p.ax[2];
    const int64_t cg = g.cin_g, t1 = static_cast<int64_t>(a1.k.size()), t2 = static_cast<int64_t>(a2.k.size());
    for (int64_t q0 = a0.qlo; q0 < a0.qhi; ++q0) {
      const int64_t o0 = q0 * g.s[0] + a0.r - g.pb[0];
      for (int64_t q1 = a1.qlo; q1 < a1.qhi; ++q1) {
        const int64_t o1 = q1 * g.s[1] + a1.r - g.pb[1];
        Y* yrow = yp + (o0 * g.out[1] + o1) * g.out[2];
        for (int64_t q2 = a2.qlo; q2 < a2.qhi; ++q2) {
          int32_t acc = 0;
          for (size_t j0 = 0; j0 < a0.k.size(); ++j0) {
            const int64_t ix0 = q0 - a0.c[j0];
            if (ix0 < 0 || ix0 >= g.in[0]) continue;
            for (size_t j1 = 0; j1 < a1.k.size(); ++j1) {
              const int64_t ix1 = q1 - a1.c[j1];
              if (ix1 < 0 || ix1 >= g.in[1]) continue;
              const int16_t* xrow = xg + (ix0 * g.in[1] + ix1) * g.in[2] * cg;
              const int16_t* wj = w + (static_cast<int64_t>(j0) * t1 + static_cast<int64_t>(j1)) * t2 * cg;
              for (int64_t j2 = 0; j2 < t2; ++j2) {
                const int64_t ix2 = q2 - a2.c[j2];
                if (ix2 < 0 || ix2 >= g.in[2]) continue;
                acc += Dot(xrow + ix2 * cg, wj + j2 * cg, cg);
              }
            }
          }
          yrow[q2 * g.s[2] + a2.r - g.pb[2]] = Out<Y>(acc, co);
        }
      }
    }
  }

  static int32_t Dot(const int16_t* a, const int16_t* b, int64_t n) {
    int32_t s = 0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]);
    return s;
  }

  static constexpr int64_t kChunk = 256;  // int32 accumulators (1 KiB, stays in L1)
  static constexpr int64_t kDotMinChannels = 8;  // Cin/g from which the dot path runs
  Geom3 g_;
  QuantParams q_;
  bool dot_;  // channels-last dot products (Cin/g >= kDotMinChannels), else the rows loops
  std::vector<AxisPhase> axes_[3];
  std::vector<Phase> phases_;  // point into axes_
  int64_t per_cout_ = 0;
  bool bias_only_ = false;
  std::vector<int16_t> wp_;    // (Cout, [phase (Cin/g, taps)])
  std::vector<int64_t> bias_;  // (Cout), zeros without bias
  std::vector<double> mult_;   // (Cout): RequantMultiplier
};

}  // namespace

AlgoCost PhaseInt8Cost(const Geom3& g) {
  AlgoCost c;
  c.macs = UsefulMacs(g);
  c.workspace_bytes = SatProduct({g.n, g.cin, g.in_sp, sizeof(int16_t)});
  c.packed_bytes = SatProduct({g.cin, g.cout_g, g.k_sp, sizeof(int16_t)});
  return c;
}

std::unique_ptr<PreparedAlgo> PreparePhaseInt8(const PrepareInput& in) {
  return std::make_unique<PhaseInt8>(in.g, in.w.As<int8_t>(), in.bias.As<int32_t>(), *in.quant);
}

}  // namespace tconv
