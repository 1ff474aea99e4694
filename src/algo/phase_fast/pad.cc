// The pad passes of phase's SIMD path (plan.h): the input copied into the
// zero-padded volumes the kernels read, from NCHW or channels-last x, plain
// or batch-interleaved. Plain memcpy and memset (and OpenBLAS somatcopy for
// the channels-last rows); the per-task pad is a kernel (f32_pad_volume).
#include "src/algo/phase_fast/pad.h"

#include <algorithm>
#include <cstring>

#include "src/algo/phase_fast.h"
#include "src/base/checked_int.h"
#include "src/layout_convert.h"

namespace tconv {
namespace phase_fast {

void PadVolumeSpan(const PhasePlan& p, const float* src, float* dst, int64_t e0, int64_t e1) {
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t pd = -p.lo[0], pt = -p.lo[1], pl = -p.lo[2];
  const int64_t in_h = p.g.in[1], in_w = p.g.in[2];
  const int64_t body = p.len[0] * hp * wp;  // the rows; the tail follows
  auto zero = [&](int64_t a, int64_t b) {
    if (b > a) std::memset(dst + a, 0, static_cast<size_t>(b - a) * sizeof(float));
  };
  for (int64_t r = e0 / wp; r * wp < std::min(e1, body); ++r) {
    // Columns [c0, c1) of padded row r: zeros, the input row, zeros.
    const int64_t at = r * wp, c0 = std::max<int64_t>(e0 - at, 0), c1 = std::min<int64_t>(e1 - at, wp);
    const int64_t iz = r / hp - pd, iy = r % hp - pt;
    if (iz < 0 || iz >= p.g.in[0] || iy < 0 || iy >= in_h) {
      zero(at + c0, at + c1);
      continue;
    }
    const int64_t a = std::max(c0, pl), b = std::min(c1, pl + in_w);
    zero(at + c0, at + std::min(c1, pl));
    if (src && b > a)
      std::memcpy(dst + at + a, src + (iz * in_h + iy) * in_w + (a - pl), static_cast<size_t>(b - a) * sizeof(float));
    zero(at + std::max(c0, pl + in_w), at + c1);
  }
  zero(std::max(e0, body), e1);
}

void PadVolume(const PhasePlan& p, const float* src, float* dst) { PadVolumeSpan(p, src, dst, 0, p.plane); }

// A thread whose tasks read every channel of the input (channels mode's
// chunks of pixel groups; pixel and direct tasks split by Cout blocks over
// one image) read half of a shared padded copy from the other thread's
// cache, written there by the pad pass of the same run. Where the two
// vCPUs sit on different CCDs (bench/tconv_core_pingpong ~450 ns) that
// cost hifigan_v2_up1's first task per thread 39 us instead of 11 (task
// timers, 2 threads, Zen 5). A private copy per thread costs each thread
// the whole pad instead of its share, and reads nothing remote. 2 threads,
// OMP_WAIT_POLICY=passive, shared -> private, alternated runs (Zen 5, far
// placement; GFLOP/s; copy size): hifigan_v2_up1 (66 KiB) 175-176 ->
// 224-233, gan3d_g4 (0.5 MiB) 299-312 -> 399-400, melgan_up1 (0.3 MiB)
// 326-327 -> 347-361, segan_dec (1.1 MiB) 240-245 -> 309-356, pix2pix_dec5
// (1.6 MiB) 253-295 -> 352-357, unet_up1 (3.4 MiB) 315-317 -> 341-342;
// level on the others tried (wavegan_up0, melgan_up2, vnet_up1).
// One image whose tasks split by rows, so that each thread pads and reads
// mostly its own rows (Run's row split), gains too: the pad pass then needs
// no barrier, where a sleeping thread is woken again (passive), and the
// rows around a block's edges are local. Row split -> private, 2t, 3
// alternated runs each: passive, 11 of 12 faster (fcn16_up2 43-50 ->
// 59-65 GFLOP/s, seed_k3s2 216-237 -> 233-255, fsrcnn_x3 180-185 ->
// 166-209, espcn_x3_deconv 180-184 -> 203-207, lapsrn_up 288-309 ->
// 320-341, and on 7 layers outside the suite (/tmp, 1-D and 2-D, Cin
// 16-128) +10 to +47 %), enet_up level; OMP_WAIT_POLICY=active, 9 of 12
// faster or level, enet_up 204-239 -> 168-170 and two held-out layers -6 %
// slower. The cap keeps the pad work of all copies (threads x the copy) to
// 8 MiB, validated only at 2 threads (this machine has 2).
int64_t PrivateInputCopies(const PhasePlan& p, const PhaseTuning& tuning, int threads, bool channels_last) {
  const Geom3& g = p.g;
  if (threads < 2 || !tuning.private_pad || channels_last || p.bint || p.local_pad || p.x_direct) return 1;
  if (SatProduct({threads, g.n, g.cin, p.plane, int64_t{sizeof(float)}}) > kPhasePrivateCopiesMaxBytes) return 1;
  // (With as many (image, group) volumes as threads, the static split gives
  // each thread its own volumes, and the shared pass pads them the same way.)
  const bool reads_all = p.mode == PhaseMode::kChannels || g.n * g.groups < threads;
  return reads_all ? threads : 1;
}

void ZeroVolumePadding(const PhasePlan& p, float* dst) { PadVolumeSpan(p, nullptr, dst, 0, p.plane); }

void PadRowChannelsLast(const PhasePlan& p, const float* x, float* xpad, int64_t row) {
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t pd = -p.lo[0], pt = -p.lo[1], pl = -p.lo[2];
  const int64_t in_d = p.g.in[0], in_h = p.g.in[1], in_w = p.g.in[2];
  const int64_t n = row / (in_d * in_h), iz = row / in_h % in_d, iy = row % in_h;
  const float* src = x + row * in_w * p.g.cin;  // (in_w, Cin)
  float* dst = xpad + n * p.g.cin * p.plane + ((iz + pd) * hp + iy + pt) * wp + pl;
  ChannelsLastRowsToFirst(src, in_w, p.g.cin, dst, p.plane);
}

void PadChannelInterleaved(const PhasePlan& p, const float* x, bool x_channels_last, float* xpad, int64_t j,
                           int64_t ci) {
  constexpr int64_t nn = kernels::kPhaseGroupPixels;
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t n0 = j * nn, n1 = std::min(p.g.n, n0 + nn);
  const int64_t pd = -p.lo[0], pt = -p.lo[1], pl = -p.lo[2];
  const int64_t in_d = p.g.in[0], in_h = p.g.in[1], in_w = p.g.in[2];
  const int64_t in_sp = p.g.in_sp, cin = p.g.cin;
  // Input element (n, ci, pixel q) at x + n*Cin*in_sp + ci*cs + q*ps. The
  // channels-last reads are Cin floats apart, but the DCGAN inputs this
  // layout serves are small (0.25-0.5 MB, L2-resident).
  const int64_t cs = x_channels_last ? 1 : in_sp, ps = x_channels_last ? cin : 1;
  float* dst = xpad + (j * cin + ci) * p.cstride;
  std::memset(dst, 0, static_cast<size_t>(p.cstride) * sizeof(float));
  for (int64_t n = n0; n < n1; ++n) {
    const float* src = x + n * cin * in_sp + ci * cs;
    for (int64_t iz = 0; iz < in_d; ++iz)
      for (int64_t iy = 0; iy < in_h; ++iy) {
        float* row = dst + (((iz + pd) * hp + iy + pt) * wp + pl) * nn + (n - n0);
        const float* in = src + (iz * in_h + iy) * in_w * ps;
        for (int64_t ix = 0; ix < in_w; ++ix) row[ix * nn] = in[ix * ps];
      }
  }
}

}  // namespace phase_fast
}  // namespace tconv
