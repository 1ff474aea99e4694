// SIMD fast path of the `phase` algorithm: PreparePhaseFast (the seam in
// src/algo/phase_fast.h) takes 1-D and 2-D transposed convolutions with
// dilation 1 and groups 1 (any stride, kernel, pads, output padding), packs
// the weights per phase once, and returns a PreparedAlgo whose Run repacks the
// NCHW input into zero-padded planes (workspace; included in Run's time) and
// runs the Highway kernel of src/kernels/hwy/phase_fast_hwy.cc over OpenMP
// tasks (n, Cout block, flat range), one writer per output element.
// Everything else is declined with a reason, and the general phase code runs.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "src/algo/phase_fast.h"
#include "src/dispatch/cpu.h"
#include "src/kernels/phase_fast_kernels.h"

namespace tconv {
namespace {

using kernels::PhaseFastParams;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct AxisPhases {
  std::vector<int64_t> c, r, taps;  // per t in [0, s)
  int64_t u = 1;                    // ceil(out / s)
  int64_t lo = 0, len = 1;          // padded index range [lo, lo + len)
};

AxisPhases AnalyzeAxis(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t out) {
  AxisPhases a;
  a.u = CeilDiv(out, s);
  int64_t lo = 0, hi = in - 1;
  for (int64_t t = 0; t < s; ++t) {
    const int64_t c = FloorDiv(t + pb, s);
    const int64_t r = t + pb - c * s;
    const int64_t taps = r < k ? CeilDiv(k - r, s) : 0;
    a.c.push_back(c);
    a.r.push_back(r);
    a.taps.push_back(taps);
    if (taps > 0) {
      lo = std::min(lo, c - (taps - 1));
      hi = std::max(hi, a.u - 1 + c);
    }
  }
  a.lo = lo;
  a.len = hi - lo + 1;
  return a;
}

class PhaseFast : public PreparedAlgo {
 public:
  PhaseFastParams p;
  AlgoCost cost;

  bool ActualCost(AlgoCost* c) const override {
    *c = cost;
    return true;
  }

  void Run(const float* x, float* y, void* ws, int threads) const override {
    float* xpad = static_cast<float*>(ws);
    const int64_t planes = p.n * p.cin;
    const int64_t pad_top = -p.lo_h, pad_left = -p.lo_w;
    const int64_t nb = p.nb, nblk = static_cast<int64_t>(p.f0.size());
    const int64_t tasks = p.n * nb * nblk;
#pragma omp parallel num_threads(threads)
    {
      // Repack: plane (n, ci) = zero border + input rows + zero tail.
#pragma omp for schedule(static)
      for (int64_t q = 0; q < planes; ++q) {
        float* dst = xpad + q * p.plane;
        const float* src = x + q * p.h * p.w;
        std::memset(dst, 0, static_cast<size_t>(pad_top * p.wp) * sizeof(float));
        for (int64_t iy = 0; iy < p.h; ++iy) {
          float* row = dst + (pad_top + iy) * p.wp;
          std::memset(row, 0, static_cast<size_t>(pad_left) * sizeof(float));
          std::memcpy(row + pad_left, src + iy * p.w, static_cast<size_t>(p.w) * sizeof(float));
          std::memset(row + pad_left + p.w, 0, static_cast<size_t>(p.wp - pad_left - p.w) * sizeof(float));
        }
        const int64_t used = (pad_top + p.h) * p.wp;
        std::memset(dst + used, 0, static_cast<size_t>(p.plane - used) * sizeof(float));
      }
      // Tasks: (n, Cout block, flat range); fixed partition, any thread count.
#pragma omp for schedule(static)
      for (int64_t task = 0; task < tasks; ++task) {
        const int64_t blk = task % nblk;
        const int64_t b = (task / nblk) % nb;
        const int64_t n = task / (nblk * nb);
        kernels::PhaseFastTask(p, xpad, y, n, b, blk);
      }
    }
  }
};

}  // namespace

std::unique_ptr<PreparedAlgo> PreparePhaseFast(const Geom3& g, const float* w, const float* bias, AlgoCost* cost,
                                               std::string* why) {
  dispatch::InitDispatch();
  auto decline = [why](const std::string& reason) -> std::unique_ptr<PreparedAlgo> {
    dispatch::LogDispatch("phase_fast: declined: %s", reason.c_str());
    if (why) *why = reason;
    return nullptr;
  };
  if (g.in[0] != 1 || g.k[0] != 1 || g.s[0] != 1 || g.pb[0] != 0 || g.pe[0] != 0 || g.a[0] != 0 || g.out[0] != 1)
    return decline("3-D geometry (fast path is 1-D/2-D)");
  for (int a = 1; a < 3; ++a)
    if (g.d[a] != 1) return decline("dilation " + std::to_string(g.d[a]) + " > 1");
  if (g.groups != 1) return decline("groups " + std::to_string(g.groups) + " > 1");
  if (g.s[2] > 64) return decline("stride " + std::to_string(g.s[2]) + " > 64");

  auto impl = std::make_unique<PhaseFast>();
  PhaseFastParams& p = impl->p;
  p.n = g.n;
  p.cin = g.cin;
  p.cout = g.cout;
  p.h = g.in[1];
  p.w = g.in[2];
  p.oh = g.out[1];
  p.ow = g.out[2];
  p.sy = g.s[1];
  p.sx = g.s[2];
  const int64_t kh = g.k[1], kw = g.k[2];
  const AxisPhases ay = AnalyzeAxis(p.h, kh, p.sy, g.pb[1], p.oh);
  const AxisPhases ax = AnalyzeAxis(p.w, kw, p.sx, g.pb[2], p.ow);
  p.uy = ay.u;
  p.ux = ax.u;
  p.lo_h = ay.lo;
  p.lo_w = ax.lo;
  p.hp = ay.len;
  p.wp = ax.len;
  p.plane = (p.hp * p.wp + p.wp + kernels::kPhasePlaneTail + 15) / 16 * 16;

  // Mode: pixels (W-vectors) unless rows are short and Cout fills channel
  // vectors better. TCONV_PHASE_MODE=pixels|channels forces one (tuning).
  {
    const double eff_pixels = static_cast<double>(p.uy * p.ux) / static_cast<double>(CeilDiv(p.uy * p.wp, 16) * 16);
    const double eff_channels =
        static_cast<double>(p.cout) / static_cast<double>(CeilDiv(p.cout, kernels::kPhaseChannelBlock) *
                                                          kernels::kPhaseChannelBlock);
    // Measured (bench/RESULTS.md): channels win on dcgan_g2 (4x4 rows, eff_pixels
    // 0.5: 68 vs 50 GFLOP/s), lose or tie where rows fill vectors (g3..g5).
    p.mode = eff_pixels < 0.6 && eff_channels > eff_pixels ? kernels::PhaseMode::kChannels
                                                           : kernels::PhaseMode::kPixels;
    const char* env = std::getenv("TCONV_PHASE_MODE");
    if (env && std::string(env) == "pixels") p.mode = kernels::PhaseMode::kPixels;
    if (env && std::string(env) == "channels") p.mode = kernels::PhaseMode::kChannels;
  }
  if (p.mode == kernels::PhaseMode::kChannels) {
    p.cb = kernels::kPhaseChannelBlock;
    p.nb = CeilDiv(p.cout, p.cb);
  } else {
    // Cout blocks of at most 8, as even as possible (21 -> 3 x 7, 3 -> 1 x 3).
    p.nb = CeilDiv(p.cout, 8);
    p.cb = static_cast<int>(CeilDiv(p.cout, p.nb));
    p.nb = CeilDiv(p.cout, p.cb);
  }
  const int cb = p.cb;

  // Taps and packed weights per phase: wpack[p][b][ci][tap][cb].
  p.tap_begin.push_back(0);
  for (int64_t ty = 0; ty < p.sy; ++ty) {
    for (int64_t tx = 0; tx < p.sx; ++tx) {
      std::vector<std::pair<int64_t, int64_t>> kk;  // (ky, kx)
      for (int64_t jy = 0; jy < ay.taps[ty]; ++jy) {
        for (int64_t jx = 0; jx < ax.taps[tx]; ++jx) {
          p.offs.push_back((ay.c[ty] - jy - p.lo_h) * p.wp + (ax.c[tx] - jx - p.lo_w));
          kk.emplace_back(ay.r[ty] + jy * p.sy, ax.r[tx] + jx * p.sx);
        }
      }
      p.tap_begin.push_back(static_cast<int64_t>(p.offs.size()));
      p.w_begin.push_back(static_cast<int64_t>(p.wpack.size()));
      const int64_t ntaps = static_cast<int64_t>(kk.size());
      const size_t base = p.wpack.size();
      p.wpack.resize(base + static_cast<size_t>(p.nb * p.cin * ntaps * cb), 0.0f);
      for (int64_t b = 0; b < p.nb; ++b)
        for (int64_t ci = 0; ci < p.cin; ++ci)
          for (int64_t t = 0; t < ntaps; ++t)
            for (int c = 0; c < cb; ++c) {
              const int64_t co = b * cb + c;
              if (co >= p.cout) continue;
              p.wpack[base + static_cast<size_t>(((b * p.cin + ci) * ntaps + t) * cb + c)] =
                  w[((ci * p.cout + co) * kh + kk[t].first) * kw + kk[t].second];
            }
    }
  }
  p.bias.assign(static_cast<size_t>(p.nb * cb), 0.0f);
  if (bias)
    for (int64_t co = 0; co < p.cout; ++co) p.bias[co] = bias[co];

  // Flat ranges of the phase planes: whole rows when a row fits the tile
  // budget, else pieces of a row. Length <= fb, a multiple of 16 floats.
  const int64_t fb = kernels::kPhaseTileFloats / (p.sx * cb) / 16 * 16;
  if (fb < 16) return decline("tile budget too small");
  const int64_t total = p.uy * p.wp;
  if (p.wp <= fb) {
    // At least ~16 tasks per run where the rows allow it, so two (or more)
    // threads balance (fsrcnn_x3: 3 blocks of 44 rows left one thread idle a
    // third of the time). The partition never changes any output's
    // reduction order, so results stay bitwise identical.
    const int64_t want_blocks = CeilDiv(16, p.n * p.nb);
    const int64_t rb = std::max<int64_t>(1, std::min(fb / p.wp, CeilDiv(p.uy, want_blocks)));
    for (int64_t r = 0; r < p.uy; r += rb) {
      p.f0.push_back(r * p.wp);
      p.f1.push_back(std::min(p.uy, r + rb) * p.wp);
    }
  } else {
    for (int64_t r = 0; r < p.uy; ++r)
      for (int64_t c0 = 0; c0 < p.wp; c0 += fb) {
        p.f0.push_back(r * p.wp + c0);
        p.f1.push_back(r * p.wp + std::min(p.wp, c0 + fb));
      }
  }
  (void)total;

  AlgoCost& c = impl->cost;
  c.macs = 0;
  for (int64_t ty = 0; ty < p.sy; ++ty)
    for (int64_t tx = 0; tx < p.sx; ++tx) c.macs += ay.taps[ty] * ax.taps[tx];
  c.macs *= p.n * p.cin * p.cout * p.uy * p.ux;
  c.workspace_bytes = p.n * p.cin * p.plane * static_cast<int64_t>(sizeof(float));
  c.packed_bytes = static_cast<int64_t>((p.wpack.size() + p.bias.size()) * sizeof(float));
  if (cost) *cost = c;
  dispatch::LogDispatch("phase_fast: taken: isa %s, %s, %lld tasks per image", dispatch::ActiveIsaName(),
                        p.mode == kernels::PhaseMode::kChannels
                            ? "f32_phase_c32 (channels in lanes)"
                            : ("f32_phase_" + std::to_string(cb) + "x" + std::to_string(kernels::PhaseFastVectors(cb)) +
                               " (pixels in lanes)").c_str(),
                        static_cast<long long>(p.nb * static_cast<int64_t>(p.f0.size())));
  return impl;
}

}  // namespace tconv
