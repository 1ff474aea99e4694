// `gather`: the direct per-output-element form (the article's third method,
// MNN's deconv_depthwise idea, any groups): each output element sums exactly
// the (input, tap) pairs that reach it, found per axis with the modular
// arithmetic of src/algo/tap_math.h (first tap from the inverse of d/gcd(s,d)
// modulo s/gcd(s,d), then steps of s/gcd(s,d)). No zeros are materialised, no
// column buffer, no workspace: it executes only useful multiply-adds.
//
// Prepare packs the weight as (Cout, Cin/g, k_sp) so one output channel reads
// one contiguous block, and tabulates the per-axis tap runs of every output
// position (O(sum of out[a]) integers). Run splits the N x Cout output planes
// over the threads (src/base/parallel.h); each element is written once, by one thread, with a
// fixed summation order (input channel, then taps axis 0, 1, 2), so results
// do not depend on the thread count.
#include <vector>

#include "src/algo/algorithm.h"
#include "src/algo/tap_math.h"
#include "src/base/parallel.h"

namespace tconv {
namespace {

class GatherPrepared : public PreparedAlgo {
 public:
  GatherPrepared(const Geom3& g, const float* w, const float* bias) : g_(g) {
    wp_.resize(static_cast<size_t>(g.cout * g.cin_g * g.k_sp));
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      const int64_t grp = ci / g.cin_g, cig = ci % g.cin_g;
      for (int64_t cog = 0; cog < g.cout_g; ++cog) {
        const float* src = w + (ci * g.cout_g + cog) * g.k_sp;
        float* dst = wp_.data() + ((grp * g.cout_g + cog) * g.cin_g + cig) * g.k_sp;
        for (int64_t kk = 0; kk < g.k_sp; ++kk) dst[kk] = src[kk];
      }
    }
    bias_.assign(static_cast<size_t>(g.cout), 0.0f);
    if (bias) bias_.assign(bias, bias + g.cout);
    for (int ax = 0; ax < 3; ++ax) {
      const TapAxis axis(g.in[ax], g.k[ax], g.s[ax], g.d[ax], g.pb[ax]);
      kstep_[ax] = axis.kstep;
      istep_[ax] = axis.istep;
      runs_[ax].resize(static_cast<size_t>(g.out[ax]));
      for (int64_t o = 0; o < g.out[ax]; ++o) runs_[ax][o] = TapsForOutput(axis, o);
    }
  }

  std::string Kernel() const override { return "gather: scalar loops over the taps of each output"; }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    const Geom3& g = g_;
    const int64_t planes = g.n * g.cout;
    const int64_t in12 = g.in[1] * g.in[2], in2 = g.in[2];
    const int64_t k12 = g.k[1] * g.k[2], k2 = g.k[2];
    ParallelForDynamic(threads, planes, 1, [&](int64_t p) {
      const int64_t n = p / g.cout, co = p % g.cout, grp = co / g.cout_g;
      const float* xg = x + (n * g.cin + grp * g.cin_g) * g.in_sp;
      const float* wc = wp_.data() + co * g.cin_g * g.k_sp;
      float* yp = y + p * g.out_sp;
      const float b = bias_[co];
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
        const TapRun r0 = runs_[0][o0];
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
          const TapRun r1 = runs_[1][o1];
          float* yrow = yp + (o0 * g.out[1] + o1) * g.out[2];
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            const TapRun r2 = runs_[2][o2];
            float acc = b;
            if (r0.count && r1.count && r2.count) {
              for (int64_t ci = 0; ci < g.cin_g; ++ci) {
                const float* xc = xg + ci * g.in_sp;
                const float* wk = wc + ci * g.k_sp;
                for (int64_t j0 = 0; j0 < r0.count; ++j0) {
                  const int64_t ix0 = r0.ix0 - j0 * istep_[0], kx0 = r0.k0 + j0 * kstep_[0];
                  for (int64_t j1 = 0; j1 < r1.count; ++j1) {
                    const int64_t ix1 = r1.ix0 - j1 * istep_[1], kx1 = r1.k0 + j1 * kstep_[1];
                    const float* xr = xc + ix0 * in12 + ix1 * in2;
                    const float* wr = wk + kx0 * k12 + kx1 * k2;
                    for (int64_t j2 = 0; j2 < r2.count; ++j2) {
                      acc += xr[r2.ix0 - j2 * istep_[2]] * wr[r2.k0 + j2 * kstep_[2]];
                    }
                  }
                }
              }
            }
            yrow[o2] = acc;
          }
        }
      }
    });
  }

 private:
  Geom3 g_;
  std::vector<float> wp_;    // (Cout, Cin/g, k_sp)
  std::vector<float> bias_;  // (Cout), zeros without bias
  std::vector<TapRun> runs_[3];
  int64_t kstep_[3] = {1, 1, 1}, istep_[3] = {1, 1, 1};
};

AlgoCost GatherCost(const Geom3& g) {
  AlgoCost c;
  c.macs = UsefulMacs(g);
  c.workspace_bytes = 0;
  c.packed_bytes = SatProduct({g.cin, g.cout_g, g.k_sp, sizeof(float)});
  return c;
}

std::unique_ptr<PreparedAlgo> GatherPrepare(const PrepareInput& in, std::string* /*why*/) {
  const Geom3& g = in.g;
  const float* w = in.w.As<float>();
  const float* bias = in.bias.As<float>();
  return std::make_unique<GatherPrepared>(g, w, bias);
}

}  // namespace

const Algorithm kGatherAlgorithm = {
    "gather", "direct per-output gather of exactly the contributing (input, tap) pairs; no workspace", GatherCost,
    GatherPrepare};

}  // namespace tconv
