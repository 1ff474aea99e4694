// `phase` in bf16 by widening (PhaseTuning::Bf16Compute::kWiden): see
// phase_bf16.h.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/group_chunks.h"
#include "src/algo/phase_bf16.h"
#include "src/algo/tap_math.h"
#include "src/base/bf16.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/phase_bf16_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

// Widens bf16 to f32 (exact), `count` values split into chunks over the
// threads (a chunk stays a multiple of 16 for the vector loop GCC emits).
void Widen(const uint16_t* src, float* dst, int64_t count, int threads) {
  const int64_t chunk = std::max<int64_t>(4096, CeilDiv(CeilDiv(count, threads), 16) * 16);
  ParallelFor(threads, CeilDiv(count, chunk), [&](int64_t c) {
    const int64_t end = std::min(count, (c + 1) * chunk);
    for (int64_t i = c * chunk; i < end; ++i) dst[i] = Bf16ToF32(src[i]);
  });
}

// Rounds f32 to bf16 (to nearest, ties to even, as Bf16Bits) with the
// list's bf16_round kernel: on vectors, 5-8x the scalar loop (which bf16
// dw_k4s2 spent a third of its time in).
void Narrow(kernels::Bf16RoundFn round, const float* src, uint16_t* dst, int64_t count, int threads) {
  const int64_t chunk = std::max<int64_t>(4096, CeilDiv(CeilDiv(count, threads), 16) * 16);
  ParallelFor(threads, CeilDiv(count, chunk), [&](int64_t c) {
    const int64_t end = std::min(count, (c + 1) * chunk);
    round(src + c * chunk, end - c * chunk, dst + c * chunk);
  });
}

// Workspace: [x in f32][the f32 path's workspace][y in f32, for bf16 y],
// each 64-byte aligned. The f32 y is used only when Run gets a bf16 y; an
// f32 y is written by the f32 path directly.
class PhaseBf16Widened : public PreparedAlgo {
 public:
  PhaseBf16Widened(const Geom3& g, std::unique_ptr<PreparedAlgo> f32, const AlgoCost& f32_cost)
      : g_(g), f32_(std::move(f32)), cost_(f32_cost) {
    x_bytes_ = SatAlign64(SatProduct({g.n, g.cin, g.in_sp, 4}));
    inner_ws_ = SatAlign64(f32_cost.workspace_bytes);
    cost_.workspace_bytes = SatAdd(SatAdd(x_bytes_, inner_ws_), SatProduct({g.n, g.cout, g.out_sp, 4}));
  }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    char* base = static_cast<char*>(ws);
    float* x = reinterpret_cast<float*>(base);
    Widen(xb.As<uint16_t>(), x, g_.n * g_.cin * g_.in_sp, threads);
    void* inner_ws = inner_ws_ ? base + x_bytes_ : nullptr;
    if (yb.dtype == DType::kF32) {
      f32_->Run(ConstBuffer(x), yb, inner_ws, threads);
      return;
    }
    float* y = reinterpret_cast<float*>(base + x_bytes_ + inner_ws_);
    f32_->Run(ConstBuffer(x), Buffer(y), inner_ws, threads);
    Narrow(round_, y, yb.As<uint16_t>(), g_.n * g_.cout * g_.out_sp, threads);
  }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }
  std::string Kernel() const override { return f32_->Kernel() + " (bf16 widened to f32)"; }

 private:
  Geom3 g_;
  std::unique_ptr<PreparedAlgo> f32_;
  AlgoCost cost_;
  int64_t x_bytes_ = 0, inner_ws_ = 0;
  kernels::Bf16RoundFn round_ = Bf16RoundKernel();
};

// Grouped layers too large for a core's cache, in chunks of groups
// (src/algo/group_chunks.h): each (image, chunk) widens its x, runs the
// chunk's f32 plan and rounds its y while both are in cache.
class PhaseBf16WidenedChunks : public PreparedAlgo {
 public:
  explicit PhaseBf16WidenedChunks(GroupChunks chunks) : c_(std::move(chunks)) {}
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const Geom3& g = c_.geom();
    c_.Run(ws, threads, [&](int64_t n, int64_t j, float* x, float* y, auto run) {
      Widen(xb.As<uint16_t>() + (n * g.cin + c_.first_cin(j)) * g.in_sp, x, c_.x_floats(), 1);
      const int64_t yo = (n * g.cout + c_.first_cout(j)) * g.out_sp;
      if (yb.dtype == DType::kF32) {
        run(x, yb.As<float>() + yo);
        return;
      }
      run(x, y);
      Narrow(round_, y, yb.As<uint16_t>() + yo, c_.y_floats(), 1);
    });
  }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = c_.cost();
    return true;
  }
  std::string Kernel() const override { return c_.Kernel("bf16 widened to f32"); }

 private:
  GroupChunks c_;
  kernels::Bf16RoundFn round_ = Bf16RoundKernel();
};

}  // namespace

kernels::Bf16RoundFn Bf16RoundKernel() {
  return kernels::FindKernel(kernels::KernelOp::kBf16Round, DType::kBF16, 0, 0)->As<kernels::Bf16RoundFn>();
}

// The rule behind Bf16Compute::kAuto (bench/RESULTS.md, "bf16: dot or
// widen", Zen 4). First fitted on the core suite at 1 thread: the dot
// kernels were 0.06-0.4x of widening with Cout/g <= 3 (their lanes hold
// output channels, mostly empty) and 1.04-1.95x with Cout/g >= 21. On the
// 42 broad-suite layers it was not fitted on, that line alone picked the
// faster route on 37; the misses were layers whose outputs sum few
// products (ENet 16->16 k3s2: 36 per output, V-Net 32->16 k2s2: 32; the
// dot kernels' cost per output, staging and strided stores, outweighs
// their products) and the GANs' 1x1 latent inputs. Hence the second line,
// chosen on all 54 layers at 1 and 2 threads (geometric-mean loss against
// the faster route 2.7% and 5.1%; 128 gave 2.2% and 8.5%, 32 4.6% and
// 5.6%). Still missed: the 1x1-input layers (DCGAN's and 3D-GAN's first).
// On a CPU with AMX-BF16 (an Intel Xeon, 2026-12-07) vdpbf16ps only matches
// the f32 FMAs, and widening was faster on all 12 core-suite layers at 1
// and 2 threads (1.18-1.82x the dot kernels; tconv_lowp_bench --routes 1,
// bench/RESULTS.md "bf16 and int8 on the Xeon"). There the dot route is the
// AMX kernel's, with its own rule (Bf16AmxPays), and where Linux refused
// the tiles every layer widens.
bool Bf16DotPays(const Geom3& g) {
  if (dispatch::CpuHasAmxBf16())
    return kernels::FindKernel(kernels::KernelOp::kPhaseBf16Amx, DType::kBF16) != nullptr && Bf16AmxPays(g);
  const int64_t outputs = SatProduct({g.n, g.cout, g.out_sp});
  if (outputs == 0 || g.cout_g < kBf16DotMinCout) return false;
  return UsefulMacs(g) / outputs >= kBf16DotMinProducts;  // Cin/g x the taps reaching an output, averaged
}

// Fitted on the broad suite's 54 layers at 1 and 2 threads on an Intel
// Xeon (tconv_lowp_bench --routes 1; bench/RESULTS.md, "bf16 on AMX
// tiles"): the tiles were 1.4-6.7x widening where a tile's 16 output
// channels fill (Cout/g >= 16) and each output sums >= 64 products, and
// lost (0.54-0.88x) on the GANs' 1 x 1 latent inputs (in_sp < 16: each
// output pixel its own taps, tiles of one pixel), on enet_up and vnet_up4
// (32-36 products per output: 0.59-0.71x) and where Cout/g is 1 (0.14-0.87x
// but for mnist_gan_out, fsrcnn_x2). Cout/g of 3 or 8 (dcgan_g5,
// pix2pix_out, demucs_dec) was mixed, 0.86-1.76x: left to widening.
bool Bf16AmxPays(const Geom3& g) {
  const int64_t outputs = SatProduct({g.n, g.cout, g.out_sp});
  if (outputs == 0 || g.cout_g < kBf16DotMinCout || g.in_sp < 16) return false;
  return UsefulMacs(g) / outputs >= kBf16DotMinProducts;
}

std::unique_ptr<PreparedAlgo> PreparePhaseBf16Widened(const PrepareInput& in, PrepareF32 prepare_f32,
                                                      AlgoCost (*cost_f32)(const Geom3&), std::string* why) {
  if (!in.tuning.kernel.empty()) {
    const kernels::KernelInfo* k = kernels::FindKernelByName(in.tuning.kernel);
    if (k && k->dtype != DType::kF32) {
      *why = "phase: " + k->name + " computes " + DTypeName(k->dtype) +
             "; bf16_compute kWiden runs phase's f32 kernels";
      return nullptr;
    }
  }
  const Geom3& g = in.g;
  std::vector<float> w(static_cast<size_t>(SatProduct({g.cin, g.cout_g, g.k_sp})));
  const uint16_t* wb = in.w.As<uint16_t>();
  for (size_t i = 0; i < w.size(); ++i) w[i] = Bf16ToF32(wb[i]);
  if (const int64_t gc = GroupChunks::GroupsPerChunk(g, in.threads); gc > 0) {
    const float* bias = in.bias.As<float>();
    GroupChunks chunks;
    const bool made = GroupChunks::Make(g, gc, in.threads, [&](const Geom3& sub, int64_t j) {
      const PrepareInput part{sub, ConstBuffer(w.data() + j * gc * g.cin_g * g.cout_g * g.k_sp),
                              bias ? ConstBuffer(bias + j * gc * g.cout_g) : ConstBuffer(), in.tuning, nullptr, 1};
      return prepare_f32(part, why);
    }, cost_f32, &chunks);
    if (!made) return nullptr;
    return std::make_unique<PhaseBf16WidenedChunks>(std::move(chunks));
  }
  const PrepareInput in32{g, ConstBuffer(w.data()), in.bias, in.tuning, nullptr, in.threads};
  std::unique_ptr<PreparedAlgo> f32 = prepare_f32(in32, why);
  if (!f32) return nullptr;
  AlgoCost cost;
  if (!f32->ActualCost(&cost)) cost = cost_f32(g);
  return std::make_unique<PhaseBf16Widened>(g, std::move(f32), cost);
}

}  // namespace tconv
