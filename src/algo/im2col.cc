// im2col / col2im for one (batch, group) slice; see im2col.h for the layout.
//
// Per axis, tap k reads input index i = o*s + k*d - pb, valid for o in
// [lo, hi) with lo = max(0, ceil((pb - k*d)/s)) and hi = min(out, ceil((in +
// pb - k*d)/s)). The loops handle the valid ranges directly, so the innermost
// loop (last axis) has no per-element bounds test.
#include "src/algo/im2col.h"

#include <algorithm>
#include <cstring>

#include "src/base/int_math.h"

namespace tconv {
namespace {

struct AxisRange {
  int64_t off;     // k*d - pb: input index of output 0
  int64_t lo, hi;  // valid outputs [lo, hi), lo <= hi
};

inline AxisRange Range(const Geom3& g, int ax, int64_t k) {
  AxisRange r;
  r.off = k * g.d[ax] - g.pb[ax];
  r.lo = std::max<int64_t>(0, CeilDiv(-r.off, g.s[ax]));
  r.hi = std::min<int64_t>(g.out[ax], CeilDiv(g.in[ax] - r.off, g.s[ax]));
  if (r.lo > g.out[ax]) r.lo = g.out[ax];
  if (r.hi < r.lo) r.hi = r.lo;
  return r;
}

}  // namespace

bool Im2ColIsIdentity(const Geom3& g) {
  for (int ax = 0; ax < 3; ++ax) {
    if (g.k[ax] != 1 || g.s[ax] != 1 || g.pb[ax] != 0 || g.pe[ax] != 0 || g.in[ax] != g.out[ax]) return false;
  }
  return true;
}

void Im2Col(const Geom3& g, const float* x_group, float* col) {
  const int64_t out1 = g.out[1], out2 = g.out[2];
  const int64_t in1 = g.in[1], in2 = g.in[2];
  const int64_t s2 = g.s[2];
  float* row = col;
  for (int64_t c = 0; c < g.cin_g; ++c) {
    const float* xc = x_group + c * g.in_sp;
    for (int64_t k0 = 0; k0 < g.k[0]; ++k0) {
      const AxisRange r0 = Range(g, 0, k0);
      for (int64_t k1 = 0; k1 < g.k[1]; ++k1) {
        const AxisRange r1 = Range(g, 1, k1);
        for (int64_t k2 = 0; k2 < g.k[2]; ++k2, row += g.out_sp) {
          const AxisRange r2 = Range(g, 2, k2);
          for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
            float* dst0 = row + o0 * out1 * out2;
            if (o0 < r0.lo || o0 >= r0.hi) {
              std::memset(dst0, 0, sizeof(float) * out1 * out2);
              continue;
            }
            const int64_t i0 = o0 * g.s[0] + r0.off;
            for (int64_t o1 = 0; o1 < out1; ++o1) {
              float* dst = dst0 + o1 * out2;
              if (o1 < r1.lo || o1 >= r1.hi) {
                std::memset(dst, 0, sizeof(float) * out2);
                continue;
              }
              const int64_t i1 = o1 * g.s[1] + r1.off;
              const int64_t base = (i0 * in1 + i1) * in2 + r2.off;  // xc[base + o2*s2] for o2 in range
              for (int64_t o2 = 0; o2 < r2.lo; ++o2) dst[o2] = 0.0f;
              if (s2 == 1) {
                if (r2.hi > r2.lo) std::memcpy(dst + r2.lo, xc + base + r2.lo, sizeof(float) * (r2.hi - r2.lo));
              } else {
                for (int64_t o2 = r2.lo; o2 < r2.hi; ++o2) dst[o2] = xc[base + o2 * s2];
              }
              for (int64_t o2 = r2.hi; o2 < out2; ++o2) dst[o2] = 0.0f;
            }
          }
        }
      }
    }
  }
}

// Acc: float, or int32_t for columns of exact integer sums (int8).
template <typename Acc>
void Col2ImAddTo(const Geom3& g, const float* col, Acc* x_group) {
  const int64_t out1 = g.out[1], out2 = g.out[2];
  const int64_t in1 = g.in[1], in2 = g.in[2];
  const int64_t s2 = g.s[2];
  const float* row = col;
  for (int64_t c = 0; c < g.cin_g; ++c) {
    Acc* xc = x_group + c * g.in_sp;
    for (int64_t k0 = 0; k0 < g.k[0]; ++k0) {
      const AxisRange r0 = Range(g, 0, k0);
      for (int64_t k1 = 0; k1 < g.k[1]; ++k1) {
        const AxisRange r1 = Range(g, 1, k1);
        for (int64_t k2 = 0; k2 < g.k[2]; ++k2, row += g.out_sp) {
          const AxisRange r2 = Range(g, 2, k2);
          if (r2.hi == r2.lo) continue;
          for (int64_t o0 = r0.lo; o0 < r0.hi; ++o0) {
            const int64_t i0 = o0 * g.s[0] + r0.off;
            for (int64_t o1 = r1.lo; o1 < r1.hi; ++o1) {
              const int64_t i1 = o1 * g.s[1] + r1.off;
              const float* src = row + (o0 * out1 + o1) * out2;
              const int64_t base = (i0 * in1 + i1) * in2 + r2.off;  // xc[base + o2*s2] for o2 in range
              if (s2 == 1) {
                for (int64_t o2 = r2.lo; o2 < r2.hi; ++o2) xc[base + o2] += static_cast<Acc>(src[o2]);
              } else {
                for (int64_t o2 = r2.lo; o2 < r2.hi; ++o2) xc[base + o2 * s2] += static_cast<Acc>(src[o2]);
              }
            }
          }
        }
      }
    }
  }
}

void Col2ImAdd(const Geom3& g, const float* col, float* x_group) { Col2ImAddTo(g, col, x_group); }

void Col2ImAdd(const Geom3& g, const float* col, int32_t* x_group) { Col2ImAddTo(g, col, x_group); }

Col2ImTaps::Col2ImTaps(const Geom3& g) {
  for (int ax = 0; ax < 2; ++ax) {
    first[ax].assign(static_cast<size_t>(g.in[ax] + 1), 0);
    std::vector<std::vector<Tap>> per(static_cast<size_t>(g.in[ax]));
    for (int64_t k = 0; k < g.k[ax]; ++k) {
      const AxisRange r = Range(g, ax, k);
      for (int64_t o = r.lo; o < r.hi; ++o) per[static_cast<size_t>(o * g.s[ax] + r.off)].push_back(Tap{k, o});
    }
    for (int64_t i = 0; i < g.in[ax]; ++i) {
      taps[ax].insert(taps[ax].end(), per[static_cast<size_t>(i)].begin(), per[static_cast<size_t>(i)].end());
      first[ax][static_cast<size_t>(i + 1)] = static_cast<int64_t>(taps[ax].size());
    }
  }
  for (int64_t k = 0; k < g.k[2]; ++k) {
    const AxisRange r = Range(g, 2, k);
    along.push_back(Along{r.lo, r.hi, FloorMod(r.off, g.s[2]) * CeilDiv(g.in[2], g.s[2]) + FloorDiv(r.off, g.s[2])});
  }
}

// Row by row of the plane: the taps (k0, k1) reaching row (i0, i1) come from
// column rows (o0, o1) (Col2ImTaps); along the row, tap k2 writes i2 = o2*s2
// + off2 = (o2 + q)*s2 + r (off2 = q*s2 + r, 0 <= r < s2), i.e. element o2
// + q of residue r's part of `row`: contiguous adds, however strided the
// plane. The residues are then interleaved into the plane once.
void Col2ImPlane(const Geom3& g, const Col2ImTaps& t, const float* col, int64_t col_ld, float bias, float* row,
                 float* x_plane) {
  const int64_t in2 = g.in[2], s2 = g.s[2], len = CeilDiv(in2, s2);
  const int64_t out1 = g.out[1], out2 = g.out[2];
  for (int64_t i0 = 0; i0 < g.in[0]; ++i0)
    for (int64_t i1 = 0; i1 < g.in[1]; ++i1) {
      std::fill_n(row, s2 * len, 0.0f);
      for (int64_t a = t.first[0][i0]; a < t.first[0][i0 + 1]; ++a)
        for (int64_t b = t.first[1][i1]; b < t.first[1][i1 + 1]; ++b) {
          const Col2ImTaps::Tap ta = t.taps[0][a], tb = t.taps[1][b];
          const float* src = col + ((ta.k * g.k[1] + tb.k) * g.k[2]) * col_ld + (ta.o * out1 + tb.o) * out2;
          for (int64_t k2 = 0; k2 < g.k[2]; ++k2, src += col_ld) {
            const Col2ImTaps::Along& r = t.along[k2];
            for (int64_t o2 = r.lo; o2 < r.hi; ++o2) row[r.at + o2] += src[o2];
          }
        }
      float* out = x_plane + (i0 * g.in[1] + i1) * in2;
      if (s2 == 1) {
        for (int64_t i2 = 0; i2 < in2; ++i2) out[i2] = bias + row[i2];
      } else {
        for (int64_t r = 0; r < s2; ++r)
          for (int64_t j = 0, i2 = r; i2 < in2; ++j, i2 += s2) out[i2] = bias + row[r * len + j];
      }
    }
}

Geom3 AsConvGeom(const Geom3& t) {
  Geom3 g = t;
  g.cin = t.cout;
  g.cout = t.cin;
  g.cin_g = t.cout_g;
  g.cout_g = t.cin_g;
  for (int ax = 0; ax < 3; ++ax) {
    g.in[ax] = t.out[ax];
    g.out[ax] = t.in[ax];
    g.a[ax] = 0;
  }
  g.in_sp = t.out_sp;
  g.out_sp = t.in_sp;
  return g;
}

}  // namespace tconv
