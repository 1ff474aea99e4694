// Integer .npy arrays (tconv/npy.h: ReadNpyInt, WriteNpyIntAtomic).
#include <new>
#include <string>
#include <vector>

#include "src/io/atomic_write.h"
#include "src/io/npy_internal.h"
#include "tconv/npy.h"

namespace tconv {
namespace {

Status ParseInt(const uint8_t* data, size_t size, IntTensor* out) {
  NpyRaw raw;
  TCONV_RETURN_IF_ERROR(ParseNpyRaw(data, size, &raw));
  size_t itemsize = 1;
  bool big = false;
  if (raw.descr == "|i1" || raw.descr == "<i1" || raw.descr == ">i1") {
    out->type = NpyIntType::kInt8;
  } else if (raw.descr == "|u1" || raw.descr == "<u1" || raw.descr == ">u1") {
    out->type = NpyIntType::kUInt8;
  } else if (raw.descr == "<i4" || raw.descr == ">i4") {
    out->type = NpyIntType::kInt32;
    itemsize = 4;
    big = raw.descr[0] == '>';
  } else {
    return Status::Invalid("unsupported dtype '" + raw.descr +
                           "' (supported here: int8 '|i1', uint8 '|u1', int32 '<i4'/'>i4')");
  }
  const uint64_t need = raw.count * itemsize;
  if (need != raw.payload_bytes) {
    return Status::Invalid("data size mismatch: shape " + ShapeString(raw.shape) + " of '" + raw.descr + "' needs " +
                           std::to_string(need) + " bytes, file has " + std::to_string(raw.payload_bytes));
  }
  try {
    out->data.resize(static_cast<size_t>(raw.count));
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("cannot allocate " + std::to_string(raw.count) + " integers");
  }
  out->shape = raw.shape;
  const uint8_t* p = raw.payload;
  for (size_t i = 0; i < out->data.size(); ++i) {
    if (out->type == NpyIntType::kInt8) {
      out->data[i] = static_cast<int8_t>(p[i]);
    } else if (out->type == NpyIntType::kUInt8) {
      out->data[i] = p[i];
    } else {
      const uint8_t* e = p + 4 * i;
      const uint32_t u = big ? (uint32_t{e[0]} << 24 | uint32_t{e[1]} << 16 | uint32_t{e[2]} << 8 | e[3])
                             : (uint32_t{e[3]} << 24 | uint32_t{e[2]} << 16 | uint32_t{e[1]} << 8 | e[0]);
      out->data[i] = static_cast<int32_t>(u);
    }
  }
  return Status::Ok();
}

}  // namespace

const char* NpyIntTypeName(NpyIntType t) {
  return t == NpyIntType::kInt8 ? "int8" : t == NpyIntType::kUInt8 ? "uint8" : "int32";
}

Status ParseNpyInt(const uint8_t* data, size_t size, IntTensor* out) {
  *out = IntTensor();
  const Status st = ParseInt(data, size, out);
  if (!st.ok()) *out = IntTensor();
  return st;
}

Status ReadNpyInt(const std::string& path, IntTensor* out) {
  *out = IntTensor();
  std::vector<uint8_t> bytes;
  TCONV_RETURN_IF_ERROR(ReadNpyFileBytes(path, &bytes));
  const Status st = ParseNpyInt(bytes.data(), bytes.size(), out);
  if (!st.ok()) return Status(st.code(), "'" + path + "' is not a valid .npy file: " + st.message());
  return Status::Ok();
}

Status EncodeNpyInt(const IntTensor& t, std::string* out) {
  if (static_cast<int64_t>(t.data.size()) != NumElements(t.shape)) {
    return Status::Invalid("shape " + ShapeString(t.shape) + " but the data has " + std::to_string(t.data.size()) +
                           " elements");
  }
  const int64_t lo = t.type == NpyIntType::kInt8 ? -128 : t.type == NpyIntType::kUInt8 ? 0 : INT32_MIN;
  const int64_t hi = t.type == NpyIntType::kInt8 ? 127 : t.type == NpyIntType::kUInt8 ? 255 : INT32_MAX;
  const size_t itemsize = t.type == NpyIntType::kInt32 ? 4 : 1;
  std::string& bytes = *out;
  bytes.clear();
  try {
    bytes = NpyHeader(t.type == NpyIntType::kInt8 ? "|i1" : t.type == NpyIntType::kUInt8 ? "|u1" : "<i4", t.shape);
    const size_t off = bytes.size();
    bytes.resize(off + t.data.size() * itemsize);
    for (size_t i = 0; i < t.data.size(); ++i) {
      if (t.data[i] < lo || t.data[i] > hi) {
        return Status::Invalid(std::to_string(t.data[i]) + " is outside " + NpyIntTypeName(t.type) + "'s range");
      }
      const uint32_t u = static_cast<uint32_t>(t.data[i]);
      for (size_t b = 0; b < itemsize; ++b) bytes[off + i * itemsize + b] = static_cast<char>((u >> (8 * b)) & 0xff);
    }
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("out of memory encoding " + std::to_string(t.data.size()) + " integers");
  }
  return Status::Ok();
}

Status WriteNpyIntAtomic(const std::string& path, const IntTensor& t) {
  std::string bytes;
  const Status st = EncodeNpyInt(t, &bytes);
  if (!st.ok()) return Status(st.code(), "cannot write '" + path + "': " + st.message());
  return WriteFileAtomic(path, bytes.data(), bytes.size());
}

}  // namespace tconv
