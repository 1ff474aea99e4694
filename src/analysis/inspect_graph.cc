// InspectGraph (tconv/inspect.h): finds the upsampling paths of a model
// graph and the chains they form, then scores them. One path's details are
// in inspect_paths.cc, the verdicts in inspect_verdict.cc.
#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "src/analysis/inspect_internal.h"

namespace tconv {
namespace inspect {

GraphIndex::GraphIndex(const ModelGraph& graph) : g(&graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const std::string& o : graph.nodes[i].outputs) producer[o] = static_cast<int>(i);
    for (const std::string& in : graph.nodes[i].inputs)
      if (!in.empty()) consumers[in].push_back(static_cast<int>(i));
  }
}

bool GraphIndex::SpatialSize(const std::string& value, int ndim, Dims* out) const {
  auto it = g->shapes.find(value);
  if (it == g->shapes.end() || static_cast<int>(it->second.size()) != ndim + 2) return false;
  Dims d = {1, 1, 1};
  for (int a = 0; a < ndim; ++a) {
    const int64_t v = it->second[static_cast<size_t>(a + 2)];
    if (v <= 0) return false;
    d[a] = v;
  }
  *out = d;
  return true;
}

const Tensor* GraphIndex::Constant(const std::string& value) const {
  auto it = g->constants.find(value);
  return it == g->constants.end() ? nullptr : &it->second;
}

bool IsPassThrough(const std::string& op) {
  static const std::set<std::string> kOps = {
      "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Gelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
      "Softplus", "Softsign", "Mish", "Clip", "Erf", "Exp", "Log", "Neg", "Abs", "Sqrt", "Pow", "Reciprocal",
      "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization", "Dropout",
      "Identity", "Cast", "Add", "Sub", "Mul", "Div", "Concat", "Max", "Min", "Sum", "Mean", "Sin", "Cos"};
  return kOps.count(op) > 0;
}

bool IsStride1Conv(const ModelNode& n) {
  if (n.op != "Conv") return false;
  auto it = n.ints.find("strides");
  if (it == n.ints.end()) return true;
  return std::all_of(it->second.begin(), it->second.end(), [](int64_t s) { return s == 1; });
}

namespace {

// Follows `value` forward through pass-through nodes; returns the first
// stride-1 Conv reached (breadth first), or -1.
int FollowToConv(const GraphIndex& gi, const std::string& value) {
  std::vector<std::string> frontier = {value};
  std::set<std::string> seen;
  while (!frontier.empty()) {
    std::vector<std::string> next;
    for (const std::string& v : frontier) {
      if (!seen.insert(v).second) continue;
      auto it = gi.consumers.find(v);
      if (it == gi.consumers.end()) continue;
      for (int c : it->second) {
        const ModelNode& n = gi.node(c);
        if (IsStride1Conv(n) && n.inputs[0] == v) return c;
        if (IsPassThrough(n.op))
          for (const std::string& o : n.outputs) next.push_back(o);
      }
    }
    frontier = std::move(next);
  }
  return -1;
}

// Walks back from a DepthToSpace's input through single-input pass-through
// nodes to the Conv that makes its channels, or -1.
int ConvBefore(const GraphIndex& gi, const std::string& value) {
  std::string v = value;
  for (int steps = 0; steps < 16; ++steps) {
    auto it = gi.producer.find(v);
    if (it == gi.producer.end()) return -1;
    const ModelNode& n = gi.node(it->second);
    if (n.op == "Conv") return it->second;
    if (!IsPassThrough(n.op) || n.op == "Concat" || n.inputs.empty()) return -1;
    v = n.inputs[0];
  }
  return -1;
}

// A path the analysis cannot model (kUnsupported: more than 3 axes, an
// unknown weight shape) becomes a note and is skipped (true); any other
// error is the model's and goes to *fatal.
bool Skip(const Status& st, std::vector<std::string>* notes, Status* fatal) {
  if (st.ok()) return false;
  if (st.code() == StatusCode::kUnsupported) {
    notes->push_back(st.message());
  } else if (fatal->ok()) {
    *fatal = st;
  }
  return true;
}

struct Found {
  int start = 0;  // node index where the path begins (its order in the report)
  UpsamplePath path;
  std::vector<int> nodes;
};

Status FindPaths(const GraphIndex& gi, std::vector<Found>* found, std::vector<std::string>* notes) {
  const ModelGraph& g = *gi.g;
  std::set<int> used;  // Convs that belong to a path
  Status fatal;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ModelNode& n = g.nodes[i];
    const int ii = static_cast<int>(i);
    Found f;
    if (n.op == "ConvTranspose") {
      if (Skip(DescribeConvTranspose(gi, ii, &f.path), notes, &fatal)) continue;
      f.start = ii;
      f.nodes = {ii};
    } else if (n.op == "Resize" || n.op == "Upsample") {
      const int conv = n.outputs.empty() ? -1 : FollowToConv(gi, n.outputs[0]);
      const int use_conv = conv >= 0 && !used.count(conv) ? conv : -1;
      bool upsampling = false;
      if (Skip(DescribeResize(gi, ii, use_conv, &f.path, &upsampling), notes, &fatal)) continue;
      if (!upsampling) continue;
      f.start = ii;
      f.nodes = {ii};
      if (use_conv >= 0) f.nodes.push_back(use_conv), used.insert(use_conv);
    } else if (n.op == "DepthToSpace") {
      const int conv = n.inputs.empty() ? -1 : ConvBefore(gi, n.inputs[0]);
      if (conv < 0 || used.count(conv)) {
        notes->push_back("DepthToSpace node '" + n.name + "' has no Conv of its own before it; not analysed");
        continue;
      }
      if (Skip(DescribeSubPixel(gi, conv, ii, &f.path), notes, &fatal)) continue;
      f.start = conv;
      f.nodes = {conv, ii};
      used.insert(conv);
    } else {
      continue;
    }
    found->push_back(std::move(f));
  }
  TCONV_RETURN_IF_ERROR(fatal);
  std::stable_sort(found->begin(), found->end(), [](const Found& a, const Found& b) { return a.start < b.start; });
  return Status::Ok();
}

// Edges between paths: from a path's last node, forward through pass-through
// nodes and stride-1 Convs (recorded) to the first node of another path.
struct Edge {
  int to;
  std::vector<int> convs;
};

std::vector<std::vector<Edge>> FindEdges(const GraphIndex& gi, const std::vector<Found>& found) {
  std::map<int, int> path_of_start, path_member;
  for (size_t p = 0; p < found.size(); ++p) {
    path_of_start[found[p].start] = static_cast<int>(p);
    for (int n : found[p].nodes) path_member[n] = static_cast<int>(p);
  }
  std::vector<std::vector<Edge>> edges(found.size());
  for (size_t p = 0; p < found.size(); ++p) {
    std::set<int> seen, linked;
    std::function<void(int, std::vector<int>)> walk = [&](int node, std::vector<int> convs) {
      for (const std::string& o : gi.node(node).outputs) {
        auto it = gi.consumers.find(o);
        if (it == gi.consumers.end()) continue;
        for (int c : it->second) {
          if (!seen.insert(c).second) continue;
          auto ps = path_of_start.find(c);
          if (ps != path_of_start.end()) {
            if (ps->second != static_cast<int>(p) && linked.insert(ps->second).second)
              edges[p].push_back({ps->second, convs});
            continue;
          }
          if (path_member.count(c)) continue;
          const ModelNode& n = gi.node(c);
          if (IsStride1Conv(n)) {
            std::vector<int> more = convs;
            more.push_back(c);
            walk(c, more);
          } else if (IsPassThrough(n.op)) {
            walk(c, convs);
          }
        }
      }
    };
    walk(found[p].nodes.back(), {});
  }
  return edges;
}

Status BuildChains(const GraphIndex& gi, const std::vector<Found>& found, InspectReport* r) {
  const std::vector<std::vector<Edge>> edges = FindEdges(gi, found);
  std::vector<int> indegree(found.size(), 0);
  for (const auto& es : edges)
    for (const Edge& e : es) ++indegree[static_cast<size_t>(e.to)];
  constexpr size_t kMaxChains = 64;
  std::function<void(UpsampleChain)> extend = [&](UpsampleChain c) {
    const int last = c.paths.back();
    if (edges[static_cast<size_t>(last)].empty() || r->chains.size() >= kMaxChains) {
      if (r->chains.size() < kMaxChains) r->chains.push_back(std::move(c));
      return;
    }
    for (const Edge& e : edges[static_cast<size_t>(last)]) {
      const UpsamplePath& next = r->paths[static_cast<size_t>(e.to)];
      if (std::find(c.paths.begin(), c.paths.end(), e.to) != c.paths.end()) continue;
      UpsampleChain d = c;
      bool ok = next.ndim == r->paths[static_cast<size_t>(last)].ndim && !next.layers.empty();
      for (int conv : e.convs) {
        DeconvLayer l;
        ok = ok && SmoothingLayer(gi, gi.node(conv), next.ndim, &l);
        d.layers.push_back(l);
        d.smoothing.push_back(gi.node(conv).name);
      }
      if (!ok) {  // a path that cannot be modelled ends the chain
        if (r->chains.size() < kMaxChains) r->chains.push_back(c);
        continue;
      }
      d.paths.push_back(e.to);
      d.layers.insert(d.layers.end(), next.layers.begin(), next.layers.end());
      extend(std::move(d));
    }
  };
  for (size_t p = 0; p < found.size(); ++p) {
    if (indegree[p] != 0) continue;
    UpsampleChain c;
    c.paths = {static_cast<int>(p)};
    c.layers = r->paths[p].layers;
    extend(std::move(c));
  }
  for (UpsampleChain& c : r->chains) {
    if (!c.layers.empty() && !ScoreStack(c.layers, &c.score).ok()) c.layers.clear();  // shown as not scored
  }
  if (r->chains.size() >= kMaxChains) r->notes.push_back("more than 64 chains; only the first 64 are listed");
  return Status::Ok();
}

}  // namespace

}  // namespace inspect

const char* PathKindName(PathKind k) {
  switch (k) {
    case PathKind::kConvTranspose: return "conv_transpose";
    case PathKind::kResizeConv: return "resize_conv";
    case PathKind::kResize: return "resize";
    case PathKind::kSubPixel: return "subpixel";
  }
  return "?";
}

Status InspectGraph(const ModelGraph& g, const std::string& model_name, InspectReport* out) {
  using namespace inspect;  // NOLINT(build/namespaces)
  *out = InspectReport();
  InspectReport r;
  r.model = model_name;
  r.producer = g.producer;
  r.node_count = static_cast<int64_t>(g.nodes.size());
  const GraphIndex gi(g);
  std::vector<Found> found;
  TCONV_RETURN_IF_ERROR(FindPaths(gi, &found, &r.notes));
  for (Found& f : found) {
    UpsamplePath& p = f.path;
    if (!p.layers.empty()) {
      const Status st = ScoreStack(p.layers, &p.score);
      p.scored = st.ok();
      if (!st.ok()) r.notes.push_back(p.nodes[0] + ": not scored: " + st.message());
    }
    TCONV_RETURN_IF_ERROR(DecideVerdict(&p));
    r.paths.push_back(p);
  }
  TCONV_RETURN_IF_ERROR(BuildChains(gi, found, &r));
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace tconv
