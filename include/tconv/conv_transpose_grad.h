// The gradients of transposed convolution, for training (tconv.torch's
// backward).
//
// For y = ConvTranspose(desc, x, w) both gradients are convolutions with the
// same geometry (kernel, stride, pads, dilation, groups): the convolution D
// whose input is y-shaped and whose output is x-shaped,
//   dx = Conv(D, dy, w)                         w (Cin, Cout/g, *k) is D's
//                                               (Cout_D, Cin_D/g, *k) as is
//   dw = ConvBackwardWeight(D, x := dy, dy := x)  -> (Cin, Cout/g, *k)
//   db = sum of dy over the batch and the spatial axes, (Cout)
// so they run on the GEMM forms of include/tconv/conv.h.
//
// `desc` is the transposed convolution's (as Plan::Create takes it), with
// any output padding. Shapes: x ConvTransposeInputShape(desc), w
// ConvTransposeWeightShape(desc), dy ConvTransposeOutputShape(desc). A db
// view with data == nullptr means "no bias gradient". options.algo "ref"
// runs the reference convolution gradients (double accumulation).
#ifndef TCONV_CONV_TRANSPOSE_GRAD_H_
#define TCONV_CONV_TRANSPOSE_GRAD_H_

#include "tconv/conv.h"
#include "tconv/desc.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// D above. Its input length is the transposed output length O; its end pad
// is pe - s*floor(a/s) (a: output padding), so that its output length is
// exactly the transposed input length even when a >= s (torch allows
// a < max(s, d)); the rows a drops never reach an x position. Call only on
// a desc that passes ValidateConvTranspose.
ConvDesc ConvTransposeAdjointDesc(const ConvDesc& desc);

Status ConvTransposeBackwardData(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx,
                                 const ConvOptions& options = ConvOptions());
Status ConvTransposeBackwardWeight(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw,
                                   TensorView db, const ConvOptions& options = ConvOptions());

}  // namespace tconv

#endif  // TCONV_CONV_TRANSPOSE_GRAD_H_
