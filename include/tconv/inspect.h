// `tconv inspect`: the checkerboard analysis (tconv/checkerboard.h) applied
// to a trained or exported model (docs/CHECKERBOARD.md, "Inspecting a
// model").
//
// A model is first reduced to a format-neutral ModelGraph (LoadOnnxFile /
// LoadOnnxBytes fill it from an ONNX file when tconv was built with Debian's
// libonnx-dev; otherwise they return kUnsupported). InspectGraph then finds
// every upsampling path:
//   * conv_transpose: every ConvTranspose node;
//   * resize_conv:    Resize / Upsample (scale > 1) followed, through
//                     element-wise nodes and Concat, by a stride-1 Conv;
//                     a Resize that reaches no Conv is reported as "resize";
//   * subpixel:       Conv followed by DepthToSpace (pixel shuffle).
// For each path it reports the geometry, the overlap score of the path
// modelled with all-ones weights (ScoreStack: a ConvTranspose is itself,
// nearest resize x s is the ones kernel k = s stride s, a stride-1 Conv is a
// box of its kernel, DepthToSpace with equal sub-kernels is nearest x r),
// the per-phase kernel sums of the model's actual weights (PhaseKernelSums;
// for sub-pixel paths the sub-kernels of the channels DepthToSpace
// interleaves, for nearest resize-conv the equivalent transposed
// convolution), a verdict and a concrete fix. Chains are maximal sequences
// of paths that feed each other through element-wise nodes, Concat and
// stride-1 convolutions (the convolutions count in the stacked score: they
// smooth the pattern).
#ifndef TCONV_INSPECT_H_
#define TCONV_INSPECT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tconv/checkerboard.h"
#include "tconv/desc.h"
#include "tconv/image.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// ---- the model, format-neutral ----

struct ModelNode {
  std::string op;    // ONNX op_type: "ConvTranspose", "Resize", ...
  std::string name;  // the node's name, or "<op>#<index>" when it has none
  std::vector<std::string> inputs, outputs;  // value names ("" = omitted optional input)
  std::map<std::string, std::vector<int64_t>> ints;  // int and ints attributes
  std::map<std::string, std::vector<double>> floats;  // float and floats attributes
  std::map<std::string, std::string> strings;         // string attributes
};

struct ModelGraph {
  std::vector<ModelNode> nodes;              // in graph order
  std::map<std::string, Tensor> constants;   // float initializers and Constant outputs
  std::map<std::string, std::string> opaque;  // constants whose values cannot be read, and why
  std::map<std::string, Shape> shapes;       // known value shapes (-1: unknown dimension)
  std::string producer;                      // "pytorch 1.13.1", ...
};

// True when this build reads ONNX files (CMake found libonnx-dev).
bool OnnxSupported();
// Parses an ONNX ModelProto, checks it (onnx::checker), infers shapes and
// fills *out. Any malformed, truncated or inconsistent model (a node input
// that names no value, an initializer whose data does not match its shape,
// a value declared with two ranks) is kInvalidArgument with one line naming
// `source`; nothing is logged.
Status LoadOnnxBytes(const void* data, size_t size, const std::string& source, ModelGraph* out);
Status LoadOnnxFile(const std::string& path, ModelGraph* out);

// ---- the report ----

struct PhaseSpreadReport {
  bool available = false;
  std::string note;         // why not available, or how it was computed
  int64_t cin = 0, cout_g = 0, phases = 1;
  std::vector<double> spread;  // per (ci, co): max - min of the phase sums, C order
  double max_spread = 0;
  int64_t worst_ci = 0, worst_co = 0;   // the pair with max_spread
  std::vector<double> worst_sums;       // its phase sums
  // Constant input 1 on every input channel: output channel co at phase p
  // is sum over ci of the phase sums (+ bias, which differs per phase only
  // for sub-pixel paths). ripple = max over co of (max - min over phases) /
  // (the largest |value| of any channel and phase); 0 when all are 0.
  double constant_ripple = 0;
  std::vector<double> hist_edges;       // 11 edges over [0, max_spread]
  std::vector<int64_t> hist_counts;     // 10 bins (the last one closed)
};

enum class PathKind { kConvTranspose, kResizeConv, kResize, kSubPixel };
const char* PathKindName(PathKind k);  // "conv_transpose", "resize_conv", "resize", "subpixel"

struct UpsamplePath {
  PathKind kind = PathKind::kConvTranspose;
  std::vector<std::string> nodes;   // the path's node names, in order
  int ndim = 2;
  // ConvTranspose: its geometry. resize_conv / subpixel: the Conv's.
  LayerGeometry geometry;
  int64_t in_channels = 0, out_channels = 0, groups = 1;
  bool pads_known = true;           // false: auto_pad/output_shape with unknown input size
  Dims factor = {1, 1, 1};          // upsampling factor per axis (stride, scale or block size)
  std::string mode;                 // resize mode ("nearest", "linear", ...); DepthToSpace mode
  bool sizes_known = false;
  Dims in_size = {0, 0, 0}, out_size = {0, 0, 0};  // spatial, when shape inference knew them
  std::vector<DeconvLayer> layers;  // the all-ones model of the path (empty: not modelled)
  bool scored = false;
  CheckerboardScore score;          // ScoreStack(layers)
  PhaseSpreadReport weights;
  std::string verdict;              // "checkerboard", "uneven-weights", "ok"
  std::string reason;               // one sentence
  std::string fix;                  // one or more sentences
  bool has_fix_geometry = false;    // conv_transpose with an uneven kernel
  LayerGeometry fix_geometry;       // same stride, k a multiple of s, same output size
};

struct UpsampleChain {
  std::vector<int> paths;                // indices into InspectReport::paths
  std::vector<std::string> smoothing;    // stride-1 Conv nodes between them
  std::vector<DeconvLayer> layers;
  CheckerboardScore score;
};

struct InspectReport {
  std::string model;       // what was inspected (file name)
  std::string producer;
  int64_t node_count = 0;
  std::vector<UpsamplePath> paths;
  std::vector<UpsampleChain> chains;  // every chain, single paths included
  std::vector<std::string> notes;
};

// Finds and analyses the upsampling paths of g (see the top of this file).
// A graph without any is not an error: the report has no paths.
Status InspectGraph(const ModelGraph& g, const std::string& model_name, InspectReport* out);

// The report as JSON (one object; the schema is in docs/CHECKERBOARD.md) and
// as Markdown. Markdown refers to the pictures WriteInspectReport writes
// when `pictures` is true.
std::string InspectReportJson(const InspectReport& r);
std::string InspectReportMarkdown(const InspectReport& r, bool pictures);

// ---- the pictures ----

// One picture of the report, described so that a renderer can draw it as a
// figure that reads on its own (title, axes, colour bar, caption).
struct InspectPicture {
  std::string file;     // its name in the report folder: "path0_overlap.png", "path0_spread.png", "chain0_overlap.png"
  std::string title;    // names the path or chain and what is shown
  std::string y_label;  // what a row is
  std::string x_label;  // what a column is
  std::string value_label;     // what a value (a colour) is
  std::vector<double> values;  // rows x cols, row-major
  int64_t rows = 0, cols = 0;
  // Pictures with the same non-empty group hold values of one kind and one
  // meaning ("overlap": contributions relative to the map's mean): draw
  // them on one colour scale so that equal colours mean equal values. An
  // empty group: the picture has its own scale.
  std::string scale_group;
  std::vector<std::string> caption;  // lines: how the values were computed, what to look for
};

// The pictures WriteInspectReport writes for r, in order: per path its
// overlap map (when scored) and its weights' spread map (when available and
// at most 512 x 512 pairs), then each chain's overlap map. The overlap maps
// show a few periods of the steady-state contribution count divided by its
// mean (1 = the average level), so that maps of different depths compare.
std::vector<InspectPicture> InspectPictures(const InspectReport& r);

// Draws every picture (so that pictures of one scale_group can share a
// scale): on success *images holds one image per picture, in order.
using InspectRenderer = std::function<Status(const std::vector<InspectPicture>& pictures, std::vector<Image>* images)>;

// Writes dir/inspect.md, dir/inspect.json and the PNG pictures, each
// atomically. The folder must exist. Every picture is described and drawn
// before anything is written: a renderer's error (or a wrong number of
// images) leaves the folder as it was. Without a renderer (an empty
// std::function) the pictures are plain heatmaps (tconv/image.h Heatmap,
// viridis over each map's own min..max: no title, axes or colour bar); the
// `tconv` CLI and the Python module pass tools/figure's renderer, which
// draws them as titled figures with axes, a colour bar and a caption.
Status WriteInspectReport(const InspectReport& r, const std::string& dir, const InspectRenderer& render = {});

}  // namespace tconv

#endif  // TCONV_INSPECT_H_
