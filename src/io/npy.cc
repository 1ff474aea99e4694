// .npy reading and writing (see include/tconv/npy.h).
//
// The header is a Python dict literal; we parse exactly the subset NumPy
// writes (string keys, a string, True/False, a tuple of ints) with a small
// recursive-descent scanner and reject everything else by name.
#include "tconv/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "src/base/bf16.h"
#include "src/io/atomic_write.h"
#include "src/io/npy_internal.h"
#include "tconv/limits.h"

namespace tconv {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kMaxRank = 64;  // NumPy's own limit (NPY_MAXDIMS)

Status Bad(const std::string& m) { return Status::Invalid(m); }

// Scanner over the header text.
class HeaderParser {
 public:
  explicit HeaderParser(const std::string& text) : s_(text) {}

  struct Fields {
    bool has_descr = false, has_fortran = false, has_shape = false;
    std::string descr;
    bool fortran = false;
    Shape shape;
  };

  Status Parse(Fields* f) {
    SkipSpace();
    if (!Eat('{')) return Bad("header is not a dict: it must start with '{' (got " + Near() + ")");
    SkipSpace();
    while (!Eat('}')) {
      std::string key;
      TCONV_RETURN_IF_ERROR(ParseString(&key, "dict key"));
      SkipSpace();
      if (!Eat(':')) return Bad("header dict: expected ':' after key '" + key + "' (got " + Near() + ")");
      SkipSpace();
      if (key == "descr") {
        if (f->has_descr) return Bad("header dict has key 'descr' twice");
        f->has_descr = true;
        TCONV_RETURN_IF_ERROR(ParseString(&f->descr, "value of 'descr'"));
      } else if (key == "fortran_order") {
        if (f->has_fortran) return Bad("header dict has key 'fortran_order' twice");
        f->has_fortran = true;
        TCONV_RETURN_IF_ERROR(ParseBool(&f->fortran));
      } else if (key == "shape") {
        if (f->has_shape) return Bad("header dict has key 'shape' twice");
        f->has_shape = true;
        TCONV_RETURN_IF_ERROR(ParseShape(&f->shape));
      } else {
        return Bad("header dict has unknown key '" + key + "' (expected only descr, fortran_order, shape)");
      }
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
        continue;
      }
      SkipSpace();
      if (Peek() != '}') return Bad("header dict: expected ',' or '}' (got " + Near() + ")");
    }
    SkipSpace();
    if (pos_ != s_.size()) return Bad("header has text after the closing '}' (" + Near() + ")");
    if (!f->has_descr) return Bad("header dict is missing key 'descr'");
    if (!f->has_fortran) return Bad("header dict is missing key 'fortran_order'");
    if (!f->has_shape) return Bad("header dict is missing key 'shape'");
    return Status::Ok();
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  // A short, printable excerpt of the text at the cursor for messages.
  std::string Near() const {
    if (pos_ >= s_.size()) return "end of header";
    std::string out = "'";
    for (size_t i = pos_; i < s_.size() && i < pos_ + 12; ++i) {
      unsigned char c = static_cast<unsigned char>(s_[i]);
      if (c >= 32 && c < 127) {
        out += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      }
    }
    return out + "'";
  }

  Status ParseString(std::string* out, const char* what) {
    char q = Peek();
    if (q != '\'' && q != '"') return Bad(std::string("header dict: expected a quoted string for ") + what + " (got " + Near() + ")");
    ++pos_;
    out->clear();
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\n') break;  // reported as unterminated below
      if (s_[pos_] == '\\') return Bad(std::string("header dict: backslash escapes are not supported in ") + what);
      *out += s_[pos_++];
    }
    if (!Eat(q)) return Bad(std::string("header dict: unterminated string in ") + what);
    return Status::Ok();
  }

  Status ParseBool(bool* out) {
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      *out = true;
      return Status::Ok();
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      *out = false;
      return Status::Ok();
    }
    return Bad("header dict: fortran_order must be True or False (got " + Near() + ")");
  }

  Status ParseShape(Shape* shape) {
    shape->clear();
    if (!Eat('(')) return Bad("shape must be a tuple like (2, 3) (got " + Near() + ")");
    SkipSpace();
    bool trailing_comma = false;
    while (!Eat(')')) {
      if (pos_ >= s_.size() || Peek() == '\n') return Bad("shape tuple is not closed with ')'");
      bool negative = false;
      if (Eat('-')) negative = true;
      if (!(Peek() >= '0' && Peek() <= '9')) return Bad("shape: expected an integer dim (got " + Near() + ")");
      int64_t v = 0;
      while (Peek() >= '0' && Peek() <= '9') {
        int digit = Peek() - '0';
        if (v > (INT64_MAX - digit) / 10) return Bad("shape: dim " + std::to_string(shape->size()) + " is too large");
        v = v * 10 + digit;
        ++pos_;
      }
      if (negative) {
        return Bad("shape: dim " + std::to_string(shape->size()) + " is negative (-" + std::to_string(v) + ")");
      }
      shape->push_back(v);
      if (shape->size() > kMaxRank) return Bad("shape has more than " + std::to_string(kMaxRank) + " dims");
      SkipSpace();
      trailing_comma = false;
      if (pos_ >= s_.size()) return Bad("shape tuple is not closed with ')'");
      if (Eat(',')) {
        trailing_comma = true;
        SkipSpace();
      } else if (Peek() != ')') {
        return Bad("shape: expected ',' or ')' (got " + Near() + ")");
      }
    }
    // "(3)" is an int in Python, not a tuple.
    if (shape->size() == 1 && !trailing_comma) return Bad("shape (" + std::to_string((*shape)[0]) + ") is not a tuple: a 1-d shape is written (n,)");
    return Status::Ok();
  }

  const std::string& s_;
  size_t pos_ = 0;
};

uint32_t LoadLE(const uint8_t* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

bool HostIsLittleEndian() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

std::string Errno() { return std::strerror(errno); }

}  // namespace

namespace {

// The preamble (magic, version, header length) and the header text.
Status ReadPreamble(const uint8_t* data, size_t size, size_t* prefix, std::string* header) {
  if (size < 10) {
    return Bad("truncated file: " + std::to_string(size) + " bytes, a .npy file needs at least 10 for its preamble");
  }
  if (std::memcmp(data, kMagic, kMagicLen) != 0) return Bad("not a .npy file: bad magic (must start with \\x93NUMPY)");
  const int major = data[6], minor = data[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    return Bad("unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor) +
               " (supported: 1.0, 2.0, 3.0)");
  }
  *prefix = major == 1 ? 10 : 12;
  if (size < *prefix) return Bad("truncated file: the version " + std::to_string(major) + ".0 preamble needs 12 bytes");
  const size_t header_len = LoadLE(data + 8, major == 1 ? 2 : 4);
  if (header_len > size - *prefix) {
    return Bad("truncated header: header length is " + std::to_string(header_len) + " bytes but only " +
               std::to_string(size - *prefix) + " follow the preamble");
  }
  if (header_len == 0) return Bad("bad header: header is empty");
  header->assign(reinterpret_cast<const char*>(data + *prefix), header_len);
  if (header->back() != '\n') return Bad("unterminated header: the header must end with a newline");
  for (unsigned char c : *header) {
    if (c == 0 || (major < 3 && c >= 128)) return Bad("bad header: it contains a non-ASCII or NUL byte");
  }
  return Status::Ok();
}

// The element count of `shape`. The product of the non-zero dims must fit
// too, so that no partial product anywhere (NumElements, index math) can
// overflow, even when a zero dim makes the element count 0.
Status ElementCount(const Shape& shape, uint64_t* n) {
  uint64_t nonzero = 1;
  bool has_zero = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    const uint64_t d = static_cast<uint64_t>(shape[i]);
    if (d == 0) {
      has_zero = true;
      continue;
    }
    if (nonzero > UINT64_MAX / d) {
      return Bad("shape " + ShapeString(shape) + " overflows: its element count does not fit in 64 bits");
    }
    nonzero *= d;
  }
  if (nonzero > static_cast<uint64_t>(INT64_MAX) / 8) {
    return Bad("shape " + ShapeString(shape) + " overflows: too many elements");
  }
  *n = has_zero ? 0 : nonzero;
  return Status::Ok();
}

// n elements of itemsize bytes (4: float32, 8: float64), byte-swapped when
// `swap`, into out as float.
void DecodeElements(const uint8_t* p, size_t n, size_t itemsize, bool swap, float* out) {
  for (size_t i = 0; i < n; ++i, p += itemsize) {
    uint8_t b[8];
    std::memcpy(b, p, itemsize);
    if (swap) {
      for (size_t j = 0; j < itemsize / 2; ++j) std::swap(b[j], b[itemsize - 1 - j]);
    }
    if (itemsize == 4) {
      std::memcpy(&out[i], b, 4);
    } else {
      double v;
      std::memcpy(&v, b, 8);
      out[i] = static_cast<float>(v);
    }
  }
}

}  // namespace

namespace {

// bf16_bits: the file holds uint16 ('<u2'/'>u2'), each the bits of a bf16,
// widened (exactly) into the float tensor; nothing else is accepted.
Status ParseNpyAs(const uint8_t* data, size_t size, bool bf16_bits, Tensor* out) {
  *out = Tensor();
  size_t prefix = 0;
  std::string header;
  TCONV_RETURN_IF_ERROR(ReadPreamble(data, size, &prefix, &header));
  HeaderParser::Fields f;
  TCONV_RETURN_IF_ERROR(HeaderParser(header).Parse(&f));
  if (f.fortran) return Bad("fortran_order True is not supported (write the array in C order)");
  size_t itemsize = 0;
  if (bf16_bits) {
    if (f.descr != "<u2" && f.descr != ">u2") {
      return Bad("dtype '" + f.descr + "' where bf16 bits are expected (uint16 '<u2'/'>u2')");
    }
    itemsize = 2;
  } else if (f.descr == "<f4" || f.descr == ">f4") {
    itemsize = 4;
  } else if (f.descr == "<f8" || f.descr == ">f8") {
    itemsize = 8;
  } else {
    return Bad("unsupported dtype '" + f.descr + "' (supported: float32 '<f4'/'>f4', float64 '<f8'/'>f8')");
  }
  const bool big = f.descr[0] == '>';
  uint64_t n = 0;
  TCONV_RETURN_IF_ERROR(ElementCount(f.shape, &n));
  const uint64_t need = n * itemsize;
  const uint64_t have = size - prefix - header.size();
  if (need != have) {
    return Bad(std::string("data size mismatch: shape ") + ShapeString(f.shape) + " of '" + f.descr + "' needs " +
               std::to_string(need) + " bytes, file has " + std::to_string(have) +
               (have < need ? " (truncated data)" : " (trailing bytes)"));
  }
  Tensor t;
  try {
    t.shape = f.shape;
    t.data.resize(static_cast<size_t>(n));
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("cannot allocate " + std::to_string(n) + " floats for shape " + ShapeString(f.shape));
  }
  const uint8_t* src = data + prefix + header.size();
  if (itemsize == 2) {
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      const uint32_t bits = big ? (src[2 * i] << 8 | src[2 * i + 1]) : (src[2 * i + 1] << 8 | src[2 * i]);
      t.data[i] = Bf16ToF32(static_cast<uint16_t>(bits));
    }
  } else {
    DecodeElements(src, static_cast<size_t>(n), itemsize, big == HostIsLittleEndian(), t.data.data());
  }
  *out = std::move(t);
  return Status::Ok();
}


}  // namespace

Status ReadNpyFileBytes(const std::string& path, std::vector<uint8_t>* out) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it hung the CLI);
  // it changes nothing for the regular files read below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::Io("cannot open '" + path + "': " + Errno());
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Io("cannot read '" + path + "': not a regular file");
  }
  if (st.st_size > PhysicalMemoryBytes()) {
    ::close(fd);
    return Status::OutOfMemory("cannot read '" + path + "': " + FormatBytes(st.st_size) +
                               ", more than the physical memory " + FormatBytes(PhysicalMemoryBytes()));
  }
  std::vector<uint8_t>& bytes = *out;
  bytes.clear();
  try {
    bytes.reserve(static_cast<size_t>(st.st_size));
    uint8_t buf[1 << 16];
    for (;;) {
      ssize_t r = ::read(fd, buf, sizeof buf);
      if (r < 0) {
        if (errno == EINTR) continue;
        std::string e = Errno();
        ::close(fd);
        return Status::Io("cannot read '" + path + "': " + e);
      }
      if (r == 0) break;
      bytes.insert(bytes.end(), buf, buf + r);
    }
  } catch (const std::bad_alloc&) {
    ::close(fd);
    return Status::OutOfMemory("cannot hold '" + path + "' in memory");
  }
  ::close(fd);
  return Status::Ok();
}

Status ParseNpyRaw(const uint8_t* data, size_t size, NpyRaw* out) {
  size_t prefix = 0;
  std::string header;
  TCONV_RETURN_IF_ERROR(ReadPreamble(data, size, &prefix, &header));
  HeaderParser::Fields f;
  TCONV_RETURN_IF_ERROR(HeaderParser(header).Parse(&f));
  if (f.fortran) return Bad("fortran_order True is not supported (write the array in C order)");
  TCONV_RETURN_IF_ERROR(ElementCount(f.shape, &out->count));
  out->descr = f.descr;
  out->shape = f.shape;
  out->payload = data + prefix + header.size();
  out->payload_bytes = size - prefix - header.size();
  return Status::Ok();
}

std::string NpyHeader(const std::string& descr, const Shape& shape) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + ShapeString(shape) + ", }";
  // Pad with spaces so that preamble + header is a multiple of 64, ending in '\n'.
  size_t prefix = 10;
  size_t total = prefix + dict.size() + 1;
  if (total > 65535 + 10) prefix = 12, total = prefix + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  std::string header = dict + std::string(padded - total, ' ') + "\n";
  std::string bytes(kMagic, kMagicLen);
  bytes.push_back(static_cast<char>(prefix == 10 ? 1 : 2));
  bytes.push_back(0);
  const uint32_t hl = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < prefix - 8; ++i) bytes.push_back(static_cast<char>((hl >> (8 * i)) & 0xff));
  return bytes + header;
}

namespace {

Status ReadNpyAs(const std::string& path, bool bf16_bits, Tensor* out) {
  *out = Tensor();
  std::vector<uint8_t> bytes;
  TCONV_RETURN_IF_ERROR(ReadNpyFileBytes(path, &bytes));
  Status s = ParseNpyAs(bytes.data(), bytes.size(), bf16_bits, out);
  if (!s.ok()) return Status(s.code(), "'" + path + "' is not a valid .npy file: " + s.message());
  return Status::Ok();
}

// bf16_bits: '<u2', each element's bf16 bits (rounded to nearest even).
Status EncodeNpyAs(const Tensor& t, bool bf16_bits, std::string* bytes) {
  for (int64_t d : t.shape) {
    if (d < 0) return Bad("cannot write shape " + ShapeString(t.shape) + ": negative dim");
  }
  uint64_t n = 1;
  for (int64_t d : t.shape) {
    if (d != 0 && n > UINT64_MAX / static_cast<uint64_t>(d)) return Bad("cannot write shape " + ShapeString(t.shape) + ": overflow");
    n *= static_cast<uint64_t>(d);
  }
  if (n != t.data.size()) {
    return Bad("cannot write shape " + ShapeString(t.shape) + ": it has " + std::to_string(n) + " elements but the data has " +
               std::to_string(t.data.size()));
  }
  *bytes = NpyHeader(bf16_bits ? "<u2" : "<f4", t.shape);
  const size_t off = bytes->size();
  if (bf16_bits) {
    bytes->resize(off + t.data.size() * 2);
    for (size_t i = 0; i < t.data.size(); ++i) {
      const uint16_t b = Bf16Bits(t.data[i]);
      (*bytes)[off + 2 * i] = static_cast<char>(b & 0xff);
      (*bytes)[off + 2 * i + 1] = static_cast<char>(b >> 8);
    }
    return Status::Ok();
  }
  bytes->resize(off + t.data.size() * 4);
  for (size_t i = 0; i < t.data.size(); ++i) {
    uint8_t b[4];
    std::memcpy(b, &t.data[i], 4);
    if (!HostIsLittleEndian()) std::swap(b[0], b[3]), std::swap(b[1], b[2]);
    std::memcpy(&(*bytes)[off + 4 * i], b, 4);
  }
  return Status::Ok();
}

Status WriteNpyAs(const std::string& path, const Tensor& t, bool bf16_bits) {
  std::string bytes;
  try {
    TCONV_RETURN_IF_ERROR(EncodeNpyAs(t, bf16_bits, &bytes));
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory("cannot encode the output for '" + path + "': out of memory");
  }
  return WriteFileAtomic(path, bytes.data(), bytes.size());
}

}  // namespace

Status ParseNpy(const uint8_t* data, size_t size, Tensor* out) { return ParseNpyAs(data, size, false, out); }

Status ReadNpy(const std::string& path, Tensor* out) { return ReadNpyAs(path, false, out); }

Status ReadNpyBf16Bits(const std::string& path, Tensor* out) { return ReadNpyAs(path, true, out); }

Status EncodeNpy(const Tensor& t, std::string* bytes) { return EncodeNpyAs(t, false, bytes); }

Status WriteNpyAtomic(const std::string& path, const Tensor& t) { return WriteNpyAs(path, t, false); }

Status WriteNpyBf16BitsAtomic(const std::string& path, const Tensor& t) { return WriteNpyAs(path, t, true); }

}  // namespace tconv
