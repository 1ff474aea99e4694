// Helpers shared by the tconv subcommands: error reporting, per-axis list
// flags, geometry flags, tensor loading and atomic output writing.
//
// Every function that can fail returns a tconv::Status whose message already
// names the flag ("--stride has 2 values but the input has 3 spatial axes");
// a runner turns it into the one-line error with Fail():
//
//   Status st = LoadTensor("--input", args.input, &x);
//   if (!st.ok()) return Fail(st);
//
// Typical subcommand (see cmd_conv_transpose.cc):
//
//   struct Args { std::string input, weight, bias, output; GeometryFlags geo; };
//   auto args = std::make_shared<Args>();
//   AddPathOption(sub, "--input", &args->input, "input X (N, Cin, *spatial)", true);
//   AddGeometryOptions(sub, &args->geo);   // --stride --dilation --pad --pads --groups --threads
//   return [args] { ... InferConvDesc(...); ApplyGeometry(...); ... WriteOutput(...); };
#ifndef TCONV_TOOLS_TCONV_CLI_COMMON_H_
#define TCONV_TOOLS_TCONV_CLI_COMMON_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tconv/bfloat16.h"
#include "tconv/desc.h"
#include "tconv/layout.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {
namespace cli {

// Prints exactly one line "tconv: error: <msg>" to the error stream
// (stderr) and returns 2, the exit status for bad input. Control characters
// (newline, carriage return, terminal escapes) and invalid UTF-8 in msg,
// which may quote a file or layer name, are written as \xNN.
int Fail(const std::string& msg);
int Fail(const Status& st);
// The line Fail writes: "tconv: error: " + EscapeForMessage(msg) + "\n".
std::string ErrorLine(const std::string& msg);
std::string EscapeForMessage(const std::string& text);
// Where Fail writes (stderr; the CLI fuzzer captures it).
void SetErrorStream(std::FILE* stream);

// Every option of `app` and its subcommands that takes a value refuses an
// empty one ("--stride ''" was taken as if absent).
void RejectEmptyValues(CLI::App* app);

// A non-negative integer that must fit in 64 bits, digits only ("-1" and
// "18446744073709551616" are errors, as is "1e3"). Errors name `flag`.
Status ParseUint64(const std::string& flag, const std::string& text, uint64_t* out);
// A byte count: an integer with an optional binary unit K, M, G or T (also
// KiB, MiB, ...; "512M", "4G"), >= 1 and below 2^63.
Status ParseByteSize(const std::string& flag, const std::string& text, int64_t* out);

// Parses a comma list of integers ("3" or "1,-2,3"; spaces around items are
// allowed). Errors name `flag`.
Status ParseIntList(const std::string& flag, const std::string& text, std::vector<int64_t>* out);
// Same for real numbers ("2" or "2,1.5"), e.g. for --scale.
Status ParseFloatList(const std::string& flag, const std::string& text, std::vector<double>* out);

// "S" or "S1,..,Sn" with n == ndim: one value per spatial axis (a single
// value applies to every axis). Empty text leaves *out unchanged (defaults).
// Entries ndim..2 of *out are left as they are.
Status ParseAxisList(const std::string& flag, const std::string& text, int ndim, Dims* out);
Status ParseAxisListF(const std::string& flag, const std::string& text, int ndim, std::vector<double>* out);

// ONNX pads "B1,..,Bn,E1,..,En" (all begins, then all ends): 2*ndim values.
// A single value P is also accepted and means P on every side.
Status ParsePadList(const std::string& flag, const std::string& text, int ndim, Dims* begin, Dims* end);

// The geometry flags every convolution-like command has. Values are kept as
// text so that lists and errors are handled by ParseAxisList.
struct GeometryFlags {
  std::string stride;    // --stride S | S1,..,Sn
  std::string dilation;  // --dilation D | D1,..,Dn
  std::string pad;       // --pad P | P1,..,Pn (symmetric)
  std::string pads;      // --pads B1,..,Bn,E1,..,En (ONNX order)
  int64_t groups = 1;    // --groups G
  int threads = 1;       // --threads N (1 .. 4 x CPUs)
  std::string max_memory;  // --max-memory BYTES (default: physical memory)
};
// Declares --stride --dilation --pad --pads --groups --threads --max-memory on sub.
void AddGeometryOptions(CLI::App* sub, GeometryFlags* f);
// The memory limit in bytes from --max-memory, 0 (physical memory) when absent.
Status MemoryLimit(const GeometryFlags& f, int64_t* bytes);
// Fills d->stride, dilation, pad_begin/pad_end, groups from the flags for
// d->ndim axes; --pad together with --pads is an error. Does not validate
// the desc (ValidateConv / ValidateConvTranspose do).
Status ApplyGeometry(const GeometryFlags& f, ConvDesc* d);
// True when --pad or --pads was given.
bool HasExplicitPads(const GeometryFlags& f);

// Declares a required or optional path option ("--input" etc.).
CLI::Option* AddPathOption(CLI::App* sub, const std::string& flag, std::string* path, const std::string& help,
                           bool required);

enum class OpKind { kConvTranspose, kConv };

// tconv::InferConvDesc (include/tconv/desc.h) with the CLI's flag names:
// errors name `input_flag` / `weight_flag`, and a groups below 1 "--groups".
Status InferConvDesc(OpKind op, const Shape& input, const Shape& weight, int64_t groups, const std::string& input_flag,
                     const std::string& weight_flag, ConvDesc* d);

// --input's shape as (N, C, *spatial): as stored, or from (N, *spatial, C)
// with --layout nhwc (whose rank must be 3-5: the one-line error says so).
Status InputShapeNCHW(const Shape& stored, Layout layout, Shape* nchw);

// The transposed-convolution size flags beyond GeometryFlags.
struct TransposeFlags {
  std::string output_padding;  // --output-padding A
  std::string output_shape;    // --output-shape O (spatial dims)
  std::string auto_pad;        // --auto-pad notset|same_upper|same_lower|valid
  std::string target_shape;    // --target-shape T (MXNet)
};
void AddTransposeOptions(CLI::App* sub, TransposeFlags* f);
// Applies geometry + transpose flags to a desc whose shapes came from
// InferConvDesc: checks the flag conflicts, resolves pads (tconv::ResolvePads)
// and validates the result (tconv::ValidateConvTranspose).
Status ResolveConvTransposeDesc(const GeometryFlags& g, const TransposeFlags& t, ConvDesc* d);
// Same for a forward convolution (geometry flags only), validated.
Status ResolveConvDesc(const GeometryFlags& g, ConvDesc* d);

// Reads a .npy (float32, or float64 converted); errors start with the flag.
// --dtype: f32 (float32), bf16 (bfloat16) or int8 (quantized); anything
// else is refused, naming the choices.
Status ParseDType(const std::string& flag, const std::string& text, DataType* out);

Status LoadTensor(const std::string& flag, const std::string& path, Tensor* out);
// Writes t atomically (temp file + rename); on error nothing is left at path
// and an existing file there is untouched. Errors start with the flag.
Status WriteOutput(const std::string& flag, const std::string& path, const Tensor& t);

// "3x4" / "1, 2" style joiners for human-readable output.
std::string JoinDims(const Dims& v, int ndim, const char* sep);

}  // namespace cli
}  // namespace tconv

#endif  // TCONV_TOOLS_TCONV_CLI_COMMON_H_
