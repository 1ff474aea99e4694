// Reference convolution forward: plain loops, double accumulation.
// Input positions outside [0, in) (the pads) read as zero.
#include "src/geom3.h"
#include "tconv/reference.h"

namespace tconv {

Status ConvRef(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias, TensorView y) {
  TCONV_RETURN_IF_ERROR(ValidateConv(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvWeightShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("output", y.shape, ConvOutputShape(desc)));
  if (bias.data) TCONV_RETURN_IF_ERROR(CheckShape("bias", bias.shape, {desc.out_channels}));
  const Geom3 g = MakeGeom3(desc, GeomOp::kConv);

  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t co = 0; co < g.cout; ++co) {
      const int64_t grp = co / g.cout_g;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            double acc = bias.data ? bias.data[co] : 0.0;
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
                    const double xv = x.data[(((n * g.cin + ci) * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2];
                    const double wv = w.data[(((co * g.cin_g + ci_g) * g.k[0] + k0) * g.k[1] + k1) * g.k[2] + k2];
                    acc += xv * wv;
                  }
                }
              }
            }
            y.data[(((n * g.cout + co) * g.out[0] + o0) * g.out[1] + o1) * g.out[2] + o2] = static_cast<float>(acc);
          }
    }
  return Status::Ok();
}

}  // namespace tconv
