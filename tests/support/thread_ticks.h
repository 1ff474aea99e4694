// CPU time of this process's threads, from /proc/self/task/*/stat (the
// thread count and idle-worker tests). Header-only: the ThreadSanitizer
// binary (tests/parallel_test.cc) links no support sources.
#ifndef TCONV_TESTS_SUPPORT_THREAD_TICKS_H_
#define TCONV_TESTS_SUPPORT_THREAD_TICKS_H_

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

namespace tconv {
namespace testing {

// CPU ticks (utime + stime) by thread id, of every thread of this process
// or only of those named `name` (/proc/self/task/*/comm); empty without
// /proc.
inline std::map<int, long> ThreadTicks(const std::string& name = "") {
  std::map<int, long> ticks;
  DIR* dir = ::opendir("/proc/self/task");
  if (!dir) return ticks;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const std::string task = std::string("/proc/self/task/") + e->d_name;
    if (!name.empty()) {
      std::ifstream comm(task + "/comm");
      std::string n;
      std::getline(comm, n);
      if (n != name) continue;
    }
    std::ifstream f(task + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const size_t close = s.rfind(')');  // the name may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    // Fields after the name: state(3) ... utime(14) stime(15).
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stol(field);
      if (i == 15) stime = std::stol(field);
    }
    ticks[std::atoi(e->d_name)] = utime + stime;
  }
  ::closedir(dir);
  return ticks;
}

}  // namespace testing
}  // namespace tconv

#endif  // TCONV_TESTS_SUPPORT_THREAD_TICKS_H_
