// Internal: the .npy pieces that the float reader/writer (src/io/npy.cc)
// and the integer one (src/io/npy_int.cc) share.
#ifndef TCONV_SRC_IO_NPY_INTERNAL_H_
#define TCONV_SRC_IO_NPY_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

// The whole file at `path` (a regular file no larger than physical memory;
// a FIFO never blocks). Messages name the path.
Status ReadNpyFileBytes(const std::string& path, std::vector<uint8_t>* out);

// A parsed preamble and header (C order checked), and where the data is.
struct NpyRaw {
  std::string descr;
  Shape shape;
  uint64_t count = 0;  // elements
  const uint8_t* payload = nullptr;
  size_t payload_bytes = 0;
};
Status ParseNpyRaw(const uint8_t* data, size_t size, NpyRaw* out);

// Preamble and header (version 1.0, or 2.0 when long) of a C-order array.
std::string NpyHeader(const std::string& descr, const Shape& shape);

}  // namespace tconv

#endif  // TCONV_SRC_IO_NPY_INTERNAL_H_
