// Layer loading, tconv and peer runners and the timer of the benchmark
// harness (see harness.h). The peers themselves live in the module
// bench/peers/ (loaded by peer_loader.cc).
#include "bench/harness.h"

#include <fcntl.h>
#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

#include <nlohmann/json.hpp>

#include "src/algo/algorithm.h"
#include "src/algo/phase_fast.h"
#include "src/geom3.h"
#include "tconv/plan.h"

#ifndef TCONV_SHARED_DIR
#define TCONV_SHARED_DIR "../shared"
#endif

namespace tconv {
namespace bench {

std::string DefaultLayersPath() {
  const char* env = std::getenv("TCONV_SHARED_DIR");
  return std::string(env && *env ? env : TCONV_SHARED_DIR) + "/bench/layers.json";
}

// The whole file, if it is a regular file of at most 64 MiB; a FIFO or a
// device is refused without blocking (O_NONBLOCK: a FIFO hung `bench`).
Status ReadLayersFile(const std::string& path, std::string* text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::Io("cannot open layers file '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (int64_t{64} << 20)) {
    ::close(fd);
    return Status::Io("layers file '" + path + "' is not a regular file of at most 64 MiB");
  }
  char buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    text->append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return Status::Ok();
}

Status LoadLayers(const std::string& path, std::vector<Layer>* layers) {
  std::string text;
  TCONV_RETURN_IF_ERROR(ReadLayersFile(path, &text));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
    layers->clear();
    for (const auto& e : j.at("layers")) {
      Layer l;
      l.name = e.at("name").get<std::string>();
      l.source = e.value("source", "");
      ConvDesc& d = l.desc;
      const auto in_dims = e.at("in").get<std::vector<int64_t>>();
      d.ndim = static_cast<int>(in_dims.size());
      if (d.ndim < 1 || d.ndim > kMaxSpatialDims) return Status::Invalid("layer " + l.name + ": bad rank");
      d.batch = e.at("n").get<int64_t>();
      d.in_channels = e.at("cin").get<int64_t>();
      d.out_channels = e.at("cout").get<int64_t>();
      d.groups = e.value("groups", int64_t{1});
      auto axis = [&](const char* key, Dims* out, int64_t dflt) {
        out->fill(1);
        std::vector<int64_t> v(d.ndim, dflt);
        if (e.contains(key)) v = e.at(key).get<std::vector<int64_t>>();
        if (static_cast<int>(v.size()) != d.ndim) throw std::runtime_error(std::string(key) + " has wrong rank");
        for (int a = 0; a < d.ndim; ++a) (*out)[a] = v[a];
      };
      axis("in", &d.in, 1);
      axis("kernel", &d.kernel, 1);
      axis("stride", &d.stride, 1);
      axis("dilation", &d.dilation, 1);
      axis("pad", &d.pad_begin, 0);
      d.pad_end = d.pad_begin;
      axis("output_padding", &d.output_padding, 0);
      for (int a = d.ndim; a < kMaxSpatialDims; ++a) {
        d.pad_begin[a] = d.pad_end[a] = d.output_padding[a] = 0;
      }
      Status st = ValidateConvTranspose(d);
      if (!st.ok()) return Status::Invalid("layer " + l.name + ": " + st.message());
      layers->push_back(std::move(l));
    }
  } catch (const std::exception& ex) {
    return Status::Invalid("cannot parse " + path + ": " + ex.what());
  }
  return Status::Ok();
}

void SetOmpThreads(int threads) { omp_set_num_threads(threads); }

std::vector<std::string> BenchAlgorithms() {
  std::vector<std::string> names;
  for (const std::string& n : AlgorithmNames())
    if (n != "ref") names.push_back(n);
  names.push_back("phase_fast");
  return names;
}

namespace {

void FillRandom(std::vector<float>* v, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& f : *v) f = u(rng);
}

class PlanRunner : public Runner {
 public:
  std::unique_ptr<Plan> plan;
  Tensor x, y;
  void Run() override { plan->Run(x.cview(), y.view()); }
  std::string Impl() const override { return plan->algorithm() + " " + plan->kernel(); }
  bool ReadOutputNchw(float* out) override {
    if (plan->layout() != Layout::kNCHW) return false;
    std::copy(y.data.begin(), y.data.end(), out);
    return true;
  }
};

class FastRunner : public Runner {
 public:
  std::unique_ptr<PreparedAlgo> algo;
  std::vector<float> x, y;
  float* xp = nullptr;  // 64-byte aligned views of x and y (oneDNN's own
  float* yp = nullptr;  // buffers are aligned too)
  void* ws = nullptr;
  int threads = 1;
  ~FastRunner() override { std::free(ws); }
  void Run() override { algo->Run(ConstBuffer(xp), Buffer(yp), ws, threads); }
  std::string Impl() const override { return "phase_fast " + algo->Kernel(); }
  bool ReadOutputNchw(float* out) override {
    std::copy(yp, yp + ny, out);
    return true;
  }
  size_t ny = 0;
};

}  // namespace

std::unique_ptr<Runner> MakeTconvRunner(const Layer& layer, const std::string& algo, int threads, std::string* why,
                                        Layout layout, const PhaseTuning& tuning) {
  const ConvDesc& d = layer.desc;
  Tensor w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
  FillRandom(&w.data, 2);
  FillRandom(&b.data, 3);
  if (algo == "phase_fast") {
    if (layout != Layout::kNCHW) {
      if (why) *why = "phase_fast is the NCHW kernel called directly; use a plan algorithm for other layouts";
      return nullptr;
    }
    auto r = std::make_unique<FastRunner>();
    const Geom3 g = MakeGeom3(d, GeomOp::kConvTranspose);
    AlgoCost cost;
    r->algo = PreparePhaseFast(PrepareInput{g, ConstBuffer(w.data.data()), ConstBuffer(b.data.data()), tuning}, why);
    if (!r->algo) return nullptr;
    r->algo->ActualCost(&cost);
    if (cost.workspace_bytes > 0) {
      r->ws = std::aligned_alloc(64, (static_cast<size_t>(cost.workspace_bytes) + 63) / 64 * 64);
    }
    r->threads = threads;
    const size_t nx = static_cast<size_t>(NumElements(ConvTransposeInputShape(d)));
    const size_t ny = static_cast<size_t>(NumElements(ConvTransposeOutputShape(d)));
    r->x.resize(nx + 16);
    r->y.resize(ny + 16);
    auto align64 = [](float* q) {
      return reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(q) + 63) & ~static_cast<uintptr_t>(63));
    };
    r->xp = align64(r->x.data());
    r->yp = align64(r->y.data());
    r->ny = ny;
    std::vector<float> xin(nx);
    FillRandom(&xin, 1);
    std::copy(xin.begin(), xin.end(), r->xp);
    return r;
  }
  auto r = std::make_unique<PlanRunner>();
  PlanOptions opts;
  opts.algo = algo;
  opts.threads = threads;
  opts.layout = layout;
  opts.phase = tuning;
  Status st;
  r->plan = Plan::Create(d, w.cview(), b.cview(), opts, &st);
  if (!r->plan) {
    if (why) *why = st.message();
    return nullptr;
  }
  r->x = Tensor(r->plan->input_shape());
  r->y = Tensor(r->plan->output_shape());
  FillRandom(&r->x.data, 1);
  return r;
}

std::vector<std::string> PeerVariants() {
  const PeerApi* api = Peers(nullptr);
  return api ? api->variants() : std::vector<std::string>();
}

std::unique_ptr<Runner> MakePeerRunner(const Layer& layer, const std::string& variant, int threads,
                                       std::string* why) {
  std::string local;
  if (!why) why = &local;
  const PeerApi* api = Peers(why);
  if (!api) return nullptr;
  const ConvDesc& d = layer.desc;
  // The tensors of MakeTconvRunner (same shapes, same seeds).
  Tensor x(ConvTransposeInputShape(d)), w(ConvTransposeWeightShape(d)), b(Shape{d.out_channels});
  FillRandom(&x.data, 1);
  FillRandom(&w.data, 2);
  FillRandom(&b.data, 3);
  PeerProblem p;
  p.ndim = d.ndim;
  p.n = d.batch, p.cin = d.in_channels, p.cout = d.out_channels, p.groups = d.groups;
  for (int a = 0; a < d.ndim; ++a) {
    p.in[a] = d.in[a], p.out[a] = ConvTransposeOutputLength(d, a), p.kernel[a] = d.kernel[a];
    p.stride[a] = d.stride[a], p.dilation[a] = d.dilation[a];
    p.pad_begin[a] = d.pad_begin[a], p.pad_end[a] = d.pad_end[a], p.output_padding[a] = d.output_padding[a];
  }
  p.x = x.data.data(), p.w = w.data.data(), p.b = b.data.data();
  return std::unique_ptr<Runner>(api->make(p, variant, threads, why));
}

double OutputMismatch(const Layer& layer, Runner* a, Runner* b) {
  const size_t n = static_cast<size_t>(NumElements(ConvTransposeOutputShape(layer.desc)));
  std::vector<float> ya(n), yb(n);
  if (!a->ReadOutputNchw(ya.data()) || !b->ReadOutputNchw(yb.data())) return -1;
  double diff = 0, scale = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = std::abs(static_cast<double>(ya[i]) - yb[i]);
    if (std::isnan(e)) return HUGE_VAL;
    diff = std::max(diff, e);
    scale = std::max(scale, static_cast<double>(std::abs(yb[i])));
  }
  return diff / std::max(scale, 1e-30);
}

double TimeRunner(Runner* r, double min_batch_seconds, int reps) {
  using Clock = std::chrono::steady_clock;
  r->Run();  // warm-up: first touch of buffers, caches, thread pool
  double best = 1e30;
  int64_t iters = 1;
  for (int rep = 0; rep < reps; ++rep) {
    for (;;) {
      const auto t0 = Clock::now();
      for (int64_t i = 0; i < iters; ++i) r->Run();
      const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      if (dt >= min_batch_seconds || iters >= (int64_t{1} << 30)) {
        best = std::min(best, dt / static_cast<double>(iters));
        break;
      }
      iters = std::max<int64_t>(iters * 2, static_cast<int64_t>(iters * min_batch_seconds / std::max(dt, 1e-9)));
    }
  }
  return best;
}

}  // namespace bench
}  // namespace tconv
