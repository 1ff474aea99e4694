// Plan: validate + select + prepare once (Create), compute many times (Run).
#include "tconv/plan.h"

#include <cstdlib>
#include <mutex>
#include <new>

#include "src/algo/algorithm.h"
#include "src/layout_convert.h"
#include "src/select.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

size_t Round64(size_t bytes) { return (bytes + 63) / 64 * 64; }

// Bytes of the NCHW copies of x and y a plan in `layout` keeps in its
// workspace (0 for a tensor stored the same in both layouts).
struct LayoutBuffers {
  size_t x_bytes = 0, y_bytes = 0;
};

LayoutBuffers LayoutBuffersFor(const Geom3& g, Layout layout) {
  LayoutBuffers b;
  if (layout == Layout::kNCHW) return b;
  if (!LayoutsCoincide(g.cin, g.in_sp)) {
    b.x_bytes = Round64(static_cast<size_t>(g.n * g.cin * g.in_sp) * sizeof(float));
  }
  if (!LayoutsCoincide(g.cout, g.out_sp)) {
    b.y_bytes = Round64(static_cast<size_t>(g.n * g.cout * g.out_sp) * sizeof(float));
  }
  return b;
}

}  // namespace

struct Plan::Impl {
  ConvDesc desc;
  Geom3 geom;
  const Algorithm* algo = nullptr;
  AlgoCost cost;
  std::string name;
  std::unique_ptr<PreparedAlgo> prepared;
  int threads = 1;
  Layout layout = Layout::kNCHW;
  Shape x_shape, y_shape;  // in `layout`
  // Workspace: [algorithm scratch | NCHW copy of x | NCHW y], each part
  // 64-byte aligned; a part is empty when no conversion is needed (or the
  // algorithm takes the layout natively: Algorithm::prepare_channels_last).
  bool convert_x = false, convert_y = false;
  size_t algo_ws = 0, x_off = 0, y_off = 0;
  size_t ws_bytes = 0;  // total, rounded up to 64
  // Shapes in the plan's layout and the workspace parts (after cost is
  // final); native_x / native_y: the prepared algorithm reads x / writes y
  // in layout `l` itself.
  void SizeWorkspace(Layout l, bool native_x, bool native_y) {
    layout = l;
    x_shape = ShapeInLayout(ConvTransposeInputShape(desc), l);
    y_shape = ShapeInLayout(ConvTransposeOutputShape(desc), l);
    LayoutBuffers lb = LayoutBuffersFor(geom, l);
    if (native_x) lb.x_bytes = 0;
    if (native_y) lb.y_bytes = 0;
    convert_x = lb.x_bytes > 0;
    convert_y = lb.y_bytes > 0;
    algo_ws = Round64(static_cast<size_t>(cost.workspace_bytes));
    x_off = algo_ws;
    y_off = x_off + lb.x_bytes;
    ws_bytes = y_off + lb.y_bytes;
    if (convert_x || convert_y) cost.workspace_bytes = static_cast<int64_t>(ws_bytes);
  }
  // Workspaces not in use by a Run. Create allocates one; a Run takes one
  // (or, only when several Runs overlap, allocates another) and gives it
  // back, so concurrent Runs on different buffers never share scratch and a
  // steady single caller never allocates.
  mutable std::mutex pool_mutex;
  mutable std::vector<void*> free_workspaces;
  ~Impl() {
    for (void* p : free_workspaces) std::free(p);
  }
  void* TakeWorkspace() const {
    if (ws_bytes == 0) return nullptr;
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      if (!free_workspaces.empty()) {
        void* p = free_workspaces.back();
        free_workspaces.pop_back();
        return p;
      }
    }
    return std::aligned_alloc(64, ws_bytes);
  }
  void GiveBack(void* p) const {
    if (!p) return;
    std::lock_guard<std::mutex> lock(pool_mutex);
    free_workspaces.push_back(p);
  }
};

Plan::Plan(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Plan::~Plan() = default;

std::vector<std::string> AlgorithmNames() {
  std::vector<std::string> names;
  for (const Algorithm* a : Algorithms()) names.push_back(a->name);
  return names;
}

std::vector<AlgorithmEstimate> EstimateAlgorithms(const ConvDesc& desc) {
  std::vector<AlgorithmEstimate> out;
  const Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  // Prepare each algorithm on zero weights so the numbers are what a plan
  // would really execute and allocate (a fast path chosen at prepare time
  // reports its own costs). Packing is linear in the weights: cheap next to
  // a run, and explain never touches activations.
  std::vector<float> zeros;
  try {
    zeros.assign(static_cast<size_t>(NumElements(ConvTransposeWeightShape(desc))), 0.0f);
  } catch (const std::bad_alloc&) {
    zeros.clear();
  }
  for (const Algorithm* a : Algorithms()) {
    AlgoCost c = a->cost(g);
    if (!zeros.empty()) {
      try {
        std::unique_ptr<PreparedAlgo> prepared = a->prepare(g, zeros.data(), nullptr);
        if (prepared) prepared->ActualCost(&c);
      } catch (const std::bad_alloc&) {
        // keep the formula's numbers
      }
    }
    out.push_back({a->name, a->summary, c.macs, c.workspace_bytes, c.packed_bytes});
  }
  return out;
}

int64_t LayoutConversionBytes(const ConvDesc& desc, Layout layout) {
  const LayoutBuffers b = LayoutBuffersFor(MakeGeom3(desc, GeomOp::kConvTranspose), layout);
  return static_cast<int64_t>(b.x_bytes + b.y_bytes);
}

std::string AutoAlgorithm(const ConvDesc& desc, std::string* why) {
  const Geom3 g = MakeGeom3(desc, GeomOp::kConvTranspose);
  return SelectAlgorithm(g, why)->name;
}

std::unique_ptr<Plan> Plan::Create(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias,
                                   const PlanOptions& options, Status* status) {
  Status ok;
  Status& st = status ? *status : ok;
  st = ValidateConvTranspose(desc);
  if (!st.ok()) return nullptr;
  st = CheckShape("weight", weight.shape, ConvTransposeWeightShape(desc));
  if (!st.ok()) return nullptr;
  if (bias.data) {
    st = CheckShape("bias", bias.shape, {desc.out_channels});
    if (!st.ok()) return nullptr;
  }
  if (options.threads < 1) {
    st = Status::Invalid("threads must be >= 1 (got " + std::to_string(options.threads) + ")");
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->desc = desc;
  impl->geom = MakeGeom3(desc, GeomOp::kConvTranspose);
  impl->threads = options.threads;
  if (options.algo == "auto") {
    std::string why;
    impl->algo = SelectAlgorithm(impl->geom, &why);
  } else {
    impl->algo = FindAlgorithm(options.algo);
    if (!impl->algo) {
      std::string names;
      for (const std::string& n : AlgorithmNames()) names += (names.empty() ? "" : ", ") + n;
      st = Status::Invalid("algo must be auto or one of " + names + " (got '" + options.algo + "')");
      return nullptr;
    }
  }
  impl->cost = impl->algo->cost(impl->geom);
  impl->name = impl->algo->name;
  // native_x / native_y: the prepared algorithm reads x / writes y in
  // options.layout itself.
  bool native_x = false, native_y = false;
  try {
    if (options.layout == Layout::kNHWC && impl->algo->prepare_channels_last) {
      impl->prepared = impl->algo->prepare_channels_last(impl->geom, weight.data, bias.data);
      native_x = impl->prepared != nullptr;
      native_y = native_x && impl->prepared->WritesChannelsLast();
    }
    if (!native_x) impl->prepared = impl->algo->prepare(impl->geom, weight.data, bias.data);
  } catch (const std::bad_alloc&) {
    impl->prepared = nullptr;
  }
  if (!impl->prepared) {
    st = Status::OutOfMemory("cannot prepare algorithm " + impl->name + ": out of memory");
    return nullptr;
  }
  impl->prepared->ActualCost(&impl->cost);
  impl->SizeWorkspace(options.layout, native_x, native_y);
  if (impl->ws_bytes > 0) {
    void* ws = std::aligned_alloc(64, impl->ws_bytes);
    if (!ws) {
      st = Status::OutOfMemory("cannot allocate a workspace of " + std::to_string(impl->ws_bytes) +
                               " bytes for algorithm " + impl->name);
      return nullptr;
    }
    impl->free_workspaces.push_back(ws);
  }
  st = Status::Ok();
  return std::unique_ptr<Plan>(new Plan(std::move(impl)));
}

Status Plan::Run(ConstTensorView x, TensorView y) const {
  const Impl& p = *impl_;
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, p.x_shape));
  TCONV_RETURN_IF_ERROR(CheckShape("output", y.shape, p.y_shape));
  void* ws = p.TakeWorkspace();
  if (p.ws_bytes && !ws) {
    return Status::OutOfMemory("cannot allocate a workspace of " + std::to_string(p.ws_bytes) + " bytes");
  }
  char* base = static_cast<char*>(ws);
  // What the prepared algorithm reads and writes: the user's tensors, or
  // their NCHW copies in the workspace.
  const float* x_algo = x.data;
  float* y_algo = y.data;
  if (p.convert_x) {
    float* xc = reinterpret_cast<float*>(base + p.x_off);
    ChannelsLastToFirst(x.data, xc, p.geom.n, p.geom.cin, p.geom.in_sp, p.threads);
    x_algo = xc;
  }
  if (p.convert_y) y_algo = reinterpret_cast<float*>(base + p.y_off);
  p.prepared->Run(x_algo, y_algo, p.algo_ws ? ws : nullptr, p.threads);
  if (p.convert_y) ChannelsFirstToLast(y_algo, y.data, p.geom.n, p.geom.cout, p.geom.out_sp, p.threads);
  p.GiveBack(ws);
  return Status::Ok();
}

const ConvDesc& Plan::desc() const { return impl_->desc; }
const std::string& Plan::algorithm() const { return impl_->name; }
Layout Plan::layout() const { return impl_->layout; }
const Shape& Plan::input_shape() const { return impl_->x_shape; }
const Shape& Plan::output_shape() const { return impl_->y_shape; }
int64_t Plan::workspace_bytes() const { return impl_->cost.workspace_bytes; }
int64_t Plan::packed_bytes() const { return impl_->cost.packed_bytes; }

Status ConvTranspose(const ConvDesc& desc, ConstTensorView x, ConstTensorView weight, ConstTensorView bias,
                     TensorView y, const PlanOptions& options) {
  Status st;
  auto plan = Plan::Create(desc, weight, bias, options, &st);
  if (!plan) return st;
  return plan->Run(x, y);
}

}  // namespace tconv
