// Reference kernels: the oracle every other algorithm is tested against.
//
// Plain loops written straight from the formulas in DESIGN.md, with double
// accumulation; never optimised. Each call validates the desc and the tensor
// shapes first and returns an error (never aborts) on a mismatch.
//
// A bias view with data == nullptr means "no bias".
#ifndef TCONV_REFERENCE_H_
#define TCONV_REFERENCE_H_

#include "tconv/bfloat16.h"
#include "tconv/desc.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// y[n,co,o] = bias[co] + sum x[n,ci,i] * w[ci,co_g,k] over ci in co's group
// and (i,k) with i*s + k*d - pb = o. Shapes: ConvTranspose*Shape(desc).
Status ConvTransposeRef(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias,
                        TensorView y);

// The same on bf16 x and w (the oracle of bf16 plans): each bf16 value
// widened to float exactly, the sum in double, y rounded to float once.
Status ConvTransposeRefBF16(const ConvDesc& desc, ConstBF16View x, ConstBF16View w, ConstTensorView bias,
                            TensorView y);

// y[n,co,o] = bias[co] + sum x[n,ci,o*s + k*d - pb] * w[co,ci_g,k].
// Shapes: Conv*Shape(desc).
Status ConvRef(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias, TensorView y);

// Gradient of ConvRef w.r.t. x: dx = ConvInputShape, dy = ConvOutputShape.
Status ConvBackwardDataRef(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx);

// Gradient of ConvRef w.r.t. w (dw = ConvWeightShape) and, when db.data is
// not null, w.r.t. the bias (db = (Cout)).
Status ConvBackwardWeightRef(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw,
                             TensorView db);

// Shape check used by every entry point: "<what> has shape (..), expected (..)".
Status CheckShape(const char* what, const Shape& got, const Shape& want);

}  // namespace tconv

#endif  // TCONV_REFERENCE_H_
