// Reference int8 transposed convolution (the oracle of int8 plans): the
// same per-output gather as ConvTransposeRef, with exact int64
// accumulation of (x - x_zero_point) * w, then the bias and the shared
// requantization of tconv/quant.h. Never optimise it.
#include <algorithm>
#include <vector>

#include "src/geom3.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

// x element i minus its zero point.
int64_t XAt(const void* x, QuantType t, int64_t i, int32_t zp) {
  return t == QuantType::kUInt8 ? static_cast<int64_t>(static_cast<const uint8_t*>(x)[i]) - zp
                                : static_cast<int64_t>(static_cast<const int8_t*>(x)[i]) - zp;
}

}  // namespace

Status ConvTransposeAccRefInt8(const ConvDesc& desc, ConstQuantView x, ConstI8View w, ConstI32View bias,
                               const QuantParams& q, std::vector<int64_t>* acc) {
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(desc));
  TCONV_RETURN_IF_ERROR(ValidateQuantParams(q, desc.out_channels));
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvTransposeInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvTransposeWeightShape(desc)));
  if (bias.data) TCONV_RETURN_IF_ERROR(CheckShape("bias", bias.shape, {desc.out_channels}));
  const Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  acc->assign(static_cast<size_t>(NumElements(ConvTransposeOutputShape(desc))), 0);

  // Input index along one axis for output o and tap k, or -1 if none.
  auto source = [&](int ax, int64_t o, int64_t k) -> int64_t {
    const int64_t t = o + g.pb[ax] - k * g.d[ax];
    if (t < 0 || t % g.s[ax] != 0) return -1;
    const int64_t i = t / g.s[ax];
    return i < g.in[ax] ? i : -1;
  };
  int64_t* y = acc->data();
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t co = 0; co < g.cout; ++co) {
      const int64_t grp = co / g.cout_g, co_g = co % g.cout_g;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            int64_t a = bias.data ? bias.data[co] : 0;
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
                    const int64_t xv =
                        XAt(x.data, q.x_type, (((n * g.cin + ci) * g.in[0] + i0) * g.in[1] + i1) * g.in[2] + i2,
                            q.x_zero_point);
                    a += xv * w.data[(((ci * g.cout_g + co_g) * g.k[0] + k0) * g.k[1] + k1) * g.k[2] + k2];
                  }
                }
              }
            }
            y[(((n * g.cout + co) * g.out[0] + o0) * g.out[1] + o1) * g.out[2] + o2] = a;
          }
    }
  return Status::Ok();
}

Status ConvTransposeRefInt8(const ConvDesc& desc, ConstQuantView x, ConstI8View w, ConstI32View bias,
                            const QuantParams& q, QuantView y) {
  TCONV_RETURN_IF_ERROR(CheckShape("output", y.shape, ConvTransposeOutputShape(desc)));
  std::vector<int64_t> acc;
  TCONV_RETURN_IF_ERROR(ConvTransposeAccRefInt8(desc, x, w, bias, q, &acc));
  const int64_t plane = NumElements(ConvTransposeOutputShape(desc)) / std::max<int64_t>(1, desc.batch * desc.out_channels);
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t c = static_cast<int64_t>(i) / plane % desc.out_channels;
    const double m = RequantMultiplier(q, c);
    if (q.y_type == QuantType::kFloat32) {
      static_cast<float*>(y.data)[i] = Dequantize(acc[i], m);
    } else if (q.y_type == QuantType::kUInt8) {
      static_cast<uint8_t*>(y.data)[i] =
          static_cast<uint8_t>(Requantize(acc[i], m, q.y_zero_point, 0, 255));
    } else {
      static_cast<int8_t*>(y.data)[i] = static_cast<int8_t>(Requantize(acc[i], m, q.y_zero_point, -128, 127));
    }
  }
  return Status::Ok();
}

}  // namespace tconv
