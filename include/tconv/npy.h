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

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// Parses a whole .npy file held in memory. On error *out is left empty.
Status ParseNpy(const uint8_t* data, size_t size, Tensor* out);

// Reads and parses the file at `path`. Messages name the path.
Status ReadNpy(const std::string& path, Tensor* out);

// Serialises t (shape must match the data size) as a .npy file image.
Status EncodeNpy(const Tensor& t, std::string* bytes);

// Writes t to `path` atomically: a temporary file in the same directory is
// written, flushed (fsync) and closed, then renamed over `path`. On any
// failure the temporary is removed, `path` is left as it was, and an error
// naming the path is returned.
Status WriteNpyAtomic(const std::string& path, const Tensor& t);

}  // namespace tconv

#endif  // TCONV_NPY_H_
