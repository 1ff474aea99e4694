// oneDNN bf16 deconvolution runner (see onednn_lowp.h).
#include "bench/onednn_lowp.h"

#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <random>

#include "bench/onednn_geom.h"

namespace tconv {
namespace bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

tag WeightTag(int ndim, bool grouped) {
  if (grouped) return ndim == 1 ? tag::goiw : ndim == 2 ? tag::goihw : tag::goidhw;
  return ndim == 1 ? tag::oiw : ndim == 2 ? tag::oihw : tag::oidhw;
}

void Fill(const memory& m, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  float* p = static_cast<float*>(m.get_data_handle());
  const size_t n = m.get_desc().get_size() / sizeof(float);
  for (size_t i = 0; i < n; ++i) p[i] = u(rng);
}

class OnednnBf16Runner : public Runner {
 public:
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::deconvolution_forward prim;
  std::string impl;
  int threads = 1;
  memory src, wei, bias, dst;
  dnnl::binary bias_pass;  // when the primitive has no bias argument
  bool has_bias_pass = false;
  memory bias_b;  // the bias as (1, C, 1, ...) in dst's format

  void Run() override {
    omp_set_num_threads(threads);
    if (has_bias_pass) {
      prim.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
      bias_pass.execute(strm, {{DNNL_ARG_SRC_0, dst}, {DNNL_ARG_SRC_1, bias_b}, {DNNL_ARG_DST, dst}});
    } else {
      prim.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}});
    }
    strm.wait();
  }
  std::string Impl() const override { return impl; }
};

}  // namespace

std::unique_ptr<Runner> MakeOnednnBf16Runner(const Layer& layer, int threads, bool bf16_dst, bool bias_pass,
                                             std::string* why) {
  const ConvDesc& d = layer.desc;
  try {
    auto r = std::make_unique<OnednnBf16Runner>();
    r->threads = threads;
    omp_set_num_threads(threads);
    const OnednnDeconvGeom g = MakeOnednnGeom(d);
    const memory::dims &src_dims = g.src, &dst_dims = g.dst, &wei_dims = g.wei;
    const auto f32 = memory::data_type::f32, bf16 = memory::data_type::bf16;
    memory::desc src_any(src_dims, bf16, tag::any), wei_any(wei_dims, bf16, tag::any),
        dst_any(dst_dims, bf16_dst ? bf16 : f32, tag::any), bias_md({d.out_channels}, f32, tag::x);
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto alg = dnnl::algorithm::deconvolution_direct;
    auto od = bias_pass ? dnnl::deconvolution_forward::desc(prop, alg, src_any, wei_any, dst_any, g.strides, g.dilates,
                                                            g.pad_l, g.pad_r)
                        : dnnl::deconvolution_forward::desc(prop, alg, src_any, wei_any, bias_md, dst_any, g.strides,
                                                            g.dilates, g.pad_l, g.pad_r);
    dnnl::deconvolution_forward::primitive_desc pd(od, r->eng);
    r->impl = pd.impl_info_str();
    r->prim = dnnl::deconvolution_forward(pd);
    // (Random f32 values converted once, untimed; the weight's values do not
    // matter for the time, only its layout.)
    memory user_src({src_dims, f32, OnednnDataTag(d.ndim)}, r->eng),
        user_wei({wei_dims, f32, WeightTag(d.ndim, g.grouped)}, r->eng);
    Fill(user_src, 1);
    Fill(user_wei, 2);
    r->bias = memory(bias_md, r->eng);
    Fill(r->bias, 3);
    r->src = memory(pd.src_desc(), r->eng);
    r->wei = memory(pd.weights_desc(), r->eng);
    r->dst = memory(pd.dst_desc(), r->eng);
    dnnl::reorder(user_src, r->src).execute(r->strm, user_src, r->src);
    dnnl::reorder(user_wei, r->wei).execute(r->strm, user_wei, r->wei);
    if (bias_pass) {  // an f32 bias added to y in a oneDNN binary pass, timed
      memory::dims b1_dims(dst_dims.size(), 1);
      b1_dims[1] = d.out_channels;
      const memory::desc b1_md(b1_dims, f32,
                               OnednnSameFormat(pd.dst_desc(), dst_dims, d.ndim, pd.dst_desc().data_type()));
      r->bias_b = memory(b1_md, r->eng);
      memory b1_plain({b1_dims, f32, OnednnDataTag(d.ndim)}, r->eng, r->bias.get_data_handle());
      dnnl::reorder(b1_plain, r->bias_b).execute(r->strm, b1_plain, r->bias_b);
      dnnl::binary::primitive_desc bpd(
          dnnl::binary::desc(dnnl::algorithm::binary_add, pd.dst_desc(), b1_md, pd.dst_desc()), r->eng);
      r->bias_pass = dnnl::binary(bpd);
      r->has_bias_pass = true;
      r->impl += " + bias pass " + std::string(bpd.impl_info_str());
    }
    r->strm.wait();
    return r;
  } catch (const dnnl::error& e) {
    if (why) *why = std::string("oneDNN bf16: ") + e.what();
    return nullptr;
  }
}

}  // namespace bench
}  // namespace tconv
