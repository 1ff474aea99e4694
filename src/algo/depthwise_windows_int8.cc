// int8 depthwise transposed convolution, channels last, on windows: the
// kernel i8_dw_vnni_windows (src/kernels/dw_windows_int8.h says what a
// window is and why) over the threads, one task per (image, window row).
// x is first copied into the workspace with a one-pixel border of the
// zero point on every side (so every window's four pixels exist) and its
// channels padded to blocks of 64; s8 x is flipped to u8 there. y is
// written in place.
//
// Why: the row kernel i8_dw_nhwc_row widens every tap's bytes to f32 and
// runs one FMA per product, two loads each; here four products are one
// vpdpbusd lane and one interleaving serves every phase of a window
// (dw_k4s2: four). Numbers in bench/RESULTS.md, "int8 depthwise on
// windows".
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/phase_int8.h"
#include "src/algo/tap_math.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/dw_windows_int8.h"
#include "src/kernels/registry.h"
#include "tconv/quant.h"

namespace tconv {
namespace {

using kernels::kDwWindowsBlock;

// The most a window's four products can add, |x_u8 - zp| <= 255 and
// |w| <= 128 each: the bias and the sums must stay inside int32.
constexpr double kWindowSums = 4.0 * 255 * 128;

class DepthwiseWindowsInt8 : public PreparedAlgo {
 public:
  DepthwiseWindowsInt8(const Geom3& g, const int8_t* w, const int32_t* bias, const QuantParams& q,
                       const kernels::KernelInfo* kernel)
      : g_(g), kernel_(kernel) {
    const int64_t c = g.cout;
    blocks_ = CeilDiv(c, kDwWindowsBlock);
    cp_ = blocks_ * kDwWindowsBlock;
    // Window rows and columns: q = (o + p) / s for o in [0, out), each
    // reading input pixels q - 1 and q, so the padded copy holds input
    // pixels -1 .. max(in - 1, q1 - 1): padded_ of them.
    for (int a = 1; a < 3; ++a) {
      q0_[a] = g.pb[a] / g.s[a];
      q1_[a] = (g.out[a] - 1 + g.pb[a]) / g.s[a] + 1;
      padded_[a] = std::max(g.in[a], q1_[a]) + 1;
    }
    const bool s8 = q.x_type == QuantType::kInt8;
    const int zp_u8 = q.x_zero_point + (s8 ? 128 : 0);  // the zero point as the kernel's u8
    pad_byte_ = static_cast<uint8_t>(zp_u8);
    flip_ = s8 ? 0x80 : 0;
    const int64_t sy = g.s[1], sx = g.s[2], phases = sy * sx;
    w_.assign(static_cast<size_t>(phases * blocks_ * 256), 0);
    init_.assign(static_cast<size_t>(phases * blocks_ * 64), 0);
    mult_.assign(static_cast<size_t>(cp_), 0.0);
    std::vector<double> mult(static_cast<size_t>(c));
    for (int64_t ch = 0; ch < c; ++ch) mult[static_cast<size_t>(ch)] = RequantMultiplier(q, ch);
    double most_bias = 0;
    for (int64_t b = 0; b < blocks_; ++b)
      for (int64_t e = 0; e < kDwWindowsBlock; ++e) {
        const int64_t ch = kernels::PermutedChannel(b, e);
        if (ch >= c) continue;
        mult_[static_cast<size_t>(b * kDwWindowsBlock + e)] = mult[static_cast<size_t>(ch)];
        const int32_t bc = bias ? bias[ch] : 0;
        most_bias = std::max(most_bias, std::fabs(static_cast<double>(bc)));
        for (int64_t ry = 0; ry < sy; ++ry)
          for (int64_t rx = 0; rx < sx; ++rx) {
            const int64_t ph = (ry * sx + rx) * blocks_ + b;
            // Word bytes: (ry + sy, rx + sx), (ry, rx + sx), (ry + sy, rx), (ry, rx).
            const int64_t ky[4] = {ry + sy, ry, ry + sy, ry}, kx[4] = {rx + sx, rx + sx, rx, rx};
            int64_t sum_w = 0;
            for (int t = 0; t < 4; ++t) {
              if (ky[t] >= g.k[1] || kx[t] >= g.k[2]) continue;
              const int8_t wv = w[ch * g.k_sp + ky[t] * g.k[2] + kx[t]];
              w_[static_cast<size_t>(ph * 256 + (e / 16) * 64 + (e % 16) * 4 + t)] = wv;
              sum_w += wv;
            }
            init_[static_cast<size_t>(ph * 64 + e)] = static_cast<int32_t>(bc - zp_u8 * sum_w);
          }
      }
    // The float route where every |acc| < 2^24 and every multiplier is a
    // normal float in its range (int8_round_f32-inl.h); the short epilogue
    // where every |acc x mult| < 2^30.
    const double most_acc = most_bias + 2 * kWindowSums;
    bool f32_route = most_acc < 16777216.0, in_range = true;
    for (double m : mult) {
      f32_route = f32_route && m >= 0x1p-120 && m <= 0x1p60;
      in_range = in_range && most_acc * m < 1073741824.0;
    }
    if (f32_route) mult_f32_.assign(mult_.begin(), mult_.end());
    a_.cp = cp_;
    a_.c = c;
    a_.qx0 = q0_[2], a_.qx1 = q1_[2];
    a_.sy = sy, a_.sx = sx, a_.px = g.pb[2], a_.ow = g.out[2];
    a_.w = w_.data();
    a_.init = init_.data();
    a_.blocks = blocks_;
    a_.mult = mult_.data();
    a_.mult_f32 = f32_route ? mult_f32_.data() : nullptr;
    a_.f32_route = f32_route;
    a_.in_range = in_range;
    a_.y_signed = q.y_type == QuantType::kInt8;
    a_.y_zero_point = q.y_zero_point;
    images_ = std::max<int64_t>(1, std::min<int64_t>(g.n, kCopyBytes / ImageBytes()));
  }

  bool ActualCost(AlgoCost* c) const override {
    c->macs = UsefulMacs(g_);
    c->workspace_bytes = images_ * ImageBytes();
    c->packed_bytes = static_cast<int64_t>(w_.size() + init_.size() * sizeof(int32_t) +
                                           mult_.size() * sizeof(double) + mult_f32_.size() * sizeof(float));
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

  // Per pass of images_ images, in one parallel region: x copied into ws
  // with its border, a barrier, then their window rows.
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const auto fn = kernel_->As<kernels::DwWindowsInt8Fn>();
    const int64_t rows = q1_[1] - q0_[1];
    uint8_t* xp = static_cast<uint8_t*>(ws);
    for (int64_t n0 = 0; n0 < g_.n; n0 += images_) {
      const int64_t m = std::min(images_, g_.n - n0);
      ParallelRegion(threads, [&](const Team& team) {
        team.ForStatic(m * padded_[1], [&](int64_t r) { CopyRow(xb, n0, r, xp); });
        // Static: each thread writes the same rows of y every run (and reads
        // mostly the rows of x it copied), so they stay in its cache.
        team.ForStatic(
            m * rows, [&](int64_t task) { WindowRow(yb, n0, task / rows, q0_[1] + task % rows, xp, fn); },
            /*nowait=*/true);
      });
    }
  }

 private:
  // Window row qy of image n0 + i: its output rows, all phases.
  void WindowRow(Buffer yb, int64_t n0, int64_t i, int64_t qy, const uint8_t* xp,
                 kernels::DwWindowsInt8Fn fn) const {
    kernels::DwWindowsInt8Args a = a_;
    const int64_t row_bytes = padded_[2] * cp_;
    a.top = xp + i * ImageBytes() + qy * row_bytes;  // input row qy - 1
    a.bottom = a.top + row_bytes;
    for (int64_t ry = 0; ry < g_.s[1]; ++ry) {
      const int64_t oy = qy * g_.s[1] + ry - g_.pb[1];
      a.y_rows[ry] = oy >= 0 && oy < g_.out[1]
                         ? static_cast<uint8_t*>(yb.data) + ((n0 + i) * g_.out[1] + oy) * g_.out[2] * g_.cout
                         : nullptr;
    }
    fn(a);
  }

  // The padded copy of one image: rows and columns of input pixels -1 ..
  // padded_ - 2, cp_ bytes each.
  int64_t ImageBytes() const { return padded_[1] * padded_[2] * cp_; }

  // Padded row r (input row r - 1) of image i of the pass starting at n0.
  void CopyRow(ConstBuffer xb, int64_t n0, int64_t r, uint8_t* xp) const {
    const int64_t i = r / padded_[1], pr = r % padded_[1], iy = pr - 1;
    const int64_t row_bytes = padded_[2] * cp_;
    uint8_t* dst = xp + i * ImageBytes() + pr * row_bytes;
    if (iy < 0 || iy >= g_.in[1]) {
      std::memset(dst, pad_byte_, static_cast<size_t>(row_bytes));
      return;
    }
    // (Locals: the byte stores may alias the members.)
    const int64_t c = g_.cout, cp = cp_;
    const uint8_t pad = pad_byte_, flip = flip_;
    const uint8_t* src = static_cast<const uint8_t*>(xb.data) + ((n0 + i) * g_.in[1] + iy) * g_.in[2] * c;
    std::memset(dst, pad, static_cast<size_t>(cp));  // input column -1
    for (int64_t ix = 0; ix < g_.in[2]; ++ix) {
      uint8_t* d = dst + (ix + 1) * cp;
      const uint8_t* s = src + ix * c;
      if (flip) {
        for (int64_t ch = 0; ch < c; ++ch) d[ch] = static_cast<uint8_t>(s[ch] ^ flip);
      } else {
        std::memcpy(d, s, static_cast<size_t>(c));
      }
      std::memset(d + c, pad, static_cast<size_t>(cp - c));
    }
    std::memset(dst + (g_.in[2] + 1) * cp, pad, static_cast<size_t>((padded_[2] - 1 - g_.in[2]) * cp));
  }

  // The images copied at once: at most this many bytes (one image at least).
  static constexpr int64_t kCopyBytes = int64_t{8} << 20;

  Geom3 g_;
  const kernels::KernelInfo* kernel_;
  int64_t blocks_ = 1, cp_ = kDwWindowsBlock;
  int64_t q0_[3] = {}, q1_[3] = {}, padded_[3] = {};
  uint8_t pad_byte_ = 0, flip_ = 0;
  std::vector<int8_t> w_;        // [phase][block][4 x 64] words
  std::vector<int32_t> init_;    // [phase][block][64], permuted channels
  std::vector<double> mult_;     // [block][64], permuted
  std::vector<float> mult_f32_;  // the same as float, for the f32 route (else empty)
  int64_t images_ = 1;
  kernels::DwWindowsInt8Args a_;  // what every window row shares
};

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareDepthwiseInt8Windows(const PrepareInput& in, std::string* why) {
  const Geom3& g = in.g;
  const QuantParams& q = *in.quant;
  const kernels::KernelInfo* kernel = kernels::FindKernel(kernels::KernelOp::kDwWindowsInt8, DType::kI8);
  std::string no;
  if (!kernel) {
    no = "no AVX512_VNNI windows kernel at isa " + std::string(dispatch::ActiveIsaName());
  } else if (g.cin_g != 1 || g.cout_g != 1) {
    no = "not depthwise";
  } else if (g.in[0] != 1 || g.k[0] != 1 || g.out[0] != 1) {
    no = "3-D";
  } else if (q.y_type == QuantType::kFloat32) {
    no = "y is f32";
  } else {
    for (int a = 1; a < 3 && no.empty(); ++a) {
      if (g.d[a] != 1) no = "dilation";
      else if (g.s[a] > kernels::kDwWindowsMaxStride) no = "stride > " + std::to_string(kernels::kDwWindowsMaxStride);
      else if (g.k[a] > 2 * g.s[a]) no = "kernel > 2 x stride";
      else if (g.pb[a] < 0) no = "a negative leading pad";
    }
    const int32_t* bias = in.bias.As<int32_t>();
    for (int64_t ch = 0; bias && ch < g.cout && no.empty(); ++ch)
      if (std::fabs(static_cast<double>(bias[ch])) + 2 * kWindowSums >= 2147483647.0) no = "a bias near the int32 limits";
  }
  if (!no.empty()) {
    *why = no;
    return nullptr;
  }
  dispatch::LogDispatch("phase (int8): channels last: depthwise on windows, %s", kernel->name.c_str());
  return std::make_unique<DepthwiseWindowsInt8>(g, in.w.As<int8_t>(), in.bias.As<int32_t>(), q, kernel);
}

}  // namespace tconv
