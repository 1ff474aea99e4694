// Channels-last depthwise path of `phase` (src/algo/channels_last.h): packs
// the weights channels-innermost once, tabulates per axis the taps reaching
// each output index, and runs the kernel f32_dw_nhwc_row of the list
// (src/kernels/dw_nhwc_kernels.h) over the threads, one task per output row. No
// workspace: x is read in place, every y element written once.
//
// Why a separate path: a channels-first depthwise kernel has one channel per
// vector row and a channels-last user pays two transposes around it
// (dw_k4s2, 1 thread: 25 GFLOP/s NCHW, 12.9 through the plan's
// conversions). With channels in the lanes every load and store is
// contiguous in the user's own layout.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/channels_last.h"
#include "src/algo/depthwise_taps.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/dw_nhwc_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

class DepthwiseNhwc : public PreparedAlgo {
 public:
  DepthwiseNhwc(const Geom3& g, const float* w, const float* bias, const kernels::KernelInfo* kernel)
      : g_(g), kernel_(kernel), taps_(g) {
    // w (C, 1, kd, kh, kw) -> [kd][kh][kw][C].
    const int64_t c = g.cout;
    w_.resize(static_cast<size_t>(g.k_sp * c));
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t t = 0; t < g.k_sp; ++t) w_[t * c + ch] = w[ch * g.k_sp + t];
    bias_.assign(static_cast<size_t>(c), 0.0f);
    if (bias) bias_.assign(bias, bias + c);
    taps_.args.w = w_.data();
    taps_.args.bias = bias_.data();
  }

  bool ActualCost(AlgoCost* c) const override {
    c->macs = UsefulMacs(g_);
    c->workspace_bytes = 0;
    c->packed_bytes = static_cast<int64_t>((w_.size() + bias_.size()) * sizeof(float));
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

  void Run(ConstBuffer xb, Buffer yb, void* /*ws*/, int threads) const override {
    const float* x = xb.As<float>();
    float* y = yb.As<float>();
    const auto row_kernel = kernel_->As<kernels::DwNhwcRowFn>();
    DepthwiseTaps::ForEachRow(g_, threads,
                              [&](int64_t row) { row_kernel(taps_.Row(g_, row, x, sizeof(float), y, sizeof(float))); });
  }

 private:
  Geom3 g_;
  const kernels::KernelInfo* kernel_;
  DepthwiseTaps taps_;
  std::vector<float> w_;     // [kd][kh][kw][C]
  std::vector<float> bias_;  // [C], zeros without bias
};

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareDepthwiseChannelsLast(const PrepareInput& in, std::string* why) {
  const Geom3& g = in.g;
  if (g.cin_g != 1 || g.cout_g != 1) {
    if (why) *why = "not depthwise (channels per group " + std::to_string(g.cin_g) + " in, " +
                    std::to_string(g.cout_g) + " out)";
    return nullptr;
  }
  const kernels::KernelInfo* kernel = kernels::FindKernel(kernels::KernelOp::kDwNhwcRow, DType::kF32);
  if (!kernel) {
    if (why) *why = "no depthwise channels-last kernel in the list";
    return nullptr;
  }
  dispatch::LogDispatch("phase: channels last: depthwise, %s", kernel->name.c_str());
  return std::make_unique<DepthwiseNhwc>(g, in.w.As<float>(), in.bias.As<float>(), kernel);
}

}  // namespace tconv
