// Plan: validate + select + prepare once (Create), compute many times (Run).
#include "tconv/plan.h"

#include <cstdlib>
#include <mutex>
#include <new>

#include "src/algo/algorithm.h"
#include "src/select.h"
#include "tconv/reference.h"

namespace tconv {

struct Plan::Impl {
  ConvDesc desc;
  Geom3 geom;
  const Algorithm* algo = nullptr;
  AlgoCost cost;
  std::string name;
  std::unique_ptr<PreparedAlgo> prepared;
  int threads = 1;
  // One workspace per plan; Run serialises on it so concurrent calls on one
  // plan stay correct. (Plans are cheap: create one per thread for
  // concurrency.)
  mutable std::mutex ws_mutex;
  void* workspace = nullptr;
  ~Impl() { std::free(workspace); }
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
  for (const Algorithm* a : Algorithms()) {
    AlgoCost c = a->cost(g);
    out.push_back({a->name, a->summary, c.macs, c.workspace_bytes, c.packed_bytes});
  }
  return out;
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
  impl->prepared = impl->algo->prepare(impl->geom, weight.data, bias.data);
  if (impl->cost.workspace_bytes > 0) {
    const size_t bytes = (static_cast<size_t>(impl->cost.workspace_bytes) + 63) / 64 * 64;
    impl->workspace = std::aligned_alloc(64, bytes);
    if (!impl->workspace) {
      st = Status::OutOfMemory("cannot allocate a workspace of " + std::to_string(bytes) + " bytes for algorithm " +
                               impl->name);
      return nullptr;
    }
  }
  st = Status::Ok();
  return std::unique_ptr<Plan>(new Plan(std::move(impl)));
}

Status Plan::Run(ConstTensorView x, TensorView y) const {
  TCONV_RETURN_IF_ERROR(CheckShape("input", x.shape, ConvTransposeInputShape(impl_->desc)));
  TCONV_RETURN_IF_ERROR(CheckShape("output", y.shape, ConvTransposeOutputShape(impl_->desc)));
  std::lock_guard<std::mutex> lock(impl_->ws_mutex);
  impl_->prepared->Run(x.data, y.data, impl_->workspace, impl_->threads);
  return Status::Ok();
}

const ConvDesc& Plan::desc() const { return impl_->desc; }
const std::string& Plan::algorithm() const { return impl_->name; }
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
