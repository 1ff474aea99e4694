// Internal pieces of InspectGraph (tconv/inspect.h), shared by
// inspect_graph.cc (finding paths and chains), inspect_paths.cc (one path's
// geometry and weights) and inspect_verdict.cc (verdict and fix).
#ifndef TCONV_SRC_ANALYSIS_INSPECT_INTERNAL_H_
#define TCONV_SRC_ANALYSIS_INSPECT_INTERNAL_H_

#include <map>
#include <string>
#include <vector>

#include "tconv/inspect.h"

namespace tconv {
namespace inspect {

// Who produces and who reads each value.
struct GraphIndex {
  const ModelGraph* g = nullptr;
  std::map<std::string, int> producer;
  std::map<std::string, std::vector<int>> consumers;
  explicit GraphIndex(const ModelGraph& graph);
  const ModelNode& node(int i) const { return g->nodes[static_cast<size_t>(i)]; }
  // The spatial part of a value's shape, when every dim is known (>0).
  bool SpatialSize(const std::string& value, int ndim, Dims* out) const;
  const Tensor* Constant(const std::string& value) const;
};

// Nodes that keep the spatial grid of their input (element-wise maths,
// normalisation, Concat): a chain of upsampling paths passes through them.
bool IsPassThrough(const std::string& op);
// A Conv whose strides are all 1 (a chain passes through it as a smoothing layer).
bool IsStride1Conv(const ModelNode& n);

// One path from its nodes (the report's fields except verdict and fix).
Status DescribeConvTranspose(const GraphIndex& gi, int node, UpsamplePath* p);
// conv -1: the resize alone. *upsampling is false for a resize whose
// scales are all <= 1 (not a path).
Status DescribeResize(const GraphIndex& gi, int resize, int conv, UpsamplePath* p, bool* upsampling);
Status DescribeSubPixel(const GraphIndex& gi, int conv, int d2s, UpsamplePath* p);
// The all-ones layer of a stride-1 Conv node (kernel, dilation; stride 1, no pads).
bool SmoothingLayer(const GraphIndex& gi, const ModelNode& conv, int ndim, DeconvLayer* out);

// Helpers of the Describe* functions (inspect_paths.cc).
// Kernel, stride, dilation, pads and group of a Conv or ConvTranspose node
// (and the weight's shape, from the constant, inferred shapes or kernel_shape).
Status ConvAttributes(const GraphIndex& gi, const ModelNode& n, ConvDesc* d, Shape* wshape);
// Nearest upsampling by s as an all-ones transposed convolution (k = s, stride s).
DeconvLayer NearestLayer(int ndim, const Dims& s);
// Constant input 1 on every input channel: value[co * phases + p] (bias
// included); the ripple is the largest per-channel range over the largest |value|.
double Ripple(const std::vector<double>& value, int64_t cout, int64_t phases);
// The node's bias input when it is a constant of `count` values.
const Tensor* BiasOf(const GraphIndex& gi, const ModelNode& n, int64_t count);
// Phase sums of a transposed convolution's weight (PhaseKernelSums), their
// summary and the constant ripple.
Status DeconvWeights(const ConvDesc& d, const Tensor& w, const Tensor* bias, PhaseSpreadReport* out);
// p->in_size / out_size from the inferred shapes of the two values.
void SetSizes(const GraphIndex& gi, const std::string& in, const std::string& out, UpsamplePath* p);

// Sets verdict, reason, fix and fix_geometry from the score and the weights.
Status DecideVerdict(UpsamplePath* p);

// Histogram and worst pair of a PhaseSums-like spread table.
void FillSpreadSummary(PhaseSpreadReport* w);

// Text shared by the Markdown and the pictures (inspect_markdown.cc): a number
// to 4 significant digits ("inf" for infinity) and a path's geometry
// ("k3x3 s2x2 d1x1 pads 0x0/0x0 a0x0, 4 -> 8 channels").
std::string ReportNum(double v);
std::string PathGeometryText(const UpsamplePath& p);

}  // namespace inspect
}  // namespace tconv

#endif  // TCONV_SRC_ANALYSIS_INSPECT_INTERNAL_H_
