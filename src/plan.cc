// Plan: validate + select + prepare once (Create), compute many times (Run).
//
// Create checks, before it packs or allocates anything: the geometry
// (ValidateConvTranspose: per-axis and element-count limits), the weight and
// bias shapes, the thread count (tconv/limits.h) and the memory the plan
// would hold (output + workspace + packed weights, against
// PlanOptions::max_memory_bytes, by default physical memory). `auto` tries
// the cost model's pick first and falls back on the others when one does
// not fit; phase falls back on its general path (no workspace) when its
// SIMD path's padded input does not fit. Weights holding NaN or Inf run on
// paths that touch only real taps (see plan.h).
#include "tconv/plan.h"

#include <cmath>
#include <cstdlib>
#include <mutex>
#include <new>

#include "src/algo/algorithm.h"
#include "src/algo/channels_last.h"
#include "src/algo/phase.h"
#include "src/algo/phase_fast.h"
#include "src/base/bf16.h"
#include "src/base/checked_int.h"
#include "src/dispatch/cpu.h"
#include "src/layout_convert.h"
#include "src/plan_internal.h"
#include "src/select.h"
#include "src/tune/measure.h"
#include "tconv/limits.h"
#include "tconv/reference.h"

namespace tconv {
namespace {

size_t Round64(size_t bytes) { return (bytes + 63) / 64 * 64; }

// Bytes of the NCHW copies of x and y a plan in `layout` keeps in its
// workspace (0 for a tensor stored the same in both layouts).
struct LayoutBuffers {
  size_t x_bytes = 0, y_bytes = 0;
};

// x_elem / y_elem: bytes per element (float32: 4; int8 plans: 1 for x,
// and 1 or 4 for y).
LayoutBuffers LayoutBuffersFor(const Geom3& g, Layout layout, size_t x_elem = sizeof(float),
                               size_t y_elem = sizeof(float)) {
  LayoutBuffers b;
  if (layout == Layout::kNCHW) return b;
  // (Validated: each tensor is below 2^40 elements.)
  if (!LayoutsCoincide(g.cin, g.in_sp)) b.x_bytes = Round64(static_cast<size_t>(g.n * g.cin * g.in_sp) * x_elem);
  if (!LayoutsCoincide(g.cout, g.out_sp)) b.y_bytes = Round64(static_cast<size_t>(g.n * g.cout * g.out_sp) * y_elem);
  return b;
}

bool AllFinite(const float* p, int64_t n) {
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) finite &= std::isfinite(p[i]);
  return finite;
}

}  // namespace

struct Plan::Impl {
  ConvDesc desc;
  Geom3 geom;
  const Algorithm* algo = nullptr;
  AlgoCost cost;
  std::string name, note;
  std::string kernel;                      // Plan::kernel()
  std::unique_ptr<PreparedAlgo> prepared;  // nullptr for a batch of 0
  int threads = 1;
  Layout layout = Layout::kNCHW;
  DataType dtype = DataType::kFloat32;
  std::vector<uint16_t> w_bf16;  // bf16 plans: the weight rounded (during Create only)
  const int8_t* w_i8 = nullptr;   // int8 plans: the caller's weight and bias (during Create only)
  const int32_t* b_i32 = nullptr;
  QuantParams quant;              // int8 plans
  size_t x_elem = sizeof(float), y_elem = sizeof(float);  // bytes per element of x and y
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
    LayoutBuffers lb = LayoutBuffersFor(geom, l, x_elem, y_elem);
    if (native_x) lb.x_bytes = 0;
    if (native_y) lb.y_bytes = 0;
    convert_x = lb.x_bytes > 0;
    convert_y = lb.y_bytes > 0;
    // (A saturated cost stays saturated: the memory check refuses it.)
    const int64_t ws = cost.workspace_bytes;
    algo_ws = ws >= kSaturated - 64 ? static_cast<size_t>(kSaturated) : Round64(static_cast<size_t>(ws));
    x_off = algo_ws;
    y_off = x_off + lb.x_bytes;
    ws_bytes = y_off + lb.y_bytes;
    if (convert_x || convert_y) {
      cost.workspace_bytes = ws_bytes >= static_cast<size_t>(kSaturated) ? kSaturated : static_cast<int64_t>(ws_bytes);
    }
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
  Status TryPrepare(const Algorithm* a, ConstTensorView weight, ConstTensorView bias, const PlanOptions& options,
                    bool weights_finite);
  Status RunBuffers(const Shape& x_shape_got, const Shape& y_shape_got, ConstBuffer x, Buffer y) const;
};

Plan::Plan(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Plan::~Plan() = default;

std::vector<std::string> AlgorithmNames() {
  std::vector<std::string> names;
  for (const Algorithm* a : Algorithms()) names.push_back(a->name);
  return names;
}

int64_t LayoutConversionBytes(const ConvDesc& desc, Layout layout) {
  const LayoutBuffers b = LayoutBuffersFor(MakeGeom3(desc, GeomOp::kConvTranspose), layout);
  return static_cast<int64_t>(b.x_bytes + b.y_bytes);
}

namespace {

// Prepares `a` (phase's general path when general_phase) for `layout`;
// *native_x / *native_y: the result reads x / writes y in `layout` itself.
// nullptr when out of memory, or with *why when a tuning option forces
// what the geometry does not allow.
std::unique_ptr<PreparedAlgo> PrepareIn(const Algorithm* a, const PrepareInput& in, Layout layout,
                                        bool general_phase, bool* native_x, bool* native_y, std::string* why) {
  try {
    std::unique_ptr<PreparedAlgo> p;
    if (layout == Layout::kNHWC && general_phase) {
      std::string declined;  // the depthwise channels-last kernel sums real taps only
      p = PrepareDepthwiseChannelsLast(in, &declined);
      *native_x = *native_y = p != nullptr;
    } else if (layout == Layout::kNHWC && a->prepare_channels_last) {
      p = a->prepare_channels_last(in, why);
      *native_x = p != nullptr;
      *native_y = *native_x && p->WritesChannelsLast();
    }
    if (!*native_x) {
      p = general_phase ? PreparePhaseGeneral(in.g, in.w.As<float>(), in.bias.As<float>()) : a->prepare(in, why);
    }
    return p;
  } catch (const std::bad_alloc&) {
    why->clear();
    return nullptr;
  }
}

}  // namespace

// One attempt to prepare `a` for the plan: fills prepared, cost, name, note
// and the workspace layout, or returns why not (a memory limit, or an
// allocation that failed).
Status Plan::Impl::TryPrepare(const Algorithm* a, ConstTensorView weight, ConstTensorView bias,
                              const PlanOptions& options, bool weights_finite) {
  Impl* impl = this;
  const Geom3& g = impl->geom;
  const int64_t out_bytes = OutputBytes(impl->desc);
  const int64_t limit = options.max_memory_bytes;
  impl->algo = a;
  impl->name = a->name;
  impl->cost = a->cost(g);
  // zero_insert multiplies inserted zeros by the weights: 0 x Inf = NaN.
  const bool bf16 = impl->dtype == DataType::kBFloat16, int8 = impl->dtype == DataType::kInt8;
  const bool general_phase = !bf16 && !int8 && !weights_finite && (a == &kPhaseAlgorithm || a == &kZeroInsertAlgorithm);
  if (bf16 && !weights_finite && a == &kPhaseAlgorithm) {
    // The bf16 kernels multiply padding by every tap: 0 x Inf = NaN.
    impl->note = "weights (rounded to bf16) hold non-finite values: phase's bf16 kernels would multiply padding by "
                 "them; ref (real taps only) runs instead";
    a = &kRefAlgorithm;
    impl->algo = a;
    impl->name = a->name;
    impl->cost = a->cost(g);
  }
  if (!weights_finite && a == &kZeroInsertAlgorithm) {
    impl->note =
        "weights hold non-finite values: zero_insert would multiply inserted zeros by them; "
        "phase's general path (real taps only) runs instead";
    impl->name = kPhaseAlgorithm.name;
    impl->cost = kPhaseAlgorithm.cost(g);
  } else if (general_phase) {
    impl->note =
        "weights hold non-finite values: phase's general path (real taps only) runs, not its SIMD path, "
        "which multiplies padding by them";
  }
  // The formula first: nothing is packed for a plan that cannot fit.
  TCONV_RETURN_IF_ERROR(CheckMemory(std::string(a->name) + " (output + workspace + packed weights)",
                                    SatAdd(SatAdd(out_bytes, impl->cost.workspace_bytes), impl->cost.packed_bytes),
                                    limit));
  if (g.n == 0) {  // a batch of 0: nothing to compute, nothing to prepare
    impl->cost = AlgoCost();
    impl->SizeWorkspace(options.layout, true, true);
    return Status::Ok();
  }
  bool native_x = false, native_y = false;
  std::string why;
  const ConstBuffer wb = bf16   ? ConstBuffer(impl->w_bf16.data(), DType::kBF16)
                         : int8 ? ConstBuffer(impl->w_i8)
                                : ConstBuffer(weight.data);
  const PrepareInput in{g, wb, int8 ? ConstBuffer(impl->b_i32) : ConstBuffer(bias.data), options.phase,
                        int8 ? &impl->quant : nullptr, options.threads};
  impl->prepared = PrepareIn(a, in, options.layout, general_phase, &native_x, &native_y, &why);
  if (!impl->prepared && !why.empty()) return Status::Unsupported(why);
  if (!impl->prepared) return Status::OutOfMemory("cannot prepare algorithm " + impl->name + ": out of memory");
  impl->prepared->ActualCost(&impl->cost);
  impl->SizeWorkspace(options.layout, native_x, native_y);
  const std::string what = impl->name + " (output + workspace + packed weights)";
  Status fits =
      CheckMemory(what, SatAdd(SatAdd(out_bytes, impl->cost.workspace_bytes), impl->cost.packed_bytes), limit);
  if (!fits.ok() && a == &kPhaseAlgorithm && !general_phase && !bf16 && !int8) {
    // The SIMD path's padded input does not fit: the general path needs none.
    impl->note = "phase's SIMD path needs a workspace of " + FormatBytes(impl->cost.workspace_bytes) +
                 ", beyond the memory limit: its general path runs";
    impl->cost = a->cost(g);
    try {
      impl->prepared = PreparePhaseGeneral(g, weight.data, bias.data);
    } catch (const std::bad_alloc&) {
      return Status::OutOfMemory("cannot prepare algorithm phase: out of memory");
    }
    impl->SizeWorkspace(options.layout, false, false);
    fits = CheckMemory(what, SatAdd(SatAdd(out_bytes, impl->cost.workspace_bytes), impl->cost.packed_bytes), limit);
  }
  TCONV_RETURN_IF_ERROR(fits);
  impl->kernel = impl->prepared->Kernel();
  if (impl->ws_bytes > 0) {
    void* ws = std::aligned_alloc(64, impl->ws_bytes);
    if (!ws) {
      return Status::OutOfMemory("cannot allocate a workspace of " + FormatBytes(static_cast<int64_t>(impl->ws_bytes)) +
                                 " for algorithm " + impl->name);
    }
    impl->free_workspaces.push_back(ws);
  }
  return Status::Ok();
}

namespace {

// Checks everything Create checks before choosing an algorithm.
Status CheckCreateArgs(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias, const PlanOptions& options) {
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(desc));
  TCONV_RETURN_IF_ERROR(CheckShape("weight", weight.shape, ConvTransposeWeightShape(desc)));
  if (!weight.data) return Status::Invalid("weight data is null");
  if (bias.data) TCONV_RETURN_IF_ERROR(CheckShape("bias", bias.shape, {desc.out_channels}));
  TCONV_RETURN_IF_ERROR(CheckThreads("threads", options.threads));
  if (options.max_memory_bytes < 0) {
    return Status::Invalid("max_memory_bytes must be >= 0 (0: physical memory) (got " +
                           std::to_string(options.max_memory_bytes) + ")");
  }
  if (options.dtype == DataType::kInt8) {
    return Status::Invalid("dtype int8 takes int8 weights, an int32 bias and QuantParams: the Create overload of "
                           "tconv/quant.h");
  }
  if (options.dtype == DataType::kBFloat16) {
    const Algorithm* a = FindAlgorithm(options.algo);
    if (a && !(a->dtypes & DTypeBit(DType::kBF16))) {
      return Status::Unsupported("algorithm " + options.algo + " computes f32 only; bf16: auto, phase, gemm_col2im or ref");
    }
  }
  return CheckMemory("the output " + ShapeString(ConvTransposeOutputShape(desc)), OutputBytes(desc),
                     options.max_memory_bytes);
}

}  // namespace

std::unique_ptr<Plan> Plan::Create(const ConvDesc& desc, ConstTensorView weight, ConstTensorView bias,
                                   const PlanOptions& options, Status* status) {
  Status ok;
  Status& st = status ? *status : ok;
  st = CheckCreateArgs(desc, weight, bias, options);
  if (!st.ok()) return nullptr;
  // wisdom, or tune = measure (src/tune/measure.h); its keys and candidates
  // are f32 (a bf16 plan runs phase, or ref)
  if (options.algo == "auto" && options.dtype == DataType::kFloat32) {
    std::string how;
    if (std::unique_ptr<Plan> p = CreateTunedPlan(desc, weight, bias, options, &how)) {
      p->impl_->note = p->impl_->note.empty() ? how : how + "; " + p->impl_->note;
      dispatch::LogDispatch("plan: %s", p->impl_->note.c_str());
      return p;
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->desc = desc;
  impl->geom = MakeGeom3(desc, GeomOp::kConvTranspose);
  impl->threads = options.threads;
  impl->dtype = options.dtype;
  if (options.dtype == DataType::kBFloat16) {
    // x bf16; y f32 or bf16, chosen at Run: its channels-first copy sized
    // for f32.
    impl->x_elem = sizeof(uint16_t);
    impl->y_elem = sizeof(float);
  }
  return Finish(std::move(impl), weight, bias, options, st);
}

std::unique_ptr<Plan> Plan::Create(const ConvDesc& desc, ConstI8View weight, ConstI32View bias,
                                   const QuantParams& quant, const PlanOptions& options, Status* status) {
  Status ok;
  Status& st = status ? *status : ok;
  st = CheckCreateArgsInt8(desc, weight, bias, quant, options);
  if (!st.ok()) return nullptr;
  auto impl = std::make_unique<Impl>();
  impl->desc = desc;
  impl->geom = MakeGeom3(desc, GeomOp::kConvTranspose);
  impl->threads = options.threads;
  impl->dtype = DataType::kInt8;
  impl->quant = quant;
  impl->x_elem = 1;
  impl->y_elem = quant.y_type == QuantType::kFloat32 ? sizeof(float) : 1;
  impl->w_i8 = weight.data;
  impl->b_i32 = bias.data;
  return Finish(std::move(impl), ConstTensorView(), ConstTensorView(), options, st);
}

// Create after the checks: chooses and prepares the algorithm.
std::unique_ptr<Plan> Plan::Finish(std::unique_ptr<Impl> impl, ConstTensorView weight, ConstTensorView bias,
                                   const PlanOptions& options, Status& st) {
  std::vector<const Algorithm*> candidates;
  if (options.algo == "auto") {
    Geom3 g = impl->geom;
    g.n = std::max<int64_t>(g.n, 1);  // a batch of 0 picks as one image
    std::string why;
    candidates = AutoCandidates(g, options.threads, &why, options.dtype);
  } else if (const Algorithm* a = FindAlgorithm(options.algo)) {
    candidates = {a};
  } else {
    std::string names;
    for (const std::string& n : AlgorithmNames()) names += (names.empty() ? "" : ", ") + n;
    st = Status::Invalid("algo must be auto or one of " + names + " (got '" + options.algo + "')");
    return nullptr;
  }
  bool weights_finite = impl->dtype == DataType::kInt8 || AllFinite(weight.data, weight.numel());
  if (impl->dtype == DataType::kBFloat16) {
    impl->w_bf16.resize(static_cast<size_t>(weight.numel()));
    for (size_t i = 0; i < impl->w_bf16.size(); ++i) {
      impl->w_bf16[i] = Bf16Bits(weight.data[i]);
      weights_finite &= (impl->w_bf16[i] & 0x7F80) != 0x7F80;  // rounding may overflow to Inf
    }
  }
  std::string skipped;
  for (const Algorithm* a : candidates) {
    impl->note.clear();
    st = impl->TryPrepare(a, weight, bias, options, weights_finite);
    if (st.ok()) break;
    if (candidates.size() == 1) return nullptr;  // a forced algorithm: its own reason
    skipped += (skipped.empty() ? "" : "; ") + st.message();
  }
  if (!st.ok()) {
    st = Status::OutOfMemory("no algorithm fits: " + skipped);
    return nullptr;
  }
  if (impl->algo != candidates.front()) {
    impl->note = (impl->note.empty() ? "" : impl->note + "; ") + "auto: " + skipped + ": " + impl->name + " runs";
  }
  if (!impl->note.empty()) dispatch::LogDispatch("plan: %s", impl->note.c_str());
  impl->w_bf16 = std::vector<uint16_t>();  // the prepared algorithm holds its own copy
  impl->w_i8 = nullptr;
  impl->b_i32 = nullptr;
  st = Status::Ok();
  return std::unique_ptr<Plan>(new Plan(std::move(impl)));
}

Status Plan::Run(ConstTensorView x, TensorView y) const {
  const Impl& p = *impl_;
  if (p.dtype != DataType::kFloat32) {
    return Status::Invalid(std::string("the plan computes ") + DataTypeName(p.dtype) + ": x must be a " +
                           (p.dtype == DataType::kInt8 ? "ConstQuantView" : "bf16 view"));
  }
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, p.x_shape));
  TCONV_RETURN_IF_ERROR(CheckShape("output", y.shape, p.y_shape));
  if (!p.prepared) return Status::Ok();  // a batch of 0: the output is empty
  if (!x.data || !y.data) return Status::Invalid("input or output data is null");
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
  p.prepared->Run(ConstBuffer(x_algo), Buffer(y_algo), p.algo_ws ? ws : nullptr, p.threads);
  if (p.convert_y) ChannelsFirstToLast(y_algo, y.data, p.geom.n, p.geom.cout, p.geom.out_sp, p.threads);
  p.GiveBack(ws);
  return Status::Ok();
}

// bf16 and int8 plans (with Layout::kNHWC, converted around an algorithm
// that computes channels first).
Status Plan::Impl::RunBuffers(const Shape& xs, const Shape& ys, ConstBuffer x, Buffer y) const {
  const DataType want = x.dtype == DType::kBF16 ? DataType::kBFloat16 : DataType::kInt8;
  if (dtype != want) {
    return Status::Invalid(std::string("the plan computes ") + DataTypeName(dtype) + ": x must be a " +
                           (dtype == DataType::kFloat32 ? "float32 view"
                            : dtype == DataType::kInt8  ? "ConstQuantView"
                                                        : "bf16 view"));
  }
  TCONV_RETURN_IF_ERROR(CheckShape("input", xs, x_shape));
  TCONV_RETURN_IF_ERROR(CheckShape("output", ys, y_shape));
  if (!prepared) return Status::Ok();  // a batch of 0: the output is empty
  if (!x.data || !y.data) return Status::Invalid("input or output data is null");
  void* ws = TakeWorkspace();
  if (ws_bytes && !ws) return Status::OutOfMemory("cannot allocate a workspace of " + std::to_string(ws_bytes) + " bytes");
  char* base = static_cast<char*>(ws);
  ConstBuffer x_algo = x;
  Buffer y_algo = y;
  if (convert_x) {
    ChannelsLastToFirst(x.data, base + x_off, x_elem, geom.n, geom.cin, geom.in_sp, threads);
    x_algo.data = base + x_off;
  }
  if (convert_y) y_algo.data = base + y_off;
  prepared->Run(x_algo, y_algo, algo_ws ? ws : nullptr, threads);
  // (A bf16 plan's y is f32 or bf16 by the Run call.)
  const size_t y_bytes = y.dtype == DType::kBF16 ? sizeof(uint16_t) : y_elem;
  if (convert_y) ChannelsFirstToLast(y_algo.data, y.data, y_bytes, geom.n, geom.cout, geom.out_sp, threads);
  GiveBack(ws);
  return Status::Ok();
}

Status Plan::Run(ConstBF16View x, TensorView y) const {
  return impl_->RunBuffers(x.shape, y.shape, ConstBuffer(x.data, DType::kBF16), Buffer(y.data));
}

Status Plan::Run(ConstBF16View x, BF16View y) const {
  return impl_->RunBuffers(x.shape, y.shape, ConstBuffer(x.data, DType::kBF16), Buffer(y.data, DType::kBF16));
}

Status Plan::Run(ConstQuantView x, QuantView y) const {
  const QuantParams& q = impl_->quant;
  const DType xt = q.x_type == QuantType::kUInt8 ? DType::kU8 : DType::kI8;
  const DType yt = q.y_type == QuantType::kFloat32 ? DType::kF32 : q.y_type == QuantType::kUInt8 ? DType::kU8 : DType::kI8;
  return impl_->RunBuffers(x.shape, y.shape, ConstBuffer(x.data, xt), Buffer(y.data, yt));
}

DataType Plan::dtype() const { return impl_->dtype; }
const QuantParams* Plan::quant() const { return impl_->dtype == DataType::kInt8 ? &impl_->quant : nullptr; }
const ConvDesc& Plan::desc() const { return impl_->desc; }
const std::string& Plan::algorithm() const { return impl_->name; }
const std::string& Plan::note() const { return impl_->note; }
const std::string& Plan::kernel() const { return impl_->kernel; }
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
