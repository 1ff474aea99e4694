// The resize-convolution and sub-pixel paths of InspectGraph: scales from
// the Resize / Upsample inputs, and the phase sums of their weights (the
// nearest resize-conv through its equivalent transposed convolution, the
// sub-pixel conv through the channels DepthToSpace interleaves).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "src/analysis/inspect_internal.h"
#include "src/base/checked_int.h"

namespace tconv {
namespace inspect {

namespace {

// Spatial scales of a Resize / Upsample node, from the inferred input and
// output shapes when known, else its scales or sizes constant, else the
// Upsample-7 attribute. False when none is known.
bool ResizeScales(const GraphIndex& gi, const ModelNode& n, std::vector<double>* scales) {
  scales->clear();
  auto xs = gi.g->shapes.find(n.inputs[0]);
  auto ys = n.outputs.empty() ? gi.g->shapes.end() : gi.g->shapes.find(n.outputs[0]);
  if (xs != gi.g->shapes.end() && ys != gi.g->shapes.end() && xs->second.size() == ys->second.size() &&
      xs->second.size() >= 3) {
    bool known = true;
    for (size_t a = 2; a < xs->second.size(); ++a) {
      known = known && xs->second[a] > 0 && ys->second[a] > 0;
      if (known) scales->push_back(static_cast<double>(ys->second[a]) / static_cast<double>(xs->second[a]));
    }
    if (known) return true;
    scales->clear();
  }
  // Resize-11+: (X, roi, scales, sizes); Resize-10 and Upsample-9: (X, scales).
  const size_t scales_at = n.op == "Resize" && n.inputs.size() >= 3 ? 2 : 1;
  const Tensor* sc = n.inputs.size() > scales_at && !n.inputs[scales_at].empty() ? gi.Constant(n.inputs[scales_at])
                                                                               : nullptr;
  if (sc && sc->numel() >= 3) {
    for (int64_t a = 2; a < sc->numel(); ++a) scales->push_back(sc->data[static_cast<size_t>(a)]);
    return true;
  }
  const Tensor* sz = n.op == "Resize" && n.inputs.size() >= 4 ? gi.Constant(n.inputs[3]) : nullptr;
  if (sz && xs != gi.g->shapes.end() && static_cast<int64_t>(xs->second.size()) == sz->numel()) {
    for (size_t a = 2; a < xs->second.size(); ++a) {
      if (xs->second[a] <= 0) return false;
      scales->push_back(sz->data[a] / static_cast<double>(xs->second[a]));
    }
    return true;
  }
  auto attr = n.floats.find("scales");
  if (attr != n.floats.end() && attr->second.size() >= 3) {
    scales->assign(attr->second.begin() + 2, attr->second.end());
    return true;
  }
  return false;
}

// The nearest resize-conv's weights as the equivalent transposed
// convolution (NearestUpsampleConvAsDeconv): its phase sums are all the
// conv kernel's sum, so the spread is 0 up to rounding.
Status NearestConvWeights(const GraphIndex& gi, const ModelNode& conv, const ConvDesc& cd, const Shape& ws,
                          PhaseSpreadReport* out) {
  const Tensor* w = gi.Constant(conv.inputs[1]);
  if (!w) {
    out->note = "conv weight is not a constant of the model";
    return Status::Ok();
  }
  ConvDesc d = cd;
  d.out_channels = ws[0];
  d.in_channels = ws[1] * d.groups;
  Dims s = d.stride;  // the caller put the resize factor here
  d.stride = {1, 1, 1};
  for (int a = 0; a < d.ndim; ++a) {
    if (d.dilation[a] != 1) {
      out->note = "dilated conv after the resize: not analysed";
      return Status::Ok();
    }
    d.in[a] = SatMul(s[a], SatAdd(d.kernel[a], 4));
  }
  // The equivalent deconvolution's weight has kernel k + s - 1 per axis and
  // each of its elements sums up to k^nd conv taps: a huge factor or kernel
  // (the ONNX fuzzer's model) is noted, not computed for minutes.
  int64_t work = SatProduct({d.in_channels, d.out_channels / std::max<int64_t>(d.groups, 1)});
  for (int a = 0; a < d.ndim; ++a) work = SatMul(work, SatMul(d.kernel[a] + s[a] - 1, d.kernel[a]));
  if (work > (int64_t{1} << 27)) {
    out->note = "resize factor and conv kernel too large to analyse the weights (" + std::to_string(work) +
                " multiply-adds)";
    return Status::Ok();
  }
  ConvDesc dd;
  Tensor wd;
  TCONV_RETURN_IF_ERROR(NearestUpsampleConvAsDeconv(d, w->cview(), s, &dd, &wd));
  TCONV_RETURN_IF_ERROR(DeconvWeights(dd, wd, BiasOf(gi, conv, d.out_channels), out));
  out->note = "phase sums of the transposed convolution equal to nearest resize + this conv";
  return Status::Ok();
}

}  // namespace

Status DescribeResize(const GraphIndex& gi, int resize, int conv, UpsamplePath* p, bool* upsampling) {
  const ModelNode& n = gi.node(resize);
  *upsampling = false;
  std::vector<double> scales;
  if (n.inputs.empty() || !ResizeScales(gi, n, &scales) || scales.empty() || scales.size() > kMaxSpatialDims) {
    return Status::Ok();
  }
  bool up = false, integer = true;
  for (double s : scales) {
    if (s < 1) return Status::Ok();  // a downsampling resize is not a path
    // A factor past 2^20 (or not finite: the ONNX fuzzer's) is no upsampler
    // anyone trains; it is left out rather than overflow the sizes below.
    if (!(s <= (1 << 20))) return Status::Ok();
    up = up || s > 1;
    integer = integer && std::fabs(s - std::round(s)) < 1e-6;
  }
  if (!up) return Status::Ok();
  *upsampling = true;
  p->ndim = static_cast<int>(scales.size());
  p->mode = n.strings.count("mode") ? n.strings.at("mode") : "nearest";
  for (int a = 0; a < p->ndim; ++a) p->factor[a] = static_cast<int64_t>(std::llround(scales[a]));
  p->nodes = {n.name};
  p->kind = conv >= 0 ? PathKind::kResizeConv : PathKind::kResize;
  if (integer) p->layers = {NearestLayer(p->ndim, p->factor)};
  if (conv < 0) {
    SetSizes(gi, n.inputs[0], n.outputs[0], p);
    p->weights.note = "no convolution follows: a resize alone has no phase structure";
    return Status::Ok();
  }
  const ModelNode& c = gi.node(conv);
  p->nodes.push_back(c.name);
  ConvDesc cd;
  Shape ws;
  TCONV_RETURN_IF_ERROR(ConvAttributes(gi, c, &cd, &ws));
  if (cd.ndim != p->ndim) return Status::Unsupported("node '" + c.name + "': rank differs from the resize's");
  SetSizes(gi, n.inputs[0], c.outputs[0], p);
  p->geometry = cd;
  p->in_channels = ws[1] * cd.groups;
  p->out_channels = ws[0];
  p->groups = cd.groups;
  DeconvLayer smooth;
  if (integer && SmoothingLayer(gi, c, p->ndim, &smooth)) p->layers.push_back(smooth);
  if (p->mode == "nearest" && integer) {
    cd.stride = p->factor;
    TCONV_RETURN_IF_ERROR(NearestConvWeights(gi, c, cd, ws, &p->weights));
  } else {
    p->weights.note = p->mode +
                      " resize: every output phase's interpolation weights sum to 1, so a constant input stays "
                      "constant and the stride-1 conv after it has no phases";
  }
  return Status::Ok();
}

Status DescribeSubPixel(const GraphIndex& gi, int conv, int d2s, UpsamplePath* p) {
  const ModelNode& c = gi.node(conv);
  const ModelNode& n = gi.node(d2s);
  ConvDesc cd;
  Shape ws;
  TCONV_RETURN_IF_ERROR(ConvAttributes(gi, c, &cd, &ws));
  const int64_t r = n.ints.count("blocksize") ? n.ints.at("blocksize")[0] : 0;
  if (r < 1 || cd.ndim != 2) return Status::Unsupported("node '" + n.name + "': blocksize or rank not understood");
  p->kind = PathKind::kSubPixel;
  p->nodes = {c.name, n.name};
  p->ndim = 2;
  p->mode = n.strings.count("mode") ? n.strings.at("mode") : "DCR";
  p->factor = {r, r, 1};
  p->geometry = cd;
  p->in_channels = ws[1] * cd.groups;
  p->out_channels = ws[0] / (r * r);
  p->groups = cd.groups;
  SetSizes(gi, c.inputs[0], n.outputs[0], p);
  DeconvLayer smooth;
  if (SmoothingLayer(gi, c, 2, &smooth)) p->layers = {smooth, NearestLayer(2, p->factor)};
  const Tensor* w = gi.Constant(c.inputs[1]);
  if (!w || cd.groups != 1 || ws[0] % (r * r) != 0) {
    p->weights.note = !w ? "conv weight is not a constant of the model" : "grouped sub-pixel conv: not analysed";
    return Status::Ok();
  }
  // Output channel co at phase j (= dy*r + dx) comes from conv channel
  // co*r*r + j (CRD, torch's PixelShuffle) or j*C + co (DCR).
  const int64_t C = p->out_channels, cin = ws[1], taps = cd.kernel[0] * cd.kernel[1], ph = r * r;
  const bool crd = p->mode == "CRD";
  const Tensor* bias = BiasOf(gi, c, ws[0]);
  PhaseSpreadReport& o = p->weights;
  o.available = true;
  o.note = "kernel sums of the conv channels DepthToSpace (" + p->mode + ") interleaves, per output channel";
  o.cin = cin;
  o.cout_g = C;
  o.phases = ph;
  o.spread.assign(static_cast<size_t>(cin * C), 0.0);
  std::vector<double> sums(static_cast<size_t>(cin * C * ph), 0.0), value(static_cast<size_t>(C * ph), 0.0);
  for (int64_t co = 0; co < C; ++co)
    for (int64_t j = 0; j < ph; ++j) {
      const int64_t ch = crd ? co * ph + j : j * C + co;
      value[static_cast<size_t>(co * ph + j)] = bias ? bias->data[static_cast<size_t>(ch)] : 0.0;
      for (int64_t ci = 0; ci < cin; ++ci) {
        double s = 0;
        const float* wp = &w->data[static_cast<size_t>((ch * cin + ci) * taps)];
        for (int64_t t = 0; t < taps; ++t) s += wp[t];
        sums[static_cast<size_t>((ci * C + co) * ph + j)] = s;
        value[static_cast<size_t>(co * ph + j)] += s;
      }
    }
  for (int64_t pr = 0; pr < cin * C; ++pr) {
    const auto mm = std::minmax_element(&sums[static_cast<size_t>(pr * ph)], &sums[static_cast<size_t>(pr * ph)] + ph);
    o.spread[static_cast<size_t>(pr)] = *mm.second - *mm.first;
  }
  FillSpreadSummary(&o);
  const size_t base = static_cast<size_t>((o.worst_ci * C + o.worst_co) * ph);
  o.worst_sums.assign(sums.begin() + base, sums.begin() + base + ph);
  o.constant_ripple = Ripple(value, C, ph);
  return Status::Ok();
}

}  // namespace inspect
}  // namespace tconv
