// oneDNN peer: the same transposed convolution run by oneDNN's
// deconvolution_forward (deconvolution_direct, f32, inference), in every
// configuration a oneDNN user could pick for the same output y = conv_t(x) + b:
//
//   layout  blocked          format_tag::any everywhere (nChw16c etc.), x and y
//                            already in the chosen layouts: NO reorders timed
//           blocked+reorders the same primitive on plain NCHW user tensors:
//                            the src reorder in and the dst reorder out ARE timed
//           nchw | nhwc      the primitive created on plain tensors (no reorders)
//   bias    bias             the bias argument of the primitive
//           biaspass         no bias argument (oneDNN 2.6 then keeps its fast
//                            depthwise path: 0.12 ms vs 2.5 ms on dw_k4s2), and
//                            a separate oneDNN binary-add pass over y (timed)
//
// The weight reorder is done once, outside the timing, as tconv packs its
// weights once in Plan::Create.
//
// Conversions from tconv's (torch/ONNX) semantics:
//  * weight (Cin, Cout/g, *k) is oneDNN's {Cout, Cin, *k} (or {g, Cout/g,
//    Cin/g, *k}) with physical order i-major, given as explicit strides;
//  * oneDNN dilation is 0-based: dilates = d - 1;
//  * pads are asymmetric: padding_l = pb, padding_r = pe - a; the output
//    padding a is carried by the dst dims (tconv's output shape).
#include <omp.h>

#include <cstring>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>
#include <vector>

#include "bench/onednn_format.h"
#include "bench/peers/peers.h"

namespace tconv {
namespace bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

tag ChannelsLastTag(int ndim) { return ndim == 1 ? tag::nwc : ndim == 2 ? tag::nhwc : tag::ndhwc; }

// The user weight (torch layout, i-major) as explicit strides over oneDNN's
// dims {[g,] o, i, *k}: iohw / giohw and their 1-D and 3-D forms.
memory::dims WeightStrides(const memory::dims& dims, bool grouped) {
  const int off = grouped ? 1 : 0;
  int64_t ksp = 1;
  for (size_t a = off + 2; a < dims.size(); ++a) ksp *= dims[a];
  memory::dims st(dims.size());
  int64_t inner = 1;
  for (size_t a = dims.size(); a-- > static_cast<size_t>(off + 2);) {
    st[a] = inner;
    inner *= dims[a];
  }
  st[off + 0] = ksp;                  // o
  st[off + 1] = ksp * dims[off + 0];  // i
  if (grouped) st[0] = ksp * dims[1] * dims[2];
  return st;
}

struct Variant {
  bool any = false, reorders = false, channels_last = false, bias_arg = true;
};

bool ParseVariant(const std::string& v, Variant* out) {
  const std::string p = "onednn:";
  if (v.rfind(p, 0) != 0) return false;
  const std::string rest = v.substr(p.size());
  const size_t plus = rest.rfind('+');
  if (plus == std::string::npos) return false;
  const std::string layout = rest.substr(0, plus), bias = rest.substr(plus + 1);
  if (bias != "bias" && bias != "biaspass") return false;
  out->bias_arg = bias == "bias";
  if (layout == "blocked") {
    out->any = true;
  } else if (layout == "blocked+reorders") {
    out->any = out->reorders = true;
  } else if (layout == "nhwc") {
    out->channels_last = true;
  } else if (layout != "nchw") {
    return false;
  }
  return true;
}

class OnednnRunner : public Runner {
 public:
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::deconvolution_forward prim;
  dnnl::binary bias_pass;  // when the primitive has no bias argument
  bool has_bias_pass = false;
  std::string impl;
  int threads = 1;
  bool reorders = false;
  memory user_src, user_dst, src, wei, bias, bias_b, dst;
  dnnl::reorder src_reorder, dst_reorder;
  bool need_src_reorder = false, need_dst_reorder = false;
  memory::dims dst_dims;
  int ndim = 2;

  void Run() override {
    omp_set_num_threads(threads);
    if (reorders && need_src_reorder) src_reorder.execute(strm, user_src, src);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
    if (!has_bias_pass) args[DNNL_ARG_BIAS] = bias;
    prim.execute(strm, args);
    if (has_bias_pass) bias_pass.execute(strm, {{DNNL_ARG_SRC_0, dst}, {DNNL_ARG_SRC_1, bias_b}, {DNNL_ARG_DST, dst}});
    if (reorders && need_dst_reorder) dst_reorder.execute(strm, dst, user_dst);
    strm.wait();
  }
  std::string Impl() const override { return impl; }
  bool ReadOutputNchw(float* y) override {
    memory out({dst_dims, memory::data_type::f32, OnednnDataTag(ndim)}, eng, y);
    dnnl::reorder(dst, out).execute(strm, dst, out);
    strm.wait();
    return true;
  }
};

void Setup(const PeerProblem& p, const Variant& v, OnednnRunner* r) {
  const bool grouped = p.groups > 1;
  memory::dims src_dims = {p.n, p.cin}, dst_dims = {p.n, p.cout}, wei_dims, bias1_dims = {1, p.cout};
  if (grouped) {
    wei_dims = {p.groups, p.cout / p.groups, p.cin / p.groups};
  } else {
    wei_dims = {p.cout, p.cin};
  }
  memory::dims strides, dilates, pad_l, pad_r;
  for (int a = 0; a < p.ndim; ++a) {
    src_dims.push_back(p.in[a]);
    dst_dims.push_back(p.out[a]);
    wei_dims.push_back(p.kernel[a]);
    bias1_dims.push_back(1);
    strides.push_back(p.stride[a]);
    dilates.push_back(p.dilation[a] - 1);
    pad_l.push_back(p.pad_begin[a]);
    pad_r.push_back(p.pad_end[a] - p.output_padding[a]);
  }
  r->dst_dims = dst_dims;
  r->ndim = p.ndim;
  const auto f32 = memory::data_type::f32;
  const tag user_tag = v.channels_last ? ChannelsLastTag(p.ndim) : OnednnDataTag(p.ndim);
  const tag prim_tag = v.any ? tag::any : user_tag;
  memory::desc src_md(src_dims, f32, prim_tag), wei_any(wei_dims, f32, tag::any), dst_md(dst_dims, f32, prim_tag),
      bias_md({p.cout}, f32, tag::x);
  const auto prop = dnnl::prop_kind::forward_inference;
  const auto alg = dnnl::algorithm::deconvolution_direct;
  auto od = v.bias_arg
                ? dnnl::deconvolution_forward::desc(prop, alg, src_md, wei_any, bias_md, dst_md, strides, dilates,
                                                    pad_l, pad_r)
                : dnnl::deconvolution_forward::desc(prop, alg, src_md, wei_any, dst_md, strides, dilates, pad_l, pad_r);
  dnnl::deconvolution_forward::primitive_desc pd(od, r->eng);
  r->impl = pd.impl_info_str();
  r->prim = dnnl::deconvolution_forward(pd);

  memory::desc user_src_md(src_dims, f32, user_tag), user_dst_md(dst_dims, f32, user_tag),
      user_wei_md(wei_dims, f32, WeightStrides(wei_dims, grouped));
  r->user_src = memory(user_src_md, r->eng);
  r->user_dst = memory(user_dst_md, r->eng);
  memory x_nchw({src_dims, f32, OnednnDataTag(p.ndim)}, r->eng, const_cast<float*>(p.x));
  dnnl::reorder(x_nchw, r->user_src).execute(r->strm, x_nchw, r->user_src);
  memory user_wei(user_wei_md, r->eng, const_cast<float*>(p.w));
  r->bias = memory(bias_md, r->eng);
  std::memcpy(r->bias.get_data_handle(), p.b, sizeof(float) * static_cast<size_t>(p.cout));

  r->src = memory(pd.src_desc(), r->eng);
  r->dst = memory(pd.dst_desc(), r->eng);
  r->wei = memory(pd.weights_desc(), r->eng);
  dnnl::reorder(user_wei, r->wei).execute(r->strm, user_wei, r->wei);  // once, untimed
  r->need_src_reorder = pd.src_desc() != user_src_md;
  r->need_dst_reorder = pd.dst_desc() != user_dst_md;
  if (r->need_src_reorder) r->src_reorder = dnnl::reorder(r->user_src, r->src);
  if (r->need_dst_reorder) r->dst_reorder = dnnl::reorder(r->dst, r->user_dst);
  dnnl::reorder(r->user_src, r->src).execute(r->strm, r->user_src, r->src);
  if (!v.bias_arg) {
    // The bias as a (1, C, 1, ...) tensor in y's own format, so the binary
    // pass has a JIT implementation (a plain bias beside a blocked y takes
    // oneDNN's reference one).
    const memory::desc b1_md(bias1_dims, f32, OnednnSameFormat(pd.dst_desc(), dst_dims, p.ndim, f32));
    r->bias_b = memory(b1_md, r->eng);
    memory b1_plain({bias1_dims, f32, OnednnDataTag(p.ndim)}, r->eng, r->bias.get_data_handle());
    dnnl::reorder(b1_plain, r->bias_b).execute(r->strm, b1_plain, r->bias_b);
    dnnl::binary::desc bd(dnnl::algorithm::binary_add, pd.dst_desc(), b1_md, pd.dst_desc());
    dnnl::binary::primitive_desc bpd(bd, r->eng);
    r->bias_pass = dnnl::binary(bpd);
    r->has_bias_pass = true;
    r->impl += " + bias pass " + std::string(bpd.impl_info_str());
  }
  r->strm.wait();
  if (v.reorders) r->impl += r->need_src_reorder || r->need_dst_reorder ? " +reorders" : " (plain chosen)";
}

}  // namespace

std::vector<std::string> OnednnVariants() {
  std::vector<std::string> v;
  for (const char* layout : {"blocked", "blocked+reorders", "nchw", "nhwc"})
    for (const char* bias : {"bias", "biaspass"}) v.push_back(std::string("onednn:") + layout + "+" + bias);
  return v;
}

Runner* MakeOnednnPeer(const PeerProblem& p, const std::string& variant, int threads, std::string* why) {
  Variant v;
  if (!ParseVariant(variant, &v)) {
    *why = "unknown oneDNN configuration " + variant;
    return nullptr;
  }
  try {
    auto r = std::make_unique<OnednnRunner>();
    r->threads = threads;
    r->reorders = v.reorders;
    omp_set_num_threads(threads);
    Setup(p, v, r.get());
    return r.release();
  } catch (const dnnl::error& e) {
    *why = std::string("oneDNN: ") + e.what();
    return nullptr;
  }
}

std::string OnednnVersion() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         " (cpu runtime " + (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other") + ")";
}

}  // namespace bench
}  // namespace tconv
