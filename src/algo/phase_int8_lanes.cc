// `phase` in int8 with output channels in the lanes: see phase_int8.h.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "src/algo/int8_planes.h"
#include "src/algo/lanes_tap_sets.h"
#include "src/algo/phase_int8.h"
#include "src/algo/phase_lanes.h"
#include "src/base/check.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/kernels/amx_kernels.h"
#include "src/kernels/phase_int8_kernels.h"
#include "src/kernels/planes_to_words.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

using kernels::Int8Out;
using kernels::Int8RowArgs;
using kernels::KernelInfo;

class PhaseInt8Lanes : public PreparedAlgo {
 public:
  PhaseInt8Lanes(const KernelInfo* k, const QuantParams& q, bool channels_last)
      : kernel_(k), q_(q), channels_last_(channels_last) {
    // x's bytes shifted to unsigned (s8: + 128), and its zero point with them.
    zs_ = static_cast<uint32_t>(q.x_zero_point + (q.x_type == QuantType::kInt8 ? 128 : 0));
  }
  bool Plan(const Geom3& g, int threads, std::string* why);
  void Pack(const int8_t* w, const int32_t* bias);
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override;
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

 private:
  // Run, the padded input's rows written by fill (RunChannelsFirst and
  // RunChannelsLast give it).
  template <class Fill>
  void RunWith(Fill fill, Buffer y, uint32_t* xp, const uint32_t* in_place, int threads) const;
  template <typename X>
  void RunChannelsFirst(const X* x, Buffer y, uint32_t* xp, int threads) const;
  template <typename X>
  void RunChannelsLast(const X* x, Buffer y, uint32_t* xp, int threads) const;
  // y (elements of `bytes` bytes) of channel co holding only the bias.
  void BiasValue(int64_t co, void* out) const;
  int64_t BiasItems() const;
  void FillBiasItem(Buffer y, int64_t i) const;
  void RunPhase(size_t phase, const LanesTask& task, int64_t b, const uint32_t* xp, Buffer y) const;
  // The kernel on one box of RunPhase's (lanes_tap_sets.h).
  void RunBox(size_t phase, const LanesTask& task, int64_t b, const LanesBox& box, Buffer y) const;
  void PackInit(const std::vector<int64_t>& wsum);

  LanesPlan lp_;
  const KernelInfo* kernel_;
  // x channels first into the padded rows: the list's planes_to_words
  // (AVX-512 targets), else scalar loops.
  kernels::PlanesToWordsFn to_words_ = nullptr;
  QuantParams q_;
  bool channels_last_ = false;  // x (N, *in, Cin), y (N, *out, Cout)
  uint32_t zs_ = 0;
  bool folded_ = false;  // Int8RowArgs::folded: init_ holds the bias
  std::vector<uint32_t> w_;    // [group][phase panels: block][tap][ci4][cob] quads of s8
  LanesTapSets sets_;  // each box's taps (lanes_tap_sets.h)
  std::vector<int32_t> init_;  // [group][set][block][cob]: -zs * the sum of the set's weights
  std::vector<double> bias_;   // Cout, zeros when absent
  std::vector<double> mult_;   // Cout: RequantMultiplier
  std::vector<uint8_t> bias_y_;  // Cout elements of y's type: BiasValue of each channel
  AlgoCost cost_;
};

// The plan of kernel k for g; false and *why when it declines.
bool PlanLanes(const Geom3& g, const KernelInfo* k, int threads, LanesPlan* lp, AlgoCost* cost, std::string* why) {
  // The AMX tiles take 16 channel quads a step: pad with zero-weight quads.
  const int64_t quads = CeilDiv(g.cin_g, 4);
  const int64_t words = k->op == kernels::KernelOp::kPhaseInt8Amx ? RoundUp(quads, kernels::kAmxWordsPerTile) : quads;
  if (!lp->Init(g, words, k->cout_block * int64_t{16}, "phase (int8)", why)) return false;
  lp->ChooseCopies(threads);
  cost->macs = SatProduct({lp->macs, g.n, g.groups, 4 * lp->words, lp->nblocks * lp->cob});
  cost->workspace_bytes = lp->WorkspaceBytes();
  cost->packed_bytes = SatAdd(SatProduct({g.groups, lp->group_w, 4}),
                              SatProduct({g.groups, static_cast<int64_t>(lp->phases.size()), lp->nblocks, lp->cob, 4}));
  return true;
}

bool PhaseInt8Lanes::Plan(const Geom3& g, int threads, std::string* why) {
  if (!PlanLanes(g, kernel_, threads, &lp_, &cost_, why)) return false;
  if (const KernelInfo* t = kernels::FindKernel(kernels::KernelOp::kPlanesToWords, DType::kI8))
    to_words_ = t->As<kernels::PlanesToWordsFn>();
  // The AMX tiles take each phase whole, every tap over the padding (which
  // holds the zero point: the init cancels it), as the bf16 path does.
  sets_ = LanesTapSets(lp_, /*split=*/kernel_->op != kernels::KernelOp::kPhaseInt8Amx);
  // (The inits: one per set, not per phase.)
  cost_.packed_bytes = SatAdd(SatProduct({g.groups, lp_.group_w, 4}),
                              SatProduct({g.groups, static_cast<int64_t>(sets_.size()), lp_.nblocks, lp_.cob, 4}));
  return true;
}

// Weights [group][phase][block][tap][ci4][cob] as quads of s8 (zero past
// the group's channels), and each (set, channel)'s init.
void PhaseInt8Lanes::Pack(const int8_t* w, const int32_t* bias) {
  const Geom3& g = lp_.g;
  const int64_t ci4 = lp_.words, cob = lp_.cob, nph = static_cast<int64_t>(lp_.phases.size());
  w_.assign(static_cast<size_t>(g.groups * lp_.group_w), 0);
  // wsum[(group, phase, block, tap) panel offset / ci4 + co]: the sum of a tap's weights of channel co
  std::vector<int64_t> wsum(static_cast<size_t>(g.groups * lp_.group_w / ci4), 0);
  for (int64_t gi = 0; gi < g.groups; ++gi)
    for (int64_t ph = 0; ph < nph; ++ph) {
      const LanesPhase& p = lp_.phases[static_cast<size_t>(ph)];
      for (int64_t b = 0; b < lp_.nblocks; ++b) {
        uint32_t* dst = w_.data() + lp_.WOffset(p, gi, b);
        int64_t* sum = wsum.data() + lp_.WOffset(p, gi, b) / ci4;
        for (int64_t co = 0; co < cob && b * cob + co < g.cout_g; ++co) {
          const int64_t cog = b * cob + co;
          lp_.ForTaps(p, [&](int64_t t, int64_t ksp) {
            for (int64_t ci = 0; ci < g.cin_g; ++ci) {
              const int8_t v = w[((gi * g.cin_g + ci) * g.cout_g + cog) * g.k_sp + ksp];
              dst[(t * ci4 + ci / 4) * cob + co] |= static_cast<uint32_t>(static_cast<uint8_t>(v)) << (8 * (ci % 4));
              sum[t * cob + co] += v;
            }
          });
        }
      }
    }
  bias_.assign(static_cast<size_t>(g.cout), 0.0);
  if (bias) std::copy(bias, bias + g.cout, bias_.begin());
  for (int64_t co = 0; co < g.cout; ++co) mult_.push_back(RequantMultiplier(q_, co));
  // The kernels' short epilogue (Int8RowArgs::folded) where every sum plus
  // its bias stays below 2^30 after the multiplier: the bias goes into init.
  // (f32 y: the sum and bias within int32 suffice.)
  const double sums = static_cast<double>(Int8ProductsPerOutput(g)) * 255 * 128;
  const bool f32 = q_.y_type == QuantType::kFloat32;
  folded_ = true;
  for (int64_t co = 0; co < g.cout; ++co) {
    const double most = sums + std::fabs(bias_[static_cast<size_t>(co)]);
    folded_ = folded_ && most < 2147483647.0 && (f32 || most * mult_[static_cast<size_t>(co)] < 1073741824.0);
  }
  PackInit(wsum);
  // The y of an output no tap reaches, channel by channel (elements of y's type).
  const int64_t elem = q_.y_type == QuantType::kFloat32 ? 4 : 1;
  bias_y_.assign(static_cast<size_t>(g.cout * elem), 0);
  for (int64_t co = 0; co < g.cout; ++co) BiasValue(co, bias_y_.data() + co * elem);
}

// init of every set: -zs * the sum of its taps' weights (+ the bias when
// folded), in uint32 (a sum modulo 2^32: |zs * sum| <= 255 * 128 *
// kMaxInt8Products fits int32 anyway).
void PhaseInt8Lanes::PackInit(const std::vector<int64_t>& wsum) {
  const Geom3& g = lp_.g;
  const int64_t cob = lp_.cob, sets = static_cast<int64_t>(sets_.size());
  init_.assign(static_cast<size_t>(g.groups * sets * lp_.nblocks * cob), 0);
  for (int64_t gi = 0; gi < g.groups; ++gi)
    for (size_t ph = 0; ph < lp_.phases.size(); ++ph)
      for (size_t set = sets_.first[ph]; set < sets_.first[ph + 1]; ++set)
        for (int64_t b = 0; b < lp_.nblocks; ++b) {
          const int64_t* sum = wsum.data() + lp_.WOffset(lp_.phases[ph], gi, b) / lp_.words;
          int32_t* init = init_.data() + ((gi * sets + static_cast<int64_t>(set)) * lp_.nblocks + b) * cob;
          for (int64_t co = 0; co < cob && b * cob + co < g.cout_g; ++co) {
            int64_t s = 0;
            for (int64_t tw : sets_.w[set]) s += sum[tw / lp_.words + co];
            uint32_t v = static_cast<uint32_t>(-static_cast<int64_t>(zs_) * s);
            if (folded_) v += static_cast<uint32_t>(static_cast<int64_t>(bias_[static_cast<size_t>(gi * g.cout_g + b * cob + co)]));
            init[co] = static_cast<int32_t>(v);
          }
        }
}

// Run from x channels first; the padded input xp[(image, group)][padded
// volume][ci4]: quads of channels shifted to unsigned, every pad byte
// (pixels, and channels past Cin/g) zs.
template <typename X>
void PhaseInt8Lanes::RunChannelsFirst(const X* x, Buffer y, uint32_t* xp, int threads) const {
  const Geom3& g = lp_.g;
  const int64_t ci4 = lp_.words;
  const uint32_t flip = std::is_same<X, int8_t>::value ? 0x80u : 0u;
  RunWith([&](int64_t ng, int64_t z, int64_t yy, uint32_t* row) {
    const int64_t n = ng / g.groups, gi = ng % g.groups;
    const X* xc = x + (n * g.cin + gi * g.cin_g) * g.in_sp + (z * g.in[1] + yy) * g.in[2];
    if (to_words_) {
      kernels::PlanesToWordsArgs a;
      a.src = xc, a.plane_stride = g.in_sp, a.channels = g.cin_g, a.width = g.in[2];
      a.dst = row, a.words = ci4, a.pad = zs_, a.flip = flip;
      to_words_(a);
      return;
    }
    for (int64_t c = 0; c < ci4; ++c) {
      const X* ch[4];
      for (int h = 0; h < 4; ++h) ch[h] = 4 * c + h < g.cin_g ? xc + (4 * c + h) * g.in_sp : nullptr;
      for (int64_t xx = 0; xx < g.in[2]; ++xx) {
        uint32_t quad = 0;
        for (int h = 0; h < 4; ++h) {
          const uint32_t b = ch[h] ? (static_cast<uint32_t>(static_cast<uint8_t>(ch[h][xx])) ^ flip) : zs_;
          quad |= b << (8 * h);
        }
        row[xx * ci4 + c] = quad;
      }
    }
  }, y, xp, /*in_place=*/nullptr, threads);
}

// Run from x channels last: the same channel quads, each pixel's Cin/g
// bytes copied (s8: + 128), the quad's bytes past them zs; u8 x that needs
// no pad and whose pixels are whole quads is read where it lies.
template <typename X>
void PhaseInt8Lanes::RunChannelsLast(const X* x, Buffer y, uint32_t* xp, int threads) const {
  const Geom3& g = lp_.g;
  const int64_t bytes = lp_.words * 4;
  const uint8_t flip = std::is_same<X, int8_t>::value ? 0x80 : 0, zs = static_cast<uint8_t>(zs_);
  // (One group whose Cin fills whole quads: the row is one run of bytes.)
  const bool whole_row = g.groups == 1 && bytes == g.cin;
  const int64_t width = g.in[2], cin = g.cin, cin_g = g.cin_g;  // (locals: y's stores may alias g)
  const bool in_place = lp_.Unpadded() && whole_row && !flip && reinterpret_cast<uintptr_t>(x) % alignof(uint32_t) == 0;
  RunWith([&](int64_t ng, int64_t z, int64_t yy, uint32_t* row) {
    const int64_t n = ng / g.groups, gi = ng % g.groups;
    const uint8_t* src =
        reinterpret_cast<const uint8_t*>(x) + (n * g.in_sp + (z * g.in[1] + yy) * width) * cin + gi * cin_g;
    uint8_t* dst = reinterpret_cast<uint8_t*>(row);
    if (whole_row) {
      std::memcpy(dst, src, static_cast<size_t>(width * bytes));
    } else {
      for (int64_t xx = 0; xx < width; ++xx) {
        std::memcpy(dst + xx * bytes, src + xx * cin, static_cast<size_t>(cin_g));
        std::memset(dst + xx * bytes + cin_g, zs, static_cast<size_t>(bytes - cin_g));
      }
    }
    if (flip) {  // s8 to unsigned; the pad bytes were zs already: flipped back
      for (int64_t i = 0; i < width * bytes / 4; ++i) row[i] ^= 0x80808080u;
      if (!whole_row)
        for (int64_t xx = 0; xx < width; ++xx) std::memset(dst + xx * bytes + cin_g, zs, static_cast<size_t>(bytes - cin_g));
    }
  }, y, xp, in_place ? reinterpret_cast<const uint32_t*>(x) : nullptr, threads);
}

void PhaseInt8Lanes::BiasValue(int64_t co, void* out) const {
  const int64_t acc = static_cast<int64_t>(bias_[static_cast<size_t>(co)]);
  const double m = mult_[static_cast<size_t>(co)];
  if (q_.y_type == QuantType::kFloat32) {
    *static_cast<float*>(out) = Dequantize(acc, m);
  } else {
    *static_cast<uint8_t*>(out) =
        static_cast<uint8_t>(Requantize(acc, m, q_.y_zero_point, QuantTypeMin(q_.y_type), QuantTypeMax(q_.y_type)));
  }
}

// Every output the requantized bias (outputs of phases without taps keep
// it): item i is pixel i (channels last) or plane i.
int64_t PhaseInt8Lanes::BiasItems() const { return lp_.g.n * (channels_last_ ? lp_.g.out_sp : lp_.g.cout); }

void PhaseInt8Lanes::FillBiasItem(Buffer y, int64_t i) const {
  const Geom3& g = lp_.g;
  const int64_t elem = q_.y_type == QuantType::kFloat32 ? 4 : 1;
  uint8_t* yb = static_cast<uint8_t*>(y.data);
  if (channels_last_) {  // pixel i: the Cout values
    std::memcpy(yb + i * g.cout * elem, bias_y_.data(), bias_y_.size());
    return;
  }
  const uint8_t* v = bias_y_.data() + (i % g.cout) * elem;
  uint8_t* plane = yb + i * g.out_sp * elem;
  if (elem == 4) {
    float f;
    std::memcpy(&f, v, 4);
    std::fill_n(reinterpret_cast<float*>(plane), g.out_sp, f);
  } else {
    std::fill_n(plane, g.out_sp, v[0]);
  }
}

// The task's rows of phase `phase`, output channel block b: box by box,
// each with the taps that read inside the input there.
void PhaseInt8Lanes::RunPhase(size_t phase, const LanesTask& task, int64_t b, const uint32_t* xp, Buffer y) const {
  sets_.ForBoxes(lp_, phase, task, xp, [&](const LanesBox& box) { RunBox(phase, task, b, box, y); });
}

void PhaseInt8Lanes::RunBox(size_t phase, const LanesTask& task, int64_t b, const LanesBox& box, Buffer y) const {
  const Geom3& g = lp_.g;
  const LanesPhase& p = lp_.phases[phase];
  const int64_t n = task.ng / g.groups, gi = task.ng % g.groups;
  const int64_t co = gi * g.cout_g + b * lp_.cob, sets = static_cast<int64_t>(sets_.size());
  const int64_t pixel = channels_last_ ? g.cout : 1;  // channels last: y's channels are contiguous
  Int8RowArgs a;
  SetBox(box, &a);
  a.ci4 = lp_.words;
  a.w = w_.data() + lp_.WOffset(p, gi, b);
  a.init = init_.data() + ((gi * sets + static_cast<int64_t>(box.set)) * lp_.nblocks + b) * lp_.cob;
  a.bias = bias_.data() + co;
  a.mult = mult_.data() + co;
  a.nco = std::min(lp_.cob, g.cout_g - b * lp_.cob);
  a.folded = folded_;
  const int64_t off = (channels_last_ ? (n * g.out_sp + lp_.YPixel(p, task.q0, box.q1)) * g.cout + co
                                      : lp_.YOffset(p, n, co, task.q0, box.q1)) +
                      box.skip * g.s[2] * pixel;
  a.y_type = Int8OutOf(q_);
  a.y = a.y_type == Int8Out::kF32 ? static_cast<void*>(y.As<float>() + off) : static_cast<uint8_t*>(y.data) + off;
  a.y_zero_point = q_.y_zero_point;
  a.y_min = a.y_type == Int8Out::kF32 ? 0 : QuantTypeMin(q_.y_type);
  a.y_max = a.y_type == Int8Out::kF32 ? 0 : QuantTypeMax(q_.y_type);
  a.y_co_stride = channels_last_ ? 1 : g.out_sp;
  a.y_pix_stride = g.s[2] * pixel;
  a.y_row_stride = g.s[1] * g.out[2] * pixel;
  kernel_->As<kernels::Int8RowFn>()(a);
}

template <class Fill>
void PhaseInt8Lanes::RunWith(Fill fill, Buffer y, uint32_t* xp, const uint32_t* in_place, int threads) const {
  lp_.Run(
      zs_ * 0x01010101u, xp, in_place, threads, fill, BiasItems(), [&](int64_t i) { FillBiasItem(y, i); },
      [&](int64_t t, const uint32_t* x) {
        // Every block of output channels, and in each the column phases one
        // after the other.
        const LanesTask task = lp_.Task(t);
        for (int64_t b = 0; b < lp_.nblocks; ++b)
          for (size_t i = 0; i < task.grp->count; ++i) RunPhase(task.grp->first + i, task, b, x, y);
      });
}

void PhaseInt8Lanes::Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const {
  uint32_t* xp = static_cast<uint32_t*>(ws);
  const bool u8 = q_.x_type == QuantType::kUInt8;
  if (channels_last_) {
    u8 ? RunChannelsLast(static_cast<const uint8_t*>(xb.data), yb, xp, threads)
       : RunChannelsLast(static_cast<const int8_t*>(xb.data), yb, xp, threads);
  } else {
    u8 ? RunChannelsFirst(static_cast<const uint8_t*>(xb.data), yb, xp, threads)
       : RunChannelsFirst(static_cast<const int8_t*>(xb.data), yb, xp, threads);
  }
}

}  // namespace

// Measured with tconv_int8_routes on an Intel Xeon (bench/RESULTS.md,
// "int8 on AMX tiles"): where Cin/g >= 16 the tiles beat both other routes
// on the core suite and the calibration layers, whatever Cout/g (dcgan_g5's
// 3 channels: 2.4x widening; 1 x 1 latent inputs: 11x the int16 route);
// with 3-4 input channels per group, or depthwise, widening wins (2-20x).
bool Int8AmxPays(const Geom3& g) { return g.cin_g >= kInt8AmxMinCin; }

const KernelInfo* Int8LanesKernel(const Geom3& g, bool any_cout) {
  if (const KernelInfo* amx = kernels::FindKernel(kernels::KernelOp::kPhaseInt8Amx, DType::kI8);
      amx && (any_cout || Int8AmxPays(g)))
    return amx;
  if (g.cout_g < kInt8LanesMinCout && !any_cout) return nullptr;
  const KernelInfo* any = kernels::FindKernel(kernels::KernelOp::kPhaseInt8Vnni, DType::kI8);
  if (!any) return nullptr;
  const int64_t vectors = CeilDiv(g.cout_g, int64_t{16});
  const int v = static_cast<int>(CeilDiv(vectors, CeilDiv(vectors, int64_t{kernels::kInt8MaxTileVectors})));
  return kernels::FindKernel(kernels::KernelOp::kPhaseInt8Vnni, DType::kI8, v);
}

bool Int8LanesCost(const Geom3& g, const KernelInfo* k, AlgoCost* cost) {
  LanesPlan lp;
  std::string why;
  return PlanLanes(g, k, 1, &lp, cost, &why);
}

std::unique_ptr<PreparedAlgo> PreparePhaseInt8Lanes(const PrepareInput& in, const KernelInfo* k, std::string* why,
                                                    bool channels_last) {
  auto p = std::make_unique<PhaseInt8Lanes>(k, *in.quant, channels_last);
  if (!p->Plan(in.g, in.threads, why)) return nullptr;
  p->Pack(in.w.As<int8_t>(), in.bias.As<int32_t>());
  return p;
}

}  // namespace tconv
