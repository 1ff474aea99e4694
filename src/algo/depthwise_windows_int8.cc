// int8 depthwise transposed convolution on windows: the kernel
// i8_dw_vnni_windows (src/kernels/dw_windows.h says what a window is and
// why) over the threads, one task per (image, window row). x is first
// copied into the workspace channels last with a border of the zero point
// (one pixel before, up to the last window's after: every window's four
// pixels exist) and its
// channels padded to blocks of 64; s8 x is flipped to u8 there. Channels
// last, y is written in place; channels first, x is transposed by
// planes_to_words in that copy, and each window row's output rows go
// through the thread's scratch rows and words_to_planes.
//
// Why: the row kernel i8_dw_nhwc_row widens every tap's bytes to f32 and
// runs one FMA per product, two loads each; here four products are one
// vpdpbusd lane and one interleaving serves every phase of a window
// (dw_k4s2: four). Numbers in bench/RESULTS.md, "bf16 and int8
// depthwise on windows".
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/depthwise_windows.h"
#include "src/algo/phase_int8.h"
#include "src/algo/tap_math.h"
#include "src/dispatch/cpu.h"
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
  // planes: null channels last, else the two transpositions (x in, y out)
  // for channels first, and the threads Run may get.
  struct Planes {
    kernels::PlanesToWordsFn to_words = nullptr;
    kernels::WordsToPlanesFn to_planes = nullptr;
    int threads = 1;
  };
  DepthwiseWindowsInt8(const Geom3& g, const int8_t* w, const int32_t* bias, const QuantParams& q,
                       const kernels::KernelInfo* kernel, const Planes& planes)
      : g_(g), kernel_(kernel), win_(g, kDwWindowsBlock), planes_(planes) {
    const int64_t c = g.cout, blocks = win_.blocks;
    const bool s8 = q.x_type == QuantType::kInt8;
    const int zp_u8 = q.x_zero_point + (s8 ? 128 : 0);  // the zero point as the kernel's u8
    pad_byte_ = static_cast<uint8_t>(zp_u8);
    flip_ = s8 ? 0x80 : 0;
    const int64_t sy = g.s[1], sx = g.s[2], phases = sy * sx;
    w_.assign(static_cast<size_t>(phases * blocks * 256), 0);
    init_.assign(static_cast<size_t>(phases * blocks * 64), 0);
    mult_.assign(static_cast<size_t>(win_.cp), 0.0);
    std::vector<double> mult(static_cast<size_t>(c));
    for (int64_t ch = 0; ch < c; ++ch) mult[static_cast<size_t>(ch)] = RequantMultiplier(q, ch);
    double most_bias = 0;
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t e = 0; e < kDwWindowsBlock; ++e) {
        const int64_t ch = kernels::PermutedChannel(b, e);
        if (ch >= c) continue;
        mult_[static_cast<size_t>(b * kDwWindowsBlock + e)] = mult[static_cast<size_t>(ch)];
        const int32_t bc = bias ? bias[ch] : 0;
        most_bias = std::max(most_bias, std::fabs(static_cast<double>(bc)));
        for (int64_t ry = 0; ry < sy; ++ry)
          for (int64_t rx = 0; rx < sx; ++rx) {
            const int64_t ph = (ry * sx + rx) * blocks + b;
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
    a_.cp = win_.cp;
    a_.c = c;
    a_.qx0 = win_.q0[2], a_.qx1 = win_.q1[2];
    a_.sy = sy, a_.sx = sx, a_.px = g.pb[2], a_.ow = g.out[2];
    a_.w = w_.data();
    a_.init = init_.data();
    a_.blocks = blocks;
    a_.mult = mult_.data();
    a_.mult_f32 = f32_route ? mult_f32_.data() : nullptr;
    a_.f32_route = f32_route;
    a_.in_range = in_range;
    a_.y_signed = q.y_type == QuantType::kInt8;
    a_.y_zero_point = q.y_zero_point;
    images_ = std::max<int64_t>(1, std::min<int64_t>(g.n, kDwWindowsCopyBytes / win_.ImageElems()));
    scratch_ = planes_.to_words ? sy * g.out[2] * win_.cp : 0;
  }

  bool ActualCost(AlgoCost* c) const override {
    c->macs = UsefulMacs(g_);
    c->workspace_bytes = images_ * win_.ImageElems() + planes_.threads * scratch_;
    c->packed_bytes = static_cast<int64_t>(w_.size() + init_.size() * sizeof(int32_t) +
                                           mult_.size() * sizeof(double) + mult_f32_.size() * sizeof(float));
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const auto fn = kernel_->As<kernels::DwWindowsInt8Fn>();
    uint8_t* xp = static_cast<uint8_t*>(ws);
    uint8_t* scratch = xp + images_ * win_.ImageElems();
    const uint8_t* x = static_cast<const uint8_t*>(xb.data);
    uint8_t* y = static_cast<uint8_t*>(yb.data);
    const bool first = planes_.to_words != nullptr;
    // (Channels first: one scratch per thread prepared for, at most.)
    win_.Run(
        g_, images_, first ? std::min(threads, planes_.threads) : threads,
        [&](int64_t n0, int64_t r) {
          const uint8_t* xn = x + n0 * g_.in_sp * g_.cout;
          first ? win_.CopyRowPlanes(g_, xn, r, pad_byte_, flip_, xp, planes_.to_words)
                : win_.CopyRow(g_, xn, r, pad_byte_, flip_, xp);
        },
        [&](int64_t n0, int64_t i, int64_t qy, int thread) {
          kernels::DwWindowsInt8Args a = a_;
          a.top = xp + i * win_.ImageElems() + qy * win_.RowElems();  // input row qy - 1
          a.bottom = a.top + win_.RowElems();
          uint8_t* rows = scratch + thread * scratch_;  // channels first: the rows, cp bytes a pixel
          if (first) a.c = win_.cp;
          for (int64_t ry = 0; ry < g_.s[1]; ++ry) {
            const int64_t oy = qy * g_.s[1] + ry - g_.pb[1];
            const bool in_y = oy >= 0 && oy < g_.out[1];
            a.y_rows[ry] = !in_y ? nullptr
                           : first ? rows + ry * g_.out[2] * win_.cp
                                   : y + ((n0 + i) * g_.out[1] + oy) * g_.out[2] * g_.cout;
          }
          fn(a);
          for (int64_t ry = 0; first && ry < g_.s[1]; ++ry) {
            if (!a.y_rows[ry]) continue;
            const int64_t oy = qy * g_.s[1] + ry - g_.pb[1];
            kernels::WordsToPlanesArgs t;
            t.src = reinterpret_cast<const uint32_t*>(a.y_rows[ry]);
            t.words = win_.cp / 4;
            t.dst = y + (n0 + i) * g_.cout * g_.out_sp + oy * g_.out[2];
            t.plane_stride = g_.out_sp;
            t.channels = g_.cout;
            t.width = g_.out[2];
            planes_.to_planes(t);
          }
        });
  }

 private:
  Geom3 g_;
  const kernels::KernelInfo* kernel_;
  DwWindows win_;
  Planes planes_;
  int64_t scratch_ = 0;  // bytes of a thread's output rows (channels first)
  uint8_t pad_byte_ = 0, flip_ = 0;
  std::vector<int8_t> w_;        // [phase][block][4 x 64] words
  std::vector<int32_t> init_;    // [phase][block][64], permuted channels
  std::vector<double> mult_;     // [block][64], permuted
  std::vector<float> mult_f32_;  // the same as float, for the f32 route (else empty)
  int64_t images_ = 1;
  kernels::DwWindowsInt8Args a_;  // what every window row shares
};

}  // namespace

std::unique_ptr<PreparedAlgo> PrepareDepthwiseInt8Windows(const PrepareInput& in, bool channels_last,
                                                         std::string* why) {
  const Geom3& g = in.g;
  const QuantParams& q = *in.quant;
  const kernels::KernelInfo* kernel = kernels::FindKernel(kernels::KernelOp::kDwWindowsInt8, DType::kI8);
  DepthwiseWindowsInt8::Planes planes;
  if (!channels_last) {
    const kernels::KernelInfo* in_k = kernels::FindKernel(kernels::KernelOp::kPlanesToWords, DType::kI8);
    const kernels::KernelInfo* out_k = kernels::FindKernel(kernels::KernelOp::kWordsToPlanes, DType::kI8);
    if (in_k && out_k) {
      planes.to_words = in_k->As<kernels::PlanesToWordsFn>();
      planes.to_planes = out_k->As<kernels::WordsToPlanesFn>();
      planes.threads = std::max(1, in.threads);
    }
  }
  std::string no;
  if (!kernel) {
    no = "no AVX512_VNNI windows kernel at isa " + std::string(dispatch::ActiveIsaName());
  } else if (!channels_last && !planes.to_words) {
    no = "no planes_to_words at isa " + std::string(dispatch::ActiveIsaName());
  } else if (q.y_type == QuantType::kFloat32) {
    no = "y is f32";
  } else {
    no = DwWindowsRefusal(g);
    const int32_t* bias = in.bias.As<int32_t>();
    for (int64_t ch = 0; bias && ch < g.cout && no.empty(); ++ch)
      if (std::fabs(static_cast<double>(bias[ch])) + 2 * kWindowSums >= 2147483647.0) no = "a bias near the int32 limits";
  }
  if (!no.empty()) {
    *why = no;
    return nullptr;
  }
  dispatch::LogDispatch("phase (int8): depthwise on windows, %s, %s", channels_last ? "channels last" : "channels first",
                        kernel->name.c_str());
  return std::make_unique<DepthwiseWindowsInt8>(g, in.w.As<int8_t>(), in.bias.As<int32_t>(), q, kernel, planes);
}

}  // namespace tconv
