// Checkerboard analysis (include/tconv/checkerboard.h): overlap maps by
// counting and by running, the steady-state pattern and score, per-phase
// kernel sums, constant responses through stacks, ICNR and the deconvolution
// equal to nearest-upsample + convolution.
#include "tconv/checkerboard.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "tconv/plan.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

int64_t Mod(int64_t a, int64_t m) { return ((a % m) + m) % m; }

ConvDesc LayerDesc(const DeconvLayer& l, const Dims& in) {
  ConvDesc d;
  d.ndim = l.ndim;
  d.batch = 1;
  d.in_channels = d.out_channels = d.groups = 1;
  d.in = {1, 1, 1};
  d.kernel = d.stride = d.dilation = {1, 1, 1};
  d.pad_begin = d.pad_end = d.output_padding = {0, 0, 0};
  for (int a = 0; a < l.ndim; ++a) {
    d.in[a] = in[a];
    d.kernel[a] = l.kernel[a];
    d.stride[a] = l.stride[a];
    d.dilation[a] = l.dilation[a];
    d.pad_begin[a] = l.pad_begin[a];
    d.pad_end[a] = l.pad_end[a];
    d.output_padding[a] = l.output_padding[a];
  }
  return d;
}

DeconvLayer LayerOf(const ConvDesc& d) {
  DeconvLayer l;
  l.ndim = d.ndim;
  l.kernel = d.kernel;
  l.stride = d.stride;
  l.dilation = d.dilation;
  l.pad_begin = d.pad_begin;
  l.pad_end = d.pad_end;
  l.output_padding = d.output_padding;
  return l;
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
  for (const DeconvLayer& l : stack) {
    const int64_t n = static_cast<int64_t>(c.size());
    const int64_t k = l.kernel[axis], s = l.stride[axis], d = l.dilation[axis];
    const int64_t pb = l.pad_begin[axis], pe = l.pad_end[axis], a = l.output_padding[axis];
    const int64_t o_len = (n - 1) * s + d * (k - 1) + 1 - pb - pe + a;
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

namespace {

// Fills out->size, count (outer product) and interior from per-axis vectors.
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

}  // namespace

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
  for (size_t li = 0; li < stack.size(); ++li) {
    const DeconvLayer& l = stack[li];
    const int64_t k = l.kernel[axis], s = l.stride[axis], d = l.dilation[axis], pb = l.pad_begin[axis];
    if (k < 1 || s < 1 || d < 1) {
      return Status::Invalid("layer " + std::to_string(li) + ": kernel, stride and dilation must be >= 1");
    }
    const int64_t prev = static_cast<int64_t>(c.size());
    const int64_t per = prev * s;
    if (per > (int64_t{1} << 24)) return Status::Invalid("checkerboard: period of the stack is too long");
    std::vector<double> next(static_cast<size_t>(per), 0.0);
    for (int64_t o = 0; o < per; ++o) {
      double acc = 0;
      for (int64_t kx = 0; kx < k; ++kx) {
        const int64_t u = o + pb - kx * d;
        if (Mod(u, s) != 0) continue;
        acc += c[Mod((u - Mod(u, s)) / s, prev)];
      }
      next[o] = acc;
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

Status ConstantResponse(const std::vector<ConvDesc>& stack, const std::vector<Tensor>& weights, float value,
                        std::vector<double>* spread, int64_t* interior_count) {
  if (stack.empty() || stack.size() != weights.size()) {
    return Status::Invalid("constant response: need one weight per layer and at least one layer");
  }
  const int nd = stack[0].ndim;
  std::vector<DeconvLayer> layers;
  for (size_t l = 0; l < stack.size(); ++l) {
    Status st = ValidateConvTranspose(stack[l]);
    if (!st.ok()) return Status::Invalid("layer " + std::to_string(l) + ": " + st.message());
    if (stack[l].ndim != nd) return Status::Invalid("constant response: layers differ in ndim");
    if (l > 0) {
      const ConvDesc& p = stack[l - 1];
      bool chain = stack[l].in_channels == p.out_channels && stack[l].batch == p.batch;
      for (int a = 0; a < nd; ++a) chain = chain && stack[l].in[a] == ConvTransposeOutputLength(p, a);
      if (!chain) {
        return Status::Invalid("constant response: layer " + std::to_string(l) +
                               " input does not match the output of layer " + std::to_string(l - 1));
      }
    }
    layers.push_back(LayerOf(stack[l]));
  }
  Tensor x(ConvTransposeInputShape(stack[0]), value);
  for (size_t l = 0; l < stack.size(); ++l) {
    Tensor y(ConvTransposeOutputShape(stack[l]));
    TCONV_RETURN_IF_ERROR(ConvTranspose(stack[l], x.cview(), weights[l].cview(), ConstTensorView(), y.view()));
    x = std::move(y);
  }
  std::vector<std::vector<double>> counts(nd);
  std::vector<std::vector<uint8_t>> inner(nd);
  for (int a = 0; a < nd; ++a) {
    TCONV_RETURN_IF_ERROR(AxisOverlap(layers, a, stack[0].in[a], &counts[a], &inner[a]));
  }
  OverlapMap mask;
  OuterProduct(nd, counts, inner, &mask);
  const int64_t cout = x.shape[1], plane = mask.numel();
  spread->assign(static_cast<size_t>(cout), 0.0);
  int64_t n_in = 0;
  for (int64_t i = 0; i < plane; ++i) n_in += mask.interior[i];
  *interior_count = n_in;
  for (int64_t c = 0; c < cout; ++c) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int64_t i = 0; i < plane; ++i) {
      if (!mask.interior[i]) continue;
      const double v = x.data[c * plane + i];  // batch 0
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    (*spread)[c] = n_in > 0 ? hi - lo : 0.0;
  }
  return Status::Ok();
}

Status IcnrWeight(ConstTensorView base, int64_t r, Tensor* out) {
  if (base.rank() < 3 || base.rank() > 5) {
    return Status::Invalid("ICNR: base weight has shape " + ShapeString(base.shape) +
                           ", expected (Cout, Cin, *kernel) with 1..3 kernel axes");
  }
  if (r < 1) return Status::Invalid("ICNR: factor must be >= 1 (got " + std::to_string(r) + ")");
  const int nd = base.rank() - 2;
  int64_t sub = 1;
  for (int a = 0; a < nd; ++a) sub *= r;
  Shape s = base.shape;
  s[0] = base.shape[0] * sub;
  *out = Tensor(s);
  const int64_t per = base.numel() / base.shape[0];
  for (int64_t c = 0; c < base.shape[0]; ++c)
    for (int64_t j = 0; j < sub; ++j)
      std::copy(base.data + c * per, base.data + (c + 1) * per, out->data.data() + (c * sub + j) * per);
  return Status::Ok();
}

Status NearestUpsampleConvAsDeconv(const ConvDesc& conv, ConstTensorView w, const Dims& s, ConvDesc* deconv,
                                   Tensor* w_deconv) {
  TCONV_RETURN_IF_ERROR(ValidateConv(conv));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", w.shape, ConvWeightShape(conv)));
  const int nd = conv.ndim;
  ConvDesc d = conv;
  for (int a = 0; a < nd; ++a) {
    if (conv.stride[a] != 1 || conv.dilation[a] != 1) {
      return Status::Unsupported("nearest-upsample conv as deconv: needs stride 1 and dilation 1 (axis " +
                                 std::to_string(a) + ")");
    }
    if (s[a] < 1 || conv.in[a] % s[a] != 0) {
      return Status::Invalid("nearest-upsample conv as deconv: conv input length " + std::to_string(conv.in[a]) +
                             " on axis " + std::to_string(a) + " must be a multiple of the factor " +
                             std::to_string(s[a]));
    }
    const int64_t k = conv.kernel[a];
    d.in[a] = conv.in[a] / s[a];
    d.kernel[a] = k + s[a] - 1;
    d.stride[a] = s[a];
    d.dilation[a] = 1;
    d.pad_begin[a] = k - 1 - conv.pad_begin[a];
    d.pad_end[a] = k - 1 - conv.pad_end[a];
    d.output_padding[a] = 0;
  }
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(d));
  *w_deconv = Tensor(ConvTransposeWeightShape(d));
  const int64_t g = conv.groups, cin_g = conv.in_channels / g, cout_g = conv.out_channels / g;
  int64_t ks[3] = {1, 1, 1}, kq[3] = {1, 1, 1}, ss[3] = {1, 1, 1};
  for (int a = 0; a < nd; ++a) {
    ks[3 - nd + a] = conv.kernel[a];
    kq[3 - nd + a] = d.kernel[a];
    ss[3 - nd + a] = s[a];
  }
  const int64_t taps = ks[0] * ks[1] * ks[2], qtaps = kq[0] * kq[1] * kq[2];
  for (int64_t gi = 0; gi < g; ++gi)
    for (int64_t cil = 0; cil < cin_g; ++cil)
      for (int64_t col = 0; col < cout_g; ++col) {
        const float* src = w.data + ((gi * cout_g + col) * cin_g + cil) * taps;
        float* dst = w_deconv->data.data() + ((gi * cin_g + cil) * cout_g + col) * qtaps;
        for (int64_t q0 = 0; q0 < kq[0]; ++q0)
          for (int64_t q1 = 0; q1 < kq[1]; ++q1)
            for (int64_t q2 = 0; q2 < kq[2]; ++q2) {
              double acc = 0;
              const int64_t q[3] = {q0, q1, q2};
              int64_t lo[3], hi[3];
              for (int a = 0; a < 3; ++a) {
                lo[a] = std::max<int64_t>(0, ks[a] - 1 - q[a]);
                hi[a] = std::min<int64_t>(ks[a] - 1, ks[a] - 1 - q[a] + ss[a] - 1);
              }
              for (int64_t t0 = lo[0]; t0 <= hi[0]; ++t0)
                for (int64_t t1 = lo[1]; t1 <= hi[1]; ++t1)
                  for (int64_t t2 = lo[2]; t2 <= hi[2]; ++t2) acc += src[(t0 * ks[1] + t1) * ks[2] + t2];
              dst[(q0 * kq[1] + q1) * kq[2] + q2] = static_cast<float>(acc);
            }
      }
  *deconv = d;
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
