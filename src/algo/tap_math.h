// Internal: which (input, tap) pairs reach an output position, per axis, for
// any stride s and dilation d. Used by `gather` (per output position) and
// `phase` (per residue class), and unit-tested against brute force.
//
// Along one axis, input ix and tap k reach output o when
//     ix*s + k*d - pb = o,  0 <= ix < i,  0 <= k < K.
// With t = o + pb this needs k*d == t (mod s). Let g = gcd(s, d), s' = s/g,
// d' = d/g. Solutions exist iff g divides t; then k == (t/g) * inv(d') (mod
// s'), where inv(d') is the inverse of d' modulo s' (gcd(d', s') = 1, found
// with the extended Euclidean algorithm). Consecutive taps are s' apart and
// their inputs d' apart: k_{j+1} = k_j + s', ix_{j+1} = ix_j - d'.
// (Taking the first tap as "t mod d" or stepping by s, as MNN's
// deconv_depthwise does, is wrong when s and d are both > 1 and coprime:
// with s = 3, d = 2 the taps 0, 3, 6... and 1, 4, 7... are both needed.)
#ifndef TCONV_SRC_ALGO_TAP_MATH_H_
#define TCONV_SRC_ALGO_TAP_MATH_H_

#include <algorithm>
#include <cstdint>

#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "src/geom3.h"
#include "tconv/desc.h"

namespace tconv {

inline int64_t Gcd(int64_t a, int64_t b) {
  while (b != 0) {
    const int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// x with a*x == 1 (mod m), for gcd(a, m) == 1 and m >= 1 (0 when m == 1).
inline int64_t ModInverse(int64_t a, int64_t m) {
  // Extended Euclid on (a mod m, m): keeps old_r = old_x*a (mod m).
  int64_t old_r = FloorMod(a, m), r = m, old_x = 1, x = 0;
  while (r != 0) {
    const int64_t q = old_r / r;
    int64_t t = old_r - q * r;
    old_r = r;
    r = t;
    t = old_x - q * x;
    old_x = x;
    x = t;
  }
  return FloorMod(old_x, m);  // old_r == gcd == 1
}

// The per-axis constants of the tap arithmetic.
struct TapAxis {
  int64_t i = 1, k = 1, s = 1, d = 1, pb = 0;
  int64_t g = 1;       // gcd(s, d)
  int64_t kstep = 1;   // s / g: distance between consecutive taps
  int64_t istep = 1;   // d / g: distance between their inputs (decreasing)
  int64_t inv = 0;     // inverse of d/g modulo s/g

  TapAxis() = default;
  TapAxis(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin)
      : i(in), k(kernel), s(stride), d(dilation), pb(pad_begin) {
    g = Gcd(s, d);
    kstep = s / g;
    istep = d / g;
    inv = ModInverse(istep, kstep);
  }

  // The smallest tap k >= 0 with k*d == r (mod s), or -1 when none exists
  // (g does not divide r). Every other such tap is this plus a multiple of
  // kstep.
  int64_t FirstTapOfResidue(int64_t r) const {
    if (FloorMod(r, g) != 0) return -1;
    return FloorMod(FloorDiv(r, g), kstep) * inv % kstep;
  }
};

// The pairs reaching one output position: taps k0 + j*kstep with inputs
// ix0 - j*istep, j = 0..count-1 (count may be 0).
struct TapRun {
  int64_t k0 = 0, ix0 = 0, count = 0;
};

inline TapRun TapsForOutput(const TapAxis& a, int64_t o) {
  TapRun run;
  const int64_t t = o + a.pb;
  const int64_t kb = a.FirstTapOfResidue(t);
  if (kb < 0) return run;
  // ix = (t - k*d)/s in [0, i)  <=>  t - (i-1)*s <= k*d <= t.
  const int64_t klo = std::max<int64_t>(0, CeilDiv(t - (a.i - 1) * a.s, a.d));
  const int64_t khi = std::min<int64_t>(a.k - 1, FloorDiv(t, a.d));
  if (klo > khi) return run;
  const int64_t k0 = klo + FloorMod(kb - klo, a.kstep);
  if (k0 > khi) return run;
  run.k0 = k0;
  run.ix0 = (t - k0 * a.d) / a.s;  // exact
  run.count = (khi - k0) / a.kstep + 1;
  return run;
}

// sum_{j=0}^{n-1} floor((a*j + b) / m) for n >= 0, m >= 1 and any a, b, in
// O(log m) steps (the Euclid-like reduction of AtCoder Library's floor_sum),
// in 128-bit arithmetic: the sums of UsefulPairs reach 2^90.
inline __int128 FloorSum(__int128 n, __int128 m, __int128 a, __int128 b) {
  __int128 ans = 0;
  // Make 0 <= a, b < m; floor((a*j + b)/m) moves by the removed multiples.
  auto floor_div = [](__int128 x, __int128 y) { return x / y - ((x % y != 0) && ((x < 0) != (y < 0))); };
  const __int128 qa = floor_div(a, m), qb = floor_div(b, m);
  ans += n * (n - 1) / 2 * qa + n * qb;
  a -= qa * m;
  b -= qb * m;
  while (n > 0) {
    if (a >= m) {
      ans += n * (n - 1) / 2 * (a / m);
      a %= m;
    }
    if (b >= m) {
      ans += n * (b / m);
      b %= m;
    }
    const __int128 y_max = a * n + b;
    if (y_max < m) break;
    n = y_max / m;
    b = y_max % m;
    const __int128 t = m;
    m = a;
    a = t;
  }
  return ans;
}

// sum_{kk=0}^{k-1} clamp(ceil((c - kk*d)/s), 0, in): over the taps kk, the
// number of inputs ix in [0, in) with ix*s + kk*d < c. ceil((c - kk*d)/s)
// falls as kk grows: it is >= in for kk < k1 and <= 0 for kk >= k2, and a
// floor sum between the two.
inline __int128 ClampedCeilSum(int64_t in, int64_t k, int64_t s, int64_t d, int64_t c) {
  const int64_t k1 = CeilDiv(c - (in - 1) * s, d);  // ceil(..) >= in  <=>  kk < k1
  const int64_t k2 = CeilDiv(c, d);                 // ceil(..) <= 0   <=>  kk >= k2
  const int64_t lo = std::min(std::max<int64_t>(k1, 0), k), hi = std::min(std::max<int64_t>(k2, 0), k);
  __int128 sum = static_cast<__int128>(in) * lo;
  // kk = lo + j: ceil((c - lo*d - j*d)/s) = -floor((j*d + lo*d - c)/s).
  if (hi > lo) sum -= FloorSum(hi - lo, s, d, static_cast<__int128>(lo) * d - c);
  return sum;
}

// Number of (ix, k) pairs of one axis that land inside [0, out): the
// per-axis factor of the useful multiply-adds. In closed form (no loop over
// the kernel or the input, so describing a layer costs the same whatever
// its sizes): for tap kk the inputs are ix in [ceil((pb - kk*d)/s),
// ceil((out + pb - kk*d)/s)) clipped to [0, in), and the count of an
// interval clipped to [0, in) is clamp(hi) - clamp(lo).
inline int64_t UsefulPairs(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t out) {
  const __int128 n = ClampedCeilSum(in, k, s, d, out + pb) - ClampedCeilSum(in, k, s, d, pb);
  return n > kSaturated ? kSaturated : static_cast<int64_t>(n);  // <= in*k <= 2^60 in practice
}

// Multiply-adds that reach the output (no padding, no cropped taps): the
// per-axis factors times N * Cin * Cout/g (saturating: src/base/checked_int.h).
inline int64_t UsefulMacs(const Geom3& g) {
  int64_t m = SatProduct({g.n, g.cin, g.cout_g});
  for (int ax = 0; ax < 3; ++ax) m = SatMul(m, UsefulPairs(g.in[ax], g.k[ax], g.s[ax], g.d[ax], g.pb[ax], g.out[ax]));
  return m;
}

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_TAP_MATH_H_
