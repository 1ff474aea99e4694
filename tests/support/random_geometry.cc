#include "tests/support/random_geometry.h"

#include <algorithm>
#include <cmath>

namespace tconv {
namespace testing {

ConvDesc Square2D(int64_t n, int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t k, int64_t s, int64_t p,
                  int64_t a, int64_t groups) {
  ConvDesc d;
  d.ndim = 2;
  d.batch = n;
  d.in_channels = cin;
  d.out_channels = cout;
  d.groups = groups;
  d.in = {h, w, 1};
  d.kernel = {k, k, 1};
  d.stride = {s, s, 1};
  d.pad_begin = d.pad_end = {p, p, 0};
  d.output_padding = {a, a, 0};
  return d;
}

ConvDesc Desc1(int64_t n, int64_t cin, int64_t cout, int64_t in, int64_t k, int64_t s, int64_t p, int64_t a,
               int64_t groups) {
  ConvDesc d;
  d.ndim = 1;
  d.groups = groups;
  d.batch = n;
  d.in_channels = cin;
  d.out_channels = cout;
  d.in = {in, 1, 1};
  d.kernel = {k, 1, 1};
  d.stride = {s, 1, 1};
  d.pad_begin = d.pad_end = {p, 0, 0};
  d.output_padding = {a, 0, 0};
  return d;
}

ConvDesc Desc3(int64_t n, int64_t cin, int64_t cout, Dims in, int64_t k, int64_t s, int64_t p, int64_t a) {
  ConvDesc d;
  d.ndim = 3;
  d.batch = n;
  d.in_channels = cin;
  d.out_channels = cout;
  d.in = in;
  d.kernel = {k, k, k};
  d.stride = {s, s, s};
  d.pad_begin = {p, p, p};
  d.pad_end = {p, p, p};
  d.output_padding = {a, a, a};
  return d;
}

ConvDesc RandomWindowsDepthwiseDesc(uint64_t seed, int64_t channels, bool two_strides) {
  std::mt19937_64 rng(seed * 7 + 1);
  ConvDesc d;
  d.ndim = seed % 6 == 0 ? 1 : 2;
  d.batch = 1 + static_cast<int64_t>(seed % 3);
  d.in_channels = d.out_channels = d.groups = channels;
  for (int a = 0; a < 3; ++a) {
    const bool used = a < d.ndim;
    const int64_t s = !used ? 1 : seed % 11 == 0 ? 8 : 1 + static_cast<int64_t>(rng() % 4);
    const int64_t k = !used ? 1 : two_strides ? 2 * s : 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(2 * s));
    d.stride[a] = s, d.kernel[a] = k, d.dilation[a] = 1;
    d.in[a] = !used ? 1 : 1 + static_cast<int64_t>(rng() % 9);
    d.pad_begin[a] = !used ? 0 : static_cast<int64_t>(rng() % static_cast<uint64_t>(k));
    d.pad_end[a] = !used ? 0 : static_cast<int64_t>(rng() % static_cast<uint64_t>(k));
    d.output_padding[a] = !used ? 0 : static_cast<int64_t>(rng() % static_cast<uint64_t>(s));
    while ((d.in[a] - 1) * s + k + d.output_padding[a] - d.pad_begin[a] - d.pad_end[a] < 1) ++d.in[a];
  }
  return d;
}

ConvDesc RandomConvTransposeDesc(uint64_t seed, const GeometryOptions& opts) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 12345);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int attempt = 0;; ++attempt) {
    ConvDesc d;
    d.ndim = static_cast<int>(uni(1, 3));
    d.batch = uni(1, 2);
    // groups: 1 mostly, sometimes 2/3, sometimes depthwise.
    const int64_t kind = uni(0, 9);
    int64_t cin_g = uni(1, 3), cout_g = uni(1, 3);
    if (kind < 6) {
      d.groups = 1;
    } else if (kind < 8) {
      d.groups = uni(2, 3);
    } else {
      d.groups = uni(2, 4);  // depthwise: one channel in and out per group
      cin_g = 1;
      cout_g = 1;
    }
    d.in_channels = cin_g * d.groups;
    d.out_channels = cout_g * d.groups;
    for (int a = 0; a < d.ndim; ++a) {
      d.in[a] = uni(0, 4) == 0 ? 1 : uni(1, d.ndim == 3 ? 4 : 7);
      d.kernel[a] = uni(1, d.ndim == 3 ? 3 : 5);
      d.stride[a] = uni(1, 4);  // stride > kernel happens often with k small
      d.dilation[a] = uni(0, 2) == 0 ? uni(2, 3) : 1;
      const int64_t ke = d.dilation[a] * (d.kernel[a] - 1) + 1;
      const int64_t lo = opts.nonnegative_pads ? 0 : -2;
      d.pad_begin[a] = uni(lo, std::max<int64_t>(lo, ke));
      d.pad_end[a] = uni(lo, std::max<int64_t>(lo, ke));
      const int64_t amax = opts.output_padding_below_stride ? d.stride[a] - 1 : std::max<int64_t>(d.stride[a], 2);
      d.output_padding[a] = uni(0, 2) == 0 ? uni(0, amax) : 0;
    }
    if (!ValidateConvTranspose(d).ok()) continue;
    if (NumElements(ConvTransposeOutputShape(d)) > opts.max_outputs && attempt < 1000) continue;
    return d;
  }
}

ConvDesc AdjointConvDesc(const ConvDesc& t) {
  ConvDesc c = t;
  c.in_channels = t.out_channels;
  c.out_channels = t.in_channels;
  for (int a = 0; a < t.ndim; ++a) {
    c.in[a] = ConvTransposeOutputLength(t, a);
    c.output_padding[a] = 0;
  }
  return c;
}

void FillIntegers(std::vector<float>* v, uint64_t seed, int bound) {
  std::mt19937_64 rng(seed ^ 0xA5A5A5A5ull);
  std::uniform_int_distribution<int> dist(-bound, bound);
  for (float& x : *v) x = static_cast<float>(dist(rng));
}

void FillUniform(std::vector<float>* v, uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5A5A5A5Aull);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& x : *v) x = dist(rng);
}

int SafeIntegerBound(const ConvDesc& d) {
  // Terms per output <= (Cin/g) * prod(k); each |x*w| <= b^2; add |bias| <= b.
  double terms = static_cast<double>(d.in_channels / d.groups);
  for (int a = 0; a < d.ndim; ++a) terms *= static_cast<double>(d.kernel[a]);
  int b = 4;
  while (b > 1 && (terms + 1) * b * b >= (1 << 24)) --b;
  return b;
}

std::string Repro(const ConvDesc& d, uint64_t seed) {
  return "desc=" + DescString(d) + " seed=" + std::to_string(seed);
}

}  // namespace testing
}  // namespace tconv
