// Checkerboard analysis (include/tconv/checkerboard.h): overlap maps by
// counting and by running, the steady-state pattern and score, per-phase
// kernel sums, resize-convolution maps and the phase-mean spread. Constant
// responses through stacks, ICNR and the deconvolution equal to
// nearest-upsample + convolution are in checkerboard_weights.cc.
#include "tconv/checkerboard.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "src/analysis/checkerboard_internal.h"
#include "src/base/checked_int.h"
#include "tconv/plan.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

int64_t Mod(int64_t a, int64_t m) { return ((a % m) + m) % m; }

// The per-axis analyses bound their work (multiply-adds summed over the
// layers: well under a second under ASan), so that a stack with a huge kernel is
// refused in a moment rather than analysed for minutes (the ONNX fuzzer
// found such a model: tconv inspect then notes the path as not scored).
constexpr int64_t kMaxAnalysisWork = int64_t{1} << 24;

// The layer's desc for one image of one channel of spatial size `in`.
ConvDesc LayerDesc(const DeconvLayer& l, const Dims& in) {
  ConvDesc d;
  static_cast<LayerGeometry&>(d) = l;
  for (int a = 0; a < kMaxSpatialDims; ++a) d.in[a] = a < l.ndim ? in[a] : 1;
  for (int a = l.ndim; a < kMaxSpatialDims; ++a) {
    d.kernel[a] = d.stride[a] = d.dilation[a] = 1;
    d.pad_begin[a] = d.pad_end[a] = d.output_padding[a] = 0;
  }
  return d;
}

Status CheckStack(const std::vector<DeconvLayer>& stack) {
  if (stack.empty()) return Status::Invalid("checkerboard: the layer stack is empty");
  const int nd = stack[0].ndim;
  if (nd < 1 || nd > kMaxSpatialDims) {
    return Status::Invalid("checkerboard: ndim must be 1..3 (got " + std::to_string(nd) + ")");
  }
  for (size_t l = 0; l < stack.size(); ++l) {
    if (stack[l].ndim != nd) {
      return Status::Invalid("checkerboard: layer " + std::to_string(l) + " has " + std::to_string(stack[l].ndim) +
                             " spatial axes, layer 0 has " + std::to_string(nd));
    }
  }
  return Status::Ok();
}

int64_t Product(const Dims& v, int nd) {
  int64_t p = 1;
  for (int a = 0; a < nd; ++a) p *= v[a];
  return p;
}

}  // namespace

DeconvLayer MakeDeconvLayer(int ndim, int64_t k, int64_t s, int64_t d, int64_t p, int64_t a) {
  DeconvLayer l;
  l.ndim = ndim;
  for (int i = 0; i < ndim; ++i) {
    l.kernel[i] = k;
    l.stride[i] = s;
    l.dilation[i] = d;
    l.pad_begin[i] = l.pad_end[i] = p;
    l.output_padding[i] = a;
  }
  return l;
}

Status StackOutputSize(const std::vector<DeconvLayer>& stack, const Dims& in, Dims* out) {
  TCONV_RETURN_IF_ERROR(CheckStack(stack));
  Dims cur = in;
  for (size_t l = 0; l < stack.size(); ++l) {
    const ConvDesc d = LayerDesc(stack[l], cur);
    Status st = ValidateConvTranspose(d);
    if (!st.ok()) return Status::Invalid("layer " + std::to_string(l) + ": " + st.message());
    for (int a = 0; a < d.ndim; ++a) cur[a] = ConvTransposeOutputLength(d, a);
  }
  *out = cur;
  return Status::Ok();
}

Status AxisOverlap(const std::vector<DeconvLayer>& stack, int axis, int64_t in, std::vector<double>* count,
                   std::vector<uint8_t>* interior) {
  TCONV_RETURN_IF_ERROR(CheckStack(stack));
  if (axis < 0 || axis >= stack[0].ndim) return Status::Invalid("checkerboard: axis out of range");
  Dims in_dims = {1, 1, 1};
  for (int a = 0; a < stack[0].ndim; ++a) in_dims[a] = in;
  Dims out_dims;
  TCONV_RETURN_IF_ERROR(StackOutputSize(stack, in_dims, &out_dims));
  std::vector<double> c(static_cast<size_t>(in), 1.0);
  std::vector<uint8_t> inner(static_cast<size_t>(in), 1);
  int64_t work = 0;
  for (const DeconvLayer& l : stack) {
    const int64_t n = static_cast<int64_t>(c.size());
    const int64_t k = l.kernel[axis], s = l.stride[axis], d = l.dilation[axis];
    const int64_t pb = l.pad_begin[axis], pe = l.pad_end[axis], a = l.output_padding[axis];
    const int64_t o_len = (n - 1) * s + d * (k - 1) + 1 - pb - pe + a;
    work = SatAdd(work, SatMul(o_len, k));
    if (work > kMaxAnalysisWork) {
      return Status::Invalid("checkerboard: the map is too large to compute (" + std::to_string(o_len) +
                             " outputs x kernel " + std::to_string(k) + " on axis " + std::to_string(axis) + ")");
    }
    std::vector<double> next(static_cast<size_t>(o_len), 0.0);
    std::vector<uint8_t> next_inner(static_cast<size_t>(o_len), 1);
    for (int64_t o = 0; o < o_len; ++o) {
      double acc = 0;
      bool ok = true;
      for (int64_t kx = 0; kx < k; ++kx) {
        const int64_t u = o + pb - kx * d;
        if (Mod(u, s) != 0) continue;
        const int64_t ix = (u - Mod(u, s)) / s;
        if (ix < 0 || ix >= n) {
          ok = false;
          continue;
        }
        acc += c[ix];
        ok = ok && inner[ix];
      }
      next[o] = acc;
      next_inner[o] = ok ? 1 : 0;
    }
    c.swap(next);
    inner.swap(next_inner);
  }
  *count = std::move(c);
  *interior = std::move(inner);
  return Status::Ok();
}

void OuterProduct(int nd, const std::vector<std::vector<double>>& counts,
                  const std::vector<std::vector<uint8_t>>& inner, OverlapMap* out) {
  out->ndim = nd;
  out->size = {1, 1, 1};
  for (int a = 0; a < nd; ++a) out->size[a] = static_cast<int64_t>(counts[a].size());
  const int64_t total = Product(out->size, nd);
  out->count.assign(static_cast<size_t>(total), 0.0);
  out->interior.assign(static_cast<size_t>(total), 0);
  int64_t idx[3] = {0, 0, 0};
  for (int64_t i = 0; i < total; ++i) {
    int64_t rem = i;
    for (int a = nd - 1; a >= 0; --a) {
      idx[a] = rem % out->size[a];
      rem /= out->size[a];
    }
    double v = 1;
    bool in = true;
    for (int a = 0; a < nd; ++a) {
      v *= counts[a][idx[a]];
      in = in && inner[a][idx[a]];
    }
    out->count[i] = v;
    out->interior[i] = in ? 1 : 0;
  }
}

Status OverlapMapCount(const std::vector<DeconvLayer>& stack, const Dims& in, OverlapMap* out) {
  TCONV_RETURN_IF_ERROR(CheckStack(stack));
  const int nd = stack[0].ndim;
  Dims out_dims;
  TCONV_RETURN_IF_ERROR(StackOutputSize(stack, in, &out_dims));
  std::vector<std::vector<double>> counts(nd);
  std::vector<std::vector<uint8_t>> inner(nd);
  for (int a = 0; a < nd; ++a) {
    // AxisOverlap takes one input length for the axis.
    std::vector<DeconvLayer> s = stack;
    TCONV_RETURN_IF_ERROR(AxisOverlap(s, a, in[a], &counts[a], &inner[a]));
  }
  OuterProduct(nd, counts, inner, out);
  return Status::Ok();
}

Status OverlapMapRun(const std::vector<DeconvLayer>& stack, const Dims& in, OverlapMap* out) {
  TCONV_RETURN_IF_ERROR(CheckStack(stack));
  const int nd = stack[0].ndim;
  Dims out_dims;
  TCONV_RETURN_IF_ERROR(StackOutputSize(stack, in, &out_dims));
  Dims cur = in;
  ConvDesc d0 = LayerDesc(stack[0], cur);
  Tensor x(ConvTransposeInputShape(d0), 1.0f);
  for (const DeconvLayer& l : stack) {
    const ConvDesc d = LayerDesc(l, cur);
    Tensor w(ConvTransposeWeightShape(d), 1.0f);
    Tensor y(ConvTransposeOutputShape(d));
    TCONV_RETURN_IF_ERROR(ConvTransposeRef(d, x.cview(), w.cview(), ConstTensorView(), y.view()));
    for (int a = 0; a < nd; ++a) cur[a] = ConvTransposeOutputLength(d, a);
    x = std::move(y);
  }
  // Interior flags are geometry: the same per-axis computation.
  std::vector<std::vector<double>> counts(nd);
  std::vector<std::vector<uint8_t>> inner(nd);
  for (int a = 0; a < nd; ++a) TCONV_RETURN_IF_ERROR(AxisOverlap(stack, a, in[a], &counts[a], &inner[a]));
  OuterProduct(nd, counts, inner, out);
  for (int64_t i = 0; i < x.numel(); ++i) out->count[i] = x.data[i];
  return Status::Ok();
}

Status SteadyStatePattern(const std::vector<DeconvLayer>& stack, int axis, std::vector<double>* period) {
  TCONV_RETURN_IF_ERROR(CheckStack(stack));
  if (axis < 0 || axis >= stack[0].ndim) return Status::Invalid("checkerboard: axis out of range");
  std::vector<double> c(1, 1.0);  // period 1: the ones input
  int64_t work = 0;  // taps x the previous period, summed over the layers
  for (size_t li = 0; li < stack.size(); ++li) {
    const DeconvLayer& l = stack[li];
    const int64_t k = l.kernel[axis], s = l.stride[axis], d = l.dilation[axis], pb = l.pad_begin[axis];
    if (k < 1 || s < 1 || d < 1) {
      return Status::Invalid("layer " + std::to_string(li) + ": kernel, stride and dilation must be >= 1");
    }
    const int64_t prev = static_cast<int64_t>(c.size());
    const int64_t per = SatMul(prev, s);
    if (per > (int64_t{1} << 20)) return Status::Invalid("checkerboard: period of the stack is too long");
    work = SatAdd(work, SatMul(prev, k));
    if (work > kMaxAnalysisWork) {
      return Status::Invalid("checkerboard: the stack's kernels are too large to analyse (period " +
                             std::to_string(per) + ", kernel " + std::to_string(k) + " on axis " +
                             std::to_string(axis) + ")");
    }
    // Tap kx of the input at i (i == j mod prev) lands on o = i*s + kx*d - pb,
    // which is j*s + kx*d - pb modulo the new period prev*s.
    std::vector<double> next(static_cast<size_t>(per), 0.0);
    for (int64_t kx = 0; kx < k; ++kx) {
      const int64_t shift = Mod(Mod(kx, per) * Mod(d, per) - Mod(pb, per), per);
      for (int64_t j = 0; j < prev; ++j) next[static_cast<size_t>(Mod(j * s + shift, per))] += c[j];
    }
    c.swap(next);
  }
  *period = std::move(c);
  return Status::Ok();
}

Status ScoreStack(const std::vector<DeconvLayer>& stack, CheckerboardScore* out) {
  TCONV_RETURN_IF_ERROR(CheckStack(stack));
  const int nd = stack[0].ndim;
  out->pattern.assign(nd, {});
  out->min = out->max = 1;
  for (int a = 0; a < nd; ++a) {
    TCONV_RETURN_IF_ERROR(SteadyStatePattern(stack, a, &out->pattern[a]));
    const auto mm = std::minmax_element(out->pattern[a].begin(), out->pattern[a].end());
    out->min *= *mm.first;
    out->max *= *mm.second;
  }
  out->score = out->min > 0 ? out->max / out->min : std::numeric_limits<double>::infinity();
  return Status::Ok();
}

bool InteriorMinMax(const OverlapMap& m, double* min, double* max) {
  bool any = false;
  for (int64_t i = 0; i < m.numel(); ++i) {
    if (!m.interior[i]) continue;
    if (!any) {
      *min = *max = m.count[i];
      any = true;
    } else {
      *min = std::min(*min, m.count[i]);
      *max = std::max(*max, m.count[i]);
    }
  }
  return any;
}

Status PhaseKernelSums(const ConvDesc& desc, ConstTensorView weight, PhaseSums* out) {
  const int nd = desc.ndim;
  if (nd < 1 || nd > kMaxSpatialDims) return Status::Invalid("phase sums: ndim must be 1..3");
  if (desc.groups < 1 || desc.out_channels % desc.groups != 0) {
    return Status::Invalid("phase sums: out_channels must be a multiple of groups");
  }
  for (int a = 0; a < nd; ++a) {
    if (desc.stride[a] < 1 || desc.dilation[a] < 1 || desc.kernel[a] < 1) {
      return Status::Invalid("phase sums: kernel, stride and dilation must be >= 1 on axis " + std::to_string(a));
    }
  }
  TCONV_RETURN_IF_ERROR(CheckShape("weight", weight.shape, ConvTransposeWeightShape(desc)));
  out->cin = desc.in_channels;
  out->cout_g = desc.out_channels / desc.groups;
  out->phases = Product(desc.stride, nd);
  const int64_t taps = Product(desc.kernel, nd);
  out->sums.assign(static_cast<size_t>(out->cin * out->cout_g * out->phases), 0.0);
  // Phase of each tap (C order over per-axis phases).
  std::vector<int64_t> tap_phase(static_cast<size_t>(taps));
  for (int64_t t = 0; t < taps; ++t) {
    int64_t rem = t, ph = 0, mul = 1;
    for (int a = nd - 1; a >= 0; --a) {
      const int64_t k = rem % desc.kernel[a];
      rem /= desc.kernel[a];
      ph += mul * ((k * desc.dilation[a]) % desc.stride[a]);
      mul *= desc.stride[a];
    }
    tap_phase[t] = ph;
  }
  for (int64_t p = 0; p < out->cin * out->cout_g; ++p) {
    double* s = &out->sums[p * out->phases];
    const float* w = weight.data + p * taps;
    for (int64_t t = 0; t < taps; ++t) s[tap_phase[t]] += w[t];
  }
  out->spread.assign(static_cast<size_t>(out->cin * out->cout_g), 0.0);
  out->max_spread = 0;
  for (int64_t p = 0; p < out->cin * out->cout_g; ++p) {
    const double* s = &out->sums[p * out->phases];
    const auto mm = std::minmax_element(s, s + out->phases);
    out->spread[p] = *mm.second - *mm.first;
    out->max_spread = std::max(out->max_spread, out->spread[p]);
  }
  return Status::Ok();
}

}  // namespace tconv

namespace tconv {

Status ResizeConvOverlapMap(int ndim, const std::vector<ResizeConvLayer>& stack, const Dims& in, OverlapMap* out) {
  if (ndim < 1 || ndim > kMaxSpatialDims) return Status::Invalid("resize-conv map: ndim must be 1..3");
  if (stack.empty()) return Status::Invalid("resize-conv map: the layer stack is empty");
  Shape xs = {1, 1};
  for (int a = 0; a < ndim; ++a) xs.push_back(in[a]);
  Tensor x(xs, 1.0f);
  std::vector<std::vector<uint8_t>> inner(ndim);
  for (int a = 0; a < ndim; ++a) inner[a].assign(static_cast<size_t>(in[a]), 1);
  for (size_t l = 0; l < stack.size(); ++l) {
    const ResizeConvLayer& L = stack[l];
    ResampleParams rp;
    rp.mode = L.mode;
    rp.align_corners = L.align_corners;
    rp.scale.assign(ndim, L.scale);
    Shape us;
    Status st = ResampleOutputShape(x.shape, rp, &us);
    if (!st.ok()) return Status::Invalid("layer " + std::to_string(l) + ": " + st.message());
    Tensor up(us);
    TCONV_RETURN_IF_ERROR(Resample(rp, x.cview(), up.view()));
    ConvDesc d;
    d.ndim = ndim;
    for (int a = 0; a < ndim; ++a) {
      d.in[a] = us[2 + a];
      d.kernel[a] = L.kernel;
      d.pad_begin[a] = d.pad_end[a] = L.pad;
    }
    st = ValidateConv(d);
    if (!st.ok()) return Status::Invalid("layer " + std::to_string(l) + ": " + st.message());
    Tensor w(ConvWeightShape(d), 1.0f), y(ConvOutputShape(d));
    TCONV_RETURN_IF_ERROR(ConvRef(d, up.cview(), w.cview(), ConstTensorView(), y.view()));
    for (int a = 0; a < ndim; ++a) {
      const int64_t n_in = x.shape[2 + a], n_up = us[2 + a];
      const std::vector<AxisTap> taps =
          TorchAxisTaps(L.mode, n_in, n_up, L.scale, L.mode == ResampleMode::kLinear && L.align_corners);
      std::vector<uint8_t> up_inner(static_cast<size_t>(n_up));
      for (int64_t o = 0; o < n_up; ++o) {
        const AxisTap& t = taps[o];
        up_inner[o] = inner[a][t.i0] && (t.lambda == 0 || inner[a][t.i1]);
      }
      const int64_t n_out = ConvOutputLength(d, a);
      std::vector<uint8_t> next(static_cast<size_t>(n_out));
      for (int64_t o = 0; o < n_out; ++o) {
        bool ok = true;
        for (int64_t k = 0; k < L.kernel; ++k) {
          const int64_t i = o + k - L.pad;
          ok = ok && i >= 0 && i < n_up && up_inner[i];
        }
        next[o] = ok ? 1 : 0;
      }
      inner[a].swap(next);
    }
    x = std::move(y);
  }
  out->ndim = ndim;
  out->size = {1, 1, 1};
  for (int a = 0; a < ndim; ++a) out->size[a] = x.shape[2 + a];
  out->count.assign(x.data.begin(), x.data.end());
  out->interior.assign(out->count.size(), 0);
  for (int64_t i = 0; i < out->numel(); ++i) {
    int64_t rem = i;
    bool ok = true;
    for (int a = ndim - 1; a >= 0; --a) {
      ok = ok && inner[a][rem % out->size[a]];
      rem /= out->size[a];
    }
    out->interior[i] = ok ? 1 : 0;
  }
  return Status::Ok();
}

Status PhaseMeanSpread(ConstTensorView t, int64_t period, int64_t margin, double* spread) {
  if (t.rank() < 3 || t.rank() > 5 || t.shape[0] != 1) {
    return Status::Invalid("phase spread: tensor has shape " + ShapeString(t.shape) +
                           ", expected (1, C, *spatial) with 1..3 spatial axes");
  }
  const Shape s(t.shape.begin() + 1, t.shape.end());
  if (period < 1 || margin < 0) return Status::Invalid("phase spread: period must be >= 1 and margin >= 0");
  const int nd = static_cast<int>(s.size()) - 1;
  int64_t plane = 1, classes = 1;
  for (int a = 0; a < nd; ++a) {
    if (s[1 + a] - 2 * margin < period) {
      return Status::Invalid("phase spread: axis " + std::to_string(a) + " of length " + std::to_string(s[1 + a]) +
                             " has fewer than one period inside the margin");
    }
    plane *= s[1 + a];
    classes *= period;
  }
  double worst = 0;
  std::vector<double> sum(static_cast<size_t>(classes)), cnt(static_cast<size_t>(classes));
  for (int64_t c = 0; c < s[0]; ++c) {
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(cnt.begin(), cnt.end(), 0.0);
    for (int64_t i = 0; i < plane; ++i) {
      int64_t rem = i, cls = 0, mul = 1;
      bool inside = true;
      for (int a = nd - 1; a >= 0; --a) {
        const int64_t idx = rem % s[1 + a];
        rem /= s[1 + a];
        inside = inside && idx >= margin && idx < s[1 + a] - margin;
        cls += mul * (idx % period);
        mul *= period;
      }
      if (!inside) continue;
      sum[cls] += t.data[c * plane + i];
      cnt[cls] += 1;
    }
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int64_t k = 0; k < classes; ++k) {
      if (cnt[k] == 0) continue;
      lo = std::min(lo, sum[k] / cnt[k]);
      hi = std::max(hi, sum[k] / cnt[k]);
    }
    worst = std::max(worst, hi - lo);
  }
  *spread = worst;
  return Status::Ok();
}

}  // namespace tconv
