// `tconv conv-transpose`: transposed convolution of .npy tensors (the CLI
// contract in DESIGN.md; the conformance suites drive it).
//
//   tconv conv-transpose --input X.npy --weight W.npy [--bias B.npy] --output Y.npy
//       [--stride S] [--dilation D] [--pad P | --pads B1,..,Bn,E1,..,En]
//       [--output-padding A] [--output-shape O] [--auto-pad MODE]
//       [--target-shape T] [--groups G] [--algo NAME] [--threads N]
//       [--layout nchw|nhwc] [--max-memory BYTES] [--tune estimate|measure] [--wisdom FILE]
//       [--dtype f32|bf16|int8 [--bf16-io float32|uint16]]
//       [--x-scale F [--x-zero-point Z] --w-scale F|F1,..|S.npy [--y-dtype u8|s8|f32] [--y-scale F] [--y-zero-point Z]]
//
// --dtype bf16 computes in bf16 (PlanOptions::dtype): X and W are rounded to
// bf16 (nearest even) on load, products accumulate in f32, and Y is written
// rounded to bf16. With --bf16-io float32 (the default) X, W and Y are
// float32 .npy files holding those values; with uint16, X and W must be
// uint16 .npy files of bf16 bit patterns (numpy's view of torch.bfloat16
// data) and Y is written so. The bias is float32 either way.
//
// --dtype int8: integer .npy files, quantization flags: see
// tools/tconv/conv_transpose_int8.h.
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
#include <new>
#include <string>
#include <vector>

#include "tconv/bfloat16.h"
#include "tconv/layout.h"
#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tconv/wisdom.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"
#include "tools/tconv/conv_transpose_int8.h"

namespace tconv {
namespace cli {
namespace {

struct ConvTransposeArgs {
  std::string input, weight, bias, output;
  std::string algo = "auto";
  std::string layout = "nchw";
  std::string tune = "estimate";
  std::string wisdom;
  std::string dtype = "f32", bf16_io;
  GeometryFlags geo;
  TransposeFlags tr;
  Int8Flags int8;
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

// --dtype and --bf16-io: *bits is true for uint16 files of bf16 bits.
Status ParseDTypeFlags(const ConvTransposeArgs& a, DataType* dtype, bool* bits) {
  TCONV_RETURN_IF_ERROR(ParseDType("--dtype", a.dtype, dtype));
  *bits = a.bf16_io == "uint16";
  if (a.bf16_io.empty()) return Status::Ok();
  if (*dtype != DataType::kBFloat16) return Status::Invalid("--bf16-io applies to --dtype bf16 only");
  if (a.bf16_io != "float32" && !*bits) {
    return Status::Invalid("--bf16-io must be float32 or uint16 (got '" + EscapeForMessage(a.bf16_io) + "')");
  }
  return Status::Ok();
}

Status Load(const std::string& flag, const std::string& path, bool bits, Tensor* t) {
  if (!bits) return LoadTensor(flag, path, t);
  const Status st = ReadNpyBf16Bits(path, t);
  return st.ok() ? st : Status(st.code(), flag + ": " + st.message());
}

// Runs the plan (x rounded to bf16 for a bf16 plan) and writes Y.
Status RunAndWrite(const Plan& plan, const Tensor& x, bool bits, const std::string& path) {
  Tensor y;
  try {
    y = Tensor(plan.output_shape());
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("cannot allocate the output " + ShapeString(plan.output_shape()));
  }
  if (plan.dtype() == DataType::kFloat32) {
    TCONV_RETURN_IF_ERROR(plan.Run(x.cview(), y.view()));
    return WriteOutput("--output", path, y);
  }
  std::vector<BFloat16> xb(x.data.size());
  for (size_t i = 0; i < xb.size(); ++i) xb[i] = ToBFloat16(x.data[i]);
  TCONV_RETURN_IF_ERROR(plan.Run(ConstBF16View(xb.data(), x.shape), y.view()));
  if (bits) {
    const Status st = WriteNpyBf16BitsAtomic(path, y);
    return st.ok() ? st : Status(st.code(), "--output: " + st.message());
  }
  for (float& v : y.data) v = RoundToBFloat16(v);
  return WriteOutput("--output", path, y);
}

int RunConvTranspose(const ConvTransposeArgs& a) {
  Status st = CheckAlgo(a.algo);
  if (!st.ok()) return Fail(st);
  Wisdom store;
  PlanOptions opts;
  if (!(st = ApplyTuning(a, &store, &opts)).ok()) return Fail(st);
  Layout layout = Layout::kNCHW;
  if (!(st = ParseLayout("--layout", a.layout, &layout)).ok()) return Fail(st);
  DataType dtype;
  bool bits = false;
  if (!(st = ParseDTypeFlags(a, &dtype, &bits)).ok()) return Fail(st);
  const std::string int8_flag = FirstInt8Flag(a.int8);
  if (dtype != DataType::kInt8 && !int8_flag.empty()) return Fail(int8_flag + " applies to --dtype int8 only");
  if (dtype == DataType::kInt8) {
    if (a.tune != "estimate" || !a.wisdom.empty()) return Fail("--tune and --wisdom apply to --dtype f32 only");
    return RunConvTransposeInt8(Int8Job{a.input, a.weight, a.bias, a.output, a.algo, a.layout, a.geo, a.tr, a.int8});
  }
  Tensor x, w, b;
  if (!(st = Load("--input", a.input, bits, &x)).ok()) return Fail(st);
  if (!(st = Load("--weight", a.weight, bits, &w)).ok()) return Fail(st);
  if (!a.bias.empty() && !(st = LoadTensor("--bias", a.bias, &b)).ok()) return Fail(st);

  Shape x_nchw;
  if (!(st = InputShapeNCHW(x.shape, layout, &x_nchw)).ok()) return Fail(st);
  ConvDesc d;
  if (!(st = InferConvDesc(OpKind::kConvTranspose, x_nchw, w.shape, a.geo.groups, "--input", "--weight", &d)).ok()) {
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
  opts.dtype = dtype;
  if (!(st = MemoryLimit(a.geo, &opts.max_memory_bytes)).ok()) return Fail(st);
  ConstTensorView bias_view;
  if (!a.bias.empty()) bias_view = b.cview();
  auto plan = Plan::Create(d, w.cview(), bias_view, opts, &st);
  if (!plan) return Fail(st);
  if (!(st = RunAndWrite(*plan, x, bits, a.output)).ok()) return Fail(st);
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
  sub->add_option("--dtype", a->dtype, "f32 (default), bf16 or int8: the element type the plan computes in");
  sub->add_option("--bf16-io", a->bf16_io,
                  "with --dtype bf16: float32 (default: .npy float32 holding bf16 values) or uint16 (bf16 bits)");
  AddInt8Options(sub, &a->int8);
  return [a] { return RunConvTranspose(*a); };
}

}  // namespace

TCONV_REGISTER_COMMAND(conv_transpose, "conv-transpose", "transposed convolution of .npy tensors",
                       SetupConvTranspose);

}  // namespace cli
}  // namespace tconv
