// Internal: the channels-last <-> channels-first copies a plan with
// Layout::kNHWC runs around its algorithm (every algorithm computes NCHW).
//
// Per image both are a transpose of a (P, C) matrix, P = spatial elements:
// NHWC is (N, P, C), NCHW is (N, C, P). The threads split each image's P
// rows; every element has one writer, so the result is a plain copy for any
// thread count.
#ifndef TCONV_SRC_LAYOUT_CONVERT_H_
#define TCONV_SRC_LAYOUT_CONVERT_H_

#include <cstddef>
#include <cstdint>

namespace tconv {

// True when the two layouts store a (n, c, p) tensor identically (c == 1 or
// p == 1), so no copy is needed.
inline bool LayoutsCoincide(int64_t c, int64_t p) { return c == 1 || p == 1; }

// One block of a channels-last -> channels-first copy, single-threaded:
// dst[ch*ld + q] = src[q*c + ch] for q < p, ch < c (ld >= p). The phase
// fast path writes an image row straight into its padded channel volumes
// with it (ld = the volume stride).
void ChannelsLastRowsToFirst(const float* src, int64_t p, int64_t c, float* dst, int64_t ld);
// The same on c channels of rows src_ld >= c floats apart (a block of a
// wider pixel's channels): dst[ch*ld + q] = src[q*src_ld + ch].
void ChannelsLastRowsToFirst(const float* src, int64_t p, int64_t c, int64_t src_ld, float* dst, int64_t ld);
// dst (n, c, p) <- src (n, p, c).
void ChannelsLastToFirst(const float* src, float* dst, int64_t n, int64_t c, int64_t p, int threads);
// dst (n, p, c) <- src (n, c, p).
void ChannelsFirstToLast(const float* src, float* dst, int64_t n, int64_t c, int64_t p, int threads);
// The same for int8 and bf16 plans' tensors: `elem` bytes per element, 1
// (u8 / s8), 2 (bf16) or 4 (f32).
void ChannelsLastToFirst(const void* src, void* dst, size_t elem, int64_t n, int64_t c, int64_t p, int threads);
void ChannelsFirstToLast(const void* src, void* dst, size_t elem, int64_t n, int64_t c, int64_t p, int threads);

}  // namespace tconv

#endif  // TCONV_SRC_LAYOUT_CONVERT_H_
