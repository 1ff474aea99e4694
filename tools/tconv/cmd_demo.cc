// `tconv demo`: the article's worked example, computed with the library.
//
// (1) ones(1,1,2,2) transposed-convolved with 1..9 as (1,1,3,3), stride 2,
//     pad 1, output_padding 1 -> 4x4, with the output size formula.
// (2) The checkerboard: all-ones input and kernel, stride 2, kernel 3 (not
//     divisible by the stride: uneven overlap) vs kernel 4 (even overlap).
#include <cstdio>
#include <string>

#include "tconv/plan.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

// Runs a single-channel 2-D transposed convolution through tconv::Plan.
Status Run2d(const Tensor& x, const Tensor& w, int64_t stride, int64_t pad, int64_t adj, Tensor* y) {
  ConvDesc d;
  d.ndim = 2;
  d.batch = 1;
  d.in_channels = 1;
  d.out_channels = 1;
  for (int a = 0; a < 2; ++a) {
    d.in[a] = x.shape[2 + a];
    d.kernel[a] = w.shape[2 + a];
    d.stride[a] = stride;
    d.pad_begin[a] = d.pad_end[a] = pad;
    d.output_padding[a] = adj;
  }
  TCONV_RETURN_IF_ERROR(ValidateConvTranspose(d));
  *y = Tensor(ConvTransposeOutputShape(d));
  return ConvTranspose(d, x.cview(), w.cview(), ConstTensorView(), y->view());
}

void PrintGrid(const Tensor& y, const char* indent) {
  const int64_t h = y.shape[2], w = y.shape[3];
  for (int64_t r = 0; r < h; ++r) {
    std::printf("%s", indent);
    for (int64_t c = 0; c < w; ++c) std::printf("%4g", y.data[r * w + c]);
    std::printf("\n");
  }
}

int RunDemo() {
  Status st;
  // (1) The article's example.
  Tensor x({1, 1, 2, 2}, 1.0f);
  Tensor w({1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) w.data[i] = static_cast<float>(i + 1);
  Tensor y;
  if (!(st = Run2d(x, w, 2, 1, 1, &y)).ok()) return Fail(st);
  std::printf("Transposed convolution, the article's example\n");
  std::printf("  input  x = ones(1,1,2,2)\n");
  std::printf("  weight w = 1..9 as (1,1,3,3):\n");
  PrintGrid(w, "      ");
  std::printf("  stride s = 2, pad p = 1, output_padding a = 1\n\n");
  std::printf("Output size per axis (i input, k kernel, d dilation):\n");
  std::printf("  o = (i-1)*s + d*(k-1) + 1 - 2p + a = (2-1)*2 + 1*(3-1) + 1 - 2*1 + 1 = %lld\n",
              static_cast<long long>(y.shape[2]));
  std::printf("  Each input pixel scatters w*x into a 3x3 window at 2*position - p;\n");
  std::printf("  output_padding re-exposes one computed row/column that the end pad\n");
  std::printf("  would have cropped (MXNet's adj: the size integer division lost).\n\n");
  std::printf("y = conv_transpose(x, w), shape %s:\n", ShapeString(y.shape).c_str());
  PrintGrid(y, "  ");

  // (2) Checkerboard: k3 s2 vs k4 s2, all ones.
  std::printf("\nCheckerboard: all-ones input (1,1,4,4) and all-ones kernel, stride 2.\n");
  std::printf("Each value counts the kernel taps that reach that output pixel.\n\n");
  Tensor ones_in({1, 1, 4, 4}, 1.0f);
  Tensor k3({1, 1, 3, 3}, 1.0f), k4({1, 1, 4, 4}, 1.0f);
  Tensor y3, y4;
  if (!(st = Run2d(ones_in, k3, 2, 1, 1, &y3)).ok()) return Fail(st);
  if (!(st = Run2d(ones_in, k4, 2, 1, 0, &y4)).ok()) return Fail(st);
  std::printf("kernel 3, stride 2, pad 1, output_padding 1 (3 %% 2 != 0: uneven overlap, a grid pattern):\n");
  PrintGrid(y3, "  ");
  std::printf("\nkernel 4, stride 2, pad 1 (4 %% 2 == 0: every interior pixel gets the same count):\n");
  PrintGrid(y4, "  ");
  std::printf("\nThe usual cure is resize + convolution (tconv upsample-conv).\n");
  return 0;
}

Runner SetupDemo(CLI::App* sub) { return [] { return RunDemo(); }; }

}  // namespace

TCONV_REGISTER_COMMAND(demo, "demo", "the article's worked example and the checkerboard pattern", SetupDemo);

}  // namespace cli
}  // namespace tconv
