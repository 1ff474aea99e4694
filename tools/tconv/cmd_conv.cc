// `tconv conv`: forward convolution of .npy tensors (tconv::Conv).
//
//   tconv conv --input X.npy --weight W.npy [--bias B.npy] --output Y.npy
//       [--stride S] [--dilation D] [--pad P | --pads B1,..,Bn,E1,..,En]
//       [--groups G] [--threads N]
//
// Weight (Cout, Cin/groups, *kernel), as torch.nn.Conv{1,2,3}d.
#include <memory>
#include <string>

#include "src/base/checked_int.h"
#include "tconv/conv.h"
#include "tconv/limits.h"
#include "tconv/npy.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

struct ConvArgs {
  std::string input, weight, bias, output;
  GeometryFlags geo;
};

int RunConv(const ConvArgs& a) {
  Status st;
  Tensor x, w, b;
  if (!(st = LoadTensor("--input", a.input, &x)).ok()) return Fail(st);
  if (!(st = LoadTensor("--weight", a.weight, &w)).ok()) return Fail(st);
  if (!a.bias.empty() && !(st = LoadTensor("--bias", a.bias, &b)).ok()) return Fail(st);
  ConvDesc d;
  if (!(st = InferConvDesc(OpKind::kConv, x.shape, w.shape, a.geo.groups, "--input", "--weight", &d)).ok()) {
    return Fail(st);
  }
  if (!(st = ResolveConvDesc(a.geo, &d)).ok()) return Fail(st);
  if (!a.bias.empty() && b.shape != Shape{d.out_channels}) {
    return Fail("--bias has shape " + ShapeString(b.shape) + ", expected (" + std::to_string(d.out_channels) +
                ",): one value per output channel (Cout = weight dim 0)");
  }
  ConvOptions opts;
  opts.threads = a.geo.threads;
  if (!(st = MemoryLimit(a.geo, &opts.max_memory_bytes)).ok()) return Fail(st);
  const Shape out_shape = ConvOutputShape(d);
  if (!(st = CheckMemory("the output " + ShapeString(out_shape), SatMul(NumElements(out_shape), sizeof(float)),
                         opts.max_memory_bytes))
           .ok()) {
    return Fail(st);
  }
  ConstTensorView bias_view;
  if (!a.bias.empty()) bias_view = b.cview();
  Tensor y;
  try {
    y = Tensor(ConvOutputShape(d));
  } catch (const std::bad_alloc&) {
    return Fail("cannot allocate the output " + ShapeString(ConvOutputShape(d)));
  }
  if (!(st = Conv(d, x.cview(), w.cview(), bias_view, y.view(), opts)).ok()) return Fail(st);
  if (!(st = WriteOutput("--output", a.output, y)).ok()) return Fail(st);
  return 0;
}

Runner SetupConv(CLI::App* sub) {
  auto a = std::make_shared<ConvArgs>();
  AddPathOption(sub, "--input", &a->input, "input X.npy, shape (N, Cin, *spatial)", true);
  AddPathOption(sub, "--weight", &a->weight, "weight W.npy, shape (Cout, Cin/groups, *kernel)", true);
  AddPathOption(sub, "--bias", &a->bias, "optional bias B.npy, shape (Cout,)", false);
  AddPathOption(sub, "--output", &a->output, "output Y.npy (written atomically)", true);
  AddGeometryOptions(sub, &a->geo);
  return [a] { return RunConv(*a); };
}

}  // namespace

TCONV_REGISTER_COMMAND(conv, "conv", "forward convolution of .npy tensors", SetupConv);

}  // namespace cli
}  // namespace tconv
