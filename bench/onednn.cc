// oneDNN adapter of the benchmark harness: the same layer, run by oneDNN's
// deconvolution_forward (algorithm::deconvolution_direct, f32, inference), in
// the same process as tconv. Compiled only when CMake finds libdnnl (2.x API).
//
// Conversions from tconv's (torch/ONNX) semantics, done once here:
//  * weight (Cin, Cout/g, *k) is oneDNN's {Cout, Cin, *k} (or {g, Cout/g,
//    Cin/g, *k}) with physical order i-major: format iohw / giohw (and the 1-D / 3-D
//    forms, given as explicit strides);
//  * oneDNN dilation is 0-based: dilates = d - 1;
//  * pads are asymmetric: padding_l = pb, padding_r = pe - a; the output
//    padding a is carried by the dst dims (tconv's output shape).
#include <omp.h>

#include <cstring>
#include <random>

#include <oneapi/dnnl/dnnl.hpp>

#include "bench/harness.h"

namespace tconv {
namespace bench {

bool HaveOnednn() { return true; }

namespace {

using dnnl::memory;
using tag = memory::format_tag;

tag DataTag(int ndim) { return ndim == 1 ? tag::ncw : ndim == 2 ? tag::nchw : tag::ncdhw; }
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

void Fill(const memory& m, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  float* p = static_cast<float*>(m.get_data_handle());
  const size_t n = m.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < n; ++i) p[i] = u(rng);
}

class OnednnRunner : public Runner {
 public:
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::deconvolution_forward prim;
  std::string impl;
  int threads = 1;
  bool with_reorders = false;
  memory user_src, user_dst, src, wei, bias, dst;
  dnnl::reorder src_reorder, dst_reorder;
  bool need_src_reorder = false, need_dst_reorder = false;

  void Run() override {
    omp_set_num_threads(threads);
    if (with_reorders && need_src_reorder) src_reorder.execute(strm, user_src, src);
    prim.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}});
    if (with_reorders && need_dst_reorder) dst_reorder.execute(strm, dst, user_dst);
    strm.wait();
  }
  std::string Impl() const override { return impl; }
};

}  // namespace

std::unique_ptr<Runner> MakeOnednnRunner(const Layer& layer, const std::string& variant, int threads,
                                         std::string* why) {
  if (variant != "onednn" && variant != "onednn_nchw" && variant != "onednn_nhwc") {
    if (why) *why = "unknown oneDNN variant " + variant;
    return nullptr;
  }
  const ConvDesc& d = layer.desc;
  try {
    auto r = std::make_unique<OnednnRunner>();
    r->threads = threads;
    r->with_reorders = variant != "onednn";
    const bool channels_last = variant == "onednn_nhwc";
    omp_set_num_threads(threads);
    const bool grouped = d.groups > 1;
    memory::dims src_dims = {d.batch, d.in_channels}, dst_dims = {d.batch, d.out_channels};
    memory::dims wei_dims;
    if (grouped) {
      wei_dims = {d.groups, d.out_channels / d.groups, d.in_channels / d.groups};
    } else {
      wei_dims = {d.out_channels, d.in_channels};
    }
    memory::dims strides, dilates, pad_l, pad_r;
    for (int a = 0; a < d.ndim; ++a) {
      src_dims.push_back(d.in[a]);
      dst_dims.push_back(ConvTransposeOutputLength(d, a));
      wei_dims.push_back(d.kernel[a]);
      strides.push_back(d.stride[a]);
      dilates.push_back(d.dilation[a] - 1);
      pad_l.push_back(d.pad_begin[a]);
      pad_r.push_back(d.pad_end[a] - d.output_padding[a]);
    }
    const auto f32 = memory::data_type::f32;
    memory::desc src_any(src_dims, f32, tag::any), wei_any(wei_dims, f32, tag::any),
        dst_any(dst_dims, f32, tag::any), bias_md({d.out_channels}, f32, tag::x);
    dnnl::deconvolution_forward::desc od(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                         src_any, wei_any, bias_md, dst_any, strides, dilates, pad_l, pad_r);
    dnnl::deconvolution_forward::primitive_desc pd(od, r->eng);
    r->impl = pd.impl_info_str();
    r->prim = dnnl::deconvolution_forward(pd);

    const tag user_tag = channels_last ? ChannelsLastTag(d.ndim) : DataTag(d.ndim);
    memory::desc user_src_md(src_dims, f32, user_tag), user_dst_md(dst_dims, f32, user_tag),
        user_wei_md(wei_dims, f32, WeightStrides(wei_dims, grouped));
    r->user_src = memory(user_src_md, r->eng);
    r->user_dst = memory(user_dst_md, r->eng);
    Fill(r->user_src, 1);
    memory user_wei(user_wei_md, r->eng);
    Fill(user_wei, 2);
    r->bias = memory(bias_md, r->eng);
    Fill(r->bias, 3);

    r->src = memory(pd.src_desc(), r->eng);
    r->dst = memory(pd.dst_desc(), r->eng);
    r->wei = memory(pd.weights_desc(), r->eng);
    dnnl::reorder(user_wei, r->wei).execute(r->strm, user_wei, r->wei);  // once, untimed
    r->need_src_reorder = pd.src_desc() != user_src_md;
    r->need_dst_reorder = pd.dst_desc() != user_dst_md;
    if (r->need_src_reorder) r->src_reorder = dnnl::reorder(r->user_src, r->src);
    if (r->need_dst_reorder) r->dst_reorder = dnnl::reorder(r->dst, r->user_dst);
    if (r->need_src_reorder) {
      r->src_reorder.execute(r->strm, r->user_src, r->src);
    } else {
      std::memcpy(r->src.get_data_handle(), r->user_src.get_data_handle(), pd.src_desc().get_size());
    }
    r->strm.wait();
    if (r->with_reorders) {
      r->impl += r->need_src_reorder || r->need_dst_reorder ? " +reorders"
                                                            : channels_last ? " (nhwc native)" : " (nchw native)";
    }
    return r;
  } catch (const dnnl::error& e) {
    if (why) *why = std::string("oneDNN: ") + e.what();
    return nullptr;
  }
}

}  // namespace bench
}  // namespace tconv
