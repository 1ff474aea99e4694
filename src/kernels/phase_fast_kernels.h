// Internal: the data the SIMD phase kernel (src/kernels/hwy/phase_fast_hwy.cc)
// works on, prepared once by src/kernels/phase_fast.cc.
//
// Phase decomposition of a transposed convolution (1 to 3 spatial axes,
// any dilation, any groups), per axis: output o = u*s + t (t in [0, s))
// receives x[u + c_t - j*d'] * w[r_t + j*s'] for j in [0, T_t), where
// g = gcd(s, d), s' = s/g, d' = d/g, r_t = the smallest tap k with
// k*d == t + pb (mod s) (src/algo/tap_math.h; none: T_t = 0, bias only),
// c_t = (t + pb - r_t*d)/s, T_t = #{j : r_t + j*s' < k}. Dilation 1 gives
// c_t = floor((t + pb)/s), r_t = (t + pb) mod s. For a
// fixed phase (td, ty, tx) that is a dense stride-1 correlation over the
// input. The input is repacked (in Run) into zero-padded volumes of
// dp x hp x wp per (n, ci), so each phase is a 1-D correlation over the
// flattened volume: out[f] = sum x_vol[f + off_tap], f = (u_d*hp + u_y)*wp +
// u_x. No branches on borders. Groups are independent problems on channel
// slices: group g reads input volumes [g*cin_g, (g+1)*cin_g) and writes
// output channels [g*cout_g, (g+1)*cout_g).
//
// Two kernel variants (PhaseMode):
//  * kPixels: f32_phase_<CB>x<V> keeps CB output channels x V vectors of
//    consecutive f in registers (weights broadcast from the packed
//    [ci][tap][CB] panel, input vectors loaded unaligned), accumulating over
//    Cin x taps in a fixed order (ci outer, taps row-major), starting from the
//    bias. Columns u_x >= Ux and rows u_y >= Uy of the flat range are
//    computed and discarded. One task = (n, group, Cout block, flat range
//    [f0, f1) inside one depth slice): it computes all phases of that range
//    into a stack tile and interleaves them into y (or, y_channels_last,
//    transposes them into a channels-last y).
//  * kChannels: 32 output channels in vector lanes (2 x 16 on AVX-512), and
//    only valid output pixels, taken as "pixel groups" of up to 4 consecutive
//    u_x in one row (any image, any row: each group is its own base pointer,
//    the 4 columns are compile-time offsets). The kernel takes 3 groups = 12
//    pixels x 32 channels = 24 accumulators. One task = (phase, group, Cout
//    block, chunk of pixel groups over ALL images), so a weight panel
//    (cin_g x taps x 32 floats) is read from memory once and then from L2
//    for every pixel of the batch (DCGAN g2: the 8 MB weight used to be
//    re-streamed once per image). Results go straight into y.
//  * kDirect: Cout per group 1 and sx <= 4 (depthwise, FSRCNN's Cout 1):
//    the pixel-mode tasks, but all sx column phases of V*L consecutive u of
//    an output row at once, stored interleaved straight into y (no tile).
//    Also Cout blocks of kPhaseDirectBlock when every column phase reads
//    the same taps (k = s along x): one input vector feeds all sx phases.
// Every output element has exactly one writer in both modes, and the
// reduction order of an element never depends on the task partition, so the
// result does not depend on the thread count.
#ifndef TCONV_SRC_KERNELS_PHASE_FAST_KERNELS_H_
#define TCONV_SRC_KERNELS_PHASE_FAST_KERNELS_H_

#include <cstdint>
#include <vector>

namespace tconv {
namespace kernels {

// Floats of the per-task padded input of local_pad (32 KiB of stack).
constexpr int64_t kPhaseLocalPadFloats = 8192;
// Floats in the per-thread stack tile (64 KiB): sx * CB * block length.
constexpr int64_t kPhaseTileFloats = 16384;
// Extra zero floats after each padded volume (covers vector over-reads).
constexpr int64_t kPhasePlaneTail = 64;

// Cout block of the channel-vectorised variant (mode kChannels).
constexpr int kPhaseChannelBlock = 32;
// Cout block of the direct kernel when Cout per group > 1 (its column
// phases share their taps).
constexpr int kPhaseDirectBlock = 4;
// Pixels per pixel group in mode kChannels.
constexpr int kPhaseGroupPixels = 4;

enum class PhaseMode { kPixels = 0, kChannels = 1, kDirect = 2 };

struct PhaseFastParams {
  PhaseMode mode = PhaseMode::kPixels;
  int64_t n = 1, groups = 1, cin = 1, cout = 1, cin_g = 1, cout_g = 1;
  // Axes 0, 1, 2 = d, h, w (1-D and 2-D problems have leading size-1 axes).
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1};
  int64_t u[3] = {1, 1, 1};    // output groups per axis: ceil(o / s)
  int64_t lo[3] = {0, 0, 0};   // first padded input index (<= 0)
  int64_t len[3] = {1, 1, 1};  // padded volume dp, hp, wp
  int64_t plane = 1;           // floats per padded volume (>= dp*hp*wp + wp + tail)
  int64_t out_sp = 1;          // output elements per channel
  int cb = 1;                  // Cout block (1..8; kPhaseChannelBlock in kChannels mode)
  int64_t nb = 1;              // Cout blocks per group
  int64_t nphase = 1;          // sd * sy * sx; phase p = (td*sy + ty)*sx + tx
  // Per phase p: taps [tap_begin[p], tap_begin[p+1]) in offs, and packed
  // weights at wpack + w_begin[p] laid out [groups][nb][cin_g][taps][cb].
  std::vector<int64_t> tap_begin;
  std::vector<int64_t> offs;  // f -> volume index offset of each tap
  std::vector<int64_t> w_begin;
  // Per phase: taps along y (the tap grid is [td][ty][tx], row-major).
  std::vector<int64_t> tap_ty;
  // kPixels with Cout per group 1 and no depth taps > 1: the row-reuse
  // kernel (MicroR) runs whole-row blocks.
  bool row_reuse = false;
  std::vector<float> wpack;
  std::vector<float> bias;  // [groups][nb*cb], zero padded
  int64_t ntasks = 0;
  // kPixels/kDirect with one task per (n, group) whose cin_g padded volumes
  // fit kPhaseLocalPadFloats (depthwise): each task pads its own input into
  // a stack buffer (no workspace, no separate repack pass over memory).
  bool local_pad = false;
  // kDirect with Cout blocks or kPixels through Micro, nothing padded
  // around the input's rows and every read inside it (ReadsXDirectly in
  // phase_fast.cc): the tasks read x itself, xplane = in_sp floats per
  // channel, and Run has no pad pass and no workspace.
  bool x_direct = false;
  int64_t xplane = 1;  // floats between the channels the tasks read
  // kPixels/kDirect task order: task = ((n*groups + g)*nblk + block)*nb + b
  // when true (Cout blocks innermost: a block of input is reused from cache
  // by every Cout block), else ((n*groups + g)*nb + b)*nblk + block.
  bool cout_inner = false;
  // kPixels, kChannels: the y the tasks write is (N, *out, Cout) (a
  // channels-last plan, or channels mode staging NCHW y in the workspace;
  // pixel mode transposes its tile rows into it), else (N, Cout, *out).
  bool y_channels_last = false;
  // kPixels: flat ranges (inside one depth slice), one task each per (n, g, b).
  std::vector<int64_t> f0, f1;
  // kChannels: pixel groups, per phase contiguous: xoff (n*cin*plane + f),
  // yoff (index in y of channel 0 of the group's first pixel), count (1..4).
  std::vector<int64_t> grp_x, grp_y;
  std::vector<int32_t> grp_n;
  // kChannels: per group, bit t set when tap t of its phase reads an input
  // row/slice inside the input (all bits for phases with > 64 taps); groups
  // of a phase are sorted by mask. Per tap: weight offset t*CB in a ci row.
  std::vector<uint64_t> grp_mask;
  // kChannels input layout. Plain: (n, ci) padded volumes, a group is 4
  // consecutive u_x of one row (ystep = sx). Batch-interleaved (bint, N >= 4:
  // the DCGAN layers): [image group][ci][f][4 images], a group is the 4
  // images of an image group at one (u_d, u_y, u_x), so its taps that read
  // padding (rows AND columns) are skipped (dcgan_g2: 23% of the nominal
  // multiply-adds); ystep = Cout*out_sp, offs scaled by 4. grp_x, grp_y
  // and grp_n (4) describe image group 0; a task adds its image group's
  // offsets and stores only the images that exist (N - 4*group).
  // cstride: floats between input channels.
  bool bint = false;
  int64_t img_groups = 1;  // bint: ceil(N / 4) image groups (1 otherwise)
  int64_t cstride = 1, ystep = 1;
  // kChannels: floats between output channels in y (out_sp; 1 when
  // y_channels_last, with grp_y and ystep in channels-last offsets).
  int64_t ychan = 1;
  std::vector<int64_t> tap_w;
  // kChannels: chunks of pixel groups [ch_g0, ch_g1) of phase ch_ph; one task
  // each per (image group, g, b).
  std::vector<int64_t> ch_ph, ch_g0, ch_g1;
};

// Runs task `task` in [0, p.ntasks) at the dispatched ISA.
// x: the (N, Cin, *in) input; xpad: its (N, Cin) padded volumes (unused
// with local_pad and x_direct); y: (N, Cout, *out).
void PhaseFastTask(const PhaseFastParams& p, const float* x, const float* xpad, float* y, int64_t task);
// Writes the padded volume of one (n, ci) input volume `src` to `dst`
// (p.plane floats: zero borders, input rows, zero tail).
void PadVolume(const PhaseFastParams& p, const float* src, float* dst);
// The padded rows [r0, r1) (row r = z*hp + y) of that volume; the range
// ending at the last row also zeroes the volume's tail. src == nullptr:
// only the padding, the input elements' floats are left as they are.
void PadVolumeRows(const PhaseFastParams& p, const float* src, float* dst, int64_t r0, int64_t r1);
// Zeroes every float of the padded volume `dst` that is not an input
// element (PadVolumeRows over all rows with no source).
void ZeroVolumePadding(const PhaseFastParams& p, float* dst);
// Calls copy(src_row, dst_row, in_w) for every input row of one (n, ci)
// volume `src` with its place in the padded volume `dst` (PadVolume's
// layout; PadVolume copies with memcpy, the per-task pad with vectors).
template <class Copy>
inline void ForEachInputRow(const PhaseFastParams& p, const float* src, float* dst, const Copy& copy) {
  const int64_t hp = p.len[1], wp = p.len[2];
  const int64_t pd = -p.lo[0], pt = -p.lo[1], pl = -p.lo[2];
  const int64_t in_h = p.in[1], in_w = p.in[2];
  for (int64_t iz = 0; iz < p.in[0]; ++iz)
    for (int64_t iy = 0; iy < in_h; ++iy)
      copy(src + (iz * in_h + iy) * in_w, dst + ((iz + pd) * hp + pt + iy) * wp + pl, in_w);
}
// Channels-last input: writes input row `row` = (n*in_d + iz)*in_h + iy of
// the (N, *in, Cin) tensor x into that row of image n's Cin padded volumes
// in xpad.
void PadRowChannelsLast(const PhaseFastParams& p, const float* x, float* xpad, int64_t row);
// bint layout: writes channel ci of the images of image group j of x
// ((N, Cin, *in), or (N, *in, Cin) when x_channels_last) into xpad
// (cstride floats at (j*Cin + ci)*cstride; lanes of missing images 0).
void PadChannelInterleaved(const PhaseFastParams& p, const float* x, bool x_channels_last, float* xpad, int64_t j,
                           int64_t ci);
// The micro-kernel tile of the dispatched ISA for block size cb: "8x3" etc.
int PhaseFastVectors(int cb);
// Lanes per vector at the dispatched ISA (16 on AVX-512, 8 on AVX2, 1 scalar).
int PhaseFastLanes();

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_PHASE_FAST_KERNELS_H_
