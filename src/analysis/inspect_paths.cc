// One upsampling path of InspectGraph: its geometry from the ONNX
// attributes, its all-ones layer model and the phase sums of its weights.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "src/analysis/inspect_internal.h"

namespace tconv {
namespace inspect {

namespace {

// An int list attribute with `count` entries, or `count` copies of dflt.
Status IntsAttr(const ModelNode& n, const std::string& key, size_t count, int64_t dflt, std::vector<int64_t>* out) {
  auto it = n.ints.find(key);
  if (it == n.ints.end()) {
    out->assign(count, dflt);
    return Status::Ok();
  }
  if (it->second.size() != count) {
    return Status::Invalid("node '" + n.name + "': attribute " + key + " has " + std::to_string(it->second.size()) +
                           " values, expected " + std::to_string(count));
  }
  *out = it->second;
  return Status::Ok();
}

// Kernel shape of a Conv / ConvTranspose from its weight (constant or
// inferred shape) or its kernel_shape attribute; sets ndim.
Status WeightShape(const GraphIndex& gi, const ModelNode& n, Shape* w, int* ndim) {
  if (n.inputs.size() < 2) return Status::Invalid("node '" + n.name + "' has no weight input");
  if (const Tensor* t = gi.Constant(n.inputs[1])) {
    *w = t->shape;
  } else if (gi.g->shapes.count(n.inputs[1])) {
    *w = gi.g->shapes.at(n.inputs[1]);
  } else if (n.ints.count("kernel_shape")) {
    *w = {-1, -1};
    for (int64_t k : n.ints.at("kernel_shape")) w->push_back(k);
  } else {
    return Status::Unsupported("node '" + n.name + "': the weight's shape is unknown; not analysed");
  }
  *ndim = static_cast<int>(w->size()) - 2;
  if (*ndim < 1 || *ndim > kMaxSpatialDims) {
    return Status::Unsupported("node '" + n.name + "': " + std::to_string(*ndim) +
                               " spatial axes (tconv analyses 1 to 3); not analysed");
  }
  return Status::Ok();
}

}  // namespace

Status ConvAttributes(const GraphIndex& gi, const ModelNode& n, ConvDesc* d, Shape* wshape) {
  int nd = 0;
  TCONV_RETURN_IF_ERROR(WeightShape(gi, n, wshape, &nd));
  d->ndim = nd;
  std::vector<int64_t> k, s, dil, pads, groups;
  TCONV_RETURN_IF_ERROR(IntsAttr(n, "kernel_shape", nd, 0, &k));
  TCONV_RETURN_IF_ERROR(IntsAttr(n, "strides", nd, 1, &s));
  TCONV_RETURN_IF_ERROR(IntsAttr(n, "dilations", nd, 1, &dil));
  TCONV_RETURN_IF_ERROR(IntsAttr(n, "pads", 2 * nd, 0, &pads));
  TCONV_RETURN_IF_ERROR(IntsAttr(n, "group", 1, 1, &groups));
  for (int a = 0; a < nd; ++a) {
    d->kernel[a] = k[a] > 0 ? k[a] : (*wshape)[a + 2];
    d->stride[a] = s[a];
    d->dilation[a] = dil[a];
    d->pad_begin[a] = pads[a];
    d->pad_end[a] = pads[a + nd];
    if (d->kernel[a] < 1 || d->stride[a] < 1 || d->dilation[a] < 1) {
      return Status::Invalid("node '" + n.name + "': kernel, strides and dilations must be >= 1");
    }
  }
  d->groups = groups[0];
  if (d->groups < 1) return Status::Invalid("node '" + n.name + "': group must be >= 1");
  return Status::Ok();
}

DeconvLayer NearestLayer(int ndim, const Dims& s) {
  DeconvLayer l;
  l.ndim = ndim;
  for (int a = 0; a < ndim; ++a) l.kernel[a] = l.stride[a] = s[a];
  return l;
}

double Ripple(const std::vector<double>& value, int64_t cout, int64_t phases) {
  double range = 0, top = 0;
  for (int64_t c = 0; c < cout; ++c) {
    const double* v = &value[static_cast<size_t>(c * phases)];
    const auto mm = std::minmax_element(v, v + phases);
    range = std::max(range, *mm.second - *mm.first);
    for (int64_t p = 0; p < phases; ++p) top = std::max(top, std::fabs(v[p]));
  }
  return top > 0 ? range / top : 0.0;
}

const Tensor* BiasOf(const GraphIndex& gi, const ModelNode& n, int64_t count) {
  if (n.inputs.size() < 3 || n.inputs[2].empty()) return nullptr;
  const Tensor* b = gi.Constant(n.inputs[2]);
  return b && b->numel() == count ? b : nullptr;
}

Status DeconvWeights(const ConvDesc& d, const Tensor& w, const Tensor* bias, PhaseSpreadReport* out) {
  PhaseSums ps;
  TCONV_RETURN_IF_ERROR(PhaseKernelSums(d, w.cview(), &ps));
  out->available = true;
  out->cin = ps.cin;
  out->cout_g = ps.cout_g;
  out->phases = ps.phases;
  out->spread = ps.spread;
  const int64_t cin_g = d.in_channels / d.groups;
  std::vector<double> value(static_cast<size_t>(d.out_channels * ps.phases), 0.0);
  for (int64_t co = 0; co < d.out_channels; ++co) {
    const int64_t grp = co / ps.cout_g, cog = co % ps.cout_g;
    for (int64_t p = 0; p < ps.phases; ++p) {
      double v = bias ? bias->data[static_cast<size_t>(co)] : 0.0;
      for (int64_t ci = grp * cin_g; ci < (grp + 1) * cin_g; ++ci)
        v += ps.sums[static_cast<size_t>((ci * ps.cout_g + cog) * ps.phases + p)];
      value[static_cast<size_t>(co * ps.phases + p)] = v;
    }
  }
  out->constant_ripple = Ripple(value, d.out_channels, ps.phases);
  FillSpreadSummary(out);
  const size_t base = static_cast<size_t>((out->worst_ci * ps.cout_g + out->worst_co) * ps.phases);
  out->worst_sums.assign(ps.sums.begin() + base, ps.sums.begin() + base + ps.phases);
  return Status::Ok();
}

void SetSizes(const GraphIndex& gi, const std::string& in, const std::string& out, UpsamplePath* p) {
  p->sizes_known = gi.SpatialSize(in, p->ndim, &p->in_size) && gi.SpatialSize(out, p->ndim, &p->out_size);
}

void FillSpreadSummary(PhaseSpreadReport* w) {
  // The worst pair: the largest spread, or the first NaN (weights holding
  // NaN or Inf are the worst finding of all).
  w->max_spread = 0;
  double top = 0;  // the largest finite spread: the histogram's range
  for (size_t i = 0; i < w->spread.size(); ++i) {
    const double v = w->spread[i];
    if (i == 0 || (std::isnan(v) && !std::isnan(w->max_spread)) || v > w->max_spread) {
      w->max_spread = v;
      w->worst_ci = static_cast<int64_t>(i) / w->cout_g;
      w->worst_co = static_cast<int64_t>(i) % w->cout_g;
    }
    if (std::isfinite(v)) top = std::max(top, v);
  }
  constexpr int kBins = 10;
  w->hist_edges.resize(kBins + 1);
  w->hist_counts.assign(kBins, 0);
  if (!(top > 0)) top = 1.0;
  for (int b = 0; b <= kBins; ++b) w->hist_edges[b] = top * b / kBins;
  for (double v : w->spread) {
    // Non-finite spreads count in the last bin; the clamp is in double, so
    // no out-of-range value is converted to int (the ONNX fuzzer found one).
    const double f = std::isfinite(v) ? std::min(std::max(v / top * kBins, 0.0), kBins - 1.0) : kBins - 1.0;
    w->hist_counts[static_cast<size_t>(f)]++;
  }
}

bool SmoothingLayer(const GraphIndex& gi, const ModelNode& conv, int ndim, DeconvLayer* out) {
  ConvDesc d;
  Shape w;
  if (!ConvAttributes(gi, conv, &d, &w).ok() || d.ndim != ndim) return false;
  *out = DeconvLayer();
  out->ndim = ndim;
  out->kernel = d.kernel;
  out->dilation = d.dilation;
  return true;
}

Status DescribeConvTranspose(const GraphIndex& gi, int node, UpsamplePath* p) {
  const ModelNode& n = gi.node(node);
  ConvDesc d;
  Shape ws;
  TCONV_RETURN_IF_ERROR(ConvAttributes(gi, n, &d, &ws));
  const int nd = d.ndim;
  std::vector<int64_t> a, out_shape;
  TCONV_RETURN_IF_ERROR(IntsAttr(n, "output_padding", nd, 0, &a));
  for (int ax = 0; ax < nd; ++ax) d.output_padding[ax] = a[ax];
  d.in_channels = ws[0];
  d.out_channels = ws[1] * d.groups;
  PadRequest req;
  if (n.strings.count("auto_pad")) TCONV_RETURN_IF_ERROR(ParseAutoPad(n.strings.at("auto_pad"), &req.auto_pad));
  if (n.ints.count("output_shape")) {
    const auto& os = n.ints.at("output_shape");
    if (os.size() != static_cast<size_t>(nd) && os.size() != static_cast<size_t>(nd + 2)) {
      return Status::Invalid("node '" + n.name + "': output_shape has " + std::to_string(os.size()) + " values");
    }
    req.has_output_shape = true;
    for (int ax = 0; ax < nd; ++ax) req.output_shape[ax] = os[os.size() - nd + ax];
  }
  p->kind = PathKind::kConvTranspose;
  p->nodes = {n.name};
  p->ndim = nd;
  SetSizes(gi, n.inputs[0], n.outputs.empty() ? "" : n.outputs[0], p);
  const bool needs_size = req.has_output_shape || req.auto_pad != AutoPad::kNotSet;
  if (needs_size) {
    if (gi.SpatialSize(n.inputs[0], nd, &d.in)) {
      TCONV_RETURN_IF_ERROR(ResolvePads(req, &d));
    } else {
      p->pads_known = false;
      d.pad_begin = d.pad_end = Dims{0, 0, 0};
    }
  }
  p->geometry = d;
  p->in_channels = d.in_channels;
  p->out_channels = d.out_channels;
  p->groups = d.groups;
  p->factor = d.stride;
  p->layers = {static_cast<const LayerGeometry&>(d)};
  const Tensor* w = gi.Constant(n.inputs[1]);
  if (w && d.in_channels > 0 && d.out_channels > 0) {
    TCONV_RETURN_IF_ERROR(DeconvWeights(d, *w, BiasOf(gi, n, d.out_channels), &p->weights));
    p->weights.note = "per-phase sums of the ConvTranspose weight";
  } else {
    p->weights.note = gi.g->opaque.count(n.inputs[1]) ? "weight is " + gi.g->opaque.at(n.inputs[1])
                                                       : "weight is not a constant of the model";
  }
  return Status::Ok();
}

}  // namespace inspect
}  // namespace tconv
