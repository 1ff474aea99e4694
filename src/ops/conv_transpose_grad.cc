// The gradients of transposed convolution as convolutions of the same
// geometry (include/tconv/conv_transpose_grad.h).
#include "tconv/conv_transpose_grad.h"

#include "tconv/reference.h"

namespace tconv {

ConvDesc ConvTransposeAdjointDesc(const ConvDesc& t) {
  ConvDesc c = t;
  c.in_channels = t.out_channels;
  c.out_channels = t.in_channels;
  for (int a = 0; a < t.ndim; ++a) {
    c.in[a] = ConvTransposeOutputLength(t, a);
    // The conv's output length is floor((O + pb + pe' - ke)/s) + 1 =
    // i - 1 + floor((a + pe' - pe)/s) + 1; it is i when pe' - pe + a lies
    // in [0, s). Output padding only appends rows no x position reaches,
    // so dropping whole strides of it changes no tap.
    c.pad_end[a] = t.pad_end[a] - t.stride[a] * (t.output_padding[a] / t.stride[a]);
    c.output_padding[a] = 0;
  }
  for (int a = t.ndim; a < kMaxSpatialDims; ++a) c.output_padding[a] = 0;
  return c;
}

namespace {

// Both gradients share the checks: a valid transposed desc, then the shapes
// named as the transposed op's (the conv's names would swap x and y).
Status CheckCommon(const ConvDesc& desc, ConstTensorView dy, const Shape& other, const char* other_name,
                   const Shape& other_want) {
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("output gradient", dy.shape, ConvTransposeOutputShape(desc)));
  return CheckShape(other_name, other, other_want);
}

}  // namespace

Status ConvTransposeBackwardData(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx,
                                 const ConvOptions& options) {
  TCONV_RETURN_IF_ERROR(CheckCommon(desc, dy, w.shape, "weight", ConvTransposeWeightShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("input gradient", dx.shape, ConvTransposeInputShape(desc)));
  return Conv(ConvTransposeAdjointDesc(desc), dy, w, ConstTensorView(), dx, options);
}

Status ConvTransposeBackwardWeight(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw,
                                   TensorView db, const ConvOptions& options) {
  TCONV_RETURN_IF_ERROR(CheckCommon(desc, dy, x.shape, "input", ConvTransposeInputShape(desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("weight gradient", dw.shape, ConvTransposeWeightShape(desc)));
  if (db.data) TCONV_RETURN_IF_ERROR(CheckShape("bias gradient", db.shape, {desc.out_channels}));
  // The conv's own bias gradient would sum its output gradient, which is x
  // here: the wrong tensor. db is the sum of dy, done below.
  TCONV_RETURN_IF_ERROR(ConvBackwardWeight(ConvTransposeAdjointDesc(desc), dy, x, dw, TensorView(), options));
  if (!db.data) return Status::Ok();
  const Shape ys = ConvTransposeOutputShape(desc);
  int64_t plane = 1;
  for (size_t i = 2; i < ys.size(); ++i) plane *= ys[i];
  for (int64_t co = 0; co < desc.out_channels; ++co) {
    double acc = 0.0;  // double, as the reference's: sums of many terms
    for (int64_t n = 0; n < desc.batch; ++n) {
      const float* p = dy.data + (n * desc.out_channels + co) * plane;
      for (int64_t e = 0; e < plane; ++e) acc += p[e];
    }
    db.data[co] = static_cast<float>(acc);
  }
  return Status::Ok();
}

}  // namespace tconv
