// bf16 depthwise transposed convolution, channels last, on windows: the
// kernel bf16_dw_dpbf16_windows (src/kernels/dw_windows.h says what a
// window is and why) over the threads, one task per (image, window row).
// x is first copied into the workspace with a border of zeros (one pixel
// before, up to the last window's after: every window's four pixels
// exist) and its channels padded to blocks of 32. y (f32 or bf16) is
// written in place. Where the kernel spans fewer than two strides the
// kernel is told which taps exist: a missing tap's x is not multiplied
// (zero weight times x's Inf or NaN would be NaN where the reference has
// no such term).
//
// Why: the other bf16 routes for depthwise layers widen x and y to f32
// around the f32 depthwise kernels (channels last, through the plan's
// conversions); here a window's pairs are interleaved once for every
// phase and each output is two vdpbf16ps lanes. Numbers in
// bench/RESULTS.md, "bf16 and int8 depthwise on windows".
#include <memory>
#include <string>
#include <vector>

#include "src/algo/depthwise_windows.h"
#include "src/algo/phase_bf16.h"
#include "src/algo/tap_math.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

using kernels::kDwWindowsBlockBf16;

class DepthwiseWindowsBf16 : public PreparedAlgo {
 public:
  DepthwiseWindowsBf16(const Geom3& g, const uint16_t* w, const float* bias, const kernels::KernelInfo* kernel)
      : g_(g), kernel_(kernel), win_(g, kDwWindowsBlockBf16) {
    const int64_t c = g.cout, blocks = win_.blocks, sy = g.s[1], sx = g.s[2];
    w_.assign(static_cast<size_t>(sy * sx * blocks * 128), 0);
    bias_.assign(static_cast<size_t>(win_.cp), 0.0f);
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t e = 0; e < kDwWindowsBlockBf16; ++e) {
        const int64_t ch = kernels::PermutedChannelBf16(b, e);
        if (ch >= c) continue;
        if (bias) bias_[static_cast<size_t>(b * kDwWindowsBlockBf16 + e)] = bias[ch];
        const int64_t j = e / 16, lane_pair = e % 16;
        for (int64_t ry = 0; ry < sy; ++ry)
          for (int64_t rx = 0; rx < sx; ++rx) {
            uint16_t* wp = w_.data() + ((ry * sx + rx) * blocks + b) * 128;
            // Left column (kx = rx + sx) then right (kx = rx); in each pair
            // the top tap (ky = ry + sy), then the bottom (ky = ry).
            const int64_t kx[2] = {rx + sx, rx}, ky[2] = {ry + sy, ry};
            for (int col = 0; col < 2; ++col)
              for (int h = 0; h < 2; ++h) {
                if (kx[col] >= g.k[2] || ky[h] >= g.k[1]) continue;
                wp[(2 * col + j) * 32 + 2 * lane_pair + h] = w[ch * g.k_sp + ky[h] * g.k[2] + kx[col]];
              }
          }
      }
    a_.cp = win_.cp;
    a_.c = c;
    a_.qx0 = win_.q0[2], a_.qx1 = win_.q1[2];
    a_.sy = sy, a_.sx = sx, a_.px = g.pb[2], a_.ow = g.out[2];
    a_.w = w_.data();
    a_.blocks = blocks;
    a_.bias = bias_.data();
    // Which taps exist per phase, where k < 2s on an axis.
    if (g.k[1] < 2 * sy || g.k[2] < 2 * sx) {
      for (int64_t ry = 0; ry < sy; ++ry)
        for (int64_t rx = 0; rx < sx; ++rx) {
          const bool top = ry + sy < g.k[1], bottom = ry < g.k[1], left = rx + sx < g.k[2], right = rx < g.k[2];
          taps_.push_back(static_cast<uint8_t>((left && top) | (left && bottom) << 1 | (right && top) << 2 |
                                               (right && bottom) << 3));
        }
      a_.taps = taps_.data();
    }
    images_ = std::max<int64_t>(1, std::min<int64_t>(g.n, kDwWindowsCopyBytes / (2 * win_.ImageElems())));
  }

  bool ActualCost(AlgoCost* c) const override {
    c->macs = UsefulMacs(g_);
    c->workspace_bytes = images_ * win_.ImageElems() * 2;
    c->packed_bytes = static_cast<int64_t>(w_.size() * 2 + bias_.size() * sizeof(float));
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const auto fn = kernel_->As<kernels::DwWindowsBf16Fn>();
    uint16_t* xp = static_cast<uint16_t*>(ws);
    const uint16_t* x = static_cast<const uint16_t*>(xb.data);
    const bool y_bf16 = yb.dtype == DType::kBF16;
    const size_t y_bytes = y_bf16 ? 2 : 4;
    win_.Run(
        g_, images_, threads,
        [&](int64_t n0, int64_t r) {
          win_.CopyRow<uint16_t>(g_, x + n0 * g_.in_sp * g_.cout, r, 0, 0, xp);
        },
        [&](int64_t n0, int64_t i, int64_t qy, int /*thread*/) {
          kernels::DwWindowsBf16Args a = a_;
          a.y_bf16 = y_bf16;
          a.top = xp + i * win_.ImageElems() + qy * win_.RowElems();  // input row qy - 1
          a.bottom = a.top + win_.RowElems();
          for (int64_t ry = 0; ry < g_.s[1]; ++ry) {
            const int64_t oy = qy * g_.s[1] + ry - g_.pb[1];
            a.y_rows[ry] = oy >= 0 && oy < g_.out[1]
                               ? static_cast<char*>(yb.data) +
                                     static_cast<size_t>(((n0 + i) * g_.out[1] + oy) * g_.out[2] * g_.cout) * y_bytes
                               : nullptr;
          }
          fn(a);
        });
  }

 private:
  Geom3 g_;
  const kernels::KernelInfo* kernel_;
  DwWindows win_;
  std::vector<uint16_t> w_;  // [phase][block][4 x 32] pairs
  std::vector<float> bias_;  // [block][32], permuted
  std::vector<uint8_t> taps_;  // per phase, where k < 2s: DwWindowsBf16Args::taps
  int64_t images_ = 1;
  kernels::DwWindowsBf16Args a_;  // what every window row shares
};

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareDepthwiseBf16Windows(const PrepareInput& in, std::string* why) {
  const kernels::KernelInfo* kernel = kernels::FindKernel(kernels::KernelOp::kDwWindowsBf16, DType::kBF16);
  const std::string no = kernel ? DwWindowsRefusal(in.g)
                                : "no AVX512_BF16 windows kernel at isa " + std::string(dispatch::ActiveIsaName());
  if (!no.empty()) {
    *why = no;
    return nullptr;
  }
  dispatch::LogDispatch("phase (bf16): channels last: depthwise on windows, %s", kernel->name.c_str());
  return std::make_unique<DepthwiseWindowsBf16>(in.g, in.w.As<uint16_t>(), in.bias.As<float>(), kernel);
}

}  // namespace tconv
