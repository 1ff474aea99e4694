// NumPy .npy files: the tensor format of the CLI and the conformance suites.
//
// Reading is strict and never crashes on any input: every malformed file
// gives a Status naming the problem (truncated file, bad magic, unsupported
// version, bad or unterminated header, missing or unknown keys,
// fortran_order True, unsupported dtype, shape syntax, negative dims,
// overflowing shape products, data too short or trailing bytes).
//
// Accepted: header versions 1.0, 2.0 and 3.0; C order; dtype float32
// ('<f4', '>f4') or float64 ('<f8', '>f8', converted to float32). A rank-0
// shape "()" is one element. Writing always produces version 1.0 (2.0 when
// the header does not fit in 65535 bytes), '<f4', C order.
#ifndef TCONV_NPY_H_
#define TCONV_NPY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// Parses a whole .npy file held in memory. On error *out is left empty.
Status ParseNpy(const uint8_t* data, size_t size, Tensor* out);

// Reads and parses the file at `path`. Messages name the path. Anything but
// a regular file (a FIFO, a device, a directory) is refused without
// blocking; so is a file larger than physical memory.
Status ReadNpy(const std::string& path, Tensor* out);

// Serialises t (shape must match the data size) as a .npy file image.
Status EncodeNpy(const Tensor& t, std::string* bytes);

// Writes t to `path` atomically: an unnamed file (O_TMPFILE; a named
// temporary where the filesystem lacks it) in the same directory is written,
// flushed (fsync), then renamed over `path`. On any failure, signal or crash
// `path` holds its old file or the new one, never part of one, and no
// temporary is left (see RemovePendingTempFiles). An existing `path` that is
// not a regular file (directory, device, FIFO, socket) is refused; an
// existing regular file keeps its permission bits.
Status WriteNpyAtomic(const std::string& path, const Tensor& t);

// bf16 as raw bits (`tconv conv-transpose --dtype bf16 --bf16-io uint16`):
// a uint16 .npy ('<u2'/'>u2') whose elements are bf16 bit patterns, read
// into a float tensor (widening is exact; any other dtype is refused), and
// a float tensor written as '<u2' bf16 bits (each rounded to nearest even,
// NaN to 0x7FC0), atomically as WriteNpyAtomic.
Status ReadNpyBf16Bits(const std::string& path, Tensor* out);
Status WriteNpyBf16BitsAtomic(const std::string& path, const Tensor& t);

// Integer arrays (int8 plans, `tconv conv-transpose --dtype int8`): int8
// ('|i1'), uint8 ('|u1') and int32 ('<i4'/'>i4'), values held as int32.
// Reading refuses every other dtype, naming it; writing produces '|i1',
// '|u1' or '<i4', atomically as WriteNpyAtomic, and refuses a value
// outside the type's range.
enum class NpyIntType { kInt8, kUInt8, kInt32 };
const char* NpyIntTypeName(NpyIntType t);  // "int8", "uint8", "int32"
struct IntTensor {
  NpyIntType type = NpyIntType::kInt32;
  Shape shape;
  std::vector<int32_t> data;
};
Status ReadNpyInt(const std::string& path, IntTensor* out);
Status WriteNpyIntAtomic(const std::string& path, const IntTensor& t);
// The same on bytes in memory (the fuzz target, tests): *out is empty
// after a failure.
Status ParseNpyInt(const uint8_t* data, size_t size, IntTensor* out);
Status EncodeNpyInt(const IntTensor& t, std::string* bytes);

// Removes the named temporaries of writes in progress (only the fallback
// for filesystems without O_TMPFILE has any). Async-signal-safe: the CLI
// calls it from its SIGINT/SIGTERM/SIGHUP handler before dying.
void RemovePendingTempFiles();

}  // namespace tconv

#endif  // TCONV_NPY_H_
