// `tconv upsample-conv`: resize-convolution, the checkerboard-free decoder
// block (DESIGN.md point 6): upsample (torch.nn.functional.interpolate,
// tconv::Resample) and then an ordinary convolution (tconv::Conv).
//
//   tconv upsample-conv --input X.npy --weight W.npy [--bias B.npy] --output Y.npy
//       --mode nearest|bilinear --scale F [--align-corners]
//       [--stride S] [--dilation D] [--pad P | --pads B1,..,Bn,E1,..,En]
//       [--groups G] [--threads N]
//
// W is a convolution weight (Cout, Cin/groups, *kernel). F is one number for
// every axis or one per axis; the upsampled length is floor(in * F) and the
// coordinate mapping uses 1/F, as torch does with scale_factor. "bilinear"
// (also "linear", "trilinear") is the linear mode on however many axes the
// input has.
#include <memory>
#include <string>

#include "src/base/checked_int.h"
#include "tconv/conv.h"
#include "tconv/limits.h"
#include "tconv/resample.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

struct UpsampleConvArgs {
  std::string input, weight, bias, output, mode, scale;
  bool align_corners = false;
  GeometryFlags geo;
};

int RunUpsampleConv(const UpsampleConvArgs& a) {
  Status st;
  ResampleParams rp;
  if (!(st = ParseResampleMode(a.mode, &rp.mode)).ok()) return Fail("--mode: " + st.message());
  if (a.align_corners && rp.mode == ResampleMode::kNearest) {
    return Fail("--align-corners applies only to --mode bilinear (got --mode " + a.mode + ")");
  }
  rp.align_corners = a.align_corners;
  Tensor x, w, b;
  if (!(st = LoadTensor("--input", a.input, &x)).ok()) return Fail(st);
  if (!(st = LoadTensor("--weight", a.weight, &w)).ok()) return Fail(st);
  if (!a.bias.empty() && !(st = LoadTensor("--bias", a.bias, &b)).ok()) return Fail(st);
  if (x.shape.size() < 3 || x.shape.size() > 5) {
    return Fail("--input has shape " + ShapeString(x.shape) + ", expected (N, C, *spatial) with 1..3 spatial axes");
  }
  const int ndim = static_cast<int>(x.shape.size()) - 2;
  if (!(st = ParseAxisListF("--scale", a.scale, ndim, &rp.scale)).ok()) return Fail(st);
  Shape up_shape;
  if (!(st = ResampleOutputShape(x.shape, rp, &up_shape)).ok()) return Fail("--scale: " + st.message());
  ConvDesc d;
  if (!(st = InferConvDesc(OpKind::kConv, up_shape, w.shape, a.geo.groups, "--input", "--weight", &d)).ok()) {
    return Fail(st);
  }
  if (!(st = ResolveConvDesc(a.geo, &d)).ok()) return Fail(st);
  if (!a.bias.empty() && b.shape != Shape{d.out_channels}) {
    return Fail("--bias has shape " + ShapeString(b.shape) + ", expected (" + std::to_string(d.out_channels) +
                ",): one value per output channel (Cout = weight dim 0)");
  }
  int64_t limit = 0;
  if (!(st = MemoryLimit(a.geo, &limit)).ok()) return Fail(st);
  const int64_t bytes = SatMul(SatAdd(NumElements(up_shape), NumElements(ConvOutputShape(d))), sizeof(float));
  if (!(st = CheckMemory(
            "the upsampled input " + ShapeString(up_shape) + " and the output " + ShapeString(ConvOutputShape(d)),
            bytes, limit))
           .ok()) {
    return Fail(st);
  }
  Tensor up, y;
  try {
    up = Tensor(up_shape);
    y = Tensor(ConvOutputShape(d));
  } catch (const std::bad_alloc&) {
    return Fail("cannot allocate the upsampled input " + ShapeString(up_shape) + " and output " +
                ShapeString(ConvOutputShape(d)));
  }
  if (!(st = Resample(rp, x.cview(), up.view())).ok()) return Fail(st);
  ConvOptions opts;
  opts.threads = a.geo.threads;
  opts.max_memory_bytes = limit;
  ConstTensorView bias_view;
  if (!a.bias.empty()) bias_view = b.cview();
  if (!(st = Conv(d, up.cview(), w.cview(), bias_view, y.view(), opts)).ok()) return Fail(st);
  if (!(st = WriteOutput("--output", a.output, y)).ok()) return Fail(st);
  return 0;
}

Runner SetupUpsampleConv(CLI::App* sub) {
  auto a = std::make_shared<UpsampleConvArgs>();
  AddPathOption(sub, "--input", &a->input, "input X.npy, shape (N, Cin, *spatial)", true);
  AddPathOption(sub, "--weight", &a->weight, "convolution weight W.npy, shape (Cout, Cin/groups, *kernel)", true);
  AddPathOption(sub, "--bias", &a->bias, "optional bias B.npy, shape (Cout,)", false);
  AddPathOption(sub, "--output", &a->output, "output Y.npy (written atomically)", true);
  sub->add_option("--mode", a->mode, "upsampling mode: nearest | bilinear (linear, trilinear)")->required();
  sub->add_option("--scale", a->scale, "upsampling factor F, or F1,..,Fn per axis (> 0)")->required();
  sub->add_flag("--align-corners", a->align_corners, "bilinear with align_corners=True");
  AddGeometryOptions(sub, &a->geo);
  return [a] { return RunUpsampleConv(*a); };
}

}  // namespace

TCONV_REGISTER_COMMAND(upsample_conv, "upsample-conv",
                       "upsample (nearest/bilinear) then convolve: the resize-convolution decoder block",
                       SetupUpsampleConv);

}  // namespace cli
}  // namespace tconv
