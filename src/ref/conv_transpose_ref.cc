// Reference transposed convolution: a per-output gather straight from the
// definition, double accumulation. The oracle; never optimise it.
//
// For each output position o and tap k, the contributing input is
// i = (o + pb - k*d) / s when that division is exact and 0 <= i < in.
#include <vector>

#include "src/geom3.h"
#include "tconv/reference.h"

namespace tconv {

Status ConvTransposeRef(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias,
                        TensorView y) {
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvTransposeInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvTransposeWeightShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("output", y.shape, ConvTransposeOutputShape(desc)));
  if (bias.data) TCONV_RETURN_IF_ERROR(CheckShape("bias", bias.shape, {desc.out_channels}));
  const Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);

  // Input index along one axis for output o and tap k, or -1 if none.
  auto source = [&](int ax, int64_t o, int64_t k) -> int64_t {
    const int64_t t = o + g.pb[ax] - k * g.d[ax];
    if (t < 0 || t % g.s[ax] != 0) return -1;
    const int64_t i = t / g.s[ax];
    return i < g.in[ax] ? i : -1;
  };

  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t co = 0; co < g.cout; ++co) {
      const int64_t grp = co / g.cout_g, co_g = co % g.cout_g;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            double acc = bias.data ? bias.data[co] : 0.0;
            for (int64_t ci_g = 0; ci_g < g.cin_g; ++ci_g) {
              const int64_t ci = grp * g.cin_g + ci_g;
              for (int64_t k0 = 0; k0 < g.k[0]; ++k0) {
                const int64_t i0 = source(0, o0, k0);
                if (i0 < 0) continue;
                for (int64_t k1 = 0; k1 < g.k[1]; ++k1) {
                  const int64_t i1 = source(1, o1, k1);
                  if (i1 < 0) continue;
                  for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
                    const int64_t i2 = source(2, o2, k2);
                    if (i2 < 0) continue;
                    const double xv = x.data[(((n * g.cin + ci) * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2];
                    const double wv = w.data[(((ci * g.cout_g + co_g) * g.k[0] + k0) * g.k[1] + k1) * g.k[2] + k2];
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

namespace tconv {

Status ConvTransposeRefBF16(const ConvDesc& desc, ConstBF16View x, ConstBF16View w, ConstTensorView bias,
                            TensorView y) {
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvTransposeInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvTransposeWeightShape(desc)));
  // Widening is exact: the f32 reference on the widened values is the bf16
  // one.
  auto widen = [](ConstBF16View v) {
    std::vector<float> f(static_cast<size_t>(v.numel()));
    for (size_t i = 0; i < f.size(); ++i) f[i] = ToFloat(v.data[i]);
    return f;
  };
  const std::vector<float> xf = widen(x), wf = widen(w);
  return ConvTransposeRef(desc, ConstTensorView(xf.data(), x.shape), ConstTensorView(wf.data(), w.shape), bias, y);
}

}  // namespace tconv
