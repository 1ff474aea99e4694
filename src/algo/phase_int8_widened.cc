// `phase` in int8 widened to f32, exactly: see phase_int8.h.
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "src/algo/group_chunks.h"
#include "src/algo/int8_planes.h"
#include "src/algo/phase_axes.h"
#include "src/algo/phase_int8.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/base/parallel.h"
#include "src/kernels/phase_int8_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

// Below this many outputs the requantization runs on one thread (a
// parallel region costs more than the loop).
constexpr int64_t kParallelMin = 1 << 16;

// Workspace: [x - x_zero_point in f32][the f32 path's workspace][y's sums
// in f32, for u8 / s8 y], each 64-byte aligned; an f32 y takes the sums
// and is requantized in place. Grouped layers too large for a core's cache
// run in chunks of groups instead (src/algo/group_chunks.h; f32_ null).
class PhaseInt8Widened : public PreparedAlgo {
 public:
  PhaseInt8Widened(const Geom3& g, const QuantParams& q, const int32_t* bias, std::unique_ptr<PreparedAlgo> f32,
                   const AlgoCost& f32_cost, GroupChunks chunks = GroupChunks())
      : g_(g), q_(q), f32_(std::move(f32)), cost_(f32_cost), chunks_(std::move(chunks)) {
    requant_ = kernels::FindKernel(kernels::KernelOp::kInt8Requant, DType::kI8);
    x_bytes_ = SatAlign64(SatProduct({g.n, g.cin, g.in_sp, 4}));
    inner_ws_ = SatAlign64(f32_cost.workspace_bytes);
    const int64_t y_bytes = q.y_type == QuantType::kFloat32 ? 0 : SatProduct({g.n, g.cout, g.out_sp, 4});
    cost_.workspace_bytes = SatAdd(SatAdd(x_bytes_, inner_ws_), y_bytes);
    for (int64_t co = 0; co < g.cout; ++co) {
      bias_.push_back(bias ? bias[co] : 0);
      mult_.push_back(RequantMultiplier(q, co));
    }
    if (!f32_) cost_ = chunks_.cost();
  }
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override {
    if (!f32_) return RunChunks(xb, yb, ws, threads);
    char* base = static_cast<char*>(ws);
    float* x = reinterpret_cast<float*>(base);
    CenterToF32(xb.data, q_, g_.n * g_.cin * g_.in_sp, x, threads);
    void* inner_ws = inner_ws_ ? base + x_bytes_ : nullptr;
    const bool f32_y = q_.y_type == QuantType::kFloat32;
    float* sums = f32_y ? yb.As<float>() : reinterpret_cast<float*>(base + x_bytes_ + inner_ws_);
    f32_->Run(ConstBuffer(x), Buffer(sums), inner_ws, threads);
    Requantize(sums, yb.data, threads);
  }
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }
  std::string Kernel() const override {
    const std::string route = "int8 widened to f32, exact";
    return (f32_ ? f32_->Kernel() + " (" + route + ")" : chunks_.Kernel(route)) + " + " + requant_->name;
  }

 private:
  // Each output plane through i8_requant.
  void Requantize(const float* sums, void* y, int threads) const {
    const int64_t planes = g_.n * g_.cout;
    const auto fn = requant_->As<kernels::Int8RequantFn>();
    ParallelFor(planes * g_.out_sp > kParallelMin ? threads : 1, planes, [&](int64_t pl) {
      const size_t co = static_cast<size_t>(pl % g_.cout);
      kernels::Int8RequantArgs a = PlaneRequantArgs(q_, bias_[co], mult_[co], y, pl * g_.out_sp, g_.out_sp);
      a.acc = sums + pl * g_.out_sp;
      fn(a);
    });
  }

  // Each (image, chunk of groups): x centred into the thread's chunk of
  // f32, the chunk's f32 plan, its planes requantized from cache.
  void RunChunks(ConstBuffer xb, Buffer yb, void* ws, int threads) const {
    const auto fn = requant_->As<kernels::Int8RequantFn>();
    const bool f32_y = q_.y_type == QuantType::kFloat32;
    chunks_.Run(ws, threads, [&](int64_t n, int64_t j, float* x, float* y, auto run) {
      // (x is u8 or s8: one byte an element.)
      CenterToF32(static_cast<const int8_t*>(xb.data) + (n * g_.cin + chunks_.first_cin(j)) * g_.in_sp, q_,
                  chunks_.x_floats(), x, 1);
      const int64_t pl0 = n * g_.cout + chunks_.first_cout(j);
      float* sums = f32_y ? yb.As<float>() + pl0 * g_.out_sp : y;
      run(x, sums);
      for (int64_t c = 0; c < chunks_.y_floats() / g_.out_sp; ++c) {
        const size_t co = static_cast<size_t>((pl0 + c) % g_.cout);
        kernels::Int8RequantArgs a = PlaneRequantArgs(q_, bias_[co], mult_[co], yb.data, (pl0 + c) * g_.out_sp, g_.out_sp);
        a.acc = sums + c * g_.out_sp;
        fn(a);
      }
    });
  }

  Geom3 g_;
  QuantParams q_;
  std::unique_ptr<PreparedAlgo> f32_;
  AlgoCost cost_;
  GroupChunks chunks_;
  const kernels::KernelInfo* requant_ = nullptr;
  int64_t x_bytes_ = 0, inner_ws_ = 0;
  std::vector<double> bias_, mult_;  // per output channel
};

}  // namespace

int64_t Int8ProductsPerOutput(const Geom3& g) {
  int64_t taps = 1;
  bool bias_only = false;
  for (int ax = 0; ax < 3; ++ax) {
    int64_t most = 0;
    for (const AxisPhase& a : AnalyzeAxis(g, ax, &bias_only)) most = std::max(most, static_cast<int64_t>(a.k.size()));
    taps = SatMul(taps, most);
  }
  return SatMul(g.cin_g, taps);
}

bool Int8WidenIsExact(const Geom3& g) { return Int8ProductsPerOutput(g) <= kInt8WidenMaxProducts; }

std::unique_ptr<PreparedAlgo> PreparePhaseInt8Widened(const PrepareInput& in, PrepareF32 prepare_f32, CostF32 cost_f32,
                                                      std::string* why) {
  const Geom3& g = in.g;
  if (!Int8WidenIsExact(g)) {
    *why = "phase: int8 widened to f32 is exact up to " + std::to_string(kInt8WidenMaxProducts) +
           " products per output; this layer sums up to " + std::to_string(Int8ProductsPerOutput(g));
    return nullptr;
  }
  std::vector<float> w(static_cast<size_t>(SatProduct({g.cin, g.cout_g, g.k_sp})));
  const int8_t* wi = in.w.As<int8_t>();
  for (size_t i = 0; i < w.size(); ++i) w[i] = wi[i];
  // (A named i8_requant asked for this route: the f32 path picks its own
  // kernel then.)
  PhaseTuning tuning = in.tuning;
  const kernels::KernelInfo* named = kernels::FindKernelByName(tuning.kernel);
  if (named && named->dtype != DType::kF32) tuning.kernel.clear();
  if (const int64_t gc = GroupChunks::GroupsPerChunk(g, in.threads); gc > 0) {
    GroupChunks chunks;
    const bool made = GroupChunks::Make(g, gc, in.threads, [&](const Geom3& sub, int64_t j) {
      const PrepareInput part{sub, ConstBuffer(w.data() + j * gc * g.cin_g * g.cout_g * g.k_sp), ConstBuffer(), tuning,
                              nullptr, 1};
      return prepare_f32(part, why);
    }, cost_f32, &chunks);
    if (!made) return nullptr;
    return std::make_unique<PhaseInt8Widened>(g, *in.quant, in.bias.As<int32_t>(), nullptr, AlgoCost(),
                                              std::move(chunks));
  }
  const PrepareInput in32{g, ConstBuffer(w.data()), ConstBuffer(), tuning, nullptr, in.threads};
  std::unique_ptr<PreparedAlgo> f32 = prepare_f32(in32, why);
  if (!f32) return nullptr;
  AlgoCost cost;
  if (!f32->ActualCost(&cost)) cost = cost_f32(g);
  return std::make_unique<PhaseInt8Widened>(g, *in.quant, in.bias.As<int32_t>(), std::move(f32), cost);
}

}  // namespace tconv
