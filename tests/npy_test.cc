// .npy reader/writer: round trips, float64/big-endian conversion, header
// versions, and one test per malformed kind, each with its specific error.
#include "tconv/npy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::PathExists;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::TempDir;
using ::tconv::testing::WriteWholeFile;

// Builds a .npy image: preamble for `major`, the dict padded to a multiple of
// 64 and ending with '\n' (unless raw_header), then `data`.
std::string Npy(const std::string& dict, const std::string& data, int major = 1, bool raw_header = false) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  if (!raw_header) {
    size_t total = prefix + dict.size() + 1;
    header += std::string((total + 63) / 64 * 64 - total, ' ') + "\n";
  }
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  for (size_t i = 0; i < prefix - 8; ++i) s += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return s + header + data;
}

std::string F4(const std::vector<float>& v, bool big = false) {
  std::string s(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    char b[4];
    std::memcpy(b, &v[i], 4);
    if (big) std::swap(b[0], b[3]), std::swap(b[1], b[2]);
    std::memcpy(&s[4 * i], b, 4);
  }
  return s;
}

std::string F8(const std::vector<double>& v, bool big = false) {
  std::string s(v.size() * 8, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    char b[8];
    std::memcpy(b, &v[i], 8);
    if (big)
      for (int j = 0; j < 4; ++j) std::swap(b[j], b[7 - j]);
    std::memcpy(&s[8 * i], b, 8);
  }
  return s;
}

std::string Dict(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

Status Parse(const std::string& bytes, Tensor* t) {
  return ParseNpy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), t);
}

// Parses `bytes`, expects failure with `needle` in the message and an empty tensor.
void ExpectError(const std::string& bytes, const std::string& needle) {
  Tensor t({2}, 7.0f);
  Status st = Parse(bytes, &t);
  ASSERT_FALSE(st.ok()) << "expected an error containing '" << needle << "'";
  EXPECT_NE(st.message().find(needle), std::string::npos) << "message: " << st.message();
  EXPECT_TRUE(t.data.empty());
  EXPECT_TRUE(t.shape.empty());
}

TEST(Npy, EncodeParseRoundTripShapes) {
  const std::vector<Shape> shapes = {{}, {0}, {5}, {2, 3}, {1, 2, 3, 4}, {2, 0, 3}, {1, 1, 2, 3, 4}};
  for (const Shape& s : shapes) {
    Tensor t(s);
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = 0.25f * static_cast<float>(i) - 3.0f;
    std::string bytes;
    ASSERT_TRUE(EncodeNpy(t, &bytes).ok());
    EXPECT_EQ(bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)), 0);
    const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    EXPECT_EQ((10 + header_len) % 64, 0u) << ShapeString(s);
    EXPECT_EQ(bytes[10 + header_len - 1], '\n');
    Tensor back;
    Status st = Parse(bytes, &back);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(back.shape, s);
    EXPECT_EQ(back.data, t.data);
  }
}

TEST(Npy, HeaderTextIsNumpyStyle) {
  Tensor t({3});
  std::string bytes;
  ASSERT_TRUE(EncodeNpy(t, &bytes).ok());
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), std::string::npos);
}

TEST(Npy, SpecialValuesSurviveBitExact) {
  Tensor t({4});
  t.data = {-0.0f, 1e-45f, 3.4028235e38f, std::numeric_limits<float>::infinity()};
  std::string bytes;
  ASSERT_TRUE(EncodeNpy(t, &bytes).ok());
  Tensor back;
  ASSERT_TRUE(Parse(bytes, &back).ok());
  EXPECT_EQ(std::memcmp(back.data.data(), t.data.data(), 16), 0);
}

TEST(Npy, FileRoundTripAtomic) {
  TempDir dir;
  Tensor t({2, 3, 4});
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<float>(i) * 1.5f;
  const std::string path = dir / "t.npy";
  ASSERT_TRUE(WriteNpyAtomic(path, t).ok());
  Tensor back;
  Status st = ReadNpy(path, &back);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(back.shape, t.shape);
  EXPECT_EQ(back.data, t.data);
  // Overwrite in place; no temporary is left beside it.
  Tensor u({1}, 9.0f);
  ASSERT_TRUE(WriteNpyAtomic(path, u).ok());
  ASSERT_TRUE(ReadNpy(path, &back).ok());
  EXPECT_EQ(back.shape, Shape{1});
  EXPECT_EQ(dir.List(), std::vector<std::string>{"t.npy"});
}

TEST(Npy, ReadsNumpyWrittenConformanceFile) {
  const std::string path = std::string(TCONV_SHARED_DIR) + "/conformance/examples/a_k3_s2_p1_op1/weight.npy";
  Tensor t;
  Status st = ReadNpy(path, &t);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(t.shape, (Shape{1, 1, 3, 3}));
  for (int i = 0; i < 9; ++i) EXPECT_EQ(t.data[i], static_cast<float>(i + 1));
}

TEST(Npy, Float64IsConvertedToFloat32) {
  Tensor t;
  Status st = Parse(Npy(Dict("<f8", "(2, 2)"), F8({1.0, -2.5, 0.1, 1e300})), &t);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(t.shape, (Shape{2, 2}));
  EXPECT_EQ(t.data[0], 1.0f);
  EXPECT_EQ(t.data[1], -2.5f);
  EXPECT_EQ(t.data[2], 0.1f);
  EXPECT_TRUE(std::isinf(t.data[3]));
}

TEST(Npy, BigEndianIsConverted) {
  Tensor t;
  ASSERT_TRUE(Parse(Npy(Dict(">f4", "(3,)"), F4({1.0f, -2.0f, 0.5f}, true)), &t).ok());
  EXPECT_EQ(t.data, (std::vector<float>{1.0f, -2.0f, 0.5f}));
  ASSERT_TRUE(Parse(Npy(Dict(">f8", "(2,)"), F8({3.0, -0.25}, true)), &t).ok());
  EXPECT_EQ(t.data, (std::vector<float>{3.0f, -0.25f}));
}

TEST(Npy, HeaderVersions2And3) {
  for (int major : {2, 3}) {
    Tensor t;
    Status st = Parse(Npy(Dict("<f4", "(2,)"), F4({1, 2}), major), &t);
    ASSERT_TRUE(st.ok()) << major << ": " << st.message();
    EXPECT_EQ(t.data, (std::vector<float>{1, 2}));
  }
}

TEST(Npy, HeaderSpellingsNumpyAccepts) {
  Tensor t;
  // Double quotes, no trailing comma, keys in another order, no spaces.
  ASSERT_TRUE(Parse(Npy("{\"shape\":(1,2),\"fortran_order\":False,\"descr\":\"<f4\"}", F4({1, 2})), &t).ok());
  EXPECT_EQ(t.shape, (Shape{1, 2}));
  ASSERT_TRUE(Parse(Npy(Dict("<f4", "()"), F4({4})), &t).ok());
  EXPECT_EQ(t.shape, Shape{});
  EXPECT_EQ(t.data, std::vector<float>{4});
  ASSERT_TRUE(Parse(Npy(Dict("<f4", "( 2 , 1 , )"), F4({1, 2})), &t).ok());
}

TEST(Npy, ErrorTruncatedFile) {
  ExpectError("", "truncated file");
  ExpectError("\x93NUM", "truncated file");
  ExpectError(std::string("\x93NUMPY\x02\x00\x10\x00", 10), "truncated");
}

TEST(Npy, ErrorBadMagic) {
  ExpectError("PK\x03\x04 this is a zip file really", "bad magic");
  std::string b = Npy(Dict("<f4", "(1,)"), F4({1}));
  b[1] = 'n';
  ExpectError(b, "bad magic");
}

TEST(Npy, ErrorUnsupportedVersion) {
  std::string b = Npy(Dict("<f4", "(1,)"), F4({1}));
  b[6] = 4;
  ExpectError(b, "unsupported .npy version 4.0");
  b[6] = 1, b[7] = 1;
  ExpectError(b, "unsupported .npy version 1.1");
  b[6] = 0, b[7] = 0;
  ExpectError(b, "unsupported .npy version 0.0");
}

TEST(Npy, ErrorHeaderLongerThanFile) {
  std::string b = Npy(Dict("<f4", "(1,)"), "");
  b[9] = 0x40;  // header length 16384+
  ExpectError(b, "truncated header");
}

TEST(Npy, ErrorUnterminatedHeader) {
  ExpectError(Npy(Dict("<f4", "(1,)"), F4({1}), 1, /*raw_header=*/true), "unterminated header");
  ExpectError(Npy("", "", 1, true), "header is empty");
}

TEST(Npy, ErrorHeaderNotADict) {
  ExpectError(Npy("[1, 2, 3]", ""), "not a dict");
  ExpectError(Npy("'descr'", ""), "not a dict");
  ExpectError(Npy("{'descr' '<f4'}", ""), "expected ':'");
  ExpectError(Npy("{'descr': '<f4' 'shape': (1,)}", F4({1})), "expected ',' or '}'");
  ExpectError(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", F4({1})), "after the closing");
  ExpectError(Npy("{'descr': '<f4", ""), "unterminated string");
  ExpectError(Npy("{descr: '<f4'}", ""), "quoted string");
  ExpectError(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", F4({1})), "expected ',' or '}'");
}

TEST(Npy, ErrorNonAsciiHeader) {
  ExpectError(Npy(std::string("{'descr': '<f4\xff', 'fortran_order': False, 'shape': (1,)}"), F4({1})), "non-ASCII");
  ExpectError(Npy(std::string("{'descr': '<f4\0', 'fortran_order': False, 'shape': (1,)}", 56), F4({1})), "NUL");
}

TEST(Npy, ErrorMissingKeys) {
  ExpectError(Npy("{'fortran_order': False, 'shape': (1,)}", F4({1})), "missing key 'descr'");
  ExpectError(Npy("{'descr': '<f4', 'shape': (1,)}", F4({1})), "missing key 'fortran_order'");
  ExpectError(Npy("{'descr': '<f4', 'fortran_order': False}", F4({1})), "missing key 'shape'");
  ExpectError(Npy("{}", ""), "missing key 'descr'");
}

TEST(Npy, ErrorUnknownOrDuplicateKey) {
  ExpectError(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", F4({1})), "unknown key 'extra'");
  ExpectError(Npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", F4({1})),
              "key 'descr' twice");
}

TEST(Npy, ErrorFortranOrder) {
  ExpectError(Npy(Dict("<f4", "(2, 2)", "True"), F4({1, 2, 3, 4})), "fortran_order True is not supported");
  ExpectError(Npy(Dict("<f4", "(1,)", "0"), F4({1})), "fortran_order must be True or False");
}

TEST(Npy, ErrorUnsupportedDtype) {
  ExpectError(Npy(Dict("<i4", "(1,)"), F4({1})), "unsupported dtype '<i4'");
  ExpectError(Npy(Dict("<f2", "(2,)"), F4({1})), "unsupported dtype '<f2'");
  ExpectError(Npy(Dict("|u1", "(4,)"), F4({1})), "unsupported dtype '|u1'");
  ExpectError(Npy(Dict("<c8", "(1,)"), F8({1})), "unsupported dtype '<c8'");
  ExpectError(Npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", F4({1})), "quoted string");
}

TEST(Npy, ErrorShapeSyntax) {
  ExpectError(Npy(Dict("<f4", "(3)"), F4({1, 2, 3})), "not a tuple");
  ExpectError(Npy(Dict("<f4", "[3]"), F4({1, 2, 3})), "must be a tuple");
  ExpectError(Npy(Dict("<f4", "(2, x)"), F4({1, 2})), "expected an integer dim");
  ExpectError(Npy(Dict("<f4", "(2 3)"), F4({1})), "expected ',' or ')'");
  ExpectError(Npy(Dict("<f4", "(2.5,)"), F4({1})), "expected ',' or ')'");
  ExpectError(Npy(Dict("<f4", "(,)"), ""), "expected an integer dim");
  ExpectError(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3", ""), "not closed");
}

TEST(Npy, ErrorNegativeDim) { ExpectError(Npy(Dict("<f4", "(-2, 3)"), ""), "negative"); }

TEST(Npy, ErrorShapeOverflow) {
  ExpectError(Npy(Dict("<f4", "(4294967296, 4294967296, 16)"), ""), "overflows");
  ExpectError(Npy(Dict("<f4", "(1152921504606846976, 8)"), ""), "overflows");
  ExpectError(Npy(Dict("<f4", "(99999999999999999999,)"), ""), "too large");
  ExpectError(Npy(Dict("<f8", "(1000000000000, 10000000)"), ""), "overflows");
  // A zero dim does not excuse an overflowing product of the others.
  ExpectError(Npy(Dict("<f4", "(3709551615, 4294967296, 0)"), ""), "overflows");
}

TEST(Npy, ErrorDataSizeMismatch) {
  ExpectError(Npy(Dict("<f4", "(2, 3)"), F4({1, 2, 3, 4, 5})), "truncated data");
  ExpectError(Npy(Dict("<f4", "(2, 3)"), F4({1, 2, 3, 4, 5, 6}) + "x"), "trailing bytes");
  ExpectError(Npy(Dict("<f8", "(2,)"), F4({1, 2})), "needs 16 bytes, file has 8");
  ExpectError(Npy(Dict("<f4", "(1000000, 1000000)"), F4({1})), "data size mismatch");
}

TEST(Npy, ReadNpyNamesThePath) {
  TempDir dir;
  Tensor t;
  Status st = ReadNpy(dir / "missing.npy", &t);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing.npy"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("No such file"), std::string::npos) << st.message();
  st = ReadNpy(dir.path(), &t);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("not a regular file"), std::string::npos) << st.message();
  WriteWholeFile(dir / "bad.npy", "hello");
  st = ReadNpy(dir / "bad.npy", &t);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("bad.npy' is not a valid .npy file: truncated file"), std::string::npos)
      << st.message();
}

TEST(Npy, WriteFailsCleanly) {
  TempDir dir;
  Tensor t({2}, 1.0f);
  // Parent directory does not exist.
  Status st = WriteNpyAtomic(dir / "no/such/dir/y.npy", t);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("y.npy"), std::string::npos) << st.message();
  // Parent is a regular file.
  WriteWholeFile(dir / "file", "x");
  st = WriteNpyAtomic(dir / "file/y.npy", t);
  ASSERT_FALSE(st.ok());
  // Target is a directory.
  ASSERT_EQ(::mkdir((dir / "sub").c_str(), 0755), 0);
  st = WriteNpyAtomic(dir / "sub", t);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("directory"), std::string::npos) << st.message();
  // Data/shape mismatch: an existing file is left untouched.
  WriteWholeFile(dir / "keep.npy", "old contents");
  Tensor bad;
  bad.shape = {3};
  bad.data = {1.0f};
  st = WriteNpyAtomic(dir / "keep.npy", bad);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(ReadWholeFile(dir / "keep.npy"), "old contents");
  // Nothing else was created anywhere in the directory.
  std::vector<std::string> names = dir.List();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"file", "keep.npy", "sub"}));
  EXPECT_FALSE(PathExists(dir / "sub/.tmp"));
}

TEST(Npy, NeverCrashesOnMutations) {
  // Every truncation and many single-byte corruptions of a valid file either
  // parse or give an error; none may crash (run under ASan/UBSan in CI fuzz).
  Tensor t({2, 3});
  for (size_t i = 0; i < 6; ++i) t.data[i] = static_cast<float>(i);
  std::string good;
  ASSERT_TRUE(EncodeNpy(t, &good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    Tensor out;
    EXPECT_FALSE(Parse(good.substr(0, n), &out).ok()) << n;
  }
  int parsed = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (int v : std::vector<int>{0, 1, '(', ')', ',', '\'', '-', '9', 0x7f, 0xff}) {
      std::string b = good;
      b[i] = static_cast<char>(v);
      Tensor out;
      parsed += Parse(b, &out).ok();
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace tconv
