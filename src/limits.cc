// The process-wide limits of include/tconv/limits.h.
#include "tconv/limits.h"

#include <unistd.h>

#include <cstdio>
#include <limits>

namespace tconv {
namespace {

constexpr int kThreadsPerCpu = 4;

}  // namespace

int64_t PhysicalMemoryBytes() {
  static const int64_t bytes = [] {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return int64_t{1} << 32;  // unknown: assume 4 GiB
    int64_t b;
    if (__builtin_mul_overflow(static_cast<int64_t>(pages), static_cast<int64_t>(page), &b)) {
      return std::numeric_limits<int64_t>::max();
    }
    return b;
  }();
  return bytes;
}

int OnlineCpus() {
  static const int cpus = [] {
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 65536 ? 65536 : static_cast<int>(n));
  }();
  return cpus;
}

int MaxThreads() { return kThreadsPerCpu * OnlineCpus(); }

Status CheckThreads(const std::string& what, int64_t threads) {
  if (threads < 1) return Status::Invalid(what + " must be >= 1 (got " + std::to_string(threads) + ")");
  if (threads > MaxThreads()) {
    return Status::Invalid(what + " must be <= " + std::to_string(MaxThreads()) + " (" +
                           std::to_string(kThreadsPerCpu) + " x the " + std::to_string(OnlineCpus()) +
                           " CPUs online) (got " + std::to_string(threads) + ")");
  }
  return Status::Ok();
}

int64_t MemoryLimitBytes(int64_t limit) { return limit > 0 ? limit : PhysicalMemoryBytes(); }

std::string FormatBytes(int64_t b) {
  if (b == std::numeric_limits<int64_t>::max()) return "more than 2^63 bytes";
  char buf[48];
  const double v = static_cast<double>(b);
  if (b < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  } else if (b < (int64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", v / 1024.0);
  } else if (b < (int64_t{1} << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", v / 1048576.0);
  } else if (b < (int64_t{1} << 40)) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", v / 1073741824.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f TiB", v / 1099511627776.0);
  }
  return buf;
}

Status CheckMemory(const std::string& what, int64_t bytes, int64_t limit) {
  const int64_t cap = MemoryLimitBytes(limit);
  if (bytes <= cap) return Status::Ok();
  return Status::OutOfMemory(what + " needs " + FormatBytes(bytes) + ", more than the memory limit " +
                             FormatBytes(cap) +
                             (limit > 0 ? " (the caller's max_memory_bytes / --max-memory)"
                                        : " (physical memory; PlanOptions::max_memory_bytes or --max-memory sets it)"));
}

}  // namespace tconv
