// `phase` in bf16: planner and runner (see phase_bf16.h).
#include "src/algo/phase_bf16.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "src/algo/phase_axes.h"
#include "src/base/bf16.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/phase_bf16_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

using kernels::Bf16RowArgs;
using kernels::Bf16RowFn;
using kernels::KernelInfo;
using kernels::KernelOp;

// Pixels a task gathers from short rows (a few tiles; many tasks remain for
// the threads on the suite's layers).
constexpr int64_t kTaskPixels = 64;

// The phases that share their residues along axes 0 and 1 (all the column
// phases of the same output rows): a task runs them one after the other, so
// each output line is completed while in cache (phase by phase, each line
// was half written, evicted, and read again for its other half).
struct RowGroup {
  size_t first = 0, count = 0;    // phases_[first .. first + count)
  int64_t chunk = 1, chunks = 1;  // q1 rows per task, and tasks per q0
  int64_t rows = 0;               // tasks: (q0, chunk of q1 rows) each
};

// One phase: a residue per axis.
struct PhaseRec {
  const AxisPhase* a[3];
  int64_t ntaps = 0;
  std::vector<int64_t> tap_off;  // uint32 offsets of each tap's first pixel
  int64_t w_off = 0;             // of its panels within a group's weights
};

class PhaseBf16 : public PreparedAlgo {
 public:
  // Analyses the axes; false (and *why) when the padded input is too large.
  bool Plan(const Geom3& g, const KernelInfo* k, std::string* why);
  void Pack(const uint16_t* w, const float* bias);
  void Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const override;
  bool ActualCost(AlgoCost* cost) const override {
    *cost = cost_;
    return true;
  }
  std::string Kernel() const override { return kernel_->name; }

 private:
  void PadInput(const uint16_t* x, uint32_t* xp, int threads) const;
  void ZeroPads(uint32_t* slab) const;
  void FillBias(Buffer y, int threads) const;
  void RunRow(int64_t task, const uint32_t* xp, Buffer y) const;
  void RunPhase(const PhaseRec& p, int64_t ng, int64_t q0, int64_t q1, int64_t nrows, int64_t b, const uint32_t* xp,
                Buffer y) const;

  Geom3 g_;
  const KernelInfo* kernel_ = nullptr;
  std::vector<AxisPhase> ax_[3];
  std::vector<PhaseRec> phases_;
  std::vector<RowGroup> groups_;
  std::vector<int64_t> row_prefix_;  // tasks of the row groups before each, per (image, group)
  int64_t lo_[3] = {0, 0, 0}, pin_[3] = {1, 1, 1}, pin_sp_ = 1;
  int64_t ci2_ = 1, cob_ = 1, nblocks_ = 1, group_w_ = 0;
  bool bias_only_ = false;
  std::vector<uint32_t> w_;   // [group][phase panels: block][tap][ci2][cob]
  std::vector<float> bias_;   // Cout, zeros when absent
  AlgoCost cost_;
};

bool PhaseBf16::Plan(const Geom3& g, const KernelInfo* k, std::string* why) {
  g_ = g;
  kernel_ = k;
  for (int a = 0; a < 3; ++a) {
    ax_[a] = AnalyzeAxis(g, a, &bias_only_);
    int64_t lo = 0, hi = 0;
    for (const AxisPhase& r : ax_[a])
      for (int64_t c : r.c) {
        lo = std::max(lo, c - r.qlo);
        hi = std::max(hi, r.qhi - 1 - c - (g.in[a] - 1));
      }
    lo_[a] = lo;
    pin_[a] = g.in[a] + lo + hi;
  }
  pin_sp_ = SatProduct({pin_[0], pin_[1], pin_[2]});
  if (pin_sp_ > SatAdd(SatMul(8, g.in_sp), int64_t{1} << 20)) {
    *why = "phase (bf16): the padded input would be " + std::to_string(pin_sp_) + " pixels for " +
           std::to_string(g.in_sp) + " input pixels (large pads or dilation)";
    return false;
  }
  ci2_ = CeilDiv(g.cin_g, 2);
  const int64_t vectors = CeilDiv(g.cout_g, k->lanes);
  cob_ = k->cout_block * k->lanes;
  nblocks_ = CeilDiv(vectors, k->cout_block);
  int64_t w_off = 0, rows = 0, macs = 0, npix_max = 1;
  for (const AxisPhase& r2 : ax_[2]) npix_max = std::max(npix_max, r2.qhi - r2.qlo);
  for (const AxisPhase& r0 : ax_[0])
    for (const AxisPhase& r1 : ax_[1]) {
      if (ax_[2].empty()) continue;  // no column phase has taps: the bias only
      // Short rows are gathered into tasks of ~kTaskPixels.
      RowGroup grp;
      grp.first = phases_.size();
      grp.count = ax_[2].size();
      const int64_t nq1 = r1.qhi - r1.qlo;
      grp.chunk = std::min(nq1, std::max<int64_t>(1, kTaskPixels / npix_max));
      grp.chunks = CeilDiv(nq1, grp.chunk);
      grp.rows = (r0.qhi - r0.qlo) * grp.chunks;
      row_prefix_.push_back(rows);
      rows += grp.rows;
      groups_.push_back(grp);
      for (const AxisPhase& r2 : ax_[2]) {
        PhaseRec p;
        p.a[0] = &r0, p.a[1] = &r1, p.a[2] = &r2;
        for (int64_t c0 : r0.c)
          for (int64_t c1 : r1.c)
            for (int64_t c2 : r2.c)
              p.tap_off.push_back((((lo_[0] - c0) * pin_[1] + lo_[1] - c1) * pin_[2] + lo_[2] - c2) * ci2_);
        p.ntaps = static_cast<int64_t>(p.tap_off.size());
        p.w_off = w_off;
        w_off += nblocks_ * p.ntaps * ci2_ * cob_;
        macs = SatAdd(macs, SatProduct({r0.qhi - r0.qlo, nq1, r2.qhi - r2.qlo, p.ntaps}));
        phases_.push_back(std::move(p));
      }
    }
  row_prefix_.push_back(rows);
  group_w_ = w_off;
  cost_.macs = SatProduct({macs, g.n, g.groups, 2 * ci2_, nblocks_ * cob_});
  cost_.workspace_bytes = SatProduct({g.n, g.groups, pin_sp_, ci2_, 4});
  cost_.packed_bytes = SatProduct({g.groups, group_w_, 4});
  return true;
}

// Weights [group][phase][block][tap][ci2][cob] as bf16 pairs (zero past
// the group's channels).
void PhaseBf16::Pack(const uint16_t* w, const float* bias) {
  const Geom3& g = g_;
  w_.assign(static_cast<size_t>(g.groups * group_w_), 0);
  bias_.assign(static_cast<size_t>(g.cout), 0.0f);
  if (bias) std::copy(bias, bias + g.cout, bias_.begin());
  for (int64_t gi = 0; gi < g.groups; ++gi)
    for (const PhaseRec& p : phases_)
      for (int64_t b = 0; b < nblocks_; ++b) {
        uint32_t* dst = w_.data() + gi * group_w_ + p.w_off + b * p.ntaps * ci2_ * cob_;
        int64_t t = 0;
        for (int64_t k0 : p.a[0]->k)
          for (int64_t k1 : p.a[1]->k)
            for (int64_t k2 : p.a[2]->k) {
              const int64_t ksp = (k0 * g.k[1] + k1) * g.k[2] + k2;
              for (int64_t c = 0; c < ci2_; ++c)
                for (int64_t co = 0; co < cob_; ++co) {
                  const int64_t cog = b * cob_ + co;
                  if (cog >= g.cout_g) continue;
                  uint32_t pair = 0;
                  for (int64_t h = 0; h < 2; ++h) {
                    const int64_t ci = 2 * c + h;
                    if (ci >= g.cin_g) continue;
                    const int64_t src = ((gi * g.cin_g + ci) * g.cout_g + cog) * g.k_sp + ksp;
                    pair |= static_cast<uint32_t>(w[src]) << (16 * h);
                  }
                  dst[(t * ci2_ + c) * cob_ + co] = pair;
                }
              ++t;
            }
      }
}

// xp[(image, group)][padded volume][ci2]: every pixel written (pads zero).
void PhaseBf16::PadInput(const uint16_t* x, uint32_t* xp, int threads) const {
  const Geom3& g = g_;
  const int64_t slabs = g.n * g.groups * pin_[0];
  const int64_t slab = pin_[1] * pin_[2] * ci2_;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t s = 0; s < slabs; ++s) {
    uint32_t* out = xp + s * slab;
    const int64_t ng = s / pin_[0], z = s % pin_[0] - lo_[0];
    if (z < 0 || z >= g.in[0]) {
      std::memset(out, 0, static_cast<size_t>(slab) * 4);
      continue;
    }
    ZeroPads(out);
    const int64_t n = ng / g.groups, gi = ng % g.groups;
    const uint16_t* xc = x + (n * g.cin + gi * g.cin_g) * g.in_sp + z * g.in[1] * g.in[2];
    // Row by row: a padded row (in[2] x ci2 pairs) stays in cache while
    // the channel pairs are interleaved into it (channel-major passes over
    // the whole slab made unet_up4's pad pass the larger part of its run).
    for (int64_t yy = 0; yy < g.in[1]; ++yy) {
      uint32_t* row = out + ((yy + lo_[1]) * pin_[2] + lo_[2]) * ci2_;
      const int64_t o = yy * g.in[2];
      for (int64_t c = 0; c < ci2_; ++c) {
        const uint16_t* lo = xc + 2 * c * g.in_sp + o;
        const uint16_t* hi = 2 * c + 1 < g.cin_g ? lo + g.in_sp : nullptr;
        for (int64_t xx = 0; xx < g.in[2]; ++xx)
          row[xx * ci2_ + c] = lo[xx] | (hi ? static_cast<uint32_t>(hi[xx]) << 16 : 0u);
      }
    }
  }
}

// Zeroes the pad pixels of one slab (padded rows, and the pad columns of
// the others): the interior is written by PadInput.
void PhaseBf16::ZeroPads(uint32_t* slab) const {
  const int64_t row = pin_[2] * ci2_, lo = lo_[2] * ci2_, hi = (pin_[2] - lo_[2] - g_.in[2]) * ci2_;
  for (int64_t y = 0; y < pin_[1]; ++y) {
    uint32_t* r = slab + y * row;
    if (y < lo_[1] || y >= lo_[1] + g_.in[1]) {
      std::memset(r, 0, static_cast<size_t>(row) * 4);
    } else {
      std::memset(r, 0, static_cast<size_t>(lo) * 4);
      std::memset(r + row - hi, 0, static_cast<size_t>(hi) * 4);
    }
  }
}

// Every output the bias (outputs of phases without taps keep it).
void PhaseBf16::FillBias(Buffer y, int threads) const {
  const int64_t planes = g_.n * g_.cout;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float b = bias_[pl % g_.cout];
    if (y.dtype == DType::kBF16) {
      std::fill_n(y.As<uint16_t>() + pl * g_.out_sp, g_.out_sp, Bf16Bits(b));
    } else {
      std::fill_n(y.As<float>() + pl * g_.out_sp, g_.out_sp, b);
    }
  }
}

// Task: a few output rows of one row group of one (image, group): every
// block of output channels, and in each the column phases one after the
// other.
void PhaseBf16::RunRow(int64_t task, const uint32_t* xp, Buffer y) const {
  const int64_t rows = row_prefix_.back();
  const int64_t ng = task / rows, rem = task % rows;
  const size_t gr = static_cast<size_t>(std::upper_bound(row_prefix_.begin(), row_prefix_.end(), rem) -
                                        row_prefix_.begin() - 1);
  const RowGroup& grp = groups_[gr];
  const PhaseRec& first = phases_[grp.first];
  const int64_t row = rem - row_prefix_[gr];
  const int64_t q0 = first.a[0]->qlo + row / grp.chunks, q1 = first.a[1]->qlo + row % grp.chunks * grp.chunk;
  const int64_t nrows = std::min(grp.chunk, first.a[1]->qhi - q1);
  for (int64_t b = 0; b < nblocks_; ++b)
    for (size_t i = 0; i < grp.count; ++i) RunPhase(phases_[grp.first + i], ng, q0, q1, nrows, b, xp, y);
}

// Rows [q1, q1 + nrows) of phase p at q0, output channel block b.
void PhaseBf16::RunPhase(const PhaseRec& p, int64_t ng, int64_t q0, int64_t q1, int64_t nrows, int64_t b,
                         const uint32_t* xp, Buffer y) const {
  const Geom3& g = g_;
  const int64_t n = ng / g.groups, gi = ng % g.groups;
  const AxisPhase &r0 = *p.a[0], &r1 = *p.a[1], &r2 = *p.a[2];
  const int64_t o0 = q0 * g.s[0] + r0.r - g.pb[0], o1 = q1 * g.s[1] + r1.r - g.pb[1];
  const int64_t o2 = r2.qlo * g.s[2] + r2.r - g.pb[2];
  Bf16RowArgs a;
  a.x = xp + (ng * pin_sp_ + (q0 * pin_[1] + q1) * pin_[2] + r2.qlo) * ci2_;
  a.tap_off = p.tap_off.data();
  a.ntaps = p.ntaps;
  a.ci2 = ci2_;
  a.npix = r2.qhi - r2.qlo;
  a.nrows = nrows;
  a.x_row_stride = pin_[2] * ci2_;
  a.y_co_stride = g.out_sp;
  a.y_pix_stride = g.s[2];
  a.y_row_stride = g.s[1] * g.out[2];
  const int64_t co = gi * g.cout_g + b * cob_;
  a.w = w_.data() + gi * group_w_ + p.w_off + b * p.ntaps * ci2_ * cob_;
  a.bias = bias_.data() + co;
  a.nco = std::min(cob_, g.cout_g - b * cob_);
  const int64_t off = (n * g.cout + co) * g.out_sp + (o0 * g.out[1] + o1) * g.out[2] + o2;
  a.y = y.dtype == DType::kF32 ? y.As<float>() + off : nullptr;
  a.ybf = y.dtype == DType::kBF16 ? y.As<uint16_t>() + off : nullptr;
  kernel_->As<Bf16RowFn>()(a);
}

void PhaseBf16::Run(ConstBuffer xb, Buffer yb, void* ws, int threads) const {
  uint32_t* xp = static_cast<uint32_t*>(ws);
  PadInput(xb.As<uint16_t>(), xp, threads);
  if (bias_only_) FillBias(yb, threads);
  const int64_t tasks = g_.n * g_.groups * row_prefix_.back();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4)
  for (int64_t t = 0; t < tasks; ++t) RunRow(t, xp, yb);
}

// The kernel: the one named by the tuning, else the first of the list with
// enough vectors for Cout/g (vdpbf16ps before widening).
const KernelInfo* ChooseKernel(const PrepareInput& in, std::string* why) {
  if (!in.tuning.kernel.empty()) {
    const KernelInfo* k = kernels::FindKernelByName(in.tuning.kernel);
    if (!k) *why = "phase: no kernel named '" + in.tuning.kernel + "' at isa " + dispatch::ActiveIsaName();
    else if (k->dtype != DType::kBF16)
      *why = "phase: " + k->name + " computes " + DTypeName(k->dtype) + ", the plan bf16 (PlanOptions::dtype)";
    return why->empty() ? k : nullptr;
  }
  const KernelInfo* any = kernels::FindKernel(KernelOp::kPhaseBf16Widen, DType::kBF16);
  const int64_t vectors = CeilDiv(in.g.cout_g, any->lanes);
  const int v = static_cast<int>(CeilDiv(vectors, CeilDiv(vectors, kernels::kBf16MaxTileVectors)));
  if (const KernelInfo* dp = kernels::FindKernel(KernelOp::kPhaseBf16Dp, DType::kBF16, v)) return dp;
  return kernels::FindKernel(KernelOp::kPhaseBf16Widen, DType::kBF16, v);
}

}  // namespace

std::unique_ptr<PreparedAlgo> PreparePhaseBf16(const PrepareInput& in, std::string* why) {
  std::string reason;
  const KernelInfo* k = ChooseKernel(in, &reason);
  auto p = std::make_unique<PhaseBf16>();
  if (k && p->Plan(in.g, k, &reason)) {
    p->Pack(in.w.As<uint16_t>(), in.bias.As<float>());
    return p;
  }
  if (why) *why = reason;
  dispatch::LogDispatch("phase (bf16): declined: %s", reason.c_str());
  return nullptr;
}

}  // namespace tconv
