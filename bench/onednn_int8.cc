// oneDNN int8 deconvolution runner (see onednn_int8.h).
#include "bench/onednn_int8.h"

#include <omp.h>

#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>
#include <vector>

#include "bench/onednn_geom.h"

namespace tconv {
namespace bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

class OnednnInt8Runner : public Runner {
 public:
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::deconvolution_forward prim;
  std::string impl;
  int threads = 1;
  memory src, wei, bias, dst, comp;  // comp: kCompensation's post-op tensor
  memory::dims dst_dims;
  int ndim = 2;

  void Run() override {
    omp_set_num_threads(threads);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
    if (bias) args[DNNL_ARG_BIAS] = bias;
    if (comp) args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = comp;
    prim.execute(strm, args);
    strm.wait();
  }
  std::string Impl() const override { return impl; }
  bool ReadOutputNchw(float* y) override {
    memory out({dst_dims, memory::data_type::u8, OnednnDataTag(ndim)}, eng);
    dnnl::reorder(dst, out).execute(strm, dst, out);
    strm.wait();
    const uint8_t* p = static_cast<const uint8_t*>(out.get_data_handle());
    const size_t n = out.get_desc().get_size();
    for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(p[i]);
    return true;
  }
};

dnnl::primitive_attr QuantAttr(const QuantParams& q, OnednnInt8Src src, const memory::dims& dst_dims) {
  dnnl::primitive_attr attr;
  // tconv's M, in float as oneDNN takes it.
  attr.set_output_scales(0, {static_cast<float>(RequantMultiplier(q, 0))});
  if (src == OnednnInt8Src::kSrcZeroPoint) attr.set_zero_points(DNNL_ARG_SRC, 0, {q.x_zero_point});
  if (q.y_zero_point != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {q.y_zero_point});
  if (src == OnednnInt8Src::kCompensation || src == OnednnInt8Src::kCompensationBias) {
    // A full y-shaped f32 tensor, in the layout oneDNN picks: a (1, C, *o)
    // one broadcast over the batch takes oneDNN 2.6 off its jit kernel.
    dnnl::post_ops po;
    po.append_binary(dnnl::algorithm::binary_add, memory::desc(dst_dims, memory::data_type::f32, tag::any));
    attr.set_post_ops(po);
  }
  return attr;
}

// kCompensation's tensor, -x_zero_point * M * S[n, c, o] with S the sum of
// the weights that reach y[n, c, o] (an f32 deconvolution of ones; exact:
// |S| < 2^24), plus M * bias[c] with_bias, into the layout `md` of the
// primitive's post-op.
memory Compensation(const OnednnDeconvGeom& g, const Int8Data& data, int ndim, const memory::desc& md, bool with_bias,
                    OnednnInt8Runner* r) {
  const auto f32 = memory::data_type::f32;
  const memory::desc ones_md(g.src, f32, OnednnDataTag(ndim)), sums_md(g.dst, f32, OnednnDataTag(ndim)),
      wei_md(g.wei, f32, TorchWeightStrides(g.wei, g.grouped));
  std::vector<float> ones(ones_md.get_size() / sizeof(float), 1.0f), w(data.w.begin(), data.w.end());
  memory ones_m(ones_md, r->eng, ones.data()), wei_m(wei_md, r->eng, w.data()), sums(sums_md, r->eng);
  dnnl::deconvolution_forward::desc od(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                       ones_md, wei_md, sums_md, g.strides, g.dilates, g.pad_l, g.pad_r);
  dnnl::deconvolution_forward(dnnl::deconvolution_forward::primitive_desc(od, r->eng))
      .execute(r->strm, {{DNNL_ARG_SRC, ones_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_DST, sums}});
  r->strm.wait();
  const double m = RequantMultiplier(data.q, 0);
  const float k = static_cast<float>(-data.q.x_zero_point * m);
  float* p = static_cast<float*>(sums.get_data_handle());
  const size_t plane = static_cast<size_t>(sums_md.get_size() / sizeof(float) / (g.dst[0] * g.dst[1]));
  for (size_t i = 0; i < sums_md.get_size() / sizeof(float); ++i) {
    p[i] *= k;
    if (with_bias) p[i] += static_cast<float>(m * data.b[(i / plane) % static_cast<size_t>(g.dst[1])]);
  }
  memory out(md, r->eng);
  dnnl::reorder(sums, out).execute(r->strm, sums, out);
  r->strm.wait();
  return out;
}

// The user's tensors reordered once into the primitive's layouts.
void LoadTensors(const OnednnDeconvGeom& g, const Int8Data& data, OnednnInt8Src src_cfg,
                 const dnnl::deconvolution_forward::primitive_desc& pd, int ndim, OnednnInt8Runner* r) {
  const auto s8 = memory::data_type::s8;
  const bool s8_src = src_cfg == OnednnInt8Src::kS8Src;
  std::vector<uint8_t> x = data.x;
  if (s8_src)
    for (uint8_t& v : x) v ^= 0x80;  // u8 v as s8 v - 128
  memory user_src({g.src, s8_src ? s8 : memory::data_type::u8, OnednnDataTag(ndim)}, r->eng, x.data());
  memory user_wei({g.wei, s8, TorchWeightStrides(g.wei, g.grouped)}, r->eng, const_cast<int8_t*>(data.w.data()));
  r->src = memory(pd.src_desc(), r->eng);
  r->wei = memory(pd.weights_desc(), r->eng);
  r->dst = memory(pd.dst_desc(), r->eng);
  if (pd.bias_desc().get_size() > 0) {  // (kCompensationBias has no bias argument)
    r->bias = memory(pd.bias_desc(), r->eng);
    std::memcpy(r->bias.get_data_handle(), data.b.data(), data.b.size() * sizeof(int32_t));
  }
  dnnl::reorder(user_src, r->src).execute(r->strm, user_src, r->src);
  dnnl::reorder(user_wei, r->wei).execute(r->strm, user_wei, r->wei);
  r->strm.wait();
}

}  // namespace

const char* OnednnInt8SrcName(OnednnInt8Src s) {
  switch (s) {
    case OnednnInt8Src::kSrcZeroPoint:
      return "u8+zp";
    case OnednnInt8Src::kS8Src:
      return "s8";
    case OnednnInt8Src::kCompensation:
      return "u8+comp";
    case OnednnInt8Src::kCompensationBias:
      return "u8+comp+bias";
    default:
      return "u8 no zp";
  }
}

std::unique_ptr<Runner> MakeOnednnInt8Runner(const Layer& layer, const Int8Data& data, int threads, OnednnInt8Src src,
                                             std::string* why) {
  const ConvDesc& d = layer.desc;
  if (data.q.w_scale.size() != 1 || data.q.y_type != QuantType::kUInt8 || data.q.x_type != QuantType::kUInt8) {
    if (why) *why = "oneDNN int8 runner: per-tensor w scale, u8 x and u8 y only";
    return nullptr;
  }
  try {
    auto r = std::make_unique<OnednnInt8Runner>();
    r->threads = threads;
    r->ndim = d.ndim;
    omp_set_num_threads(threads);
    const OnednnDeconvGeom g = MakeOnednnGeom(d);
    r->dst_dims = g.dst;
    const auto u8 = memory::data_type::u8, s8 = memory::data_type::s8;
    memory::desc src_any(g.src, src == OnednnInt8Src::kS8Src ? s8 : u8, tag::any), wei_any(g.wei, s8, tag::any),
        dst_any(g.dst, u8, tag::any), bias_md({d.out_channels}, memory::data_type::s32, tag::x);
    const bool bias_arg = src != OnednnInt8Src::kCompensationBias;
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto alg = dnnl::algorithm::deconvolution_direct;
    auto od = bias_arg ? dnnl::deconvolution_forward::desc(prop, alg, src_any, wei_any, bias_md, dst_any, g.strides,
                                                           g.dilates, g.pad_l, g.pad_r)
                       : dnnl::deconvolution_forward::desc(prop, alg, src_any, wei_any, dst_any, g.strides, g.dilates,
                                                           g.pad_l, g.pad_r);
    dnnl::deconvolution_forward::primitive_desc pd(od, QuantAttr(data.q, src, g.dst), r->eng);
    r->impl = pd.impl_info_str();
    r->prim = dnnl::deconvolution_forward(pd);
    LoadTensors(g, data, src, pd, d.ndim, r.get());
    if (src == OnednnInt8Src::kCompensation || !bias_arg)
      r->comp = Compensation(g, data, d.ndim,
                             pd.query_md(dnnl::query::exec_arg_md, DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1),
                             !bias_arg, r.get());
    return r;
  } catch (const dnnl::error& e) {
    if (why) *why = std::string("oneDNN int8 (") + OnednnInt8SrcName(src) + "): " + e.what();
    return nullptr;
  }
}

}  // namespace bench
}  // namespace tconv
