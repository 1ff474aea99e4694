// `phase` in bf16: planner and runner (see phase_bf16.h).
#include "src/algo/phase_bf16.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "src/algo/lanes_tap_sets.h"
#include "src/algo/phase_lanes.h"
#include "src/base/bf16.h"
#include "src/base/check.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/amx_kernels.h"
#include "src/kernels/phase_bf16_kernels.h"
#include "src/kernels/planes_to_words.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

using kernels::Bf16RowArgs;
using kernels::Bf16RowFn;
using kernels::KernelInfo;
using kernels::KernelOp;

class PhaseBf16 : public PreparedAlgo {
 public:
  // channels_last: x and y in Layout::kNHWC (x's pairs are its channels).
  explicit PhaseBf16(bool channels_last) : channels_last_(channels_last) {}
  // Analyses the axes for `threads`; false (and *why) when the padded input
  // is too large.
  bool Plan(const Geom3& g, const KernelInfo* k, int threads, std::string* why);
  void Pack(const uint16_t* w, const float* bias);
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override;
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }
  bool WritesChannelsLast() const override { return channels_last_; }

 private:
  int64_t BiasItems() const;
  void FillBiasItem(Buffer y, int64_t i) const;
  void RunPhase(size_t phase, const LanesTask& task, int64_t b, const uint32_t* xp, Buffer y) const;
  // The kernel on one box of RunPhase's (lanes_tap_sets.h).
  void RunBox(size_t phase, const LanesTask& task, int64_t b, const LanesBox& box, Buffer y) const;

  LanesPlan lp_;
  const KernelInfo* kernel_ = nullptr;
  // x channels first into the padded rows: the list's planes_to_words
  // (AVX-512 targets), else scalar loops.
  kernels::PlanesToWordsFn to_words_ = nullptr;
  std::vector<uint32_t> w_;  // [group][phase panels: block][tap][ci2][cob]
  // Each box's taps (lanes_tap_sets.h). The pads are zeros, so a box
  // needs only its taps (the int8 path also needs a per-set init).
  LanesTapSets sets_;
  std::vector<float> bias_;  // Cout, zeros when absent
  std::vector<uint16_t> bias_bf16_;  // bias_ rounded
  AlgoCost cost_;
  bool channels_last_;
};

bool PhaseBf16::Plan(const Geom3& g, const KernelInfo* k, int threads, std::string* why) {
  kernel_ = k;
  if (const KernelInfo* t = kernels::FindKernel(KernelOp::kPlanesToWords, DType::kBF16))
    to_words_ = t->As<kernels::PlanesToWordsFn>();
  const int64_t vectors = CeilDiv(g.cout_g, k->lanes);
  const int64_t cob = k->cout_block * k->lanes;
  // The AMX tiles take 16 channel pairs a step: pad with zero pairs.
  const int64_t pairs = CeilDiv(g.cin_g, 2);
  const int64_t words = k->op == KernelOp::kPhaseBf16Amx ? RoundUp(pairs, kernels::kAmxWordsPerTile) : pairs;
  if (!lp_.Init(g, words, cob, "phase (bf16)", why)) return false;
  TCONV_DCHECK(lp_.nblocks == CeilDiv(vectors, k->cout_block));
  lp_.ChooseCopies(threads);
  cost_.macs = SatProduct({lp_.macs, g.n, g.groups, 2 * lp_.words, lp_.nblocks * cob});
  cost_.workspace_bytes = lp_.WorkspaceBytes();
  cost_.packed_bytes = SatProduct({g.groups, lp_.group_w, 4});
  // The AMX tiles take each phase whole, every tap over the zero padding:
  // a box's call costs more there than the pads' products (dcgan_g3's
  // 8 x 8 phases: 4 tiles of 16 pixels x 4 taps, against 25 tile-taps in
  // border boxes).
  sets_ = LanesTapSets(lp_, /*split=*/k->op != KernelOp::kPhaseBf16Amx);
  return true;
}

// Weights [group][phase][block][tap][ci2][cob] as bf16 pairs (zero past
// the group's channels).
void PhaseBf16::Pack(const uint16_t* w, const float* bias) {
  const Geom3& g = lp_.g;
  const int64_t ci2 = lp_.words, cob = lp_.cob;
  w_.assign(static_cast<size_t>(g.groups * lp_.group_w), 0);
  bias_.assign(static_cast<size_t>(g.cout), 0.0f);
  if (bias) std::copy(bias, bias + g.cout, bias_.begin());
  for (float b : bias_) bias_bf16_.push_back(Bf16Bits(b));
  for (int64_t gi = 0; gi < g.groups; ++gi)
    for (const LanesPhase& p : lp_.phases)
      for (int64_t b = 0; b < lp_.nblocks; ++b) {
        uint32_t* dst = w_.data() + lp_.WOffset(p, gi, b);
        lp_.ForTaps(p, [&](int64_t t, int64_t ksp) {
          for (int64_t c = 0; c < ci2; ++c)
            for (int64_t co = 0; co < cob; ++co) {
              const int64_t cog = b * cob + co;
              if (cog >= g.cout_g) continue;
              uint32_t pair = 0;
              for (int64_t h = 0; h < 2; ++h) {
                const int64_t ci = 2 * c + h;
                if (ci >= g.cin_g) continue;
                const int64_t src = ((gi * g.cin_g + ci) * g.cout_g + cog) * g.k_sp + ksp;
                pair |= static_cast<uint32_t>(w[src]) << (16 * h);
              }
              dst[(t * ci2 + c) * cob + co] = pair;
            }
        });
      }
}

// Every output the bias (outputs of phases without taps keep it): item i
// is pixel i (channels last) or plane i.
int64_t PhaseBf16::BiasItems() const { return lp_.g.n * (channels_last_ ? lp_.g.out_sp : lp_.g.cout); }

void PhaseBf16::FillBiasItem(Buffer y, int64_t i) const {
  const Geom3& g = lp_.g;
  if (channels_last_) {  // pixel i: the Cout values
    if (y.dtype == DType::kBF16) {
      std::copy(bias_bf16_.begin(), bias_bf16_.end(), y.As<uint16_t>() + i * g.cout);
    } else {
      std::copy(bias_.begin(), bias_.end(), y.As<float>() + i * g.cout);
    }
    return;
  }
  const float b = bias_[static_cast<size_t>(i % g.cout)];
  if (y.dtype == DType::kBF16) {
    std::fill_n(y.As<uint16_t>() + i * g.out_sp, g.out_sp, bias_bf16_[static_cast<size_t>(i % g.cout)]);
  } else {
    std::fill_n(y.As<float>() + i * g.out_sp, g.out_sp, b);
  }
}

// The task's rows of phase `phase`, output channel block b: box by box,
// each with the taps that read inside the input there. The others add
// only products of zero pads, so the f32 sums are the same but for two
// corner cases that now match the reference: a sum of -0 (a -0 bias and
// -0 products) is no longer turned to +0, and vdpbf16ps no longer flushes
// a denormal bias of a box without taps. (The AMX kernel takes one box of
// every tap: Plan.)
void PhaseBf16::RunPhase(size_t phase, const LanesTask& task, int64_t b, const uint32_t* xp, Buffer y) const {
  sets_.ForBoxes(lp_, phase, task, xp, [&](const LanesBox& box) { RunBox(phase, task, b, box, y); });
}

void PhaseBf16::RunBox(size_t phase, const LanesTask& task, int64_t b, const LanesBox& box, Buffer y) const {
  const Geom3& g = lp_.g;
  const LanesPhase& p = lp_.phases[phase];
  const int64_t n = task.ng / g.groups, gi = task.ng % g.groups;
  const int64_t co = gi * g.cout_g + b * lp_.cob;
  Bf16RowArgs a;
  SetBox(box, &a);
  a.ci2 = lp_.words;
  const int64_t pixel = channels_last_ ? g.cout : 1;  // channels last: y's channels are contiguous
  a.y_co_stride = channels_last_ ? 1 : g.out_sp;
  a.y_pix_stride = g.s[2] * pixel;
  a.y_row_stride = g.s[1] * g.out[2] * pixel;
  a.w = w_.data() + lp_.WOffset(p, gi, b);
  a.bias = bias_.data() + co;
  a.nco = std::min(lp_.cob, g.cout_g - b * lp_.cob);
  const int64_t off = (channels_last_ ? (n * g.out_sp + lp_.YPixel(p, task.q0, box.q1)) * g.cout + co
                                      : lp_.YOffset(p, n, co, task.q0, box.q1)) +
                      box.skip * g.s[2] * pixel;
  a.y = y.dtype == DType::kF32 ? y.As<float>() + off : nullptr;
  a.ybf = y.dtype == DType::kBF16 ? y.As<uint16_t>() + off : nullptr;
  kernel_->As<Bf16RowFn>()(a);
}

void PhaseBf16::Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const {
  const Geom3& g = lp_.g;
  const uint16_t* x = xb.As<uint16_t>();
  const int64_t ci2 = lp_.words;
  // The padded input xp[(image, group)][padded volume][ci2] (pads zero):
  // the channel pairs of each pixel of row yy of slice z. Channels last,
  // the pairs are x's own: a row is one run where one group's channels are
  // even.
  const bool whole_row = g.groups == 1 && 2 * ci2 == g.cin;
  auto rows_last = [&](int64_t ng, int64_t z, int64_t yy, uint32_t* row) {
    const int64_t n = ng / g.groups, gi = ng % g.groups, width = g.in[2];
    const uint16_t* src = x + (n * g.in_sp + (z * g.in[1] + yy) * width) * g.cin + gi * g.cin_g;
    uint16_t* dst = reinterpret_cast<uint16_t*>(row);
    if (whole_row) {
      std::copy(src, src + width * g.cin, dst);
      return;
    }
    for (int64_t xx = 0; xx < width; ++xx) {
      std::copy(src + xx * g.cin, src + xx * g.cin + g.cin_g, dst + xx * 2 * ci2);
      std::fill(dst + xx * 2 * ci2 + g.cin_g, dst + (xx + 1) * 2 * ci2, uint16_t{0});
    }
  };
  auto rows_first = [&](int64_t ng, int64_t z, int64_t yy, uint32_t* row) {
    const int64_t n = ng / g.groups, gi = ng % g.groups;
    const uint16_t* xc = x + (n * g.cin + gi * g.cin_g) * g.in_sp + (z * g.in[1] + yy) * g.in[2];
    if (to_words_) {
      kernels::PlanesToWordsArgs a;
      a.src = xc, a.plane_stride = g.in_sp, a.channels = g.cin_g, a.width = g.in[2];
      a.dst = row, a.words = ci2;
      to_words_(a);
      return;
    }
    for (int64_t c = 0; c < ci2; ++c) {
      if (2 * c >= g.cin_g) {  // the AMX kernel's zero pairs
        for (int64_t xx = 0; xx < g.in[2]; ++xx) row[xx * ci2 + c] = 0;
        continue;
      }
      const uint16_t* lo = xc + 2 * c * g.in_sp;
      const uint16_t* hi = 2 * c + 1 < g.cin_g ? lo + g.in_sp : nullptr;
      for (int64_t xx = 0; xx < g.in[2]; ++xx)
        row[xx * ci2 + c] = lo[xx] | (hi ? static_cast<uint32_t>(hi[xx]) << 16 : 0u);
    }
  };
  auto bias = [&](int64_t i) { FillBiasItem(yb, i); };
  // A task: every block of output channels, and in each the column phases
  // one after the other.
  auto task = [&](int64_t t, const uint32_t* xp) {
    const LanesTask lt = lp_.Task(t);
    for (int64_t b = 0; b < lp_.nblocks; ++b)
      for (size_t i = 0; i < lt.grp->count; ++i) RunPhase(lt.grp->first + i, lt, b, xp, yb);
  };
  uint32_t* xp = static_cast<uint32_t*>(ws);
  if (channels_last_) {
    // x that needs no pad, its pixels whole pairs, is read where it lies.
    const bool in_place = lp_.Unpadded() && whole_row && reinterpret_cast<uintptr_t>(x) % alignof(uint32_t) == 0;
    lp_.Run(0u, xp, in_place ? reinterpret_cast<const uint32_t*>(x) : nullptr, threads, rows_last, BiasItems(), bias,
            task);
  } else {
    lp_.Run(0u, xp, nullptr, threads, rows_first, BiasItems(), bias, task);
  }
}

// The kernel: the one named by the tuning, else AMX's, else the first of
// the list with enough vectors for Cout/g (vdpbf16ps before widening).
const KernelInfo* ChooseKernel(const PrepareInput& in, std::string* why) {
  if (!in.tuning.kernel.empty()) {
    const KernelInfo* k = kernels::FindKernelByName(in.tuning.kernel);
    if (!k)
      *why = "phase: no kernel named '" + in.tuning.kernel + "' at isa " + dispatch::ActiveIsaName();
    else if (k->dtype != DType::kBF16)
      *why = "phase: " + k->name + " computes " + DTypeName(k->dtype) + ", the plan bf16 (PlanOptions::dtype)";
    else if (k->op == KernelOp::kDwWindowsBf16)
      *why = "phase: " + k->name +
             " runs 2-D and 1-D depthwise layers (kernel <= 2 x stride, dilation 1) with layout NHWC only";
    else if (k->op != KernelOp::kPhaseBf16Dp && k->op != KernelOp::kPhaseBf16Widen && k->op != KernelOp::kPhaseBf16Amx)
      *why = "phase: " + k->name + " is not a bf16 phase kernel";
    return why->empty() ? k : nullptr;
  }
  // The tiles where the CPU has them (Bf16DotPays sends the layers they do
  // not pay on to widening).
  if (const KernelInfo* amx = kernels::FindKernel(KernelOp::kPhaseBf16Amx, DType::kBF16)) return amx;
  const KernelInfo* any = kernels::FindKernel(KernelOp::kPhaseBf16Widen, DType::kBF16);
  const int64_t vectors = CeilDiv(in.g.cout_g, any->lanes);
  const int v = static_cast<int>(CeilDiv(vectors, CeilDiv(vectors, kernels::kBf16MaxTileVectors)));
  if (const KernelInfo* dp = kernels::FindKernel(KernelOp::kPhaseBf16Dp, DType::kBF16, v)) return dp;
  return kernels::FindKernel(KernelOp::kPhaseBf16Widen, DType::kBF16, v);
}

}  // namespace

std::unique_ptr<PreparedAlgo> PreparePhaseBf16(const PrepareInput& in, std::string* why, bool channels_last) {
  std::string reason;
  const KernelInfo* k = ChooseKernel(in, &reason);
  auto p = std::make_unique<PhaseBf16>(channels_last);
  if (k && p->Plan(in.g, k, in.threads, &reason)) {
    p->Pack(in.w.As<uint16_t>(), in.bias.As<float>());
    return p;
  }
  if (why) *why = reason;
  dispatch::LogDispatch("phase (bf16): declined: %s", reason.c_str());
  return nullptr;
}

}  // namespace tconv
