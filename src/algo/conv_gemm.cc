// Convolution forward / backward-data / backward-weight entry points.
// Temporary: delegates to the reference until the GEMM forms land.
#include "tconv/conv.h"
#include "tconv/reference.h"

namespace tconv {

Status Conv(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias, TensorView y,
            const ConvOptions&) {
  return ConvRef(desc, x, w, bias, y);
}
Status ConvBackwardData(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx,
                        const ConvOptions&) {
  return ConvBackwardDataRef(desc, dy, w, dx);
}
Status ConvBackwardWeight(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw, TensorView db,
                          const ConvOptions&) {
  return ConvBackwardWeightRef(desc, x, dy, dw, db);
}

}  // namespace tconv
