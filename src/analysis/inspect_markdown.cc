// InspectReportMarkdown (tconv/inspect.h): the human-readable report, which
// refers to the pictures of inspect_pictures.cc.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "src/analysis/inspect_internal.h"
#include "tconv/inspect.h"

namespace tconv {

namespace {

std::string Num(double v) {
  if (std::isinf(v)) return "inf";
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

std::string Axes(const Dims& d, int nd) {
  std::string s;
  for (int a = 0; a < nd; ++a) s += (a ? "x" : "") + std::to_string(d[a]);
  return s;
}

std::string List(const std::vector<double>& v) {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : " ") + Num(x);
  return s;
}

std::string Names(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "`" : " -> `") + x + "`";
  return s;
}

std::string GeometryText(const UpsamplePath& p) {
  if (p.kind == PathKind::kResize) return "resize x" + Axes(p.factor, p.ndim) + " (" + p.mode + ")";
  const LayerGeometry& g = p.geometry;
  std::string s = (p.kind == PathKind::kConvTranspose ? "k" : "conv k") + Axes(g.kernel, p.ndim);
  if (p.kind == PathKind::kConvTranspose) s += " s" + Axes(g.stride, p.ndim);
  s += " d" + Axes(g.dilation, p.ndim) + " pads " + Axes(g.pad_begin, p.ndim) + "/" + Axes(g.pad_end, p.ndim);
  if (!p.pads_known) s += " (from auto_pad/output_shape; input size unknown)";
  if (p.kind == PathKind::kConvTranspose) s += " a" + Axes(g.output_padding, p.ndim);
  if (p.kind == PathKind::kResizeConv) s = "resize x" + Axes(p.factor, p.ndim) + " (" + p.mode + ") + " + s;
  if (p.kind == PathKind::kSubPixel) s += " + DepthToSpace x" + std::to_string(p.factor[0]) + " (" + p.mode + ")";
  return s + ", " + std::to_string(p.in_channels) + " -> " + std::to_string(p.out_channels) + " channels" +
         (p.groups > 1 ? ", " + std::to_string(p.groups) + " groups" : "");
}

void WeightsSection(const UpsamplePath& p, size_t i, bool pictures, std::ostringstream& md) {
  const PhaseSpreadReport& w = p.weights;
  md << "- Weights: " << w.note << ".\n";
  if (!w.available) return;
  md << "  - " << w.cin << " x " << w.cout_g << " (input, output channel) pairs, " << w.phases
     << " phases; largest spread (max - min of a pair's phase sums) **" << Num(w.max_spread) << "** at input channel "
     << w.worst_ci << " -> output channel " << w.worst_co << ", whose phase sums are " << List(w.worst_sums) << ".\n"
     << "  - A constant input of 1 gives a phase ripple of **" << Num(100 * w.constant_ripple)
     << "%** of the output level (largest per-channel max - min over the largest |value|).\n"
     << "  - Histogram of the pairs' spreads:\n\n    | spread | pairs |\n    |---|---|\n";
  const int64_t most = std::max<int64_t>(1, *std::max_element(w.hist_counts.begin(), w.hist_counts.end()));
  for (size_t b = 0; b < w.hist_counts.size(); ++b) {  // bars scaled to the fullest bin (40 #)
    const size_t bar = static_cast<size_t>((w.hist_counts[b] * 40 + most - 1) / most);
    md << "    | " << Num(w.hist_edges[b]) << " .. " << Num(w.hist_edges[b + 1]) << " | " << w.hist_counts[b] << " "
       << std::string(bar, '#') << " |\n";
  }
  md << "\n";
  if (pictures && !w.spread.empty() && w.cin * w.cout_g <= 512 * 512) {  // (as InspectPictures)
    md << "  - Spread per pair (rows: input channels, columns: output channels): ![spread](path" << i
       << "_spread.png)\n";
  }
}

void PathSection(const UpsamplePath& p, size_t i, bool pictures, std::ostringstream& md) {
  md << "\n## Path " << i << ": " << PathKindName(p.kind) << " " << Names(p.nodes) << "\n\n"
     << "- Geometry: " << GeometryText(p) << ".\n";
  if (p.sizes_known) md << "- Size: " << Axes(p.in_size, p.ndim) << " -> " << Axes(p.out_size, p.ndim) << ".\n";
  if (p.scored) {
    md << "- Overlap score (all-ones weights, steady state): **" << Num(p.score.score) << "** (" << Num(p.score.min)
       << " to " << Num(p.score.max) << " contributions); one period per axis:";
    for (const auto& axis : p.score.pattern) md << " [" << List(axis) << "]";
    md << ".\n";
    if (pictures) md << "- Overlap pattern (a few periods): ![overlap](path" << i << "_overlap.png)\n";
  }
  WeightsSection(p, i, pictures, md);
  md << "- Verdict: **" << p.verdict << "**: " << p.reason << ".\n- Fix: " << p.fix << "\n";
}

}  // namespace

namespace inspect {
std::string ReportNum(double v) { return Num(v); }
std::string PathGeometryText(const UpsamplePath& p) { return GeometryText(p); }
}  // namespace inspect

std::string InspectReportMarkdown(const InspectReport& r, bool pictures) {
  std::ostringstream md;
  md << "# tconv inspect: " << r.model << "\n\n"
     << "Producer: " << (r.producer.empty() ? "(not recorded)" : r.producer) << "; " << r.node_count << " nodes; "
     << r.paths.size() << " upsampling path" << (r.paths.size() == 1 ? "" : "s") << ".\n\n";
  if (r.paths.empty()) {
    md << "No upsampling found: no ConvTranspose, no Resize/Upsample that enlarges, no DepthToSpace after a Conv. "
          "Nothing here can make a checkerboard of this kind.\n";
  } else {
    md << "| path | kind | nodes | geometry | factor | score | ripple | verdict |\n|---|---|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < r.paths.size(); ++i) {
      const UpsamplePath& p = r.paths[i];
      md << "| " << i << " | " << PathKindName(p.kind) << " | " << Names(p.nodes) << " | " << GeometryText(p) << " | x"
         << Axes(p.factor, p.ndim) << " | " << (p.scored ? Num(p.score.score) : "-") << " | "
         << (p.weights.available ? Num(100 * p.weights.constant_ripple) + "%" : "-") << " | " << p.verdict << " |\n";
    }
    md << "\n## Chains\n\nPaths that feed each other (through element-wise nodes, Concat and stride-1 convs, which "
          "count in the stacked score as box filters).\n\n| chain | paths | convs between | stacked score |";
    md << (pictures ? " picture |\n|---|---|---|---|---|\n" : "\n|---|---|---|---|\n");
    for (size_t c = 0; c < r.chains.size(); ++c) {
      const UpsampleChain& ch = r.chains[c];
      std::string paths;
      for (int p : ch.paths) paths += (paths.empty() ? "" : " -> ") + std::to_string(p);
      md << "| " << c << " | " << paths << " | " << ch.smoothing.size() << " | "
         << (ch.layers.empty() ? std::string("-") : Num(ch.score.score)) << " |";
      if (pictures) md << (ch.layers.empty() ? std::string(" |") : " ![](chain" + std::to_string(c) + "_overlap.png) |");
      md << "\n";
    }
    for (size_t i = 0; i < r.paths.size(); ++i) PathSection(r.paths[i], i, pictures, md);
  }
  if (!r.notes.empty()) {
    md << "\n## Notes\n\n";
    for (const auto& n : r.notes) md << "- " << n << "\n";
  }
  return md.str();
}

}  // namespace tconv
