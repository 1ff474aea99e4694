// Channels-last <-> channels-first copies (src/layout_convert.h).
//
// The transposes are OpenBLAS's cblas_somatcopy, not hand-written: measured
// on this machine (1 thread, GB/s moved, NHWC->NCHW / NCHW->NHWC) against a
// 16x16-tiled C++ loop built with -O3 -march=x86-64-v3:
//   P=262144 C=21   omatcopy 14.7 / 10.9   tiled 5.3 / 3.5
//   P=262144 C=3    omatcopy 45.2 / 34.8   tiled 7.5 / 6.6
//   P=4096   C=512  omatcopy 17.0 /  9.4   tiled 3.5 / 3.0
//   P=65536  C=64   omatcopy  9.7 /  5.0   tiled 1.8 / 2.7
#include "src/layout_convert.h"

#include <cblas.h>

#include <algorithm>
#include <climits>

#include "src/base/check.h"
#include "src/base/parallel.h"
#include "src/kernels/planes_to_words.h"
#include "src/kernels/registry.h"

namespace tconv {
namespace {

// Rows of P per work item: enough to amortise a call (>= 16 KiB moved),
// few enough that 2 threads share an image.
int64_t RowsPerItem(int64_t c, int64_t p, int threads) {
  const int64_t min_rows = std::max<int64_t>(1, 4096 / c);
  const int64_t split = (p + 4 * threads - 1) / (4 * threads);
  return std::min(p, std::max(min_rows, split));
}

// omatcopy takes int sizes and leading dimensions.
bool FitsBlasInt(int64_t c, int64_t p) { return c <= INT_MAX && p <= INT_MAX; }

}  // namespace

// OpenBLAS when the sizes fit its ints, plain loops otherwise.
void ChannelsLastRowsToFirst(const float* src, int64_t p, int64_t c, int64_t src_ld, float* dst, int64_t ld) {
  if (FitsBlasInt(src_ld, ld)) {
    cblas_somatcopy(CblasRowMajor, CblasTrans, static_cast<int>(p), static_cast<int>(c), 1.0f, src,
                    static_cast<int>(src_ld), dst, static_cast<int>(ld));
    return;
  }
  for (int64_t q = 0; q < p; ++q)
    for (int64_t ch = 0; ch < c; ++ch) dst[ch * ld + q] = src[q * src_ld + ch];
}

void ChannelsLastRowsToFirst(const float* src, int64_t p, int64_t c, float* dst, int64_t ld) {
  ChannelsLastRowsToFirst(src, p, c, c, dst, ld);
}

namespace {

template <bool kToFirst>
void Convert(const float* src, float* dst, int64_t n, int64_t c, int64_t p, int threads) {
  const int64_t rows = RowsPerItem(c, p, threads);
  const int64_t per_image = (p + rows - 1) / rows;
  const int64_t items = n * per_image;
  const bool blas = FitsBlasInt(c, p);
  ParallelFor(threads, items, [&](int64_t item) {
    const int64_t img = item / per_image;
    const int64_t p0 = (item % per_image) * rows;
    const int64_t p1 = std::min(p, p0 + rows);
    const float* s = src + img * c * p;
    float* d = dst + img * c * p;
    if (kToFirst) {  // (p1-p0, c) rows of s -> columns [p0, p1) of d (c, p)
      ChannelsLastRowsToFirst(s + p0 * c, p1 - p0, c, d + p0, p);
      return;
    }
    if (blas) {  // columns [p0, p1) of s (c, p) -> rows of d
      cblas_somatcopy(CblasRowMajor, CblasTrans, static_cast<int>(c), static_cast<int>(p1 - p0), 1.0f, s + p0,
                      static_cast<int>(p), d + p0 * c, static_cast<int>(c));
      return;
    }
    for (int64_t q = p0; q < p1; ++q)
      for (int64_t ch = 0; ch < c; ++ch) d[q * c + ch] = s[ch * p + q];
  });
}

}  // namespace

void ChannelsLastToFirst(const float* src, float* dst, int64_t n, int64_t c, int64_t p, int threads) {
  Convert<true>(src, dst, n, c, p, threads);
}

void ChannelsFirstToLast(const float* src, float* dst, int64_t n, int64_t c, int64_t p, int threads) {
  Convert<false>(src, dst, n, c, p, threads);
}

namespace {

// Bytes and bf16 have no OpenBLAS copy: where WordKernel has nothing, a
// loop over 8 x 8 tiles (int8 and bf16 plans with Layout::kNHWC whose route
// does not take channels last natively). Small tiles because the strides are often powers of two:
// 64 x 64 tiles put 64 lines 1 KiB apart into 4 of L1's 64 sets, and
// dcgan_g5's (8, 64, 32, 32) int8 x took 1.5 ms (16 x 16: 0.24 ms, 8 x 8:
// 0.22, with y's).
template <typename T>
void TransposeSmall(const T* src, T* dst, int64_t rows, int64_t cols, int threads) {
  constexpr int64_t kTile = 8;
  const int64_t tiles = (rows + kTile - 1) / kTile;
  ParallelFor(rows * cols > (1 << 16) ? threads : 1, tiles, [&](int64_t t) {
    // Locals: the narrow stores may alias anything the loop reads through
    // a pointer, and the region's shared rows and cols are such reads.
    const int64_t nr = rows, nc = cols;
    const int64_t r1 = std::min(nr, (t + 1) * kTile);
    for (int64_t c0 = 0; c0 < nc; c0 += kTile) {
      const int64_t c1 = std::min(nc, c0 + kTile);
      for (int64_t r = t * kTile; r < r1; ++r) {
        const T* s = src + r * nc;
        T* d = dst + r;
        for (int64_t c = c0; c < c1; ++c) d[c * nr] = s[c];
      }
    }
  });
}

// bf16 with an even channel count, int8 with a multiple of 4: each pixel's
// channels are whole 4-byte words, so the list's planes_to_words and
// words_to_planes (AVX-512 targets) transpose them 16 pixels x 4 words at
// a time. On the Xeon, bf16 NHWC plans that convert around their
// algorithm, 1 / 2 threads, GFLOP/s: dw_k4s2 5.8-6.6 / 9.4-9.6 -> 10.3-12.7 / 19.9-20.3,
// dcgan_g5 61-64 / 61-68 -> 86-92 / 117-122. nullptr elsewhere.
const kernels::KernelInfo* WordKernel(kernels::KernelOp op, size_t elem, int64_t c) {
  if (elem != 1 && elem != 2) return nullptr;
  if (c % static_cast<int64_t>(4 / elem) != 0) return nullptr;
  return kernels::FindKernel(op, elem == 2 ? DType::kBF16 : DType::kI8);
}

// fn(image, first pixel, pixels) over each image's chunks of pixels (a
// multiple of 16: the kernels' blocks), on the threads.
template <class F>
void ForPixelChunks(int64_t n, int64_t c, int64_t p, int threads, F fn) {
  const int64_t rows = (RowsPerItem(c, p, threads) + 15) / 16 * 16;
  const int64_t per_image = (p + rows - 1) / rows;
  ParallelFor(n * per_image > 1 && n * c * p > (1 << 16) ? threads : 1, n * per_image, [&](int64_t item) {
    const int64_t img = item / per_image, p0 = (item % per_image) * rows;
    fn(img, p0, std::min(rows, p - p0));
  });
}

// Each image's (rows, cols) elements of `elem` bytes (1 or 2) transposed.
void TransposeImages(const void* src, void* dst, size_t elem, int64_t n, int64_t rows, int64_t cols, int threads) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t off = i * rows * cols;
    if (elem == sizeof(uint16_t)) {
      TransposeSmall(static_cast<const uint16_t*>(src) + off, static_cast<uint16_t*>(dst) + off, rows, cols, threads);
    } else {
      TCONV_DCHECK(elem == 1);
      TransposeSmall(static_cast<const uint8_t*>(src) + off, static_cast<uint8_t*>(dst) + off, rows, cols, threads);
    }
  }
}

}  // namespace

void ChannelsLastToFirst(const void* src, void* dst, size_t elem, int64_t n, int64_t c, int64_t p, int threads) {
  if (elem == sizeof(float)) {
    ChannelsLastToFirst(static_cast<const float*>(src), static_cast<float*>(dst), n, c, p, threads);
    return;
  }
  if (const kernels::KernelInfo* k = WordKernel(kernels::KernelOp::kWordsToPlanes, elem, c)) {
    const int64_t words = c * static_cast<int64_t>(elem) / 4;
    ForPixelChunks(n, c, p, threads, [&](int64_t img, int64_t p0, int64_t np) {
      kernels::WordsToPlanesArgs a;
      a.src = reinterpret_cast<const uint32_t*>(static_cast<const char*>(src) + (img * p + p0) * c * elem);
      a.words = words;
      a.dst = static_cast<char*>(dst) + (img * c * p + p0) * elem;
      a.plane_stride = p, a.channels = c, a.width = np;
      k->As<kernels::WordsToPlanesFn>()(a);
    });
    return;
  }
  TransposeImages(src, dst, elem, n, p, c, threads);  // (p, c) -> (c, p) per image
}

void ChannelsFirstToLast(const void* src, void* dst, size_t elem, int64_t n, int64_t c, int64_t p, int threads) {
  if (elem == sizeof(float)) {
    ChannelsFirstToLast(static_cast<const float*>(src), static_cast<float*>(dst), n, c, p, threads);
    return;
  }
  if (const kernels::KernelInfo* k = WordKernel(kernels::KernelOp::kPlanesToWords, elem, c)) {
    const int64_t words = c * static_cast<int64_t>(elem) / 4;
    ForPixelChunks(n, c, p, threads, [&](int64_t img, int64_t p0, int64_t np) {
      kernels::PlanesToWordsArgs a;
      a.src = static_cast<const char*>(src) + (img * c * p + p0) * elem;
      a.plane_stride = p, a.channels = c, a.width = np;
      a.dst = reinterpret_cast<uint32_t*>(static_cast<char*>(dst) + (img * p + p0) * c * elem);
      a.words = words;
      k->As<kernels::PlanesToWordsFn>()(a);
    });
    return;
  }
  TransposeImages(src, dst, elem, n, c, p, threads);  // (c, p) -> (p, c) per image
}

}  // namespace tconv
