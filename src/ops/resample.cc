// Nearest / linear upsampling (torch interpolate and MXNet BilinearResize2D
// rules; see include/tconv/resample.h). Each axis gets a table of (i0, i1,
// lambda) per output index; the N-D result is the separable product of the
// tables, applied directly (up to 2^3 taps per output value).
#include "tconv/resample.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "src/base/ascii_lower.h"

namespace tconv {
namespace {

// Applies per-axis tap tables to x (N, C, *in) -> y (N, C, *out).
void ApplyTaps(const std::vector<std::vector<AxisTap>>& taps, ConstTensorView x, TensorView y) {
  const int nd = static_cast<int>(taps.size());
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  for (int a = 0; a < nd; ++a) {
    in[3 - nd + a] = x.shape[2 + a];
    out[3 - nd + a] = y.shape[2 + a];
  }
  static const std::vector<AxisTap> kIdentity(1);
  const std::vector<AxisTap>* t[3];
  for (int a = 0; a < 3; ++a) t[a] = a < 3 - nd ? &kIdentity : &taps[a - (3 - nd)];
  const int64_t planes = x.shape[0] * x.shape[1];
  const int64_t in_plane = in[0] * in[1] * in[2], out_plane = out[0] * out[1] * out[2];
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x.data + p * in_plane;
    float* yp = y.data + p * out_plane;
    for (int64_t o0 = 0; o0 < out[0]; ++o0) {
      const AxisTap& a0 = (*t[0])[o0];
      const int64_t i0s[2] = {a0.i0, a0.i1};
      const double w0s[2] = {1.0 - a0.lambda, a0.lambda};
      for (int64_t o1 = 0; o1 < out[1]; ++o1) {
        const AxisTap& a1 = (*t[1])[o1];
        const int64_t i1s[2] = {a1.i0, a1.i1};
        const double w1s[2] = {1.0 - a1.lambda, a1.lambda};
        for (int64_t o2 = 0; o2 < out[2]; ++o2) {
          const AxisTap& a2 = (*t[2])[o2];
          const int64_t i2s[2] = {a2.i0, a2.i1};
          const double w2s[2] = {1.0 - a2.lambda, a2.lambda};
          double acc = 0;
          for (int u = 0; u < 2; ++u) {
            if (w0s[u] == 0) continue;
            for (int v = 0; v < 2; ++v) {
              if (w1s[v] == 0) continue;
              for (int w = 0; w < 2; ++w) {
                if (w2s[w] == 0) continue;
                acc += w0s[u] * w1s[v] * w2s[w] * xp[(i0s[u] * in[1] + i1s[v]) * in[2] + i2s[w]];
              }
            }
          }
          yp[(o0 * out[1] + o1) * out[2] + o2] = static_cast<float>(acc);
        }
      }
    }
  }
}

Status CheckData(ConstTensorView x, TensorView y, const Shape& want_y) {
  if (x.data == nullptr && x.numel() > 0) return Status::Invalid("resample: input data is null");
  if (y.data == nullptr && y.numel() > 0) return Status::Invalid("resample: output data is null");
  if (y.shape != want_y) {
    return Status::Invalid("resample: output has shape " + ShapeString(y.shape) + ", expected " +
                           ShapeString(want_y));
  }
  return Status::Ok();
}

Status CheckInputRank(const Shape& in, int lo, int hi, const char* what) {
  if (static_cast<int>(in.size()) < lo || static_cast<int>(in.size()) > hi) {
    return Status::Invalid(std::string(what) + ": input has shape " + ShapeString(in) + ", expected rank " +
                           std::to_string(lo) + (lo == hi ? "" : ".." + std::to_string(hi)) +
                           " (N, C, *spatial)");
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] < 1) {
      return Status::Invalid(std::string(what) + ": input dim " + std::to_string(i) + " must be >= 1 (got " +
                             std::to_string(in[i]) + ")");
    }
  }
  return Status::Ok();
}

constexpr int64_t kMaxOutLength = int64_t{1} << 31;

}  // namespace

Status ParseResampleMode(const std::string& text, ResampleMode* out) {
  const std::string t = AsciiLower(text);
  if (t == "nearest") {
    *out = ResampleMode::kNearest;
  } else if (t == "linear" || t == "bilinear" || t == "trilinear") {
    *out = ResampleMode::kLinear;
  } else {
    return Status::Invalid("mode must be nearest, linear, bilinear or trilinear (got '" + text + "')");
  }
  return Status::Ok();
}

const char* ResampleModeName(ResampleMode m) { return m == ResampleMode::kNearest ? "nearest" : "linear"; }

std::vector<AxisTap> TorchAxisTaps(ResampleMode mode, int64_t in, int64_t out, double scale, bool align_corners) {
  std::vector<AxisTap> taps(static_cast<size_t>(out));
  const bool has_scale = scale > 0;
  // compute_scales_value<float>: float(1.0/scale) or float(in)/out.
  const float c_free = has_scale ? static_cast<float>(1.0 / scale)
                                 : static_cast<float>(in) / static_cast<float>(out);
  if (mode == ResampleMode::kNearest) {
    for (int64_t o = 0; o < out; ++o) {
      int64_t i;
      if (out == in) {
        i = o;
      } else if (out == 2 * in) {
        i = o >> 1;
      } else {
        i = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * c_free)), in - 1);
      }
      taps[o].i0 = taps[o].i1 = i;
      taps[o].lambda = 0;
    }
    return taps;
  }
  float c;
  if (align_corners) {
    c = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
  } else {
    c = c_free;
  }
  for (int64_t o = 0; o < out; ++o) {
    float src;
    if (align_corners) {
      src = c * static_cast<float>(o);
    } else {
      src = static_cast<float>(static_cast<double>(c) * (static_cast<double>(o) + 0.5) - 0.5);
      if (src < 0) src = 0;
    }
    const int64_t i0 = static_cast<int64_t>(src);
    float lambda = std::min(std::max(src - static_cast<float>(i0), 0.0f), 1.0f);
    const int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
    taps[o].i0 = std::min(i0, in - 1);
    taps[o].i1 = i1;
    taps[o].lambda = i1 == i0 ? 0.0 : static_cast<double>(lambda);
  }
  return taps;
}

Status ResampleOutputShape(const Shape& in, const ResampleParams& p, Shape* out) {
  TCONV_RETURN_IF_ERROR(CheckInputRank(in, 3, 5, "resample"));
  const int nd = static_cast<int>(in.size()) - 2;
  if (p.scale.empty() == p.size.empty()) {
    return Status::Invalid("resample: give exactly one of scale and size");
  }
  if (p.mode == ResampleMode::kNearest && p.align_corners) {
    return Status::Invalid("resample: align_corners applies only to the linear modes (got mode nearest)");
  }
  *out = in;
  if (!p.scale.empty()) {
    if (static_cast<int>(p.scale.size()) != nd) {
      return Status::Invalid("resample: scale has " + std::to_string(p.scale.size()) + " values but the input has " +
                             std::to_string(nd) + " spatial axes");
    }
    for (int a = 0; a < nd; ++a) {
      const double s = p.scale[a];
      if (!(s > 0) || !std::isfinite(s)) {
        return Status::Invalid("resample: scale[" + std::to_string(a) + "] must be a finite number > 0 (got " +
                               std::to_string(s) + ")");
      }
      const double o = std::floor(static_cast<double>(in[2 + a]) * s);
      if (o < 1) {
        return Status::Invalid("resample: output length of axis " + std::to_string(a) + " is floor(" +
                               std::to_string(in[2 + a]) + " * " + std::to_string(s) + ") = " +
                               std::to_string(static_cast<int64_t>(o)) + ", must be >= 1");
      }
      if (o > static_cast<double>(kMaxOutLength)) {
        return Status::Invalid("resample: output length of axis " + std::to_string(a) + " is too large");
      }
      (*out)[2 + a] = static_cast<int64_t>(o);
    }
  } else {
    if (static_cast<int>(p.size.size()) != nd) {
      return Status::Invalid("resample: size has " + std::to_string(p.size.size()) + " values but the input has " +
                             std::to_string(nd) + " spatial axes");
    }
    for (int a = 0; a < nd; ++a) {
      if (p.size[a] < 1 || p.size[a] > kMaxOutLength) {
        return Status::Invalid("resample: size[" + std::to_string(a) + "] must be >= 1 (got " +
                               std::to_string(p.size[a]) + ")");
      }
      (*out)[2 + a] = p.size[a];
    }
  }
  // Overflow of the element count.
  double total = 1;
  for (int64_t v : *out) total *= static_cast<double>(v);
  if (total > 9.0e15) return Status::OutOfMemory("resample: output " + ShapeString(*out) + " is too large");
  return Status::Ok();
}

Status Resample(const ResampleParams& p, ConstTensorView x, TensorView y) {
  Shape want;
  TCONV_RETURN_IF_ERROR(ResampleOutputShape(x.shape, p, &want));
  TCONV_RETURN_IF_ERROR(CheckData(x, y, want));
  const int nd = x.rank() - 2;
  std::vector<std::vector<AxisTap>> taps;
  for (int a = 0; a < nd; ++a) {
    const double s = (!p.scale.empty() && !p.recompute_scale) ? p.scale[a] : 0.0;
    taps.push_back(TorchAxisTaps(p.mode, x.shape[2 + a], want[2 + a], s, p.align_corners));
  }
  ApplyTaps(taps, x, y);
  return Status::Ok();
}

// ---- MXNet ----

std::vector<AxisTap> MxnetAxisTaps(int64_t in, int64_t out, bool align_corners) {
  std::vector<AxisTap> taps(static_cast<size_t>(out));
  if (in == out) {
    for (int64_t o = 0; o < out; ++o) taps[o].i0 = taps[o].i1 = o;
    return taps;
  }
  float c = 0;
  if (out > 1) {
    c = align_corners ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                      : static_cast<float>(in) / static_cast<float>(out);
  }
  for (int64_t o = 0; o < out; ++o) {
    float src;
    if (align_corners) {
      src = c * static_cast<float>(o);
    } else {
      src = static_cast<float>(static_cast<double>(c) * (static_cast<double>(o) + 0.5) - 0.5);
      if (src < 0) src = 0;
    }
    const int64_t i0 = static_cast<int64_t>(src);
    const int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
    taps[o].i0 = std::min(i0, in - 1);
    taps[o].i1 = i1;
    taps[o].lambda = i1 == i0 ? 0.0 : static_cast<double>(src - static_cast<float>(i0));
  }
  return taps;
}

Status MxnetBilinearResize2DShape(const Shape& in, const MxnetResizeParams& p, Shape* out) {
  TCONV_RETURN_IF_ERROR(CheckInputRank(in, 4, 4, "BilinearResize2D"));
  *out = in;
  int64_t oh, ow;
  if (p.mode == MxnetResizeMode::kSize) {
    if (p.has_scale) {
      oh = static_cast<int64_t>(p.scale_height * static_cast<double>(in[2]));
      ow = static_cast<int64_t>(p.scale_width * static_cast<double>(in[3]));
    } else {
      oh = p.height;
      ow = p.width;
    }
  } else {
    if (!p.has_scale) return Status::Invalid("BilinearResize2D: mode odd_scale needs scale_height and scale_width");
    oh = in[2] % 2 == 0 ? static_cast<int64_t>(static_cast<double>(in[2]) * p.scale_height)
                        : static_cast<int64_t>(static_cast<double>(in[2] - 1) * p.scale_height) + 1;
    ow = in[3] % 2 == 0 ? static_cast<int64_t>(static_cast<double>(in[3]) * p.scale_width)
                        : static_cast<int64_t>(static_cast<double>(in[3] - 1) * p.scale_width) + 1;
  }
  if (oh < 1 || ow < 1 || oh > kMaxOutLength || ow > kMaxOutLength) {
    return Status::Invalid("BilinearResize2D: output size " + std::to_string(oh) + "x" + std::to_string(ow) +
                           " must be >= 1 on both axes");
  }
  (*out)[2] = oh;
  (*out)[3] = ow;
  return Status::Ok();
}

Status MxnetBilinearResize2D(const MxnetResizeParams& p, ConstTensorView x, TensorView y) {
  Shape want;
  TCONV_RETURN_IF_ERROR(MxnetBilinearResize2DShape(x.shape, p, &want));
  TCONV_RETURN_IF_ERROR(CheckData(x, y, want));
  std::vector<std::vector<AxisTap>> taps = {MxnetAxisTaps(x.shape[2], want[2], p.align_corners),
                                            MxnetAxisTaps(x.shape[3], want[3], p.align_corners)};
  ApplyTaps(taps, x, y);
  return Status::Ok();
}

}  // namespace tconv
