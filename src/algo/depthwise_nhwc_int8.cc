// int8 depthwise transposed convolution, channels last: the kernel
// i8_dw_nhwc_row (src/kernels/dw_nhwc_kernels.h) over the threads, one task per
// output row, as the f32 path (depthwise_nhwc.cc). x and y are read and
// written in place in the user's layout; no workspace.
//
// Why: the other int8 routes compute channels first, so a channels-last
// depthwise layer paid two conversions around a kernel that sums 4 products
// per output (dw_k4s2, Zen 4, 1 thread, thread CPU time: 5.5 GOP/s through
// the conversions, 13.3 here; oneDNN's int8 28.5: the per-output
// requantization in double costs more than the 4 products).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/depthwise_taps.h"
#include "src/algo/phase_int8.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"
#include "tconv/quant.h"

namespace tconv {
namespace {

static_assert(kernels::kDwInt8MaxTaps == kInt8WidenMaxProducts, "the kernel's tap bound is the widened route's");

class DepthwiseNhwcInt8 : public PreparedAlgo {
 public:
  DepthwiseNhwcInt8(const Geom3& g, const int8_t* w, const int32_t* bias, const QuantParams& q,
                    const kernels::KernelInfo* kernel)
      : g_(g), kernel_(kernel), taps_(g) {
    // w (C, 1, kd, kh, kw) -> [kd][kh][kw][C] as f32 (exact).
    const int64_t c = g.cout;
    w_.resize(static_cast<size_t>(g.k_sp * c));
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t t = 0; t < g.k_sp; ++t) w_[static_cast<size_t>(t * c + ch)] = w[ch * g.k_sp + t];
    bias_.assign(static_cast<size_t>(c), 0.0);
    if (bias) std::copy(bias, bias + c, bias_.begin());
    for (int64_t ch = 0; ch < c; ++ch) mult_.push_back(RequantMultiplier(q, ch));
    taps_.args.w = w_.data();
    a_.x_signed = q.x_type == QuantType::kInt8;
    a_.x_zero_point = q.x_zero_point;
    a_.bias = bias_.data();
    a_.mult = mult_.data();
    a_.y_f32 = q.y_type == QuantType::kFloat32;
    if (!a_.y_f32) {
      a_.y_zero_point = q.y_zero_point;
      a_.y_min = QuantTypeMin(q.y_type);
      a_.y_max = QuantTypeMax(q.y_type);
    }
    // The short epilogue where every |sum + bias| x mult < 2^30.
    const double sums = static_cast<double>(Int8ProductsPerOutput(g)) * 255 * 128;
    a_.in_range = true;
    for (int64_t ch = 0; ch < c; ++ch)
      a_.in_range = a_.in_range &&
                    (sums + std::fabs(bias_[static_cast<size_t>(ch)])) * mult_[static_cast<size_t>(ch)] < 1073741824.0;
    // The f32 route where its conditions hold for every channel (they do
    // unless a bias or a scale is extreme): the sums with their bias exact
    // in float, the multipliers normal floats.
    bool f32_route = !a_.y_f32;
    for (int64_t ch = 0; ch < c && f32_route; ++ch) {
      const double b = bias_[static_cast<size_t>(ch)], m = mult_[static_cast<size_t>(ch)];
      f32_route = sums + std::fabs(b) < 16777216.0 && m >= 0x1p-120 && m <= 0x1p60;
    }
    if (f32_route) {
      bias_f32_.assign(bias_.begin(), bias_.end());
      mult_f32_.assign(mult_.begin(), mult_.end());
      a_.bias_f32 = bias_f32_.data();
      a_.mult_f32 = mult_f32_.data();
    }
  }

  bool ActualCost(AlgoCost* c) const override {
    c->macs = UsefulMacs(g_);
    c->workspace_bytes = 0;
    c->packed_bytes = static_cast<int64_t>((w_.size() + bias_f32_.size() + mult_f32_.size()) * sizeof(float) +
                                           (bias_.size() + mult_.size()) * sizeof(double));
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

  void Run(ConstBuffer xb, Buffer yb, void* /*ws*/, int threads) const override {
    const auto row_kernel = kernel_->As<kernels::DwNhwcInt8Fn>();
    const size_t y_bytes = a_.y_f32 ? sizeof(float) : 1;
    DepthwiseTaps::ForEachRow(g_, threads, [&](int64_t row) {
      kernels::DwNhwcInt8Args a = a_;
      a.row = taps_.Row(g_, row, xb.data, 1, yb.data, y_bytes);
      row_kernel(a);
    });
  }

 private:
  Geom3 g_;
  const kernels::KernelInfo* kernel_;
  DepthwiseTaps taps_;
  std::vector<float> w_;       // [kd][kh][kw][C]
  std::vector<double> bias_;   // [C], zeros without bias
  std::vector<double> mult_;   // [C]: RequantMultiplier
  std::vector<float> bias_f32_, mult_f32_;  // [C] for the f32 route, else empty
  kernels::DwNhwcInt8Args a_;  // the quantization every row shares
};

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareDepthwiseInt8ChannelsLast(const PrepareInput& in, std::string* why) {
  const Geom3& g = in.g;
  const kernels::KernelInfo* named = in.tuning.kernel.empty() ? nullptr : kernels::FindKernelByName(in.tuning.kernel);
  if (!named || named->op == kernels::KernelOp::kDwWindowsInt8) {
    if (auto p = PrepareDepthwiseInt8Windows(in, /*channels_last=*/true, why)) return p;
    if (named) return nullptr;
    dispatch::LogDispatch("phase (int8): channels last: not on windows: %s", why->c_str());
  }
  if (g.cin_g != 1 || g.cout_g != 1) {
    *why = "not depthwise";
    return nullptr;
  }
  if (!Int8WidenIsExact(g)) {  // the kernel's f32 sums
    *why = "more than " + std::to_string(kInt8WidenMaxProducts) + " taps reach an output";
    return nullptr;
  }
  const kernels::KernelInfo* kernel = kernels::FindKernel(kernels::KernelOp::kDwNhwcRowInt8, DType::kI8);
  if (!kernel) {
    *why = "no int8 depthwise channels-last kernel in the list";
    return nullptr;
  }
  dispatch::LogDispatch("phase (int8): channels last: depthwise, %s", kernel->name.c_str());
  return std::make_unique<DepthwiseNhwcInt8>(g, in.w.As<int8_t>(), in.bias.As<int32_t>(), *in.quant, kernel);
}

}  // namespace tconv
