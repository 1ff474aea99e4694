// `tconv conv-transpose --dtype int8`: quantized transposed convolution of
// integer .npy files (tconv/quant.h has the convention and the rounding).
//
//   --input X.npy    uint8 or int8 (N, Cin, *spatial): x's type
//   --weight W.npy   int8 (Cin, Cout/groups, *kernel), symmetric
//   --bias B.npy     optional int32 (Cout,), in units of x_scale * w_scale[c]
//   --x-scale F --x-zero-point Z (default 0)
//   --w-scale F | F1,..,FCout | S.npy (float32, (1,) or (Cout,)): per tensor or per output channel
//   --y-dtype u8|s8|f32 (default: x's type); u8/s8 need --y-scale F, and
//   take --y-zero-point Z (default 0); f32 is the dequantized accumulator
//   and takes neither.
//
// Bad values and combinations (a scale that is not finite and > 0, a zero
// point outside its type's range, per-channel scales of the wrong length,
// a float .npy where an integer one belongs, these flags without --dtype
// int8, ...) are one-line errors with exit status 2, and no output file.
#ifndef TCONV_TOOLS_TCONV_CONV_TRANSPOSE_INT8_H_
#define TCONV_TOOLS_TCONV_CONV_TRANSPOSE_INT8_H_

#include <string>

#include <CLI/CLI.hpp>

#include "tools/tconv/cli_common.h"

namespace tconv {
namespace cli {

struct Int8Flags {
  std::string x_scale, x_zero_point, w_scale, y_dtype, y_scale, y_zero_point;
};
void AddInt8Options(CLI::App* sub, Int8Flags* f);
// The first int8 flag given ("--x-scale"), or "" when none.
std::string FirstInt8Flag(const Int8Flags& f);

struct Int8Job {
  std::string input, weight, bias, output, algo, layout;
  GeometryFlags geo;
  TransposeFlags tr;
  Int8Flags q;
};
// Runs it and returns the exit status (0, or 2 after the one error line).
int RunConvTransposeInt8(const Int8Job& job);

}  // namespace cli
}  // namespace tconv

#endif  // TCONV_TOOLS_TCONV_CONV_TRANSPOSE_INT8_H_
