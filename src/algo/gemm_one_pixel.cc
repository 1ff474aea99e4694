// gemm_col2im's one-pixel route (gemm_one_pixel.h).
//
// The GEMM runs on the phase algorithm's channels kernel (f32_phase_channels,
// src/kernels/phase_kernels.h) rather than OpenBLAS: W' is the large operand
// and OpenBLAS packs it again on every call (gan3d_g1, a first version with
// the bias as a 201st row of W': 32 x 201 x 32768, 35 GFLOP/s, sgemm_itcopy
// 23 % of the time against its kernel's 14 %; Zen 4, 1 thread), while here it is packed once, in the kernel's panels of 32
// columns x Cin/g, and each panel serves the whole batch from cache.
//
// The kernel's "pixels" are the images: group k is images 4k..4k+3 of x'
// ([ci][image], the batch padded to a multiple of 4), its outputs y + 4k *
// Cout*out_sp + column. Tasks are (group, block of 32 columns), every image
// in each, so each output comes from the same call at any thread count.
#include "src/algo/gemm_one_pixel.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "src/algo/blas.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/kernels/phase_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

constexpr int64_t kBlock = kernels::kPhaseChannelBlock;  // W' columns per panel
constexpr int64_t kImages = kernels::kPhaseGroupPixels;  // images per kernel group

int64_t Columns(const Geom3& g) { return g.cout_g * g.out_sp; }
int64_t Blocks(const Geom3& g) { return CeilDiv(Columns(g), kBlock); }
int64_t PaddedBatch(const Geom3& g) { return RoundUp(g.n, kImages); }

// Output position of tap k on axis a, or -1 when a pad crops it.
int64_t TapOutput(const Geom3& g, int a, int64_t k) {
  const int64_t o = k * g.d[a] - g.pb[a];
  return o >= 0 && o < g.out[a] ? o : -1;
}

class OnePixelGemm : public PreparedAlgo {
 public:
  OnePixelGemm(const Geom3& g, const float* w, const float* bias, const kernels::KernelInfo* kernel)
      : g_(g), kernel_(kernel), blocks_(Blocks(g)) {
    // wp_[grp][block][ci][32]: column c of W' (channel c / out_sp, output
    // position c % out_sp); bias_[grp][block][32]. Zero past the columns.
    wp_.assign(static_cast<size_t>(g.groups * blocks_ * g.cin_g * kBlock), 0.0f);
    bias_.assign(static_cast<size_t>(g.groups * blocks_ * kBlock), 0.0f);
    std::vector<float> row(static_cast<size_t>(Columns(g)));
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      const int64_t grp = ci / g.cin_g, cig = ci % g.cin_g;
      std::fill(row.begin(), row.end(), 0.0f);
      for (int64_t co = 0; co < g.cout_g; ++co)
        PlaceTaps(w + (ci * g.cout_g + co) * g.k_sp, row.data() + co * g.out_sp);
      for (int64_t c = 0; c < Columns(g); ++c) wp_[Panel(grp, c / kBlock) + cig * kBlock + c % kBlock] = row[c];
    }
    // The kernel's pixel groups: images 4k..4k+3 (the last one short).
    const int64_t groups = PaddedBatch(g) / kImages;
    for (int64_t k = 0; k < groups; ++k) {
      grp_x_.push_back(k * kImages);
      grp_y_.push_back(k * kImages * g.cout * g.out_sp);
      grp_n_.push_back(static_cast<int32_t>(std::min(kImages, g.n - k * kImages)));
    }
    grp_mask_.assign(grp_x_.size(), ~uint64_t{0});
    if (bias) {
      for (int64_t grp = 0; grp < g.groups; ++grp)
        for (int64_t c = 0; c < Columns(g); ++c)
          bias_[grp * blocks_ * kBlock + c] = bias[grp * g.cout_g + c / g.out_sp];
    }
  }

  std::string Kernel() const override { return "gemm_col2im: one input pixel, " + kernel_->name; }

  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const Geom3& g = g_;
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    const int64_t nb = PaddedBatch(g);
    float* xt = static_cast<float*>(ws);  // x' [grp][ci][image], zero past the batch
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      float* dst = xt + ci * nb;
      for (int64_t n = 0; n < g.n; ++n) dst[n] = x[n * g.cin + ci];
      std::fill(dst + g.n, dst + nb, 0.0f);
    }
    static const int64_t kZero = 0;
    kernels::PhaseChannelsArgs a;
    a.cstride = nb;
    a.cin = g.cin_g;
    a.offs = &kZero;
    a.woff = &kZero;
    a.ntaps = 1;
    a.wstride = kBlock;
    a.grp_x = grp_x_.data();
    a.grp_y = grp_y_.data();
    a.grp_n = grp_n_.data();
    a.grp_mask = grp_mask_.data();
    a.g1 = static_cast<int64_t>(grp_x_.size());
    a.ychan = 1;
    a.ystep = g.cout * g.out_sp;
    const int64_t tasks = g.groups * blocks_;
    const double macs = static_cast<double>(g.n) * static_cast<double>(g.cin) * static_cast<double>(Columns(g));
    const int workers = macs < kMinParallelMacs ? 1 : static_cast<int>(std::min<int64_t>(threads, tasks));
    const auto fn = kernel_->As<kernels::PhaseChannelsFn>();
    ParallelFor(workers, tasks, [&](int64_t t) {
      const int64_t grp = t / blocks_, b = t % blocks_;
      kernels::PhaseChannelsArgs at = a;  // each task its own copy
      at.x = xt + grp * g.cin_g * nb;
      at.w = wp_.data() + Panel(grp, b);
      at.bias = bias_.data() + t * kBlock;
      at.y = y + grp * Columns(g) + b * kBlock;
      at.cb = static_cast<int>(std::min(kBlock, Columns(g) - b * kBlock));
      fn(at);
    });
  }

 private:
  int64_t Panel(int64_t grp, int64_t block) const { return (grp * blocks_ + block) * g_.cin_g * kBlock; }

  // One (ci, co) kernel w[k_sp] into its out_sp columns of W'.
  void PlaceTaps(const float* w, float* dst) const {
    const Geom3& g = g_;
    for (int64_t kd = 0; kd < g.k[0]; ++kd) {
      const int64_t od = TapOutput(g, 0, kd);
      for (int64_t ky = 0; ky < g.k[1]; ++ky) {
        const int64_t oy = TapOutput(g, 1, ky);
        for (int64_t kx = 0; kx < g.k[2]; ++kx) {
          const int64_t ox = TapOutput(g, 2, kx);
          if (od < 0 || oy < 0 || ox < 0) continue;
          dst[(od * g.out[1] + oy) * g.out[2] + ox] = w[(kd * g.k[1] + ky) * g.k[2] + kx];
        }
      }
    }
  }

  Geom3 g_;
  const kernels::KernelInfo* kernel_;
  int64_t blocks_;                      // panels per group
  std::vector<float> wp_;               // W' in panels (above)
  std::vector<float> bias_;             // per panel column
  std::vector<int64_t> grp_x_, grp_y_;  // the kernel's pixel groups (above)
  std::vector<int32_t> grp_n_;
  std::vector<uint64_t> grp_mask_;  // one tap, always inside
};

}  // namespace

bool OnePixelGemmApplies(const Geom3& g) {
  if (g.in_sp != 1) return false;
  // Every output o of each axis is reached by tap (o + pb) / d: with d = 1
  // (or one tap), pb >= 0 and out + pb <= k.
  for (int a = 0; a < 3; ++a)
    if (!(g.d[a] == 1 || g.k[a] == 1) || g.pb[a] < 0 || g.out[a] + g.pb[a] > g.k[a]) return false;
  return kernels::FindKernel(kernels::KernelOp::kPhaseChannels, DType::kF32) != nullptr;
}

AlgoCost OnePixelGemmCost(const Geom3& g) {
  AlgoCost c;
  c.macs = SatProduct({g.n, g.cin, Columns(g)});
  c.workspace_bytes = SatProduct({g.cin, PaddedBatch(g), sizeof(float)});
  c.packed_bytes = SatProduct({g.groups, Blocks(g), g.cin_g + 1, kBlock, sizeof(float)});
  return c;
}

std::unique_ptr<PreparedAlgo> PrepareOnePixelGemm(const Geom3& g, const float* w, const float* bias) {
  return std::make_unique<OnePixelGemm>(g, w, bias,
                                        kernels::FindKernel(kernels::KernelOp::kPhaseChannels, DType::kF32));
}

}  // namespace tconv
