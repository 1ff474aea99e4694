// planes_to_words and words_to_planes (src/kernels/planes_to_words.h), where the list has them
// (the AVX-512 targets on x86-64): every word against the contract's plain
// loop over random rows (widths 1-40, 1-70 channels, the words exact or
// padded past them, strided planes, the int8 flip and pad byte), and no
// word written past the row. The bf16 and int8 sweeps run it through
// channels-first plans.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "src/kernels/planes_to_words.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

TEST(PlanesToWords, RandomRowsMatchThePlainLoop) {
  int ran = 0;
  for (DType dtype : {DType::kBF16, DType::kI8}) {
    const kernels::KernelInfo* k = kernels::FindKernel(kernels::KernelOp::kPlanesToWords, dtype);
    if (!k) continue;
    const int64_t per = dtype == DType::kBF16 ? 2 : 4, elem = dtype == DType::kBF16 ? 2 : 1;
    std::mt19937_64 rng(dtype == DType::kBF16 ? 3 : 4);
    auto pick = [&rng](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng() % (hi - lo + 1)); };
    for (int i = 0; i < 200; ++i) {
      kernels::PlanesToWordsArgs a;
      a.width = pick(1, 40);
      a.channels = pick(1, 70);
      const int64_t need = (a.channels + per - 1) / per;
      a.words = pick(0, 1) ? need : (need + 15) / 16 * 16 + 16 * pick(0, 1);
      a.plane_stride = a.width + pick(0, 9);
      a.pad = dtype == DType::kI8 ? static_cast<uint32_t>(pick(0, 255)) : 0;
      a.flip = dtype == DType::kI8 && pick(0, 1) ? 0x80 : 0;
      std::vector<uint8_t> src(static_cast<size_t>(a.channels * a.plane_stride * elem));
      for (uint8_t& b : src) b = static_cast<uint8_t>(rng());
      std::vector<uint32_t> dst(static_cast<size_t>(a.width * a.words + 32), 0xDEADBEEFu);
      a.src = src.data();
      a.dst = dst.data();
      k->As<kernels::PlanesToWordsFn>()(a);
      for (int64_t p = 0; p < a.width; ++p)
        for (int64_t c = 0; c < a.words; ++c) {
          uint32_t want = 0;
          for (int64_t h = 0; h < per; ++h) {
            const int64_t ch = c * per + h;
            uint32_t v;
            if (dtype == DType::kBF16) {
              v = ch < a.channels ? reinterpret_cast<const uint16_t*>(src.data())[ch * a.plane_stride + p] : 0u;
            } else {
              v = ch < a.channels ? (src[static_cast<size_t>(ch * a.plane_stride + p)] ^ a.flip) : a.pad;
            }
            want |= v << (8 * elem * h);
          }
          ASSERT_EQ(dst[static_cast<size_t>(p * a.words + c)], want)
              << k->name << " row " << i << " pixel " << p << " word " << c << " width " << a.width << " channels "
              << a.channels << " words " << a.words;
        }
      for (size_t e = static_cast<size_t>(a.width * a.words); e < dst.size(); ++e)
        ASSERT_EQ(dst[e], 0xDEADBEEFu) << k->name << " row " << i << ": written past the row";
      ++ran;
    }
  }
  if (ran == 0) GTEST_SKIP() << "no planes_to_words in this ISA's list";
  EXPECT_EQ(ran, 400);
}

// words_to_planes, the inverse: random rows back into channel rows wider
// than the pixels (the elements between them untouched), every channel's
// half (bf16) or byte (int8) from its word; rows of 1-150 pixels (partial
// and whole spans of 64).
TEST(WordsToPlanes, RandomRowsMatchThePlainLoop) {
  int ran = 0;
  for (DType dtype : {DType::kBF16, DType::kI8}) {
    const kernels::KernelInfo* k = kernels::FindKernel(kernels::KernelOp::kWordsToPlanes, dtype);
    if (!k) continue;
    const int64_t elem = dtype == DType::kBF16 ? 2 : 1, per = 4 / elem;
    std::mt19937_64 rng(static_cast<uint64_t>(5 + elem));
    auto pick = [&rng](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng() % (hi - lo + 1)); };
    for (int i = 0; i < 200; ++i) {
      kernels::WordsToPlanesArgs a;
      a.width = i % 4 == 0 ? pick(60, 150) : pick(1, 40);
      a.channels = pick(1, 70);
      a.words = (a.channels + per - 1) / per + pick(0, 2);
      a.plane_stride = a.width + pick(0, 9);
      std::vector<uint32_t> src(static_cast<size_t>(a.width * a.words));
      for (uint32_t& w : src) w = static_cast<uint32_t>(rng());
      std::vector<uint8_t> dst(static_cast<size_t>(a.channels * a.plane_stride * elem + 64), 0x5A);
      a.src = src.data();
      a.dst = dst.data();
      k->As<kernels::WordsToPlanesFn>()(a);
      const uint32_t mask = (1u << (8 * elem)) - 1;
      for (int64_t ch = 0; ch < a.channels; ++ch)
        for (int64_t p = 0; p < a.plane_stride; ++p) {
          const size_t at = static_cast<size_t>((ch * a.plane_stride + p) * elem);
          uint32_t got = 0;
          for (int64_t b = 0; b < elem; ++b) got |= uint32_t{dst[at + static_cast<size_t>(b)]} << (8 * b);
          uint32_t want = 0x5A5A5A5Au & mask;
          if (p < a.width) want = (src[static_cast<size_t>(p * a.words + ch / per)] >> (8 * elem * (ch % per))) & mask;
          ASSERT_EQ(got, want) << k->name << " row " << i << " channel " << ch << " pixel " << p;
        }
      for (size_t e = static_cast<size_t>(a.channels * a.plane_stride * elem); e < dst.size(); ++e)
        ASSERT_EQ(dst[e], 0x5A) << k->name << " row " << i << ": written past the planes";
      ++ran;
    }
  }
  if (ran == 0) GTEST_SKIP() << "no words_to_planes in this ISA's list";
  EXPECT_EQ(ran, 400);
}

}  // namespace
}  // namespace tconv
