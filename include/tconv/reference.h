// Reference kernels: the oracle every other algorithm is tested against.
//
// Plain loops written straight from the formulas in DESIGN.md, with double
// accumulation; never optimised. Each call validates the desc and the tensor
// shapes first and returns an error (never aborts) on a mismatch.
//
// A bias view with data == nullptr means "no bias".
#ifndef TCONV_REFERENCE_H_
#define TCONV_REFERENCE_H_

#include <cstdint>
#include <vector>

#include "tconv/bfloat16.h"
#include "tconv/desc.h"
#include "tconv/quant.h"
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

// The oracle of int8 plans (tconv/quant.h): x of q.x_type (uint8 or
// int8), w int8, bias int32 (Cout; data nullptr: none), y of q.y_type
// (uint8, int8 or float). acc = bias + sum (x - x_zero_point) * w over the
// same contributions as ConvTransposeRef, in int64, then Requantize (or
// Dequantize) with RequantMultiplier(q, co). Validates q too.
Status ConvTransposeRefInt8(const ConvDesc& desc, ConstQuantView x, ConstI8View w, ConstI32View bias,
                            const QuantParams& q, QuantView y);
// Its accumulators alone: *acc (N, Cout, *out), dense C order.
Status ConvTransposeAccRefInt8(const ConvDesc& desc, ConstQuantView x, ConstI8View w, ConstI32View bias,
                               const QuantParams& q, std::vector<int64_t>* acc);

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
