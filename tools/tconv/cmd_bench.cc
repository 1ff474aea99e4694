// `tconv bench`: times a layers file (default: the shared suite,
// layers.json) with tconv and with every peer configuration (oneDNN,
// XNNPACK; loaded from the module libtconv_peers.so only here) side by side
// in one process, and reports each against the best peer and against the
// machine's roof measured in the same run (bench/suite.h has the table).
//
//   tconv bench [--layers FILE] [--layer NAME] [--algo NAME|all|best] [--threads N]...
//               [--layout nchw|nhwc] [--kernel NAME|all] [--peers all|none|LIST]
//
// --algo all (default) times `auto` (the plan's own pick) and every
// algorithm except ref; `best` prints, per layer, only the fastest tconv
// row. --kernel times `phase` with a kernel of the kernel list forced
// (PlanOptions::phase.kernel); `all` times every phase kernel of the list on
// every layer that kernel can run.
#include <algorithm>
#include <cstdio>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "src/base/checked_int.h"
#include "tconv/limits.h"
#include "tconv/plan.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

#ifdef TCONV_HAVE_BENCH_HARNESS
#include "bench/suite.h"
#endif

namespace tconv {
namespace cli {
namespace {

struct BenchArgs {
  std::string layers_path;
  std::string layer;
  std::string algo = "all";
  std::string layout = "nchw";
  std::string kernel;
  std::vector<int> threads;
  std::vector<std::string> peers = {"all"};
  double min_batch = 0.05;
  int reps = 5;
};

// The timing arguments, checked before anything is loaded.
Status CheckBenchArgs(const BenchArgs& args) {
  for (int t : args.threads) TCONV_RETURN_IF_ERROR(CheckThreads("--threads", t));
  // NaN or inf never ended the timing loop.
  if (!(args.min_batch > 0 && args.min_batch <= 60)) {
    return Status::Invalid("--min-batch must be a number of seconds in (0, 60] (got " + std::to_string(args.min_batch) +
                           ")");
  }
  if (args.reps < 1 || args.reps > 1000) {
    return Status::Invalid("--reps must be in 1..1000 (got " + std::to_string(args.reps) + ")");
  }
  return Status::Ok();
}

#ifdef TCONV_HAVE_BENCH_HARNESS
// The configurations --peers names: all, none, or a comma list of names or
// prefixes ("onednn", "xnnpack", "onednn:blocked+bias").
Status ChoosePeers(const std::vector<std::string>& wanted, std::vector<std::string>* out) {
  const std::vector<std::string> have = bench::PeerVariants();
  for (const std::string& w : wanted) {
    if (w == "none") return Status::Ok();
    bool any = false;
    for (const std::string& h : have) {
      if (w == "all" || h == w || h.rfind(w + ":", 0) == 0) {
        if (std::find(out->begin(), out->end(), h) == out->end()) out->push_back(h);
        any = true;
      }
    }
    if (!any && w != "all") {
      std::string list;
      for (const std::string& h : have) list += (list.empty() ? "" : ", ") + h;
      return Status::Invalid("--peers: no peer configuration '" + w + "' (this build has: " +
                             (list.empty() ? std::string("none") : list) + ")");
    }
  }
  return Status::Ok();
}

int RunBenchLayers(const BenchArgs& args) {
  using namespace tconv::bench;  // NOLINT
  std::vector<Layer> layers;
  const std::string path = args.layers_path.empty() ? DefaultLayersPath() : args.layers_path;
  Status st = LoadLayers(path, &layers);
  if (!st.ok()) return Fail(st.message());
  std::vector<Layer> chosen;
  for (const Layer& l : layers)
    if (args.layer.empty() || l.name == args.layer) chosen.push_back(l);
  if (chosen.empty()) return Fail("layer must name a layer in " + path + " (got '" + args.layer + "')");
  SuiteOptions o;
  if (!args.kernel.empty()) {
    const std::vector<std::string> names = args.kernel == "all" ? PhaseKernelNames() : std::vector<std::string>{args.kernel};
    for (const std::string& k : names) {
      PhaseTuning t;
      t.kernel = k;
      o.algos.emplace_back("phase", t);
    }
  } else if (args.algo == "all" || args.algo == "best") {
    o.algos.emplace_back("auto", PhaseTuning());
    for (const std::string& a : BenchAlgorithms()) o.algos.emplace_back(a, PhaseTuning());
  } else {
    o.algos.emplace_back(args.algo, PhaseTuning());
  }
  o.best_only = args.algo == "best";
  o.show_declined = args.algo != "best" && args.kernel != "all";
  if (!args.threads.empty()) o.threads = args.threads;
  for (const Layer& l : chosen) {
    const int64_t bytes = SatMul(
        SatAdd(SatAdd(NumElements(ConvTransposeInputShape(l.desc)), NumElements(ConvTransposeWeightShape(l.desc))),
               NumElements(ConvTransposeOutputShape(l.desc))),
        sizeof(float));
    if (!(st = CheckMemory("layer " + l.name + " (input, weight and output)", bytes, 0)).ok()) return Fail(st);
  }
  if (!(st = ParseLayout("--layout", args.layout, &o.layout)).ok()) return Fail(st.message());
  if (!(st = ChoosePeers(args.peers, &o.peers)).ok()) return Fail(st.message());
  o.min_batch = args.min_batch;
  o.reps = args.reps;
  return RunSuite(chosen, o);
}

int RunBench(const BenchArgs& args) {
  try {
    return RunBenchLayers(args);
  } catch (const std::bad_alloc&) {  // a oneDNN or tconv buffer of a layer that passed the checks
    return Fail("bench: out of memory");
  }
}
#endif

Runner SetupBench(CLI::App* sub) {
  auto args = std::make_shared<BenchArgs>();
  sub->add_option("--layers", args->layers_path, "layers.json (default: $TCONV_SHARED_DIR/bench/layers.json)");
  sub->add_option("--layer", args->layer, "only this layer (a name in layers.json)");
  sub->add_option("--algo", args->algo, "algorithm name, 'all' (default) or 'best'");
  sub->add_option("--threads", args->threads, "thread counts to run, e.g. 1,2 (default: 1 and 2)")->delimiter(',');
  sub->add_option("--layout", args->layout, "x and y layout of the tconv plans: nchw or nhwc");
  sub->add_option("--kernel", args->kernel, "time phase with this kernel of the kernel list forced, or 'all'");
  sub->add_option("--peers", args->peers,
                  "peer configurations to time: all (default), none, or names/prefixes, e.g. onednn,xnnpack")
      ->delimiter(',');
  sub->add_option("--min-batch", args->min_batch, "seconds per timed batch (default 0.05)");
  sub->add_option("--reps", args->reps, "timed batches, the fastest is reported (default 5)");
  return [args]() -> int {
    const Status st = CheckBenchArgs(*args);
    if (!st.ok()) return Fail(st);
#ifdef TCONV_HAVE_BENCH_HARNESS
    return RunBench(*args);
#else
    return Fail("bench is unavailable: tconv was built with TCONV_BUILD_BENCH=OFF");
#endif
  };
}

}  // namespace

TCONV_REGISTER_COMMAND(bench, "bench", "time the layer suite against the best peer (oneDNN, XNNPACK)", SetupBench);

}  // namespace cli
}  // namespace tconv
