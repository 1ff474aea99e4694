// `gemm_col2im` in bf16: see gemm_col2im_bf16.h.
#include "src/algo/gemm_col2im_bf16.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "src/algo/gemm_one_pixel.h"
#include "src/algo/im2col.h"
#include "src/algo/phase_bf16.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/kernels/amx_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

using kernels::Bf16GemmArgs;
using kernels::Bf16GemmFn;

constexpr int64_t kTile = 16;  // the GEMM kernel's dimensions are multiples of it
// The fewest input channels per group the tiles run (16 pairs: a tile row).
constexpr int64_t kGemmAmxMinCin = 32;
// Rows and pixels of one GEMM call: A's rows (128 x 1 KiB at 512 input
// channels) stay in L2 while the call walks the pixels.
constexpr int64_t kCallRows = 128;
constexpr int64_t kCallPixels = 512;
// The most workspace images run at once may take together (as the f32
// algorithm's column buffers).
constexpr int64_t kMaxSlotBytes = int64_t{8} << 20;

const kernels::KernelInfo* GemmKernel() {
  return kernels::FindKernel(kernels::KernelOp::kGemmBf16Amx, DType::kBF16);
}

// The padded sizes of the AMX route.
struct AmxSizes {
  int64_t rows = 0, rows_p = 0;  // Cout/g x k_sp, and padded to 16
  int64_t pairs = 0, pairs_p = 0;  // channel pairs of a group, and padded to 16
  int64_t pix_p = 0;             // in_sp padded to 16
  int64_t x_words = 0, col_floats = 0, y_floats = 0;  // one image's, all groups
  int64_t row_floats = 0;  // Col2ImPlane's scratch of one output channel
  int64_t slot_bytes = 0, slots = 1;

  explicit AmxSizes(const Geom3& g) {
    rows = SatMul(g.cout_g, g.k_sp);
    rows_p = RoundUp(rows, kTile);
    pairs = CeilDiv(g.cin_g, 2);
    pairs_p = RoundUp(pairs, kTile);
    pix_p = RoundUp(g.in_sp, kTile);
    x_words = SatProduct({g.groups, pairs_p, pix_p});
    col_floats = SatProduct({g.groups, rows_p, pix_p});
    y_floats = SatMul(g.cout, g.out_sp);
    row_floats = RoundUp(g.out[2], g.s[2]);
    slot_bytes = SatAdd(SatAdd(SatAlign64(SatMul(x_words, 4)), SatAlign64(SatMul(col_floats, 4))),
                        SatAdd(SatAlign64(SatMul(y_floats, 4)), SatAlign64(SatProduct({g.cout, row_floats, 4}))));
    slots = std::max<int64_t>(1, std::min(g.n, kMaxSlotBytes / std::max<int64_t>(1, slot_bytes)));
  }
  AlgoCost Cost(const Geom3& g) const {
    AlgoCost c;
    c.macs = SatProduct({g.n, g.groups, rows_p, pairs_p * 2, pix_p});
    c.workspace_bytes = SatMul(slots, slot_bytes);
    c.packed_bytes = SatProduct({g.groups, rows_p, pairs_p * 2, 2});
    return c;
  }
};

// Workspace per image slot: [x's pairs][columns][y in f32, for bf16 y]
// [col2im's row scratch per output channel], each 64-byte aligned.
class GemmCol2ImBf16Amx : public PreparedAlgo {
 public:
  GemmCol2ImBf16Amx(const Geom3& g, const uint16_t* w, const float* bias, const kernels::KernelInfo* k)
      : g_(g), cg_(AsConvGeom(g)), taps_(cg_), s_(g), kernel_(k), gemm_(k->As<Bf16GemmFn>()),
        round_(Bf16RoundKernel()) {
    // a_[grp][r][ci] = w[grp*cin_g + ci][r] (r = cog*k_sp + kk), zero past.
    const int64_t lda = 2 * s_.pairs_p;
    a_.assign(static_cast<size_t>(g.groups * s_.rows_p * lda), 0);
    for (int64_t ci = 0; ci < g.cin; ++ci) {
      const int64_t grp = ci / g.cin_g, cig = ci % g.cin_g;
      for (int64_t r = 0; r < s_.rows; ++r) a_[static_cast<size_t>((grp * s_.rows_p + r) * lda + cig)] = w[ci * s_.rows + r];
    }
    if (bias) bias_.assign(bias, bias + g.cout);
    cost_ = s_.Cost(g);
  }

  std::string Kernel() const override { return "gemm_col2im (bf16): " + kernel_->name + " + col2im"; }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }

  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const Geom3& g = g_;
    const int64_t row_calls = CeilDiv(s_.rows_p, kCallRows), pix_calls = CeilDiv(s_.pix_p, kCallPixels);
    for (int64_t n0 = 0; n0 < g.n; n0 += s_.slots) {
      const int64_t cnt = std::min(s_.slots, g.n - n0);
      std::atomic<int64_t> next_x{0}, next_gemm{0}, next_col{0};
      ParallelRegion(threads, [&](const Team& team) {
        team.ForDynamic(next_x, cnt * g.groups * s_.pairs_p, 8, [&](int64_t t) {
          Interleave(xb.As<uint16_t>(), ws, n0, t);
        });
        team.ForDynamic(next_gemm, cnt * g.groups * row_calls * pix_calls, 1, [&](int64_t t) {
          Gemm(ws, t / (g.groups * row_calls * pix_calls), t % (g.groups * row_calls * pix_calls), pix_calls);
        });
        team.ForDynamic(next_col, cnt * g.cout, 1, [&](int64_t t) { Col2Im(yb, ws, n0, t); }, /*nowait=*/true);
      });
    }
  }

 private:
  char* Slot(void* ws, int64_t s) const { return static_cast<char*>(ws) + s * s_.slot_bytes; }
  uint32_t* XPairs(void* ws, int64_t s) const { return reinterpret_cast<uint32_t*>(Slot(ws, s)); }
  float* Columns(void* ws, int64_t s) const {
    return reinterpret_cast<float*>(Slot(ws, s) + SatAlign64(s_.x_words * 4));
  }
  float* YF32(void* ws, int64_t s) const {
    return reinterpret_cast<float*>(Slot(ws, s) + SatAlign64(s_.x_words * 4) + SatAlign64(s_.col_floats * 4));
  }
  float* RowScratch(void* ws, int64_t s, int64_t co) const {
    return YF32(ws, s) + SatAlign64(s_.y_floats * 4) / 4 + co * s_.row_floats;
  }

  // Task t of slot images n0...: image slot s, group, channel pair p: its
  // row of pixels, channel 2p in the low halves, 2p + 1 in the high (zero
  // past Cin/g and past the pixels).
  void Interleave(const uint16_t* x, void* ws, int64_t n0, int64_t t) const {
    const Geom3& g = g_;
    const int64_t p = t % s_.pairs_p, grp = (t / s_.pairs_p) % g.groups, s = t / (s_.pairs_p * g.groups);
    uint32_t* dst = XPairs(ws, s) + (grp * s_.pairs_p + p) * s_.pix_p;
    const int64_t c = 2 * p;
    if (c >= g.cin_g) {
      std::memset(dst, 0, static_cast<size_t>(s_.pix_p) * 4);
      return;
    }
    const uint16_t* lo = x + ((n0 + s) * g.cin + grp * g.cin_g + c) * g.in_sp;
    if (c + 1 < g.cin_g) {
      const uint16_t* hi = lo + g.in_sp;
      for (int64_t i = 0; i < g.in_sp; ++i) dst[i] = lo[i] | static_cast<uint32_t>(hi[i]) << 16;
    } else {
      for (int64_t i = 0; i < g.in_sp; ++i) dst[i] = lo[i];
    }
    std::fill(dst + g.in_sp, dst + s_.pix_p, 0u);
  }

  // Call t of image slot s: group, block of rows, block of pixels.
  void Gemm(void* ws, int64_t s, int64_t t, int64_t pix_calls) const {
    const int64_t row_calls = CeilDiv(s_.rows_p, kCallRows);
    const int64_t pc = t % pix_calls, rc = (t / pix_calls) % row_calls, grp = t / (pix_calls * row_calls);
    const int64_t r0 = rc * kCallRows, p0 = pc * kCallPixels;
    Bf16GemmArgs a;
    a.lda = 2 * s_.pairs_p;
    a.a = a_.data() + (grp * s_.rows_p + r0) * a.lda;
    a.ldb = s_.pix_p;
    a.b = XPairs(ws, s) + grp * s_.pairs_p * s_.pix_p + p0;
    a.ldc = s_.pix_p;
    a.c = Columns(ws, s) + (grp * s_.rows_p + r0) * s_.pix_p + p0;
    a.m = std::min(kCallRows, s_.rows_p - r0);
    a.n = std::min(kCallPixels, s_.pix_p - p0);
    a.k2 = s_.pairs_p;
    gemm_(a);
  }

  // Task t of slot images n0...: output channel co of image slot s: the
  // bias plus col2im of its rows, and (bf16 y) the plane rounded.
  // (Col2ImPlane, not Col2ImAdd, whose stride-2 scatter is scalar: dcgan_g5
  // 103-123 -> 149-154 GFLOP/s, 1 thread.)
  void Col2Im(Buffer yb, void* ws, int64_t n0, int64_t t) const {
    const Geom3& g = g_;
    const int64_t s = t / g.cout, co = t % g.cout, grp = co / g.cout_g, cog = co % g.cout_g;
    const bool f32 = yb.dtype == DType::kF32;
    const int64_t plane = ((n0 + s) * g.cout + co) * g.out_sp;
    float* y = f32 ? yb.As<float>() + plane : YF32(ws, s) + co * g.out_sp;
    Col2ImPlane(cg_, taps_, Columns(ws, s) + (grp * s_.rows_p + cog * g.k_sp) * s_.pix_p, s_.pix_p,
                bias_.empty() ? 0.0f : bias_[co], RowScratch(ws, s, co), y);
    if (!f32) round_(y, g.out_sp, yb.As<uint16_t>() + plane);
  }

  Geom3 g_, cg_;
  Col2ImTaps taps_;
  AmxSizes s_;
  const kernels::KernelInfo* kernel_;
  Bf16GemmFn gemm_;
  kernels::Bf16RoundFn round_;
  std::vector<uint16_t> a_;  // [grp][rows_p][2 * pairs_p]
  std::vector<float> bias_;  // empty without bias
  AlgoCost cost_;
};

}  // namespace

// Fitted on the 54 layers of bench/layers_broad.json at 1 and 2 threads on
// an Intel Xeon with AMX (tconv_lowp_bench --routes 1): the AMX route was
// 1.3-4.0x the faster of phase's routes on every layer with Cout/g 1-8 and
// Cin/g >= 56 (dcgan_g5, pix2pix_out, the fsrcnn and gan3d output layers,
// tasnet_dec, demucs_dec, mnist_gan_out), 1.2-1.8x at Cin/g 32 (segan_out)
// but for espcn_x3_deconv at 2 threads (0.89x), and lost wherever Cin/g <=
// 21 (depthwise 0.05-0.2x, fcn 0.2-0.85x, enet_up 0.4-0.5x). Checked on
// the 26 calibration layers in neither suite (bench/RESULTS.md). With Cout/g >=
// 16 it beat phase's channels-first tiles on some layers (unet_up1,
// melgan_up1) but not their channels-last ones: left to phase.
// One input pixel (the GANs' 1 x 1 latent layers): phase's bf16 routes ran
// dcgan_g1 at 18-25 GFLOP/s where f32 gemm_col2im's one-GEMM route runs
// ~160; widened to f32, bf16 takes that route.
bool Bf16GemmPays(const Geom3& g) {
  if (OnePixelGemmApplies(g)) return true;
  return GemmKernel() != nullptr && g.cout_g < 16 && g.cin_g >= kGemmAmxMinCin && SatMul(g.cout_g, g.k_sp) >= 16 &&
         g.in_sp >= kTile;
}

std::unique_ptr<PreparedAlgo> PrepareGemmCol2ImBf16(const PrepareInput& in, PrepareF32 prepare_f32, CostF32 cost_f32,
                                                    std::string* why) {
  using C = PhaseTuning::Bf16Compute;
  if (!in.tuning.kernel.empty()) {
    *why = "gemm_col2im (bf16): the tuning names kernel " + in.tuning.kernel + ", which gemm_col2im does not run";
    return nullptr;
  }
  const kernels::KernelInfo* k = GemmKernel();
  // (Below 32 input channels per group the tiles' 16 pairs are mostly zero
  // padding, and below 16 input pixels their rows: widening is faster
  // there; a one-pixel input widens to the f32 algorithm's one-GEMM route.)
  const bool tiles = k && in.g.cin_g >= kGemmAmxMinCin && in.g.in_sp >= kTile;
  if (tiles && in.tuning.bf16_compute != C::kWiden)
    return std::make_unique<GemmCol2ImBf16Amx>(in.g, in.w.As<uint16_t>(), in.bias.As<float>(), k);
  if (in.tuning.bf16_compute == C::kDot) {
    *why = "gemm_col2im (bf16): bf16_compute kDot needs the AMX tiles (bf16_gemm_amx in the kernel list), >= " +
           std::to_string(kGemmAmxMinCin) + " input channels per group and >= 16 input pixels";
    return nullptr;
  }
  return PreparePhaseBf16Widened(in, prepare_f32, cost_f32, why);
}

}  // namespace tconv
