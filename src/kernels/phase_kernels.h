// Kernels of the phase algorithm's SIMD path: their argument structs and
// written contracts. The planner (src/algo/phase_fast/) builds the tables
// once per plan; its runner decodes each task into one of these structs and
// calls the kernel the plan chose from the list (src/kernels/list.inc). The
// Highway code is in src/kernels/hwy/phase_*-inl.h.
//
// The decomposition, per axis a: output o = u*s + t (phase t in [0, s))
// receives x[u + c_t - j*d'] * w[r_t + j*s'] for j in [0, T_t) (g = gcd(s,
// d), s' = s/g, d' = d/g; src/algo/tap_math.h). The input is read from
// zero-padded volumes of dp x hp x wp elements per (image, channel) (or x
// itself where it equals them), so each phase is a dense 1-D correlation
// over the flattened volume: out(f) = sum_tap x_vol[f + offs[tap]], with
// f = (u_d*hp + u_y)*wp + u_x. Phase p = (td*sy + ty)*sx + tx.
//
// Every kernel computes each output element it owns from the bias, over
// input channels and then taps in the tables' order, and writes it once; no
// kernel reads an output. So any partition of the work into tasks, on any
// number of threads, gives the same bits.
//
// Layer: kernels/ depends on src/base/ and src/dispatch/isa names only.
#ifndef TCONV_SRC_KERNELS_PHASE_KERNELS_H_
#define TCONV_SRC_KERNELS_PHASE_KERNELS_H_

#include <cstdint>

namespace tconv {
namespace kernels {

// Elements of a task's stack tile (64 KiB of f32): sx * CB * block length.
constexpr int64_t kPhaseTileFloats = 16384;
// Elements of the per-task padded input of the local pad (32 KiB of f32).
constexpr int64_t kPhaseLocalPadFloats = 8192;
// Zero elements after each padded volume (covers vector over-reads).
constexpr int64_t kPhasePlaneTail = 64;
// Widest vector any target has, in f32 lanes (AVX-512; an SVE kernel
// would need its own bound): stack buffers of one vector are this long.
constexpr int64_t kMaxLanes = 16;
// Largest stride on the last axis: the interleave keeps one row pointer per
// column phase on the stack.
constexpr int64_t kMaxColumnPhases = 64;
// Input channels per pass of the shifts kernel: a task's rows of x stream
// from memory as kShiftChunk sequential runs rather than one run per
// channel (tasnet_dec: 512 channels 16 KB apart per vector group).
constexpr int64_t kShiftChunk = 32;
// Most shifts per phase row the shifts kernel reads x in place with.
constexpr int64_t kShiftMaxInPlace = 64;
// Output channels per call of the channels-in-lanes kernel.
constexpr int kPhaseChannelBlock = 32;
// Pixels per pixel group of the channels-in-lanes kernel.
constexpr int kPhaseGroupPixels = 4;
// Largest tap count a pixel group's tap mask covers.
constexpr int64_t kPhaseMaskTaps = 64;

// One phase row (td, ty) of the shifts kernel: its column phases' taps along
// x are shifts of one input row (phase tx reads x[u + c_tx - jx], jx <
// T_tx), so the kernel loads each shift of the union once for every phase
// that has it. Shift i (0: the union's highest, c_max) feeds phase tx when
// bit tx of its mask is set; shifts [core_lo, core_hi) feed every phase.
struct PhaseShiftRow {
  int64_t shifts = 0;  // H, the union's shifts (0: no column phase has taps)
  int64_t slices = 0;  // Q = depth taps x y taps (the same for every column phase)
  int64_t top = 0;     // volume offset of shift 0 in slice 0, relative to f
  int64_t core_lo = 0, core_hi = 0;
  int64_t aux = 0;  // shift_aux[aux ..]: Q slice offsets (relative to slice 0), then H masks
  int64_t w = 0;    // the row's weights in w: [groups][cin][Q][H][SX], zero where no tap
};

// One task of the pixel and direct kernels: Cout block b of group gi of
// image n, over the flat block [f0, f1) of the padded volume.
//
//   x        input of the group's first channel, at flat index 0 (its
//            padded volume, or x itself: see xplane); channel ci at x +
//            ci*xplane.
//   offs, tap_begin, tap_slices, tap_rows: phase p's taps are
//            offs[tap_begin[p] .. tap_begin[p+1]) (volume offsets, relative
//            to f), laid out as a grid of tap_slices[p] slices (taps along
//            depth) by tap_rows[p] rows (taps along y) by the rest.
//   w        packed weights; phase p's panel for this task at w_begin[p] +
//            w_block*cin*ntaps(p)*CB elements, laid out [ci][tap][CB].
//   bias     CB values (zero past cb).
//   y        output of image n: (Cout, *out) channels first, or (*out,
//            Cout) with y_channels_last (pixel kernels only).
struct PhaseTaskArgs {
  const void* x = nullptr;
  int64_t xplane = 0;  // elements between input channels
  int64_t cin = 0;     // input channels of the group, >= 1
  const int64_t* offs = nullptr;
  const int64_t* tap_begin = nullptr;
  const int64_t* tap_rows = nullptr;
  const int64_t* tap_slices = nullptr;  // taps along depth per phase (nullptr: 1)
  const PhaseShiftRow* shift_rows = nullptr;  // per phase row (the shifts kernel only)
  const int64_t* shift_aux = nullptr;
  // x_row > 0 (the shifts kernel, 1-D): x is the unpadded input, x_row
  // floats per channel, and volume offset o is x[o + x_lo] (zero outside).
  int64_t x_row = 0, x_lo = 0;
  const void* w = nullptr;
  const int64_t* w_begin = nullptr;
  int64_t w_block = 0;
  const void* bias = nullptr;
  int64_t s[3] = {1, 1, 1};    // phases per axis (sd, sy, sx)
  int64_t u[3] = {1, 1, 1};    // phase outputs per axis: ceil(out / s)
  int64_t out[3] = {1, 1, 1};  // output size
  int64_t hp = 1, wp = 1;      // padded rows per depth slice, row length
  int64_t f0 = 0, f1 = 0;      // the task's flat block
  void* y = nullptr;
  int64_t cout = 1;  // output channels of y
  int64_t co0 = 0;   // first output channel of the block
  int cb = 1;        // valid channels of the block, 1..CB
  bool y_channels_last = false;
};

// Pixel kernels, f32_phase_pixels_<CB>x<V> (kPhasePixels): CB output
// channels x V vectors of consecutive f per register tile, every phase of
// the block into a stack tile, then each output row's sx column phases
// interleaved into y. Rows u_y >= u[1] of a depth slice and columns
// u_x >= u[2] are computed and dropped.
// Contract: f1 > f0; sx * CB * round_up(f1 - f0, lanes) <= kPhaseTileFloats;
// s[2] <= kMaxColumnPhases; 1 <= cb <= CB; every read x[ci*xplane + f +
// offs[t]] for f in [f0, f0 + round_up(f1 - f0, lanes)) lies in the caller's
// buffer (the planner pads volumes by kPhasePlaneTail, or reads x itself
// only where ReadsXDirectly proves it).
//
// f32_phase_pixel_rows_<R>x<V> (kPhasePixelRows): CB = 1; phases whose taps
// form a grid of at most 4 rows, on blocks of whole rows, load each input
// row once for all the tap rows it feeds (R output rows per call), one
// depth tap after the other; other phases as above. Contract as above,
// plus: undilated taps along y and x (offs(jd, jy, jx) = offs(jd, 0, 0) -
// jy*wp - jx), and the input readable up to one vector past each row.
//
// f32_phase_all_s2x2_<CB>x<V> (kPhaseAll): CB output channels x V vectors
// for all four phases of a block at once, where along y and x the stride
// is 2 with two taps per phase, phase 1 reading the input shifts {c + 1, c}
// and phase 0 {c, c - 1} (k = 4 with an odd pad: the DCGAN-style output
// layers), and along depth one tap at stride 1: per input channel, each of
// the union's 3 x 3 shifts is loaded once for the 1, 2 or 4 phases that
// read it, where the pixel kernel loads 4 x 4 (with Cout 2-3 it reads an
// input vector for 2-3 multiply-adds). Then each phase row's interleave as
// above. Contract as the pixel kernels', with 4 * CB * round_up(f1 - f0,
// lanes) <= kPhaseTileFloats and those taps.
//
// Direct kernels: all sx column phases of a row at once, stored interleaved
// straight into y (channels first; y at image n), no tile.
//   f32_phase_direct_s<SX>_<R>x<V> (kPhaseDirect): CB = 1, any taps.
//   f32_phase_direct_rows_s<SX>_<R>x<V> (kPhaseDirectRows): CB = 1, input
//     rows reused over tap rows; weights held in registers for cin 1 with
//     square 1x1 or 2x2 tap grids (k = s or 2s, depthwise).
//   f32_phase_direct_c<CB>_s<SX>_<R>x1 (kPhaseDirectCout): Cout blocks of
//     CB when every column phase reads the same taps (k = s along x).
//   f32_phase_shifts_s<SX>_1x<V> (kPhaseDirectShifts): CB = 1, any Cin;
//     per input channel and tap slice, each shift of the row loaded once
//     for all SX column phases (shift_rows, shift_aux; w packed per phase
//     row as PhaseShiftRow says); partial sums of kShiftChunk channels at a
//     time in a stack tile; a 1-D input read in place (x_row) with its
//     edges copied zero-padded per chunk.
// Contract: s[2] == SX; the rows kernel as for f32_phase_pixel_rows; the
// Cout-block kernel: every column phase has the same tap offsets; the
// shifts kernel: undilated taps along x, SX * (f1 - f0) <=
// kPhaseTileFloats, and either the input readable up to one vector past
// each row or (x_row > 0) one row (1-D) and at most kShiftMaxInPlace
// shifts per phase row.
using PhaseTaskFn = void (*)(const PhaseTaskArgs&);

// One task of the channels-in-lanes kernel, f32_phase_channels_<P>x<M>
// (kPhaseChannels): output channels in the vector lanes (M vectors), pixel
// groups of up to kPhaseGroupPixels pixels as the other tile dimension (P
// pixels per call); every group of [g0, g1) of one phase, for the
// kPhaseChannelBlock channels of one Cout block.
//
//   x        input: group k's pixel q reads x[grp_x[k] + q + ci*cstride +
//            offs[t]] (q: images in the batch-interleaved layout).
//   offs, woff: the phase's taps: input offset and weight offset (t*CB).
//   w        the phase's panel for this block, [ci][tap][CB] (row wstride).
//   grp_mask bit t set when tap t of group k reads inside the input
//            (groups of a call skip a tap that none of them needs: those
//            read zeros). Sorted so calls are mostly homogeneous.
//   y        group k's pixel q, channel c at y + grp_y[k] + q*ystep +
//            c*ychan, for q < images (images > 0) or q < grp_n[k].
// Contract: ntaps <= kPhaseMaskTaps or every mask all ones; 1 <= cb <=
// kPhaseChannelBlock; lanes <= kMaxLanes.
struct PhaseChannelsArgs {
  const void* x = nullptr;
  int64_t cstride = 0;
  int64_t cin = 0;
  const int64_t* offs = nullptr;
  const int64_t* woff = nullptr;
  int64_t ntaps = 0;
  const void* w = nullptr;
  int64_t wstride = 0;
  const void* bias = nullptr;
  const int64_t* grp_x = nullptr;
  const int64_t* grp_y = nullptr;
  const int32_t* grp_n = nullptr;
  const uint64_t* grp_mask = nullptr;
  int64_t g0 = 0, g1 = 0;
  int32_t images = 0;
  void* y = nullptr;
  int64_t ychan = 1, ystep = 1;
  int cb = 1;
};
using PhaseChannelsFn = void (*)(const PhaseChannelsArgs&);

// f32_pad_volume (kPadVolume): a task's own zero-padded copy of one input
// volume (in[0] x in[1] x in[2] elements at src) into dst: plane elements,
// rows of wp, hp rows per depth slice, the input at (pad[0], pad[1],
// pad[2]); everything else zero. Contract: dst aligned to the vector,
// plane a multiple of kMaxLanes.
struct PadVolumeArgs {
  const void* src = nullptr;
  void* dst = nullptr;
  int64_t in[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0};
  int64_t hp = 1, wp = 1;
  int64_t plane = 0;
};
using PadVolumeFn = void (*)(const PadVolumeArgs&);

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_PHASE_KERNELS_H_
