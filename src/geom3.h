// Internal: a ConvDesc normalised to exactly three spatial axes.
//
// A 1-D or 2-D problem is the same problem with leading axes of size 1
// (in = k = s = d = 1, no pads), so every kernel in src/ is written once, for
// three axes. Desc axis a maps to Geom3 axis 3 - ndim + a.
#ifndef TCONV_SRC_GEOM3_H_
#define TCONV_SRC_GEOM3_H_

#include <cstdint>

#include "tconv/desc.h"

namespace tconv {

struct Geom3 {
  int64_t n = 1, cin = 1, cout = 1, groups = 1;
  int64_t cin_g = 1, cout_g = 1;  // channels per group
  int64_t in[3] = {1, 1, 1};
  int64_t k[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1};
  int64_t d[3] = {1, 1, 1};
  int64_t pb[3] = {0, 0, 0};
  int64_t pe[3] = {0, 0, 0};
  int64_t a[3] = {0, 0, 0};
  int64_t out[3] = {1, 1, 1};
  int64_t in_sp = 1, out_sp = 1, k_sp = 1;  // products over the axes
};

enum class GeomOp { kConvTranspose, kConv };

// `desc` must be validated for `op` first.
inline Geom3 MakeGeom3(const ConvDesc& desc, GeomOp op) {
  Geom3 g;
  g.n = desc.batch;
  g.cin = desc.in_channels;
  g.cout = desc.out_channels;
  g.groups = desc.groups;
  g.cin_g = g.cin / g.groups;
  g.cout_g = g.cout / g.groups;
  const int off = kMaxSpatialDims - desc.ndim;
  for (int a = 0; a < desc.ndim; ++a) {
    const int t = off + a;
    g.in[t] = desc.in[a];
    g.k[t] = desc.kernel[a];
    g.s[t] = desc.stride[a];
    g.d[t] = desc.dilation[a];
    g.pb[t] = desc.pad_begin[a];
    g.pe[t] = desc.pad_end[a];
    g.a[t] = desc.output_padding[a];
    g.out[t] = op == GeomOp::kConvTranspose ? ConvTransposeOutputLength(desc, a) : ConvOutputLength(desc, a);
  }
  g.in_sp = g.in[0] * g.in[1] * g.in[2];
  g.out_sp = g.out[0] * g.out[1] * g.out[2];
  g.k_sp = g.k[0] * g.k[1] * g.k[2];
  return g;
}

}  // namespace tconv

#endif  // TCONV_SRC_GEOM3_H_
