// Integer .npy arrays (ReadNpyInt, WriteNpyIntAtomic): round trips of
// int8, uint8 and int32, a big-endian int32 file, and the refusals (a
// float file, truncated data, a value outside the written type).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tconv/npy.h"
#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::PathExists;
using ::tconv::testing::TempDir;

TEST(NpyInt, RoundTrips) {
  TempDir dir;
  const std::string p = dir / "a.npy";
  for (NpyIntType t : {NpyIntType::kInt8, NpyIntType::kUInt8, NpyIntType::kInt32}) {
    IntTensor a;
    a.type = t;
    a.shape = {2, 3};
    a.data = t == NpyIntType::kInt8    ? std::vector<int32_t>{-128, -1, 0, 1, 2, 127}
             : t == NpyIntType::kUInt8 ? std::vector<int32_t>{0, 1, 2, 128, 200, 255}
                                       : std::vector<int32_t>{INT32_MIN, -70000, 0, 1, 70000, INT32_MAX};
    ASSERT_TRUE(WriteNpyIntAtomic(p, a).ok());
    IntTensor b;
    ASSERT_TRUE(ReadNpyInt(p, &b).ok());
    EXPECT_EQ(b.type, t);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.data, a.data);
  }
}

TEST(NpyInt, BigEndianInt32AndRefusals) {
  TempDir dir;
  const std::string p = dir / "be.npy";
  {
    std::string header = "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }";
    header += std::string(128 - 10 - header.size() - 1, ' ') + "\n";
    std::ofstream f(p, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {static_cast<char>(header.size()), 0};
    f.write(len, 2);
    f << header;
    const unsigned char data[8] = {0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x00, 0x00};
    f.write(reinterpret_cast<const char*>(data), 8);
  }
  IntTensor t;
  ASSERT_TRUE(ReadNpyInt(p, &t).ok());
  EXPECT_EQ(t.data, (std::vector<int32_t>{-2, 65536}));
  const std::string fp = dir / "f.npy";
  ASSERT_TRUE(WriteNpyAtomic(fp, Tensor({2}, 1.0f)).ok());
  Status st = ReadNpyInt(fp, &t);
  EXPECT_NE(st.message().find("unsupported dtype '<f4'"), std::string::npos) << st.message();
  EXPECT_TRUE(t.data.empty());
  IntTensor bad;
  bad.type = NpyIntType::kUInt8;
  bad.shape = {1};
  bad.data = {256};
  const std::string bp = dir / "bad.npy";
  EXPECT_EQ(WriteNpyIntAtomic(bp, bad).message(), "cannot write '" + bp + "': 256 is outside uint8's range");
  EXPECT_FALSE(PathExists(bp));
  bad.shape = {2};
  EXPECT_FALSE(WriteNpyIntAtomic(bp, bad).ok());
}

}  // namespace
}  // namespace tconv
