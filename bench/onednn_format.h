// oneDNN memory formats shared by the bench's oneDNN runners: the low-
// precision ones (onednn_lowp.cc, onednn_int8.cc, through onednn_geom.h)
// and the peers module (bench/peers/onednn_peer.cc, which sees no tconv
// header, hence this file of its own).
#ifndef TCONV_BENCH_ONEDNN_FORMAT_H_
#define TCONV_BENCH_ONEDNN_FORMAT_H_

#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

namespace tconv {
namespace bench {

// The plain (channels-first) tag of a tensor with ndim spatial axes.
inline dnnl::memory::format_tag OnednnDataTag(int ndim) {
  using tag = dnnl::memory::format_tag;
  return ndim == 1 ? tag::ncw : ndim == 2 ? tag::nchw : tag::ncdhw;
}

// The format tag of md (a tensor of `dims`, element type dt) among the
// channel-blocked and channels-last ones, else the plain one: a bias
// broadcast (1, C, 1, ...) in y's own format gives oneDNN's binary add a JIT
// implementation (a plain bias beside a blocked y takes its reference one).
inline dnnl::memory::format_tag OnednnSameFormat(const dnnl::memory::desc& md, const dnnl::memory::dims& dims, int ndim,
                                                 dnnl::memory::data_type dt) {
  using tag = dnnl::memory::format_tag;
  const std::vector<tag> candidates = ndim == 1 ? std::vector<tag>{tag::nCw16c, tag::nCw8c, tag::nCw4c, tag::nwc}
                                      : ndim == 2
                                          ? std::vector<tag>{tag::nChw16c, tag::nChw8c, tag::nChw4c, tag::nhwc}
                                          : std::vector<tag>{tag::nCdhw16c, tag::nCdhw8c, tag::nCdhw4c, tag::ndhwc};
  for (tag t : candidates)
    if (dnnl::memory::desc(dims, dt, t) == md) return t;
  return OnednnDataTag(ndim);
}

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_ONEDNN_FORMAT_H_
