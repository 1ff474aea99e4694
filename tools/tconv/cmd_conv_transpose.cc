// `tconv conv-transpose`: transposed convolution of .npy tensors (the CLI
// contract in DESIGN.md; the conformance suites drive it).
//
//   tconv conv-transpose --input X.npy --weight W.npy [--bias B.npy] --output Y.npy
//       [--stride S] [--dilation D] [--pad P | --pads B1,..,Bn,E1,..,En]
//       [--output-padding A] [--output-shape O] [--auto-pad MODE]
//       [--target-shape T] [--groups G] [--algo NAME] [--threads N]
//       [--layout nchw|nhwc] [--max-memory BYTES] [--tune estimate|measure] [--wisdom FILE]
//
// The number of spatial axes is the input rank - 2; Cin comes from the input,
// Cout = weight dim 1 * groups, the kernel from the weight's trailing dims.
// --layout nhwc: X is (N, *spatial, Cin) and Y is written (N, *spatial, Cout)
// (channels last); the weight keeps its (Cin, Cout/groups, *kernel) layout.
// --tune measure (with --algo auto): time the algorithms and run the fastest
// (include/tconv/wisdom.h); --wisdom FILE: read the wisdom file first when it
// exists (a damaged one is refused, exit 2) and write it back, atomically,
// with what was measured.
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <string>

#include "tconv/layout.h"
#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tconv/wisdom.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

struct ConvTransposeArgs {
  std::string input, weight, bias, output;
  std::string algo = "auto";
  std::string layout = "nchw";
  std::string tune = "estimate";
  std::string wisdom;
  GeometryFlags geo;
  TransposeFlags tr;
};

Status CheckAlgo(const std::string& algo) {
  if (algo == "auto") return Status::Ok();
  std::string names;
  for (const std::string& n : AlgorithmNames()) {
    if (n == algo) return Status::Ok();
    names += ", " + n;
  }
  return Status::Invalid("--algo must be auto" + names + " (got '" + algo + "')");
}

// --tune and --wisdom into *opts; loads the wisdom file into *store when
// it exists.
Status ApplyTuning(const ConvTransposeArgs& a, Wisdom* store, PlanOptions* opts) {
  if (a.tune == "measure") {
    opts->tune = Tune::kMeasure;
  } else if (a.tune != "estimate") {
    return Status::Invalid("--tune must be estimate or measure (got '" + a.tune + "')");
  }
  opts->wisdom = store;
  struct stat sb;
  if (a.wisdom.empty() || (::stat(a.wisdom.c_str(), &sb) != 0 && errno == ENOENT)) return Status::Ok();
  const Status st = store->Load(a.wisdom);
  return st.ok() ? st : Status::Invalid("--wisdom: " + st.message());
}

int RunConvTranspose(const ConvTransposeArgs& a) {
  Status st = CheckAlgo(a.algo);
  if (!st.ok()) return Fail(st);
  Wisdom store;
  PlanOptions opts;
  if (!(st = ApplyTuning(a, &store, &opts)).ok()) return Fail(st);
  Layout layout = Layout::kNCHW;
  if (!(st = ParseLayout("--layout", a.layout, &layout)).ok()) return Fail(st);
  Tensor x, w, b;
  if (!(st = LoadTensor("--input", a.input, &x)).ok()) return Fail(st);
  if (!(st = LoadTensor("--weight", a.weight, &w)).ok()) return Fail(st);
  if (!a.bias.empty() && !(st = LoadTensor("--bias", a.bias, &b)).ok()) return Fail(st);

  const int rank = static_cast<int>(x.shape.size());
  if (layout == Layout::kNHWC && (rank < 3 || rank > 2 + kMaxSpatialDims)) {
    return Fail("--input has shape " + ShapeString(x.shape) + " of rank " + std::to_string(rank) +
                ": expected (N, D1[, D2[, D3]], C) with --layout nhwc, rank 3, 4 or 5");
  }
  ConvDesc d;
  if (!(st = InferConvDesc(OpKind::kConvTranspose, ShapeToNCHW(x.shape, layout), w.shape, a.geo.groups, "--input",
                           "--weight", &d))
           .ok()) {
    return Fail(st);
  }
  if (!(st = ResolveConvTransposeDesc(a.geo, a.tr, &d)).ok()) return Fail(st);
  if (!a.bias.empty() && b.shape != Shape{d.out_channels}) {
    return Fail("--bias has shape " + ShapeString(b.shape) + ", expected (" + std::to_string(d.out_channels) +
                ",): one value per output channel (Cout = weight dim 1 * groups)");
  }

  opts.algo = a.algo;
  opts.threads = a.geo.threads;
  opts.layout = layout;
  if (!(st = MemoryLimit(a.geo, &opts.max_memory_bytes)).ok()) return Fail(st);
  ConstTensorView bias_view;
  if (!a.bias.empty()) bias_view = b.cview();
  auto plan = Plan::Create(d, w.cview(), bias_view, opts, &st);
  if (!plan) return Fail(st);
  Tensor y;
  try {
    y = Tensor(plan->output_shape());
  } catch (const std::bad_alloc&) {
    return Fail("cannot allocate the output " + ShapeString(plan->output_shape()));
  }
  if (!(st = plan->Run(x.cview(), y.view())).ok()) return Fail(st);
  if (!(st = WriteOutput("--output", a.output, y)).ok()) return Fail(st);
  if (!a.wisdom.empty() && !(st = store.Save(a.wisdom)).ok()) return Fail("--wisdom: " + st.message());
  return 0;
}

Runner SetupConvTranspose(CLI::App* sub) {
  auto a = std::make_shared<ConvTransposeArgs>();
  AddPathOption(sub, "--input", &a->input, "input X.npy, shape (N, Cin, *spatial), or (N, *spatial, Cin) with --layout nhwc",
                true);
  AddPathOption(sub, "--weight", &a->weight, "weight W.npy, shape (Cin, Cout/groups, *kernel)", true);
  AddPathOption(sub, "--bias", &a->bias, "optional bias B.npy, shape (Cout,)", false);
  AddPathOption(sub, "--output", &a->output, "output Y.npy (written atomically)", true);
  AddGeometryOptions(sub, &a->geo);
  AddTransposeOptions(sub, &a->tr);
  sub->add_option("--algo", a->algo, "algorithm: auto (default) or a name listed by `tconv explain`");
  sub->add_option("--layout", a->layout, "nchw (default, channels first) or nhwc (channels last) for X and Y");
  sub->add_option(
      "--tune", a->tune,
      "how auto chooses: estimate (default, the cost model) or measure (time each algorithm, keep the fastest)");
  AddPathOption(sub, "--wisdom", &a->wisdom,
                "wisdom file: read first if it exists, written back (atomically) with what was measured", false);
  return [a] { return RunConvTranspose(*a); };
}

}  // namespace

TCONV_REGISTER_COMMAND(conv_transpose, "conv-transpose", "transposed convolution of .npy tensors",
                       SetupConvTranspose);

}  // namespace cli
}  // namespace tconv
