// `tconv bench`: times the layer suite (layers.json) with tconv's algorithms
// and oneDNN in the same process and prints one table row per (layer, algo,
// threads): GFLOP/s, oneDNN-best GFLOP/s, their ratio, and oneDNN with plain
// tensors in the user's layout (NCHW, or NHWC with --layout nhwc; reorders
// timed). The harness is bench/harness.h, shared with
// tconv_bench (Google Benchmark).
//
//   tconv bench [--layers FILE] [--layer NAME] [--algo NAME|all|best] [--threads N]...
//               [--layout nchw|nhwc] [--kernel NAME|all]
//
// --algo all (default) times every algorithm except ref; `best` prints, per
// layer, only the fastest tconv algorithm. --kernel times `phase` with a
// kernel of the kernel list forced (PlanOptions::phase.kernel); `all` times
// every phase kernel of the list on every layer that kernel can run.
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
#include "bench/harness.h"
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
  // What to time: (algorithm, tuning) pairs.
  std::vector<std::pair<std::string, PhaseTuning>> algos;
  if (!args.kernel.empty()) {
    const std::vector<std::string> names = args.kernel == "all" ? PhaseKernelNames() : std::vector<std::string>{args.kernel};
    for (const std::string& k : names) {
      PhaseTuning t;
      t.kernel = k;
      algos.emplace_back("phase", t);
    }
  } else if (args.algo == "all" || args.algo == "best") {
    for (const std::string& a : BenchAlgorithms()) algos.emplace_back(a, PhaseTuning());
  } else {
    algos.emplace_back(args.algo, PhaseTuning());
  }
  std::vector<int> threads = args.threads.empty() ? std::vector<int>{1, 2} : args.threads;
  for (const Layer& l : chosen) {
    const int64_t bytes = SatMul(
        SatAdd(SatAdd(NumElements(ConvTransposeInputShape(l.desc)), NumElements(ConvTransposeWeightShape(l.desc))),
               NumElements(ConvTransposeOutputShape(l.desc))),
        sizeof(float));
    if (!(st = CheckMemory("layer " + l.name + " (input, weight and output)", bytes, 0)).ok()) return Fail(st);
  }
  Layout layout = Layout::kNCHW;
  if (!(st = ParseLayout("--layout", args.layout, &layout)).ok()) return Fail(st.message());
  const std::string plain = std::string("onednn_") + LayoutName(layout);

  std::printf("%-12s %-12s %3s %9s %9s %7s %11s  %s\n", "layer", "algo", "thr", "GFLOP/s", "oneDNN", "ratio",
              (std::string("oneDNN-") + LayoutName(layout)).c_str(), "impl");
  for (int t : threads) {
    for (const Layer& l : chosen) {
      std::string why;
      double dnnl = 0, dnnl_plain = 0;
      if (auto r = MakeOnednnRunner(l, "onednn", t, &why)) dnnl = Gflops(l, TimeRunner(r.get(), args.min_batch, args.reps));
      if (auto r = MakeOnednnRunner(l, plain, t, &why))
        dnnl_plain = Gflops(l, TimeRunner(r.get(), args.min_batch, args.reps));
      struct Row {
        std::string algo, impl;
        double gf;
      };
      std::vector<Row> rows;
      for (const auto& [a, tuning] : algos) {
        std::string why_t;
        auto r = MakeTconvRunner(l, a, t, &why_t, layout, tuning);
        if (!r) {
          if (args.algo != "best" && args.kernel != "all") {
            std::printf("%-12s %-12s %3d %9s %9.1f %7s %11.1f  declined: %s\n", l.name.c_str(), a.c_str(), t, "-", dnnl,
                        "-", dnnl_plain, why_t.c_str());
          }
          continue;
        }
        rows.push_back({a, r->Impl(), Gflops(l, TimeRunner(r.get(), args.min_batch, args.reps))});
      }
      if (args.algo == "best" && !rows.empty()) {
        Row best = rows[0];
        for (const Row& r : rows)
          if (r.gf > best.gf) best = r;
        rows = {best};
      }
      for (const Row& r : rows) {
        std::printf("%-12s %-12s %3d %9.1f %9.1f %7.2f %11.1f  %s\n", l.name.c_str(), r.algo.c_str(), t, r.gf, dnnl,
                    dnnl > 0 ? r.gf / dnnl : 0.0, dnnl_plain, r.impl.c_str());
      }
      std::fflush(stdout);
    }
  }
  if (!HaveOnednn()) std::printf("(oneDNN columns are 0: built without libdnnl-dev)\n");
  return 0;
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
  sub->add_option("--layout", args->layout, "x and y layout of tconv and of the plain oneDNN column: nchw or nhwc");
  sub->add_option("--kernel", args->kernel, "time phase with this kernel of the kernel list forced, or 'all'");
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

TCONV_REGISTER_COMMAND(bench, "bench", "time the layer suite against oneDNN", SetupBench);

}  // namespace cli
}  // namespace tconv
