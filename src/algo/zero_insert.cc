// `zero_insert`: the article's second method. Insert s-1 zeros between input
// elements, pad ke-1-pb at the begin and ke-1-pe+a at the end of every axis
// (negative = crop), and run a stride-1 convolution (dilation d) with the
// kernel flipped on every axis and the channel axes swapped. It is kept for
// what it teaches: most of its multiply-adds hit inserted zeros, and its cost
// says so (about s^D times the useful work).
//
// Per axis the zero-inserted, padded input z has length Lz = out + ke - 1
// (= (i-1)*s + 1 + (ke-1-pb) + (ke-1-pe+a)); z[p] = x[ix] when
// p - (ke-1-pb) = ix*s with 0 <= ix < i, else 0. Then
//   y[o] = bias + sum_k z[o + k*d] * w[K-1-k],
// because o + k*d - (ke-1-pb) = o + pb - (K-1-k)*d.
//
// Per batch item: z for every input channel (workspace), im2col of z
// (stride 1, dilation d, no pads: (Cin/g * k_sp) x out_sp per group), then per
// group y_g = bias + Wf_g * col_g by cblas_sgemm with the packed flipped
// weight Wf_g (Cout/g x Cin/g * k_sp). With a 1x1x1 kernel col is z itself.
// Workspace: Cin * Lz_sp floats for z plus Cin * k_sp * out_sp for col.
//
// Threading: batch items in order; z/im2col split over input channels, the
// GEMMs over (group, block of output columns), blocks fixed by the geometry,
// so every GEMM call is the same for any thread count.
#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "src/algo/algorithm.h"
#include "src/algo/blas.h"
#include "src/algo/im2col.h"
#include "src/base/checked_int.h"
#include "src/base/parallel.h"

namespace tconv {
namespace {

constexpr int64_t kTargetTasks = 16;              // GEMM tasks per batch item
constexpr int64_t kMinColumnsPerTask = 64;        // keep each GEMM worth a call

// The stride-1 convolution over z, one input channel, in im2col.h terms.
Geom3 ZConvGeom(const Geom3& g) {
  Geom3 z;
  z.n = 1;
  z.cin = z.cin_g = 1;
  z.cout = z.cout_g = 1;
  z.groups = 1;
  for (int ax = 0; ax < 3; ++ax) {
    const int64_t ke = g.d[ax] * (g.k[ax] - 1) + 1;
    z.in[ax] = g.out[ax] + ke - 1;
    z.k[ax] = g.k[ax];
    z.s[ax] = 1;
    z.d[ax] = g.d[ax];
    z.out[ax] = g.out[ax];
  }
  z.in_sp = SatProduct({z.in[0], z.in[1], z.in[2]});  // a huge dilation makes ke, and z, huge
  z.out_sp = g.out_sp;
  z.k_sp = g.k_sp;
  return z;
}

int64_t ZFloats(const Geom3& g) { return SatMul(g.cin, ZConvGeom(g).in_sp); }
int64_t ColFloats(const Geom3& g) { return g.k_sp == 1 ? 0 : SatProduct({g.cin, g.k_sp, g.out_sp}); }

class ZeroInsertPrepared : public PreparedAlgo {
 public:
  ZeroInsertPrepared(const Geom3& g, const float* w, const float* bias) : g_(g), zg_(ZConvGeom(g)) {
    // wf_[grp][cog][cig*k_sp + flip(kk)] = w[grp*cin_g + cig][cog][kk]
    const int64_t kdim = g.cin_g * g.k_sp;
    wf_.resize(static_cast<size_t>(g.cout * kdim));
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      const int64_t grp = ci / g.cin_g, cig = ci % g.cin_g;
      for (int64_t cog = 0; cog < g.cout_g; ++cog) {
        const float* src = w + (ci * g.cout_g + cog) * g.k_sp;
        float* dst = wf_.data() + (grp * g.cout_g + cog) * kdim + cig * g.k_sp;
        for (int64_t k0 = 0; k0 < g.k[0]; ++k0)
          for (int64_t k1 = 0; k1 < g.k[1]; ++k1)
            for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
              const int64_t f = ((g.k[0] - 1 - k0) * g.k[1] + (g.k[1] - 1 - k1)) * g.k[2] + (g.k[2] - 1 - k2);
              dst[f] = src[(k0 * g.k[1] + k1) * g.k[2] + k2];
            }
      }
    }
    if (bias) bias_.assign(bias, bias + g.cout);
    for (int ax = 0; ax < 3; ++ax) off_[ax] = g.d[ax] * (g.k[ax] - 1) - g.pb[ax];  // ke-1-pb
    const int64_t want = std::max<int64_t>(1, (kTargetTasks + g.groups - 1) / g.groups);
    const int64_t nblk = std::max<int64_t>(1, std::min(want, g.out_sp / kMinColumnsPerTask));
    cw_ = (g.out_sp + nblk - 1) / nblk;
    nblk_ = (g.out_sp + cw_ - 1) / cw_;
  }

  std::string Kernel() const override { return "zero_insert: im2col + OpenBLAS sgemm"; }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    const Geom3& g = g_;
    float* col_all = static_cast<float*>(ws);
    float* z_all = col_all + ColFloats(g);
    const int64_t kdim = g.cin_g * g.k_sp;
    const double work = static_cast<double>(g.cout) * static_cast<double>(kdim) * static_cast<double>(g.out_sp);
    const int64_t tasks = g.groups * nblk_;
    const double task_mnk = static_cast<double>(g.cout_g) * static_cast<double>(kdim) * static_cast<double>(cw_);
    const int prep_workers = work < kMinParallelMacs ? 1 : static_cast<int>(std::min<int64_t>(threads, g.cin));
    const int gemm_workers = GemmWorkers(threads, tasks, task_mnk, work);
    const BlasOneThread blas;
    const float* w = wf_.data();
    for (int64_t n = 0; n < g.n; ++n) {
      ParallelFor(prep_workers, g.cin, [&](int64_t c) {
        float* z = z_all + c * zg_.in_sp;
        BuildZ(x + (n * g.cin + c) * g.in_sp, z);
        if (g.k_sp != 1) Im2Col(zg_, z, col_all + c * g.k_sp * g.out_sp);
      });
      const float* cols = g.k_sp == 1 ? z_all : col_all;
      ParallelForDynamic(gemm_workers, tasks, 1, [&](int64_t t) {
        const int64_t grp = t / nblk_, j0 = (t % nblk_) * cw_;
        const int64_t ncols = std::min(cw_, g.out_sp - j0);
        float* yg = y + (n * g.cout + grp * g.cout_g) * g.out_sp + j0;
        for (int64_t cog = 0; cog < g.cout_g; ++cog) {
          std::fill_n(yg + cog * g.out_sp, ncols, bias_.empty() ? 0.0f : bias_[grp * g.cout_g + cog]);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(g.cout_g), static_cast<int>(ncols),
                    static_cast<int>(kdim), 1.0f, w + grp * g.cout_g * kdim, static_cast<int>(kdim),
                    cols + grp * kdim * g.out_sp + j0, static_cast<int>(g.out_sp), 1.0f, yg,
                    static_cast<int>(g.out_sp));
      });
    }
  }

 private:
  // z = x of one channel, dilated by s and shifted by ke-1-pb (cropped where
  // that falls outside [0, Lz)).
  void BuildZ(const float* xc, float* z) const {
    std::memset(z, 0, sizeof(float) * zg_.in_sp);
    const Geom3& g = g_;
    for (int64_t i0 = 0; i0 < g.in[0]; ++i0) {
      const int64_t p0 = i0 * g.s[0] + off_[0];
      if (p0 < 0 || p0 >= zg_.in[0]) continue;
      for (int64_t i1 = 0; i1 < g.in[1]; ++i1) {
        const int64_t p1 = i1 * g.s[1] + off_[1];
        if (p1 < 0 || p1 >= zg_.in[1]) continue;
        const float* src = xc + (i0 * g.in[1] + i1) * g.in[2];
        float* dst = z + (p0 * zg_.in[1] + p1) * zg_.in[2];
        for (int64_t i2 = 0; i2 < g.in[2]; ++i2) {
          const int64_t p2 = i2 * g.s[2] + off_[2];
          if (p2 >= 0 && p2 < zg_.in[2]) dst[p2] = src[i2];
        }
      }
    }
  }

  Geom3 g_, zg_;
  std::vector<float> wf_;    // per group: (Cout/g) x (Cin/g * k_sp), kernel flipped
  std::vector<float> bias_;  // empty without bias
  int64_t off_[3] = {0, 0, 0};
  int64_t cw_ = 1, nblk_ = 1;  // output columns per GEMM task, tasks per group
};

AlgoCost ZeroInsertCost(const Geom3& g) {
  AlgoCost c;
  c.macs = SatProduct({g.n, g.cout, g.cin_g, g.k_sp, g.out_sp});
  c.workspace_bytes = SatMul(SatAdd(ZFloats(g), ColFloats(g)), sizeof(float));
  c.packed_bytes = SatProduct({g.cin, g.cout_g, g.k_sp, sizeof(float)});
  return c;
}

std::unique_ptr<PreparedAlgo> ZeroInsertPrepare(const PrepareInput& in, std::string* /*why*/) {
  const Geom3& g = in.g;
  const float* w = in.w.As<float>();
  const float* bias = in.bias.As<float>();
  // CBLAS takes int dimensions; beyond them the buffers would be many GiB.
  if (SatMul(g.cin_g, g.k_sp) > INT_MAX || g.out_sp > INT_MAX || g.cout_g > INT_MAX) return nullptr;
  return std::make_unique<ZeroInsertPrepared>(g, w, bias);
}

}  // namespace

const Algorithm kZeroInsertAlgorithm = {
    "zero_insert", "insert s-1 zeros, pad ke-1-p, stride-1 conv with the flipped kernel (im2col + sgemm; wasteful)",
    ZeroInsertCost, ZeroInsertPrepare};

}  // namespace tconv
