// Reference convolution gradients, written as the scatter (adjoint) of the
// forward loops in conv_ref.cc, into double accumulators.
//
// Backward-data deliberately does not share code with ConvTransposeRef (a
// gather): the property test "conv_transpose == conv backward-data" compares
// two independently written loops.
#include <vector>

#include "src/geom3.h"
#include "tconv/reference.h"

namespace tconv {

Status ConvBackwardDataRef(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx) {
  TCONV_RETURN_IF_ERROR(ValidateConv(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("output gradient", dy.shape, ConvOutputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvWeightShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("input gradient", dx.shape, ConvInputShape(desc)));
  const Geom3 g = MakeGeom3(desc, GeomOp::kConv);
  std::vector<double> acc(static_cast<size_t>(dx.numel()), 0.0);

  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t co = 0; co < g.cout; ++co) {
      const int64_t grp = co / g.cout_g;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            const double gv = dy.data[(((n * g.cout + co) * g.out[0] + o0) * g.out[1] + o1) * g.out[2] + o2];
            for (int64_t ci_g = 0; ci_g < g.cin_g; ++ci_g) {
              const int64_t ci = grp * g.cin_g + ci_g;
              for (int64_t k0 = 0; k0 < g.k[0]; ++k0) {
                const int64_t i0 = o0 * g.s[0] + k0 * g.d[0] - g.pb[0];
                if (i0 < 0 || i0 >= g.in[0]) continue;
                for (int64_t k1 = 0; k1 < g.k[1]; ++k1) {
                  const int64_t i1 = o1 * g.s[1] + k1 * g.d[1] - g.pb[1];
                  if (i1 < 0 || i1 >= g.in[1]) continue;
                  for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
                    const int64_t i2 = o2 * g.s[2] + k2 * g.d[2] - g.pb[2];
                    if (i2 < 0 || i2 >= g.in[2]) continue;
                    const double wv = w.data[(((co * g.cin_g + ci_g) * g.k[0] + k0) * g.k[1] + k1) * g.k[2] + k2];
                    acc[(((n * g.cin + ci) * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2] += gv * wv;
                  }
                }
              }
            }
          }
    }
  for (size_t e = 0; e < acc.size(); ++e) dx.data[e] = static_cast<float>(acc[e]);
  return Status::Ok();
}

Status ConvBackwardWeightRef(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw,
                             TensorView db) {
  TCONV_RETURN_IF_ERROR(ValidateConv(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("output gradient", dy.shape, ConvOutputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight gradient", dw.shape, ConvWeightShape(desc)));
  if (db.data) TCONV_RETURN_IF_ERROR(CheckShape("bias gradient", db.shape, {desc.out_channels}));
  const Geom3 g = MakeGeom3(desc, GeomOp::kConv);

  for (int64_t co = 0; co < g.cout; ++co) {
    const int64_t grp = co / g.cout_g;
    if (db.data) {
      double b = 0.0;
      for (int64_t n = 0; n < g.n; ++n)
        for (int64_t o = 0; o < g.out_sp; ++o) b += dy.data[(n * g.cout + co) * g.out_sp + o];
      db.data[co] = static_cast<float>(b);
    }
    for (int64_t ci_g = 0; ci_g < g.cin_g; ++ci_g) {
      const int64_t ci = grp * g.cin_g + ci_g;
      for (int64_t k0 = 0; k0 < g.k[0]; ++k0)
        for (int64_t k1 = 0; k1 < g.k[1]; ++k1)
          for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
            double acc = 0.0;
            for (int64_t n = 0; n < g.n; ++n)
              for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
                const int64_t i0 = o0 * g.s[0] + k0 * g.d[0] - g.pb[0];
                if (i0 < 0 || i0 >= g.in[0]) continue;
                for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
                  const int64_t i1 = o1 * g.s[1] + k1 * g.d[1] - g.pb[1];
                  if (i1 < 0 || i1 >= g.in[1]) continue;
                  for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
                    const int64_t i2 = o2 * g.s[2] + k2 * g.d[2] - g.pb[2];
                    if (i2 < 0 || i2 >= g.in[2]) continue;
                    acc += static_cast<double>(
                               x.data[(((n * g.cin + ci) * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2]) *
                           dy.data[(((n * g.cout + co) * g.out[0] + o0) * g.out[1] + o1) * g.out[2] + o2];
                  }
                }
              }
            dw.data[(((co * g.cin_g + ci_g) * g.k[0] + k0) * g.k[1] + k1) * g.k[2] + k2] = static_cast<float>(acc);
          }
    }
  }
  return Status::Ok();
}

}  // namespace tconv
