// Internal: the data the SIMD phase kernel (src/kernels/hwy/phase_fast_hwy.cc)
// works on, prepared once by src/kernels/phase_fast.cc.
//
// Phase decomposition of a 2-D transposed convolution (dilation 1, groups 1),
// per axis: output o = u*s + t (t in [0, s)) receives x[u + c_t - j] *
// w[r_t + j*s] for j in [0, T_t), where c_t = floor((t + pb)/s), r_t = (t +
// pb) mod s, T_t = #{j : r_t + j*s < k}. For a fixed phase (ty, tx) that is a
// dense stride-1 correlation over the input. The input is repacked (in Run)
// into zero-padded planes of width Wp, so each phase is a 1-D correlation
// over the flattened plane: out[f] = sum x_plane[f + off_tap], f = u_y*Wp +
// u_x (columns u_x >= Ux are computed and discarded). No branches on borders.
//
// f32_phase_<CB>x<V>: the micro-kernel keeps CB output channels x V vectors
// of consecutive f in registers (weights broadcast from the packed
// [ci][tap][CB] panel, input vectors loaded unaligned), accumulating over Cin
// x taps in a fixed order (ci outer, taps row-major), starting from the bias.
// One task = (n, Cout block, flat range [f0, f1) of the phase planes): it
// computes all phases of that range for its Cout block into a stack tile and
// interleaves them into y, so every output element has exactly one writer and
// the result does not depend on the thread count.
#ifndef TCONV_SRC_KERNELS_PHASE_FAST_KERNELS_H_
#define TCONV_SRC_KERNELS_PHASE_FAST_KERNELS_H_

#include <cstdint>
#include <vector>

namespace tconv {
namespace kernels {

// Floats in the per-thread stack tile (64 KiB): sx * CB * block length.
constexpr int64_t kPhaseTileFloats = 16384;
// Extra zero floats after each padded plane (covers vector over-reads).
constexpr int64_t kPhasePlaneTail = 64;

// Cout block of the channel-vectorised variant (mode kChannels): 32 output
// channels in vector lanes (2 x 16 on AVX-512, 4 x 8 on AVX2), P output
// pixels broadcast from the padded planes (only valid pixels are computed),
// for layers whose rows are too short to fill W-vectors (DCGAN 4x4..16x16).
constexpr int kPhaseChannelBlock = 32;

enum class PhaseMode { kPixels = 0, kChannels = 1 };

struct PhaseFastParams {
  PhaseMode mode = PhaseMode::kPixels;
  int64_t n = 1, cin = 1, cout = 1;
  int64_t h = 1, w = 1;    // input
  int64_t oh = 1, ow = 1;  // output
  int64_t sy = 1, sx = 1;
  int64_t uy = 1, ux = 1;      // output groups per axis: ceil(o / s)
  int64_t lo_h = 0, lo_w = 0;  // first padded input index (<= 0)
  int64_t hp = 1, wp = 1;      // padded plane
  int64_t plane = 1;           // floats per padded plane (>= hp*wp + wp + tail)
  int cb = 1;                  // Cout block (1..8; kPhaseChannelBlock in kChannels mode)
  int64_t nb = 1;              // number of Cout blocks
  // Per phase p = ty*sx + tx: taps [tap_begin[p], tap_begin[p+1]) in offs,
  // and packed weights at wpack + w_begin[p] laid out [nb][cin][taps][cb].
  std::vector<int64_t> tap_begin;
  std::vector<int64_t> offs;  // f -> plane index offset of each tap
  std::vector<int64_t> w_begin;
  std::vector<float> wpack;
  std::vector<float> bias;  // nb*cb, zero padded
  // Flat ranges of the phase planes, one task each (per n and Cout block).
  std::vector<int64_t> f0, f1;
};

// Runs task (n, b, block) of the phase kernel at the dispatched ISA.
// xpad: (N, Cin) padded planes; y: (N, Cout, oh, ow).
void PhaseFastTask(const PhaseFastParams& p, const float* xpad, float* y, int64_t n, int64_t b, int64_t block);
// The micro-kernel tile of the dispatched ISA for block size cb: "8x3" etc.
int PhaseFastVectors(int cb);
// Lanes per vector at the dispatched ISA (16 on AVX-512, 8 on AVX2, 4 scalar).
int PhaseFastLanes();

}  // namespace kernels
}  // namespace tconv

#endif  // TCONV_SRC_KERNELS_PHASE_FAST_KERNELS_H_
