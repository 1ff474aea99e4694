// `gemm_col2im` in int8: see gemm_col2im_int8.h.
#include "src/algo/gemm_col2im_int8.h"

#include <cblas.h>

#include <algorithm>
#include <string>
#include <vector>

#include "src/algo/blas.h"
#include "src/algo/im2col.h"
#include "src/algo/int8_planes.h"
#include "src/algo/phase_int8.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/kernels/phase_int8_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

// Enough tasks per image that 2-16 threads balance (as the f32 algorithm).
constexpr int64_t kTargetTasks = 16;

// Workspace: [x - x_zero_point in f32][column buffer of one image][int32
// sums of one image's outputs], each 64-byte aligned.
class GemmCol2ImInt8 : public PreparedAlgo {
 public:
  GemmCol2ImInt8(const Geom3& g, const int8_t* w, const int32_t* bias, const QuantParams& q)
      : g_(g), cg_(AsConvGeom(g)), q_(q) {
    requant_ = kernels::FindKernel(kernels::KernelOp::kInt8Requant, DType::kI8);
    // wt_[grp][(cog*k_sp + kk)][cig] = w[grp*cin_g + cig][cog][kk]
    const int64_t rows = g.cout_g * g.k_sp;
    wt_.resize(static_cast<size_t>(g.groups * rows * g.cin_g));
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      const int64_t grp = ci / g.cin_g, cig = ci % g.cin_g;
      for (int64_t r = 0; r < rows; ++r) wt_[static_cast<size_t>((grp * rows + r) * g.cin_g + cig)] = w[ci * rows + r];
    }
    for (int64_t co = 0; co < g.cout; ++co) {
      bias_.push_back(bias ? bias[co] : 0);
      mult_.push_back(RequantMultiplier(q, co));
    }
    const int64_t nblk = std::min<int64_t>(g.cout_g, std::max<int64_t>(1, CeilDiv(kTargetTasks, g.groups)));
    cb_ = CeilDiv(g.cout_g, nblk);
    nblk_ = CeilDiv(g.cout_g, cb_);
    x_bytes_ = SatAlign64(SatProduct({g.n, g.cin, g.in_sp, 4}));
    col_bytes_ = SatAlign64(SatProduct({g.cout, g.k_sp, g.in_sp, 4}));
    cost_.macs = SatProduct({g.n, g.cin, g.cout_g, g.k_sp, g.in_sp});
    cost_.workspace_bytes = SatAdd(SatAdd(x_bytes_, col_bytes_), SatProduct({g.cout, g.out_sp, 4}));
    cost_.packed_bytes = SatProduct({g.cin, g.cout_g, g.k_sp, 4});
  }

  std::string Kernel() const override {
    return "gemm_col2im (int8): OpenBLAS sgemm on exact integers, " + std::to_string(kInt8WidenMaxProducts) +
           " input channels at a time, + col2im into int32 + " + requant_->name;
  }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    char* base = static_cast<char*>(ws);
    float* x = reinterpret_cast<float*>(base);
    float* col_all = reinterpret_cast<float*>(base + x_bytes_);
    int32_t* acc_all = reinterpret_cast<int32_t*>(base + x_bytes_ + col_bytes_);
    CenterToF32(xb.data, q_, g_.n * g_.cin * g_.in_sp, x, threads);
    const Geom3& g = g_;
    const int64_t tasks = g.groups * nblk_;
    const double task_mnk = static_cast<double>(cb_ * g.k_sp) * static_cast<double>(g.in_sp) * g.cin_g;
    const int workers = GemmWorkers(threads, tasks, task_mnk, task_mnk * static_cast<double>(tasks));
    const BlasOneThread blas;
    for (int64_t n = 0; n < g.n; ++n) {
      ParallelForDynamic(workers, tasks, 1, [&](int64_t t) { RunTask(n, t, x, col_all, acc_all, yb.data); });
    }
  }

 private:
  // Task t of image n: the block of output channels (grp, c0 .. c0 + cbn).
  void RunTask(int64_t n, int64_t t, const float* x, float* col_all, int32_t* acc_all, void* y) const {
    const Geom3& g = g_;
    const int64_t grp = t / nblk_, c0 = (t % nblk_) * cb_;
    const int64_t cbn = std::min(cb_, g.cout_g - c0);
    const int64_t co0 = grp * g.cout_g + c0;
    int32_t* acc = acc_all + co0 * g.out_sp;
    std::fill_n(acc, cbn * g.out_sp, 0);
    float* col = col_all + co0 * g.k_sp * g.in_sp;
    Geom3 cg = cg_;  // the conv view, restricted to this block's channels
    cg.cin_g = cbn;
    const int m = static_cast<int>(cbn * g.k_sp), nn = static_cast<int>(g.in_sp);
    for (int64_t k0 = 0; k0 < g.cin_g; k0 += kInt8WidenMaxProducts) {
      const int k = static_cast<int>(std::min(kInt8WidenMaxProducts, g.cin_g - k0));
      const float* a = wt_.data() + (grp * g.cout_g + c0) * g.k_sp * g.cin_g + k0;
      const float* xg = x + (n * g.cin + grp * g.cin_g + k0) * g.in_sp;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nn, k, 1.0f, a, static_cast<int>(g.cin_g), xg, nn, 0.0f,
                  col, nn);
      Col2ImAdd(cg, col, acc);
    }
    for (int64_t c = 0; c < cbn; ++c) {
      const size_t co = static_cast<size_t>(co0 + c);
      kernels::Int8RequantArgs r =
          PlaneRequantArgs(q_, bias_[co], mult_[co], y, (n * g.cout + co0 + c) * g.out_sp, g.out_sp);
      r.acc_i32 = acc + c * g.out_sp;
      requant_->As<kernels::Int8RequantFn>()(r);
    }
  }

  Geom3 g_, cg_;
  QuantParams q_;
  const kernels::KernelInfo* requant_ = nullptr;
  std::vector<float> wt_;            // per group: (Cout/g * k_sp) x (Cin/g)
  std::vector<double> bias_, mult_;  // per output channel
  int64_t cb_ = 1, nblk_ = 1;        // output channels per task, tasks per group
  int64_t x_bytes_ = 0, col_bytes_ = 0;
  AlgoCost cost_;
};

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareGemmCol2ImInt8(const PrepareInput& in) {
  return std::make_unique<GemmCol2ImInt8>(in.g, in.w.As<int8_t>(), in.bias.As<int32_t>(), *in.quant);
}

}  // namespace tconv
