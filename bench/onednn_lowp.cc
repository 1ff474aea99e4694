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

  void Run() override {
    omp_set_num_threads(threads);
    prim.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, dst}});
    strm.wait();
  }
  std::string Impl() const override { return impl; }
};

}  // namespace

std::unique_ptr<Runner> MakeOnednnBf16Runner(const Layer& layer, int threads, bool bf16_dst, std::string* why) {
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
    dnnl::deconvolution_forward::desc od(dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                                         src_any, wei_any, bias_md, dst_any, g.strides, g.dilates, g.pad_l, g.pad_r);
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
    r->strm.wait();
    return r;
  } catch (const dnnl::error& e) {
    if (why) *why = std::string("oneDNN bf16: ") + e.what();
    return nullptr;
  }
}

}  // namespace bench
}  // namespace tconv
