// `phase` in bf16 by widening (PhaseTuning::Bf16Compute::kWiden): see
// phase_bf16.h.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/phase_bf16.h"
#include "src/algo/tap_math.h"
#include "src/base/bf16.h"
#include "src/base/check.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
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

void RoundScalar(const float* src, int64_t n, uint16_t* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = Bf16Bits(src[i]);
}

// The list's bf16_round at the plan's ISA (every target lists it; the
// scalar loop only if a list ever lacked it).
kernels::Bf16RoundFn RoundKernel() {
  const kernels::KernelInfo* k = kernels::FindKernel(kernels::KernelOp::kBf16Round, DType::kBF16, 0, 0);
  TCONV_DCHECK(k != nullptr);
  return k ? k->As<kernels::Bf16RoundFn>() : &RoundScalar;
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
  kernels::Bf16RoundFn round_ = RoundKernel();
};

// Grouped layers whose widened x and f32 y would not stay in a core's
// cache (depthwise ones above all): the route above writes the whole f32 y
// to memory and reads it back to round it, 10 bytes moved per output
// against the f32 plan's 4 (dw_k4s2 in bf16 at 0.42x its f32 speed). Here
// each (image, chunk of groups) is a task on one thread that widens its x,
// runs an f32 plan prepared for the chunk (the same per-group problem, its
// weights) and rounds its y while both are in cache. Chunks are fixed by
// the geometry, so any thread count gives the same bits. Workspace: per
// thread [x chunk][y chunk][the chunk plans' largest workspace].
class PhaseBf16WidenedChunks : public PreparedAlgo {
 public:
  PhaseBf16WidenedChunks(const Geom3& g, int64_t gc, std::vector<std::unique_ptr<PreparedAlgo>> parts, int slots)
      : g_(g), gc_(gc), parts_(std::move(parts)), slots_(std::max(slots, 1)) {
    x_floats_ = gc * g.cin_g * g.in_sp;
    y_floats_ = gc * g.cout_g * g.out_sp;
    int64_t inner = 0;
    for (const auto& p : parts_) {  // (a part's cost is one image's)
      AlgoCost c;
      if (!p->ActualCost(&c)) continue;
      inner = std::max(inner, c.workspace_bytes);
      cost_.macs = SatAdd(cost_.macs, SatMul(c.macs, g.n));
      cost_.packed_bytes = SatAdd(cost_.packed_bytes, c.packed_bytes);
    }
    inner_ws_ = SatAlign64(inner);
    slot_bytes_ = SatAdd(SatAdd(SatAlign64(SatMul(x_floats_, 4)), SatAlign64(SatMul(y_floats_, 4))), inner_ws_);
    cost_.workspace_bytes = SatMul(slot_bytes_, slots_);
  }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    const int64_t chunks = static_cast<int64_t>(parts_.size()), tasks = g_.n * chunks;
    const int64_t xa = SatAlign64(SatMul(x_floats_, 4)), ya = SatAlign64(SatMul(y_floats_, 4));
    ParallelRegion(std::min<int64_t>({threads, slots_, tasks}), [&](const Team& team) {
      char* slot = static_cast<char*>(ws) + team.thread() * slot_bytes_;
      float* x = reinterpret_cast<float*>(slot);
      float* y = reinterpret_cast<float*>(slot + xa);
      void* inner = inner_ws_ ? slot + xa + ya : nullptr;
      team.ForStatic(tasks, [&](int64_t t) {
        const int64_t n = t / chunks, j = t % chunks;
        Widen(xb.As<uint16_t>() + (n * g_.cin + j * gc_ * g_.cin_g) * g_.in_sp, x, x_floats_, 1);
        const int64_t yo = (n * g_.cout + j * gc_ * g_.cout_g) * g_.out_sp;
        if (yb.dtype == DType::kF32) {
          parts_[static_cast<size_t>(j)]->Run(ConstBuffer(x), Buffer(yb.As<float>() + yo), inner, 1);
          return;
        }
        parts_[static_cast<size_t>(j)]->Run(ConstBuffer(x), Buffer(y), inner, 1);
        Narrow(round_, y, yb.As<uint16_t>() + yo, y_floats_, 1);
      }, /*nowait=*/true);
    });
  }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }
  std::string Kernel() const override {
    return parts_.front()->Kernel() + " (bf16 widened to f32, " + std::to_string(gc_) + " groups at a time)";
  }

 private:
  Geom3 g_;
  int64_t gc_;
  std::vector<std::unique_ptr<PreparedAlgo>> parts_;  // chunk j: groups [j*gc, (j+1)*gc)
  int slots_;
  AlgoCost cost_;
  int64_t x_floats_ = 0, y_floats_ = 0, inner_ws_ = 0, slot_bytes_ = 0;
  kernels::Bf16RoundFn round_ = RoundKernel();
};

// Groups per chunk for PhaseBf16WidenedChunks: the most, dividing the
// groups, whose f32 x and y fit kChunkBytes; 0 where the whole layer's do
// (the plain route then moves nothing through memory twice) or where a
// chunk of one group would not fit either.
constexpr int64_t kChunkBytes = int64_t{512} << 10;  // half of a core's L2 (1-2 MiB here)

int64_t GroupsPerChunk(const Geom3& g) {
  if (g.groups < 2) return 0;
  const int64_t per_group = SatMul(SatAdd(SatMul(g.cin_g, g.in_sp), SatMul(g.cout_g, g.out_sp)), 4);
  if (SatMul(per_group, g.groups) <= kChunkBytes || per_group > kChunkBytes) return 0;
  int64_t best = 1;
  for (int64_t gc = 1; gc < g.groups && gc * per_group <= kChunkBytes; ++gc)
    if (g.groups % gc == 0) best = gc;
  return best;
}

}  // namespace

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
bool Bf16DotPays(const Geom3& g) {
  const int64_t outputs = SatProduct({g.n, g.cout, g.out_sp});
  if (outputs == 0 || g.cout_g < kBf16DotMinCout) return false;
  return UsefulMacs(g) / outputs >= kBf16DotMinProducts;  // Cin/g x the taps reaching an output, averaged
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
  if (const int64_t gc = GroupsPerChunk(g); gc > 0) {
    Geom3 gsub = g;
    gsub.n = 1;
    gsub.groups = gc;
    gsub.cin = gc * g.cin_g;
    gsub.cout = gc * g.cout_g;
    const float* bias = in.bias.As<float>();
    std::vector<std::unique_ptr<PreparedAlgo>> parts;
    for (int64_t j = 0; j < g.groups / gc; ++j) {
      const PrepareInput part{gsub, ConstBuffer(w.data() + j * gc * g.cin_g * g.cout_g * g.k_sp),
                              bias ? ConstBuffer(bias + j * gc * g.cout_g) : ConstBuffer(), in.tuning, nullptr, 1};
      parts.push_back(prepare_f32(part, why));
      if (!parts.back()) return nullptr;
    }
    return std::make_unique<PhaseBf16WidenedChunks>(g, gc, std::move(parts), in.threads);
  }
  const PrepareInput in32{g, ConstBuffer(w.data()), in.bias, in.tuning, nullptr, in.threads};
  std::unique_ptr<PreparedAlgo> f32 = prepare_f32(in32, why);
  if (!f32) return nullptr;
  AlgoCost cost;
  if (!f32->ActualCost(&cost)) cost = cost_f32(g);
  return std::make_unique<PhaseBf16Widened>(g, std::move(f32), cost);
}

}  // namespace tconv
