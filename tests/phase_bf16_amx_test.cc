// The AMX kernel (src/kernels/amx/phase_bf16_amx.cc) called directly, on
// a CPU whose kernel list has it: random calls in each of its tilings (along
// rows, down columns, rows wrapped through the row pitch), NCHW- and
// NHWC-strided y with pixel strides 1-17, f32 and bf16 y, 1-64 channels,
// 0-3 taps, 16-64 channel pairs. Values are small integers, so every sum is
// exact in f32 and the kernel must match a plain loop bit for bit whatever
// its order; y starts as a sentinel, with a guard band on either side, and
// every element that is not an output must keep it (the strided stores
// mask the other column phases' outputs off). Skipped where
// the list has no AMX kernel (no AMX-BF16, or Linux refused the tiles):
// phase_bf16_sweep_test.cc runs it through plans too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "src/base/bf16.h"
#include "src/kernels/amx_kernels.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

using kernels::Bf16RowArgs;

struct Call {
  int64_t npix, nrows, pitch, ci2, ntaps, nco, s, yrow;
  bool channels_last, bf16_y, bias;
};

constexpr float kSentinel = 12345.0f;
constexpr int64_t kGuard = 64;  // sentinels before and after y

// One call's operands: x of nrows rows of `pitch` pixels of ci2 pairs (plus
// room for the taps, tap t reading t * (ci2 + row) further), weights, bias,
// and y, where pixel (r, q), channel co is at r * yrow + q * s + co *
// co_stride (channels first), or the same with every term times nco but the
// channel's (channels last); y starts as the sentinel.
struct CallData {
  int64_t row = 0, co_stride = 0, pix_stride = 0, row_stride = 0;
  std::vector<int64_t> tap_off, tap_w;
  std::vector<uint32_t> x, w;
  std::vector<float> bias, y;
  std::vector<uint16_t> ybf;

  CallData(const Call& c, uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto pair = [&rng] {
      auto v = [&rng] { return Bf16Bits(static_cast<float>(static_cast<int>(rng() % 9) - 4)); };
      return v() | static_cast<uint32_t>(v()) << 16;
    };
    const int64_t cob = kernels::kAmxCoutBlock;
    row = c.pitch * c.ci2;
    for (int64_t t = 0; t < c.ntaps; ++t) {
      tap_off.push_back(t * (c.ci2 + row));
      tap_w.push_back(t * c.ci2 * cob);
    }
    x.resize((c.nrows + c.ntaps + 1) * row + c.ntaps * c.ci2);
    for (uint32_t& v : x) v = pair();
    w.assign(std::max<int64_t>(1, c.ntaps) * c.ci2 * cob, 0);
    for (int64_t t = 0; t < c.ntaps; ++t)
      for (int64_t p = 0; p < c.ci2; ++p)
        for (int64_t co = 0; co < c.nco; ++co) w[(t * c.ci2 + p) * cob + co] = pair();
    for (int64_t co = 0; co < c.nco; ++co) bias.push_back(static_cast<float>(static_cast<int>(rng() % 9) - 4));
    co_stride = c.channels_last ? 1 : c.nrows * c.yrow;
    pix_stride = c.channels_last ? c.s * c.nco : c.s;
    row_stride = c.channels_last ? c.yrow * c.nco : c.yrow;
    // (A guard band of kGuard sentinels on either side: y_at() is y's
    // element 0.)
    const int64_t ylen = (c.channels_last ? c.nrows * row_stride : c.nco * co_stride) + 2 * kGuard;
    y.assign(ylen, kSentinel);
    ybf.assign(ylen, Bf16Bits(kSentinel));
  }

  Bf16RowArgs Args(const Call& c) {
    Bf16RowArgs a;
    a.x = x.data();
    a.tap_off = tap_off.data();
    a.tap_w = tap_w.data();
    a.ntaps = c.ntaps;
    a.ci2 = c.ci2;
    a.w = w.data();
    a.bias = c.bias ? bias.data() : nullptr;
    a.npix = c.npix;
    a.nrows = c.nrows;
    a.x_row_stride = row;
    a.nco = c.nco;
    a.y = c.bf16_y ? nullptr : y.data() + kGuard;
    a.ybf = c.bf16_y ? ybf.data() + kGuard : nullptr;
    a.y_co_stride = co_stride;
    a.y_pix_stride = pix_stride;
    a.y_row_stride = row_stride;
    return a;
  }

  // The plain loop's output (r, q, co), in f32.
  float Want(const Call& c, int64_t r, int64_t q, int64_t co) const {
    float want = c.bias ? bias[co] : 0.0f;
    for (int64_t t = 0; t < c.ntaps; ++t)
      for (int64_t p = 0; p < c.ci2; ++p) {
        const uint32_t xv = x[tap_off[t] + r * row + q * c.ci2 + p];
        const uint32_t wv = w[(t * c.ci2 + p) * kernels::kAmxCoutBlock + co];
        want += Bf16ToF32(static_cast<uint16_t>(xv)) * Bf16ToF32(static_cast<uint16_t>(wv)) +
                Bf16ToF32(static_cast<uint16_t>(xv >> 16)) * Bf16ToF32(static_cast<uint16_t>(wv >> 16));
      }
    return want;
  }
};

std::string Describe(const Call& c, uint64_t seed) {
  return "npix " + std::to_string(c.npix) + " nrows " + std::to_string(c.nrows) + " pitch " + std::to_string(c.pitch) +
         " ci2 " + std::to_string(c.ci2) + " ntaps " + std::to_string(c.ntaps) + " nco " + std::to_string(c.nco) +
         " s " + std::to_string(c.s) + (c.channels_last ? " nhwc" : " nchw") + (c.bf16_y ? " bf16" : " f32") +
         " seed " + std::to_string(seed);
}

// One call on random data against the plain loop; false on a mismatch
// (with a failure naming the call).
bool CheckCall(const kernels::KernelInfo& k, const Call& c, uint64_t seed) {
  CallData d(c, seed);
  k.As<kernels::Bf16RowFn>()(d.Args(c));
  std::vector<char> is_output(d.y.size(), 0);
  for (int64_t r = 0; r < c.nrows; ++r)
    for (int64_t q = 0; q < c.npix; ++q)
      for (int64_t co = 0; co < c.nco; ++co) {
        const float want = d.Want(c, r, q, co);
        const int64_t at = kGuard + r * d.row_stride + q * d.pix_stride + co * d.co_stride;
        is_output[at] = 1;
        if (c.bf16_y ? d.ybf[at] != Bf16Bits(want) : d.y[at] != want) {
          ADD_FAILURE() << Describe(c, seed) << ": y(" << r << ", " << q << ", " << co << ") = "
                        << (c.bf16_y ? Bf16ToF32(d.ybf[at]) : d.y[at]) << ", want " << want;
          return false;
        }
      }
  for (size_t i = 0; i < d.y.size(); ++i) {
    const bool kept = c.bf16_y ? d.ybf[i] == Bf16Bits(kSentinel) : d.y[i] == kSentinel;
    if (!is_output[i] && !kept) {
      ADD_FAILURE() << Describe(c, seed) << ": wrote y[" << static_cast<int64_t>(i) - kGuard << "], not an output";
      return false;
    }
  }
  return true;
}

const kernels::KernelInfo* AmxKernel() {
  return kernels::FindKernel(kernels::KernelOp::kPhaseBf16Amx, DType::kBF16);
}

TEST(Bf16Amx, RandomCallsMatchThePlainLoopBitwise) {
  const kernels::KernelInfo* k = AmxKernel();
  if (!k) GTEST_SKIP() << "no AMX kernel in this CPU's list";
  std::mt19937_64 rng(7);
  auto pick = [&rng](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng() % (hi - lo + 1)); };
  const int64_t strides[] = {1, 2, 3, 5, 17};
  int calls = 0;
  // Long rows, narrow columns, short rows, and few short rows (tiles of
  // fewer than 16 pixels; one pixel; a pitch whose padding holds whole
  // tiles).
  for (int shape = 0; shape < 4; ++shape)
    for (int i = 0; i < 60; ++i) {
      Call c;
      c.npix = shape == 0 ? pick(16, 40) : shape == 1 ? pick(1, 3) : shape == 2 ? pick(2, 12) : pick(1, 15);
      c.nrows = shape == 0 || shape == 3 ? pick(1, 3) : pick(4, 24);
      c.pitch = c.npix + (shape == 3 ? pick(0, 40) : pick(0, 4));
      c.ci2 = 16 * pick(1, 4);
      c.ntaps = pick(0, 3);
      const int64_t ncos[] = {1, 15, 16, 17, 33, 64};
      c.nco = ncos[pick(0, 5)];
      c.s = strides[pick(0, 4)];
      c.yrow = c.npix * c.s + pick(0, 3);
      c.channels_last = pick(0, 1) == 1;
      c.bf16_y = pick(0, 1) == 1;
      c.bias = pick(0, 3) != 0;
      ++calls;
      if (!CheckCall(*k, c, 1000 * shape + i)) return;
    }
  EXPECT_EQ(calls, 240);
}

// The listing rule: the kernel is there only with the AVX-512 targets, and
// named as the list names kernels.
TEST(Bf16Amx, IsListedAtTheAvx512TargetsWithItsName) {
  const kernels::KernelInfo* k = AmxKernel();
  if (!k) GTEST_SKIP() << "no AMX kernel in this CPU's list";
  EXPECT_EQ(k->name.rfind("bf16_phase_amx_32x32__avx512", 0), 0u) << k->name;
  EXPECT_EQ(k->cout_block * k->lanes, kernels::kAmxCoutBlock);
  EXPECT_EQ(kernels::FindKernelByName("bf16_phase_amx_32x32"), k);
}

}  // namespace
}  // namespace tconv
