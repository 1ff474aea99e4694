// The ONE place where tconv turns a ConvDesc into sizes, pads and flops
// (see include/tconv/desc.h for the rules). Everything else calls these.
#include <algorithm>
#include <string>

#include "src/base/ascii_lower.h"
#include "src/base/checked_int.h"
#include "src/base/int_math.h"
#include "tconv/desc.h"

namespace tconv {
namespace {

// Largest element count of any tensor we accept: 2^40 floats (4 TiB) keeps
// every index product far from int64 overflow, and no machine has that.
constexpr int64_t kMaxElements = int64_t{1} << 40;

std::string Ax(const char* name, int axis) {
  return std::string(name) + "[" + std::to_string(axis) + "]";
}

// Multiplies the dims of `shape` (overflow-checked), failing if the count
// exceeds kMaxElements. Every dim must be >= 1, except the batch (dim 0)
// when `zero_batch` is set: a batch of 0 is legal (an empty output, as torch
// and ONNX Runtime give); its tensor is bounded as if the batch were 1.
Status CheckElementCount(const char* what, const Shape& shape, bool zero_batch) {
  int64_t n = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t v = shape[i];
    if (v == 0 && i == 0 && zero_batch) continue;
    if (v <= 0) return Status::Invalid(std::string(what) + " shape " + ShapeString(shape) + " has a non-positive dim");
    if (!CheckedMul(n, v, &n) || n > kMaxElements) {
      return Status::Invalid(std::string(what) + " shape " + ShapeString(shape) +
                             " has more than 2^40 elements");
    }
  }
  return Status::Ok();
}

Status ValidateCommon(const ConvDesc& d) {
  if (d.ndim < 1 || d.ndim > kMaxSpatialDims) {
    return Status::Invalid("number of spatial axes must be 1, 2 or 3 (got " + std::to_string(d.ndim) + ")");
  }
  if (d.batch < 0) return Status::Invalid("batch must be >= 0 (got " + std::to_string(d.batch) + ")");
  if (d.in_channels < 1) return Status::Invalid("input channels must be >= 1 (got " + std::to_string(d.in_channels) + ")");
  if (d.out_channels < 1) return Status::Invalid("output channels must be >= 1 (got " + std::to_string(d.out_channels) + ")");
  if (d.groups < 1) return Status::Invalid("groups must be >= 1 (got " + std::to_string(d.groups) + ")");
  if (d.in_channels % d.groups != 0) {
    return Status::Invalid("input channels " + std::to_string(d.in_channels) + " must be divisible by groups " +
                           std::to_string(d.groups));
  }
  if (d.out_channels % d.groups != 0) {
    return Status::Invalid("output channels " + std::to_string(d.out_channels) + " must be divisible by groups " +
                           std::to_string(d.groups));
  }
  // Per-axis values are bounded so that no size expression can overflow.
  constexpr int64_t kMaxAxis = int64_t{1} << 30;
  for (int a = 0; a < d.ndim; ++a) {
    auto check = [&](const char* name, int64_t v, int64_t lo) -> Status {
      if (v < lo) {
        return Status::Invalid(Ax(name, a) + " must be >= " + std::to_string(lo) + " (got " + std::to_string(v) + ")");
      }
      if (v > kMaxAxis) {
        return Status::Invalid(Ax(name, a) + " must be <= 2^30 (got " + std::to_string(v) + ")");
      }
      return Status::Ok();
    };
    TCONV_RETURN_IF_ERROR(check("input size", d.in[a], 1));
    TCONV_RETURN_IF_ERROR(check("kernel", d.kernel[a], 1));
    TCONV_RETURN_IF_ERROR(check("stride", d.stride[a], 1));
    TCONV_RETURN_IF_ERROR(check("dilation", d.dilation[a], 1));
    TCONV_RETURN_IF_ERROR(check("output_padding", d.output_padding[a], 0));
    TCONV_RETURN_IF_ERROR(check("pad_begin", d.pad_begin[a], -kMaxAxis));
    TCONV_RETURN_IF_ERROR(check("pad_end", d.pad_end[a], -kMaxAxis));
  }
  return Status::Ok();
}

}  // namespace

int64_t EffectiveKernel(const ConvDesc& d, int axis) { return d.dilation[axis] * (d.kernel[axis] - 1) + 1; }

int64_t ConvTransposeFullLength(const ConvDesc& d, int axis) {
  return (d.in[axis] - 1) * d.stride[axis] + EffectiveKernel(d, axis);
}

int64_t ConvTransposeOutputLength(const ConvDesc& d, int axis) {
  return ConvTransposeFullLength(d, axis) - d.pad_begin[axis] - d.pad_end[axis] + d.output_padding[axis];
}

int64_t ConvOutputLength(const ConvDesc& d, int axis) {
  int64_t span = d.in[axis] + d.pad_begin[axis] + d.pad_end[axis] - EffectiveKernel(d, axis);
  return FloorDiv(span, d.stride[axis]) + 1;
}

Status ValidateConvTranspose(const ConvDesc& d) {
  TCONV_RETURN_IF_ERROR(ValidateCommon(d));
  for (int a = 0; a < d.ndim; ++a) {
    int64_t o = ConvTransposeOutputLength(d, a);
    if (o < 1) {
      return Status::Invalid(
          "output length of axis " + std::to_string(a) + " is " + std::to_string(o) +
          ", must be >= 1: (i-1)*s+d*(k-1)+1-pb-pe+a = (" + std::to_string(d.in[a]) + "-1)*" +
          std::to_string(d.stride[a]) + "+" + std::to_string(d.dilation[a]) + "*(" + std::to_string(d.kernel[a]) +
          "-1)+1-" + std::to_string(d.pad_begin[a]) + "-" + std::to_string(d.pad_end[a]) + "+" +
          std::to_string(d.output_padding[a]));
    }
  }
  TCONV_RETURN_IF_ERROR(CheckElementCount("input", ConvTransposeInputShape(d), true));
  TCONV_RETURN_IF_ERROR(CheckElementCount("weight", ConvTransposeWeightShape(d), false));
  TCONV_RETURN_IF_ERROR(CheckElementCount("output", ConvTransposeOutputShape(d), true));
  return Status::Ok();
}

Status ValidateConv(const ConvDesc& d) {
  TCONV_RETURN_IF_ERROR(ValidateCommon(d));
  for (int a = 0; a < d.ndim; ++a) {
    if (d.output_padding[a] != 0) {
      return Status::Invalid(Ax("output_padding", a) + " must be 0 for a convolution (got " +
                             std::to_string(d.output_padding[a]) + ")");
    }
    int64_t span = d.in[a] + d.pad_begin[a] + d.pad_end[a];
    int64_t ke = EffectiveKernel(d, a);
    if (span < ke) {
      return Status::Invalid("output length of axis " + std::to_string(a) +
                             " is < 1: padded input i+pb+pe = " + std::to_string(span) +
                             " is shorter than the effective kernel d*(k-1)+1 = " + std::to_string(ke));
    }
  }
  TCONV_RETURN_IF_ERROR(CheckElementCount("input", ConvInputShape(d), true));
  TCONV_RETURN_IF_ERROR(CheckElementCount("weight", ConvWeightShape(d), false));
  TCONV_RETURN_IF_ERROR(CheckElementCount("output", ConvOutputShape(d), true));
  return Status::Ok();
}

namespace {
Shape Make(int64_t a, int64_t b, const ConvDesc& d, const Dims& sp) {
  Shape s = {a, b};
  for (int i = 0; i < d.ndim; ++i) s.push_back(sp[i]);
  return s;
}
Dims TransposedOut(const ConvDesc& d) {
  Dims o = {1, 1, 1};
  for (int a = 0; a < d.ndim; ++a) o[a] = ConvTransposeOutputLength(d, a);
  return o;
}
Dims ConvOut(const ConvDesc& d) {
  Dims o = {1, 1, 1};
  for (int a = 0; a < d.ndim; ++a) o[a] = ConvOutputLength(d, a);
  return o;
}
}  // namespace

Shape ConvTransposeInputShape(const ConvDesc& d) { return Make(d.batch, d.in_channels, d, d.in); }
Shape ConvTransposeWeightShape(const ConvDesc& d) {
  return Make(d.in_channels, d.out_channels / d.groups, d, d.kernel);
}
Shape ConvTransposeOutputShape(const ConvDesc& d) { return Make(d.batch, d.out_channels, d, TransposedOut(d)); }
Shape ConvInputShape(const ConvDesc& d) { return Make(d.batch, d.in_channels, d, d.in); }
Shape ConvWeightShape(const ConvDesc& d) { return Make(d.out_channels, d.in_channels / d.groups, d, d.kernel); }
Shape ConvOutputShape(const ConvDesc& d) { return Make(d.batch, d.out_channels, d, ConvOut(d)); }

// Saturating (src/base/checked_int.h): a layer of more than 2^63 flops reports
// INT64_MAX, never a wrapped number (a 2^71-flop layer printed "flops 0").
int64_t ConvTransposeFlops(const ConvDesc& d) {
  int64_t f = SatProduct({2, d.batch, d.in_channels, d.out_channels / d.groups});
  for (int a = 0; a < d.ndim; ++a) f = SatMul(f, SatMul(d.kernel[a], d.in[a]));
  return f;
}

int64_t ConvFlops(const ConvDesc& d) {
  int64_t f = SatProduct({2, d.batch, d.out_channels, d.in_channels / d.groups});
  for (int a = 0; a < d.ndim; ++a) f = SatMul(f, SatMul(d.kernel[a], ConvOutputLength(d, a)));
  return f;
}

std::string DescString(const ConvDesc& d) {
  auto list = [&](const Dims& v) {
    std::string s;
    for (int a = 0; a < d.ndim; ++a) s += (a ? "x" : "") + std::to_string(v[a]);
    return s;
  };
  return "n" + std::to_string(d.batch) + "c" + std::to_string(d.in_channels) + "o" + std::to_string(d.out_channels) +
         "g" + std::to_string(d.groups) + "_i" + list(d.in) + "_k" + list(d.kernel) + "_s" + list(d.stride) + "_d" +
         list(d.dilation) + "_pb" + list(d.pad_begin) + "_pe" + list(d.pad_end) + "_a" + list(d.output_padding);
}

Status ParseAutoPad(const std::string& text, AutoPad* out) {
  const std::string t = AsciiLower(text);
  if (t == "notset") *out = AutoPad::kNotSet;
  else if (t == "same_upper") *out = AutoPad::kSameUpper;
  else if (t == "same_lower") *out = AutoPad::kSameLower;
  else if (t == "valid") *out = AutoPad::kValid;
  else return Status::Invalid("auto_pad must be one of notset, same_upper, same_lower, valid (got '" + text + "')");
  return Status::Ok();
}

const char* AutoPadName(AutoPad p) {
  switch (p) {
    case AutoPad::kNotSet: return "NOTSET";
    case AutoPad::kSameUpper: return "SAME_UPPER";
    case AutoPad::kSameLower: return "SAME_LOWER";
    case AutoPad::kValid: return "VALID";
  }
  return "?";
}

Status ResolvePads(const PadRequest& req, ConvDesc* d) {
  TCONV_RETURN_IF_ERROR(ValidateCommon(*d));
  if (req.has_target_shape && req.has_output_shape) {
    return Status::Invalid("target_shape (MXNet) and output_shape (ONNX) cannot both be given");
  }
  if (req.has_target_shape && req.auto_pad != AutoPad::kNotSet) {
    return Status::Invalid(std::string("target_shape cannot be combined with auto_pad ") + AutoPadName(req.auto_pad));
  }
  for (int a = 0; a < d->ndim; ++a) {
    const int64_t full = ConvTransposeFullLength(*d, a);  // (i-1)*s + ke
    if (req.has_target_shape) {
      const int64_t target = req.target_shape[a];
      if (target < 1) return Status::Invalid(Ax("target_shape", a) + " must be >= 1 (got " + std::to_string(target) + ")");
      const int64_t total = full - target;
      if (total < 0) {
        return Status::Invalid(Ax("target_shape", a) + " = " + std::to_string(target) +
                               " is larger than the full output (i-1)*s+d*(k-1)+1 = " + std::to_string(full));
      }
      d->output_padding[a] = total % 2;
      d->pad_begin[a] = d->pad_end[a] = (total + 1) / 2;
      continue;
    }
    const bool same = req.auto_pad == AutoPad::kSameUpper || req.auto_pad == AutoPad::kSameLower;
    if (req.has_output_shape || same) {
      int64_t out = req.has_output_shape ? req.output_shape[a] : d->in[a] * d->stride[a];
      if (out < 1) return Status::Invalid(Ax("output_shape", a) + " must be >= 1 (got " + std::to_string(out) + ")");
      const int64_t total = full + d->output_padding[a] - out;
      const int64_t half = FloorDiv(total, 2);
      if (req.auto_pad == AutoPad::kSameUpper) {
        d->pad_begin[a] = half;
        d->pad_end[a] = total - half;
      } else {
        d->pad_begin[a] = total - half;
        d->pad_end[a] = half;
      }
    } else if (req.auto_pad == AutoPad::kValid) {
      d->pad_begin[a] = d->pad_end[a] = 0;
    }
  }
  return Status::Ok();
}

}  // namespace tconv
