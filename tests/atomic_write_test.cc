// The one atomic writer (src/io/atomic_write.h): the file appears whole or not
// at all, an existing file survives a failed write, and no temporary is left.
#include "src/io/atomic_write.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/cli_run.h"

namespace tconv {
namespace {

using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::TempDir;
using ::tconv::testing::WriteWholeFile;

Status Write(const std::string& path, const std::string& text) { return WriteFileAtomic(path, text.data(), text.size()); }

TEST(AtomicWrite, WritesBytesAndReplacesAnExistingFile) {
  TempDir dir;
  ASSERT_TRUE(Write(dir / "a.txt", "first").ok());
  EXPECT_EQ(ReadWholeFile(dir / "a.txt"), "first");
  ASSERT_TRUE(Write(dir / "a.txt", "second").ok());
  EXPECT_EQ(ReadWholeFile(dir / "a.txt"), "second");
  EXPECT_EQ(dir.List(), std::vector<std::string>{"a.txt"});
}

TEST(AtomicWrite, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  WriteWholeFile(dir / "keep.txt", "old contents");
  ASSERT_EQ(::mkdir((dir / "sub").c_str(), 0755), 0);
  // A write into a directory that vanishes: nothing is created.
  ASSERT_FALSE(Write(dir / "sub/missing/y.txt", "x").ok());
  // Over a directory: refused, the directory kept.
  ASSERT_FALSE(Write(dir / "sub", "x").ok());
  EXPECT_EQ(ReadWholeFile(dir / "keep.txt"), "old contents");
  std::vector<std::string> names = dir.List();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"keep.txt", "sub"}));
}

TEST(AtomicWrite, NamesTheProblem) {
  TempDir dir;
  Status st = Write(dir / "no/such/dir/y.txt", "x");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot create a file in '" + (dir / "no/such/dir") + "'"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("No such file or directory"), std::string::npos) << st.message();
  st = Write(dir.path(), "x");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("it is a directory"), std::string::npos) << st.message();
  EXPECT_FALSE(Write("", "x").ok());
  EXPECT_TRUE(dir.List().empty());
}

}  // namespace
}  // namespace tconv
