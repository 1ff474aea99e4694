// InspectReportJson (tconv/inspect.h): the report as one JSON object, the
// form `tconv inspect --json` prints and tconv.inspect() returns as a dict.
// An infinite score (a phase that receives nothing) is the string "inf".
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tconv/inspect.h"

namespace tconv {

namespace {

using json = nlohmann::json;

json Axes(const Dims& d, int nd) {
  json a = json::array();
  for (int i = 0; i < nd; ++i) a.push_back(d[i]);
  return a;
}

json Number(double v) {
  if (std::isinf(v)) return "inf";
  if (std::isnan(v)) return nullptr;
  return v;
}

json Geometry(const LayerGeometry& g, int nd) {
  return json{{"kernel", Axes(g.kernel, nd)},          {"stride", Axes(g.stride, nd)},
              {"dilation", Axes(g.dilation, nd)},      {"pads_begin", Axes(g.pad_begin, nd)},
              {"pads_end", Axes(g.pad_end, nd)},       {"output_padding", Axes(g.output_padding, nd)}};
}

json Score(const CheckerboardScore& s) {
  json pattern = json::array();
  for (const auto& axis : s.pattern) pattern.push_back(axis);
  return json{{"score", Number(s.score)}, {"min", s.min}, {"max", s.max}, {"pattern", pattern}};
}

json Weights(const PhaseSpreadReport& w) {
  json j{{"available", w.available}, {"note", w.note}};
  if (!w.available) return j;
  json sums = json::array();
  for (double v : w.worst_sums) sums.push_back(Number(v));
  j["in_channels"] = w.cin;
  j["out_channels_per_group"] = w.cout_g;
  j["phases"] = w.phases;
  j["max_spread"] = Number(w.max_spread);
  j["worst_pair"] = json{{"in_channel", w.worst_ci}, {"out_channel", w.worst_co}, {"phase_sums", sums}};
  j["constant_ripple"] = Number(w.constant_ripple);
  j["histogram"] = json{{"edges", w.hist_edges}, {"counts", w.hist_counts}};
  return j;
}

json Path(const UpsamplePath& p, size_t index) {
  json j{{"index", index},
         {"kind", PathKindName(p.kind)},
         {"nodes", p.nodes},
         {"ndim", p.ndim},
         {"factor", Axes(p.factor, p.ndim)},
         {"verdict", p.verdict},
         {"reason", p.reason},
         {"fix", p.fix},
         {"weights", Weights(p.weights)}};
  if (p.kind != PathKind::kResize) {
    j["geometry"] = Geometry(p.geometry, p.ndim);
    j["geometry"]["pads_known"] = p.pads_known;
    j["in_channels"] = p.in_channels;
    j["out_channels"] = p.out_channels;
    j["groups"] = p.groups;
  }
  if (!p.mode.empty()) j["mode"] = p.mode;
  j["in_size"] = p.sizes_known ? Axes(p.in_size, p.ndim) : json(nullptr);
  j["out_size"] = p.sizes_known ? Axes(p.out_size, p.ndim) : json(nullptr);
  j["overlap"] = p.scored ? Score(p.score) : json(nullptr);
  j["fix_geometry"] = p.has_fix_geometry ? Geometry(p.fix_geometry, p.ndim) : json(nullptr);
  return j;
}

}  // namespace

std::string InspectReportJson(const InspectReport& r) {
  json paths = json::array(), chains = json::array();
  for (size_t i = 0; i < r.paths.size(); ++i) paths.push_back(Path(r.paths[i], i));
  for (const UpsampleChain& c : r.chains) {
    json j{{"paths", c.paths}, {"smoothing_convs", c.smoothing}};
    j["overlap"] = c.layers.empty() ? json(nullptr) : Score(c.score);
    chains.push_back(j);
  }
  json j{{"tool", "tconv inspect"},
         {"model", r.model},
         {"producer", r.producer},
         {"nodes", r.node_count},
         {"upsampling_paths", paths},
         {"chains", chains},
         {"notes", r.notes}};
  // Invalid UTF-8 in a node name is replaced, never thrown on.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace tconv
