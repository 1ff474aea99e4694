// The geometry conversions from tconv's ConvDesc (torch/ONNX ConvTranspose)
// to oneDNN's deconvolution_forward, shared by the low-precision runners
// (onednn_lowp.cc: bf16, onednn_int8.cc: int8); the peers module
// (bench/peers/onednn_peer.cc) does the same on its PeerProblem:
//  * weight (Cin, Cout/g, *k) is oneDNN's {Cout, Cin, *k} (or {g, Cout/g,
//    Cin/g, *k}) with physical order i-major, given as explicit strides;
//  * oneDNN dilation is 0-based: dilates = d - 1;
//  * pads are asymmetric: padding_l = pb, padding_r = pe - a; the output
//    padding a is carried by the dst dims (tconv's output shape).
// Only for bench/ targets that link oneDNN (it includes dnnl.hpp).
#ifndef TCONV_BENCH_ONEDNN_GEOM_H_
#define TCONV_BENCH_ONEDNN_GEOM_H_

#include <oneapi/dnnl/dnnl.hpp>

#include "bench/onednn_format.h"
#include "tconv/desc.h"

namespace tconv {
namespace bench {

struct OnednnDeconvGeom {
  dnnl::memory::dims src, dst, wei, strides, dilates, pad_l, pad_r;
  bool grouped = false;
};

inline OnednnDeconvGeom MakeOnednnGeom(const ConvDesc& d) {
  OnednnDeconvGeom g;
  g.grouped = d.groups > 1;
  g.src = {d.batch, d.in_channels};
  g.dst = {d.batch, d.out_channels};
  if (g.grouped) {
    g.wei = {d.groups, d.out_channels / d.groups, d.in_channels / d.groups};
  } else {
    g.wei = {d.out_channels, d.in_channels};
  }
  for (int a = 0; a < d.ndim; ++a) {
    g.src.push_back(d.in[a]);
    g.dst.push_back(ConvTransposeOutputLength(d, a));
    g.wei.push_back(d.kernel[a]);
    g.strides.push_back(d.stride[a]);
    g.dilates.push_back(d.dilation[a] - 1);
    g.pad_l.push_back(d.pad_begin[a]);
    g.pad_r.push_back(d.pad_end[a] - d.output_padding[a]);
  }
  return g;
}

// Strides of tconv's weight (Cin, Cout/g, *k), i-major, over oneDNN's dims
// {[g,] o, i, *k}.
inline dnnl::memory::dims TorchWeightStrides(const dnnl::memory::dims& dims, bool grouped) {
  const size_t off = grouped ? 1 : 0;
  int64_t ksp = 1;
  for (size_t a = off + 2; a < dims.size(); ++a) ksp *= dims[a];
  dnnl::memory::dims st(dims.size());
  int64_t inner = 1;
  for (size_t a = dims.size(); a-- > off + 2;) {
    st[a] = inner;
    inner *= dims[a];
  }
  st[off + 0] = ksp;                  // o
  st[off + 1] = ksp * dims[off + 0];  // i
  if (grouped) st[0] = ksp * dims[1] * dims[2];
  return st;
}

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_ONEDNN_GEOM_H_
